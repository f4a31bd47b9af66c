// sportelli-bench: an open-loop load generator for the project's gRPC services. It offers a
// fixed rate of one unary RPC, measures every latency from the request's intended send time
// (no coordinated omission) and reports throughput, percentiles and status codes. Scenarios and
// flags: bench/README.md, or `sportelli-bench --help`.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/flags.h"
#include "bench/load_generator.h"
#include "bench/report.h"
#include "bench/rush_check.h"
#include "bench/scenarios.h"
#include "bench/schedule.h"
#include "bench/workload_data.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/clock.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/status/macros.h"

namespace sportelli::bench {
namespace {

constexpr char kUsage[] =
    R"(usage: sportelli-bench --scenario SCENARIO --target HOST:PORT --rate REQ_PER_S
                       --jwt-private-key FILE --jwt-issuer ISS --jwt-audience AUD [flags]

scenarios
  empty         sportelli.bench.v1.BenchService.Ping (sportelli-bench-server): the RPC layer's limit
  availability  SchedulingService.ListAvailableSlots over --desks pairs and --days start dates
  booking       CreateAppointment round-robin over every free slot of --desks over --days
  rush          --attempts CreateAppointment uniformly at random over --slots free slots;
                with --pg-dsn, checks in PostgreSQL that no slot was overbooked
  read          GetAppointment (citizen decrypted, read audited) round-robin over --appointments
                appointments it books first on --desks; needs --role operator
  contact       IntakeService: CreatePerson, then CreateContact for that person at a desk of
                --desks, as one request; needs --role operator
  case-read     IntakeService: GetCase, then ListNotes (--page-size newest), of --cases cases
                with --notes notes each that it opens first on --desks; needs --role operator
  case-list     IntakeService.ListCases of the desks of --desks (open cases, first page of
                --page-size); needs --role operator or coordinator

flags (defaults in brackets)
  --duration D        measured duration [30s] (not for rush: it lasts attempts / rate)
  --warmup D          sent first and not recorded [5s; rush 0s]
  --threads N         client threads [2]          --connections N  HTTP/2 connections [4]
  --deadline D        per-RPC deadline [2s]       --max-inflight N  cap before "not sent" [10000]
  --role R[,R]        roles in the minted tokens [portal]
  --tenant T          tenant of the empty scenario's token [bench]
  --desks FILE        lines "tenants/T/desks/D tenants/T/services/S" (availability, booking, rush)
  --days N            local days from today (Europe/Rome) [7]
  --span-days N       days asked per availability request [1]
  --slots N           rush: slots aimed at [1000]  --attempts N  rush: attempts [100000]
  --seed N            rush: choice of slots and of each attempt's slot [random]
  --appointments N    read: appointments booked, then read [500]
  --cases N           case-read: cases opened [50]   --notes N  case-read: notes per case [25]
  --page-size N       case-read: notes read; case-list: cases listed [20]
  --subject S         token subject [sportelli-bench]
  --pg-dsn DSN        rush: libpq connection string for the overbooking check
  --json FILE         also write the report as JSON   --label TEXT  a name for this run
)";

const std::set<std::string> kFlags = {
    "scenario",    "target",       "rate",         "duration", "warmup", "threads",
    "connections", "deadline",     "max-inflight", "json",     "label",  "jwt-private-key",
    "jwt-issuer",  "jwt-audience", "role",         "tenant",   "desks",  "days",
    "span-days",   "slots",        "attempts",     "seed",     "pg-dsn", "appointments",
    "cases",       "notes",        "page-size",    "subject"};

// Exit codes.
constexpr int kExitOk = 0;
constexpr int kExitCheckFailed = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSetup = 3;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// Everything a run needs, read and checked before any connection is made.
struct Settings {
  std::string scenario;
  std::string target;
  double rate = 0;
  absl::Duration duration;
  absl::Duration warmup;
  LoadOptions load;
  std::string json_path;
  std::string label;
  std::string private_key;
  std::string issuer;
  std::string audience;
  std::vector<std::string> roles;
  std::string tenant;
  std::vector<DeskService> pairs;
  int days = 0;
  int span_days = 0;
  int64_t slots = 0;
  int64_t attempts = 0;
  uint64_t seed = 0;
  std::string pg_dsn;
  int appointments = 0;
  int cases = 0;
  int notes = 0;
  int page_size = 0;
  std::string subject;
};

absl::StatusOr<Settings> ReadSettings(const Flags& flags) {
  Settings s;
  ASSIGN_OR_RETURN(s.scenario, flags.String("scenario"));
  const std::set<std::string> scenarios = {"empty", "availability", "booking",   "rush",
                                           "read",  "contact",      "case-read", "case-list"};
  if (scenarios.count(s.scenario) == 0) {
    return absl::InvalidArgumentError(
        "--scenario: empty, availability, booking, rush, read, contact, case-read or case-list");
  }
  const bool rush = s.scenario == "rush";
  ASSIGN_OR_RETURN(s.target, flags.String("target"));
  ASSIGN_OR_RETURN(s.rate, flags.Double("rate"));
  if (rush && flags.Has("duration")) {
    return absl::InvalidArgumentError("--duration: a rush lasts --attempts / --rate");
  }
  ASSIGN_OR_RETURN(s.duration, flags.Duration("duration", absl::Seconds(30)));
  ASSIGN_OR_RETURN(s.warmup,
                   flags.Duration("warmup", rush ? absl::ZeroDuration() : absl::Seconds(5)));
  int64_t value = 0;
  ASSIGN_OR_RETURN(value, flags.Int("threads", 2, 1, 64));
  s.load.threads = static_cast<int>(value);
  ASSIGN_OR_RETURN(value, flags.Int("connections", 4, 1, 256));
  s.load.connections = static_cast<int>(value);
  ASSIGN_OR_RETURN(s.load.max_inflight, flags.Int("max-inflight", 10'000, 1, 10'000'000));
  ASSIGN_OR_RETURN(s.load.deadline, flags.Duration("deadline", absl::Seconds(2)));
  if (s.load.deadline <= absl::ZeroDuration())
    return absl::InvalidArgumentError("--deadline: must be positive");
  s.json_path = flags.String("json", "");
  s.label = flags.String("label", "");
  std::string key_path;
  ASSIGN_OR_RETURN(key_path, flags.String("jwt-private-key"));
  ASSIGN_OR_RETURN(s.private_key, ReadFile(key_path));
  ASSIGN_OR_RETURN(s.issuer, flags.String("jwt-issuer"));
  ASSIGN_OR_RETURN(s.audience, flags.String("jwt-audience"));
  s.roles = absl::StrSplit(flags.String("role", "portal"), ',', absl::SkipEmpty());
  s.tenant = flags.String("tenant", "bench");
  if (s.scenario != "empty") {
    std::string desks_path;
    ASSIGN_OR_RETURN(desks_path, flags.String("desks"));
    std::string desks;
    ASSIGN_OR_RETURN(desks, ReadFile(desks_path));
    ASSIGN_OR_RETURN(s.pairs, ParseDeskServiceList(desks));
  }
  ASSIGN_OR_RETURN(value, flags.Int("days", 7, 1, 366));
  s.days = static_cast<int>(value);
  ASSIGN_OR_RETURN(value, flags.Int("span-days", 1, 1, 62));
  s.span_days = static_cast<int>(value);
  ASSIGN_OR_RETURN(s.slots, flags.Int("slots", 1000, 1, 10'000'000));
  ASSIGN_OR_RETURN(s.attempts, flags.Int("attempts", 100'000, 1, 1'000'000'000));
  ASSIGN_OR_RETURN(value, flags.Int("seed", static_cast<int64_t>(std::random_device()() >> 1), 0,
                                    std::numeric_limits<int64_t>::max()));
  s.seed = static_cast<uint64_t>(value);
  s.pg_dsn = flags.String("pg-dsn", "");
  ASSIGN_OR_RETURN(value, flags.Int("appointments", 500, 1, 100'000));
  s.appointments = static_cast<int>(value);
  ASSIGN_OR_RETURN(value, flags.Int("cases", 50, 1, 100'000));
  s.cases = static_cast<int>(value);
  ASSIGN_OR_RETURN(value, flags.Int("notes", 25, 0, 1'000));
  s.notes = static_cast<int>(value);
  ASSIGN_OR_RETURN(value, flags.Int("page-size", 20, 1, 100));
  s.page_size = static_cast<int>(value);
  s.subject = flags.String("subject", "sportelli-bench");
  return s;
}

absl::StatusOr<Bearers> MintBearers(const Settings& settings, const std::set<std::string>& tenants,
                                    absl::Duration ttl) {
  absl::StatusOr<auth::TokenSigner> signer =
      auth::TokenSigner::Create(settings.private_key, settings.issuer, settings.audience);
  if (!signer.ok()) return signer.status();
  Bearers bearers;
  for (const std::string& tenant : tenants) {
    auth::MintOptions options;
    options.subject = settings.subject;
    options.tenant = tenant;
    options.roles = settings.roles;
    options.ttl = ttl;
    absl::StatusOr<std::string> token = signer->Mint(options);
    if (!token.ok()) return token.status();
    bearers[tenant] = absl::StrCat("Bearer ", *token);
  }
  return bearers;
}

// A seed nobody chose: request ids and citizens must differ from every earlier run's.
uint64_t FreshSeed() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ device() ^
         static_cast<uint64_t>(absl::ToUnixNanos(clock::SystemClock::Instance().Now()));
}

Report BuildReport(const Settings& settings, const Schedule& schedule, const LoadResult& result) {
  Report report;
  report.label = settings.label;
  report.scenario = settings.scenario;
  report.target = settings.target;
  report.started = result.started;
  report.offered_rate = schedule.rate();
  report.duration_seconds =
      static_cast<double>(schedule.EndNanos() - schedule.MeasuredStartNanos()) / 1e9;
  report.warmup_seconds = static_cast<double>(schedule.MeasuredStartNanos()) / 1e9;
  report.threads = settings.load.threads;
  report.connections = settings.load.connections;
  report.max_inflight = settings.load.max_inflight;
  report.deadline_seconds = absl::ToDoubleSeconds(settings.load.deadline);
  report.scheduled = schedule.measured_requests();
  report.sent = result.sent;
  report.not_sent = result.not_sent;
  report.responses = result.responses;
  for (size_t code = 0; code < result.codes.size(); ++code) {
    if (result.codes[code] > 0) {
      report.codes[server::GrpcCodeName(static_cast<grpc::StatusCode>(code))] = result.codes[code];
    }
  }
  report.elapsed_seconds = result.elapsed_seconds;
  report.latency = Summarize(result.latency);
  report.latency_ok = Summarize(result.latency_ok);
  report.send_lag = Summarize(result.send_lag);
  return report;
}

int Run(int argc, char** argv) {
  if (argc == 2 && (std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h")) {
    std::cout << kUsage;
    return kExitOk;
  }
  absl::StatusOr<Flags> flags = Flags::Parse(argc, argv, kFlags);
  absl::StatusOr<Settings> settings = flags.ok() ? ReadSettings(*flags) : flags.status();
  if (!settings.ok()) {
    std::cerr << "sportelli-bench: " << settings.status().message() << "\n\n" << kUsage;
    return kExitUsage;
  }
  const Settings& s = *settings;
  const bool rush = s.scenario == "rush";
  absl::StatusOr<Schedule> schedule =
      rush ? Schedule::CreateCounted(
                 s.rate, s.attempts,
                 std::min<int64_t>(s.attempts - 1,
                                   static_cast<int64_t>(absl::ToDoubleSeconds(s.warmup) * s.rate)))
           : Schedule::Create(s.rate, s.warmup, s.duration);
  if (!schedule.ok()) {
    std::cerr << "sportelli-bench: " << schedule.status().message() << "\n";
    return kExitUsage;
  }

  auto fail = [](const absl::Status& status) {
    std::cerr << "sportelli-bench: " << status.message() << "\n";
    return kExitSetup;
  };
  std::set<std::string> tenants;
  if (s.scenario == "empty") tenants.insert(s.tenant);
  for (const DeskService& pair : s.pairs) tenants.insert(pair.tenant);
  const absl::Duration ttl = absl::Hours(1) + absl::Nanoseconds(schedule->EndNanos());
  absl::StatusOr<Bearers> bearers = MintBearers(s, tenants, ttl);
  if (!bearers.ok()) return fail(bearers.status());
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      OpenChannels(s.target, s.load.connections, absl::Seconds(10));
  if (!channels.ok()) return fail(channels.status());

  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome))
    return fail(absl::InternalError("no Europe/Rome time zone (tzdata)"));
  const absl::CivilDay today = absl::ToCivilDay(clock::SystemClock::Instance().Now(), rome);

  std::unique_ptr<Workload> workload;
  BookingWorkload* booking = nullptr;
  if (s.scenario == "empty") {
    workload = std::make_unique<PingWorkload>(*channels, bearers->at(s.tenant));
  } else if (s.scenario == "availability") {
    workload = std::make_unique<AvailabilityWorkload>(*channels, s.pairs, *bearers, today, s.days,
                                                      s.span_days);
  } else if (s.scenario == "contact") {
    workload = std::make_unique<ContactWorkload>(*channels, s.pairs, *bearers, today, FreshSeed());
  } else if (s.scenario == "case-read") {
    absl::StatusOr<std::vector<std::string>> names = OpenCasesWithNotes(
        *(*channels)[0], s.pairs, *bearers, today, s.cases, s.notes, FreshSeed());
    if (!names.ok()) return fail(names.status());
    std::cerr << "sportelli-bench: " << names->size() << " cases opened with " << s.notes
              << " notes each\n";
    workload =
        std::make_unique<CaseReadWorkload>(*channels, *std::move(names), *bearers, s.page_size);
  } else if (s.scenario == "case-list") {
    workload = std::make_unique<CaseListWorkload>(*channels, s.pairs, *bearers, s.page_size);
  } else if (s.scenario == "read") {
    absl::StatusOr<std::vector<SlotRef>> free =
        ListFreeSlots(*(*channels)[0], s.pairs, *bearers, today, s.days, absl::Seconds(30));
    if (!free.ok()) return fail(free.status());
    if (free->empty())
      return fail(absl::FailedPreconditionError("no free slot for channel WEB in --days"));
    absl::StatusOr<std::vector<std::string>> names =
        BookForReading(*(*channels)[0], *free, *bearers, s.appointments, FreshSeed());
    if (!names.ok()) return fail(names.status());
    std::cerr << "sportelli-bench: " << names->size() << " appointments booked to read\n";
    workload = std::make_unique<ReadWorkload>(*channels, *std::move(names), *bearers);
  } else {
    absl::StatusOr<std::vector<SlotRef>> free =
        ListFreeSlots(*(*channels)[0], s.pairs, *bearers, today, s.days, absl::Seconds(30));
    if (!free.ok()) return fail(free.status());
    if (free->empty())
      return fail(absl::FailedPreconditionError("no free slot for channel WEB in --days"));
    std::cerr << "sportelli-bench: " << free->size() << " free slots listed\n";
    if (rush) {
      absl::StatusOr<std::vector<SlotRef>> chosen = ChooseRushSlots(*free, s.slots, s.seed);
      if (!chosen.ok()) return fail(chosen.status());
      *free = *std::move(chosen);
    }
    auto owned = std::make_unique<BookingWorkload>(
        *channels, *std::move(free), *bearers,
        rush ? BookingWorkload::Spread::kUniformRandom : BookingWorkload::Spread::kRoundRobin,
        FreshSeed(), s.seed);
    booking = owned.get();
    workload = std::move(owned);
  }

  std::vector<int64_t> live_before;
  if (rush && !s.pg_dsn.empty()) {
    absl::StatusOr<std::vector<int64_t>> counts = CountLiveAppointments(s.pg_dsn, booking->slots());
    if (!counts.ok()) return fail(counts.status());
    live_before = *std::move(counts);
  }

  std::cerr << absl::StrFormat("sportelli-bench: %s, %d requests at %.1f/s (%d warm-up)\n",
                               s.scenario, schedule->total(), schedule->rate(),
                               schedule->warmup_requests());
  const LoadResult result = RunLoad(*schedule, s.load, *workload);
  Report report = BuildReport(s, *schedule, result);

  int exit_code = kExitOk;
  if (rush) {
    const std::vector<int64_t> attempts = booking->AttemptsPerSlot();
    std::vector<int64_t> capacity;
    for (const SlotRef& slot : booking->slots()) capacity.push_back(slot.capacity);
    report.checks["slots"] = static_cast<int64_t>(capacity.size());
    report.checks["seed"] = s.seed;
    if (s.pg_dsn.empty()) {
      report.checks["rush check"] = "not run (no --pg-dsn)";
    } else {
      absl::StatusOr<std::vector<int64_t>> live_after =
          CountLiveAppointments(s.pg_dsn, booking->slots());
      if (!live_after.ok()) return fail(live_after.status());
      const RushOutcome outcome = CompareRush(capacity, attempts, live_before, *live_after);
      report.checks["over_capacity_slots"] = outcome.over_capacity_slots;
      report.checks["mismatched_slots"] = outcome.mismatched_slots;
      report.checks["confirmed"] = outcome.confirmed;
      report.checks["expected"] = outcome.expected;
      report.checks["passed"] = outcome.passed();
      report.checks["rush check"] = absl::StrCat(
          "over capacity slots: ", outcome.over_capacity_slots, ", confirmed: ", outcome.confirmed,
          ", expected: ", outcome.expected, outcome.passed() ? " (passed)" : " (FAILED)");
      if (!outcome.passed()) exit_code = kExitCheckFailed;
    }
  }

  std::cout << ToText(report);
  if (!s.json_path.empty()) {
    std::ofstream out(s.json_path);
    out << ToJson(report).dump(2) << "\n";
    if (!out) return fail(absl::UnavailableError(absl::StrCat("cannot write ", s.json_path)));
  }
  return exit_code;
}

}  // namespace
}  // namespace sportelli::bench

int main(int argc, char** argv) { return sportelli::bench::Run(argc, argv); }
