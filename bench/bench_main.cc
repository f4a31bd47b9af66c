// sportelli-bench: an open-loop load generator for the project's gRPC services. It offers a
// fixed rate of one unary RPC, measures every latency from the request's intended send time
// (no coordinated omission) and reports throughput, percentiles and status codes. Scenarios and
// flags: bench/README.md, or `sportelli-bench --help`.
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <limits>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "bench/delivery.h"
#include "bench/flags.h"
#include "bench/load_generator.h"
#include "bench/proc_status.h"
#include "bench/queue_fairness.h"
#include "bench/report.h"
#include "bench/rush_check.h"
#include "bench/scenarios.h"
#include "bench/schedule.h"
#include "bench/watch.h"
#include "bench/workload_data.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
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
                with --pg-dsn, checks in PostgreSQL that no slot was overbooked; each attempt
                a different portal visitor (x-forwarded-for 10.x.y.z)
  queue         EnterQueue, each for a new citizen from their own address, over the comuni of
                --desks in turn: a click day's arrivals at a waiting room
  queue-rush    a click day through the waiting room: a new citizen each request, the comuni of
                --desks in turn, enters the line (EnterQueue), comes back when its turn is due
                and, admitted, books its turn's slot among --slots free slots (the k-th citizen
                of a comune slot k % n of its n); with --pg-dsn, the rush check; reports the
                EnterQueue and booking latencies apart, the answers, the seats given out of turn
                and the confirmations out of arrival order (inversions)
  abuse         one portal visitor (--visitor) sending HoldSlot and CreateAppointment in turn,
                each for an invented citizen, uniformly at random over the --slots free slots
                a rush with the same --seed aims at: run it beside a rush
  read          GetAppointment (citizen decrypted, read audited) round-robin over --appointments
                appointments it books first on --desks; needs --role operator
  contact       IntakeService: CreatePerson, then CreateContact for that person at a desk of
                --desks, as one request; needs --role operator
  case-read     IntakeService: GetCase, then ListNotes (--page-size newest), of --cases cases
                with --notes notes each that it opens first on --desks; needs --role operator
  case-list     IntakeService.ListCases of the desks of --desks (open cases, first page of
                --page-size); needs --role operator or coordinator
  watch         --subscribers NotificationsService.WatchEvents streams on --watch-target (one
                per comune of --desks in turn, tokens with --watch-role), then the booking
                scenario at --rate on --target: commit -> delivery latency, deliveries expected
                and received; with --watch-pid, the process's threads, RSS and CPU from /proc

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
  --seed N            rush, abuse: choice of slots and of each attempt's slot [random]
  --visitor ADDRESS   abuse: the visitor's address, sent as x-forwarded-for [198.51.100.66]
  --appointments N    read: appointments booked, then read [500]
  --cases N           case-read: cases opened [50]   --notes N  case-read: notes per case [25]
  --page-size N       case-read: notes read; case-list: cases listed [20]
  --subject S         token subject [sportelli-bench]
  --watch-target H:P  watch: the notifications service   --subscribers N  streams [1000]
  --watch-connections N  watch: HTTP/2 connections the streams share [--subscribers]
  --watch-role R[,R]  watch: roles of the subscribers' tokens [operator]
  --watch-pid PID     watch: the notifications process, read in /proc (threads, RSS, CPU)
  --settle D          watch: wait before each RSS sampling (none / idle subscribers) [10s]
  --drain D           watch: after the last booking, wait for its events until none came for
                      3 s, at most this long [60s]
  --pg-dsn DSN        rush: libpq connection string for the overbooking check
  --check C           rush: what that check requires: exact (each slot gained min(seats,
                      attempts) appointments, none above capacity) or capacity (none above
                      capacity: other clients book the same slots) [exact]
  --json FILE         also write the report as JSON   --label TEXT  a name for this run
)";

const std::set<std::string> kFlags = {"scenario",
                                      "target",
                                      "rate",
                                      "duration",
                                      "warmup",
                                      "threads",
                                      "connections",
                                      "deadline",
                                      "max-inflight",
                                      "json",
                                      "label",
                                      "jwt-private-key",
                                      "jwt-issuer",
                                      "jwt-audience",
                                      "role",
                                      "tenant",
                                      "desks",
                                      "days",
                                      "span-days",
                                      "slots",
                                      "attempts",
                                      "seed",
                                      "pg-dsn",
                                      "appointments",
                                      "cases",
                                      "notes",
                                      "page-size",
                                      "subject",
                                      "watch-target",
                                      "subscribers",
                                      "watch-connections",
                                      "watch-role",
                                      "watch-pid",
                                      "settle",
                                      "drain",
                                      "visitor",
                                      "check"};

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
  std::string visitor;
  bool exact_check = true;
  std::string watch_target;
  int subscribers = 0;
  int watch_connections = 0;
  std::vector<std::string> watch_roles;
  int watch_pid = 0;  // 0: not read
  absl::Duration settle;
  absl::Duration drain;
};

absl::StatusOr<Settings> ReadSettings(const Flags& flags) {
  Settings s;
  ASSIGN_OR_RETURN(s.scenario, flags.String("scenario"));
  const std::set<std::string> scenarios = {"empty",   "availability", "booking",    "rush",
                                           "abuse",   "queue",        "queue-rush", "read",
                                           "contact", "case-read",    "case-list",  "watch"};
  if (scenarios.count(s.scenario) == 0) {
    return absl::InvalidArgumentError(
        "--scenario: empty, availability, booking, rush, abuse, queue, queue-rush, read, contact, "
        "case-read, case-list or watch");
  }
  const bool rush = s.scenario == "rush";
  ASSIGN_OR_RETURN(s.target, flags.String("target"));
  ASSIGN_OR_RETURN(s.rate, flags.Double("rate"));
  if (rush && flags.Has("duration")) {
    return absl::InvalidArgumentError("--duration: a rush lasts --attempts / --rate");
  }
  ASSIGN_OR_RETURN(s.duration, flags.Duration("duration", absl::Seconds(30)));
  // A click day has no warm-up.
  const bool cold =
      rush || s.scenario == "abuse" || s.scenario == "queue" || s.scenario == "queue-rush";
  ASSIGN_OR_RETURN(s.warmup,
                   flags.Duration("warmup", cold ? absl::ZeroDuration() : absl::Seconds(5)));
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
  s.visitor = flags.String("visitor", "198.51.100.66");
  const std::string check = flags.String("check", "exact");
  if (check != "exact" && check != "capacity") {
    return absl::InvalidArgumentError("--check: exact or capacity");
  }
  s.exact_check = check == "exact";
  if (s.scenario == "watch") {
    ASSIGN_OR_RETURN(s.watch_target, flags.String("watch-target"));
    ASSIGN_OR_RETURN(value, flags.Int("subscribers", 1000, 1, 100'000));
    s.subscribers = static_cast<int>(value);
    ASSIGN_OR_RETURN(value, flags.Int("watch-connections", s.subscribers, 1, s.subscribers));
    s.watch_connections = static_cast<int>(value);
    ASSIGN_OR_RETURN(value, flags.Int("watch-pid", 0, 0, std::numeric_limits<int32_t>::max()));
    s.watch_pid = static_cast<int>(value);
    ASSIGN_OR_RETURN(s.settle, flags.Duration("settle", absl::Seconds(10)));
    ASSIGN_OR_RETURN(s.drain, flags.Duration("drain", absl::Seconds(60)));
  }
  s.watch_roles = absl::StrSplit(flags.String("watch-role", "operator"), ',', absl::SkipEmpty());
  return s;
}

absl::StatusOr<Bearers> MintBearers(const Settings& settings, const std::set<std::string>& tenants,
                                    absl::Duration ttl, const std::vector<std::string>& roles) {
  absl::StatusOr<auth::TokenSigner> signer =
      auth::TokenSigner::Create(settings.private_key, settings.issuer, settings.audience);
  if (!signer.ok()) return signer.status();
  Bearers bearers;
  for (const std::string& tenant : tenants) {
    auth::MintOptions options;
    options.subject = settings.subject;
    options.tenant = tenant;
    options.roles = roles;
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

// ---- watch -----------------------------------------------------------------------------------

// The watched process's threads and RSS, sampled from a thread of its own while the load runs.
class ProcSampler final {
 public:
  ProcSampler(int pid, absl::Duration every) : pid_(pid), every_(every) {
    thread_ = std::thread([this] { Run(); });
  }
  ~ProcSampler() { Stop(); }
  ProcSampler(const ProcSampler&) = delete;
  ProcSampler& operator=(const ProcSampler&) = delete;

  void Stop() {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    if (thread_.joinable()) thread_.join();
  }
  // After Stop.
  int64_t samples() const { return samples_; }
  int64_t min_threads() const { return min_threads_; }
  int64_t max_threads() const { return max_threads_; }
  int64_t max_rss_kib() const { return max_rss_kib_; }

 private:
  void Run() {
    absl::MutexLock lock(&mu_);
    while (!stop_) {
      if (absl::StatusOr<ProcStatus> status = ReadProcStatus(pid_); status.ok()) {
        min_threads_ = samples_ == 0 ? status->threads : std::min(min_threads_, status->threads);
        max_threads_ = std::max(max_threads_, status->threads);
        max_rss_kib_ = std::max(max_rss_kib_, status->vm_rss_kib);
        ++samples_;
      }
      mu_.AwaitWithTimeout(absl::Condition(&stop_), every_);
    }
  }

  const int pid_;
  const absl::Duration every_;
  absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  int64_t samples_ = 0;
  int64_t min_threads_ = 0;
  int64_t max_threads_ = 0;
  int64_t max_rss_kib_ = 0;
  std::thread thread_;
};

// The process at rest: `settle` first (what was just allocated is touched, freed or kept), then
// five samples a second apart; RSS is their median, threads the highest seen.
absl::StatusOr<ProcStatus> SampleSettled(int pid, absl::Duration settle) {
  absl::SleepFor(settle);
  std::vector<int64_t> rss;
  ProcStatus settled;
  for (int i = 0; i < 5; ++i) {
    if (i > 0) absl::SleepFor(absl::Seconds(1));
    ASSIGN_OR_RETURN(ProcStatus status, ReadProcStatus(pid));
    rss.push_back(status.vm_rss_kib);
    settled.threads = std::max(settled.threads, status.threads);
  }
  settled.vm_rss_kib = Median(rss);
  return settled;
}

std::string DeliveryLine(const DeliverySummary& d) {
  if (d.count == 0) return "no deliveries";
  return absl::StrFormat("p50 %.1f  p95 %.1f  p99 %.1f  p99.9 %.1f  max %.1f  (n=%d)", d.p50_ms,
                         d.p95_ms, d.p99_ms, d.p99_9_ms, d.max_ms, d.count);
}

nlohmann::json DeliveryJson(const DeliverySummary& d) {
  return {{"count", d.count}, {"p50", d.p50_ms},     {"p95", d.p95_ms},
          {"p99", d.p99_ms},  {"p99_9", d.p99_9_ms}, {"max", d.max_ms}};
}

// The live feed under load (bench/README.md, watch): subscribers first, then bookings at a
// fixed rate; every booking's event is owed to every subscriber of its comune.
int RunWatch(const Settings& s, const Schedule& schedule,
             const std::vector<std::shared_ptr<grpc::Channel>>& channels, const Bearers& bearers,
             const std::set<std::string>& tenants, absl::CivilDay today, absl::Duration ttl) {
  auto fail = [](const absl::Status& status) {
    std::cerr << "sportelli-bench: " << status.message() << "\n";
    return kExitSetup;
  };
  absl::StatusOr<std::vector<SlotRef>> free =
      ListFreeSlots(*channels[0], s.pairs, bearers, today, s.days, absl::Seconds(30));
  if (!free.ok()) return fail(free.status());
  if (free->empty()) {
    return fail(absl::FailedPreconditionError("no free slot for channel WEB in --days"));
  }
  std::cerr << "sportelli-bench: " << free->size() << " free slots listed\n";
  absl::StatusOr<Bearers> watch_bearers = MintBearers(s, tenants, ttl, s.watch_roles);
  if (!watch_bearers.ok()) return fail(watch_bearers.status());

  // Three states of the process: nobody connected; the connections open without a stream (what
  // a connection costs, apart from a stream); the streams open and idle.
  const bool proc = s.watch_pid > 0;
  ProcStatus none;
  ProcStatus connected;
  if (proc) {
    std::cerr << "sportelli-bench: sampling the notifications process with no subscriber\n";
    absl::StatusOr<ProcStatus> sampled = SampleSettled(s.watch_pid, s.settle);
    if (!sampled.ok()) return fail(sampled.status());
    none = *sampled;
  }
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> watch_channels =
      OpenChannels(s.watch_target, s.watch_connections, absl::Seconds(30));
  if (!watch_channels.ok()) return fail(watch_channels.status());
  if (proc) {
    std::cerr << "sportelli-bench: sampling it with the connections open, no stream\n";
    absl::StatusOr<ProcStatus> sampled = SampleSettled(s.watch_pid, s.settle);
    if (!sampled.ok()) return fail(sampled.status());
    connected = *sampled;
  }

  const std::vector<std::string> watched(tenants.begin(), tenants.end());
  WatchSubscribers subscribers(*watch_channels, watched, *watch_bearers, s.subscribers);
  const clock::Stopwatch connecting;
  subscribers.Start();
  const bool all_live = subscribers.WaitLive(absl::Seconds(120));
  const double connect_seconds = absl::ToDoubleSeconds(connecting.Elapsed());
  std::cerr << absl::StrFormat("sportelli-bench: %d of %d streams live after %.1f s\n",
                               subscribers.live(), s.subscribers, connect_seconds);
  if (!all_live) {
    for (const auto& [why, count] : subscribers.EndedEarly()) {
      std::cerr << "sportelli-bench: " << count << " streams ended: " << why << "\n";
    }
  }
  ProcStatus idle;
  if (proc) {
    std::cerr << "sportelli-bench: sampling it with the subscribers idle\n";
    absl::StatusOr<ProcStatus> sampled = SampleSettled(s.watch_pid, s.settle);
    if (!sampled.ok()) return fail(sampled.status());
    idle = *sampled;
  }

  RecordedBookingWorkload booking(channels, InterleaveTenants(*std::move(free)), bearers,
                                  FreshSeed(), &schedule);
  std::cerr << absl::StrFormat("sportelli-bench: watch, %d bookings at %.1f/s (%d warm-up)\n",
                               schedule.total(), schedule.rate(), schedule.warmup_requests());
  std::optional<ProcSampler> sampler;
  double cpu_before = 0;
  if (proc) {
    sampler.emplace(s.watch_pid, absl::Milliseconds(250));
    cpu_before = ReadCpuSeconds(s.watch_pid).value_or(0);
  }
  const double client_cpu_before = ReadCpuSeconds(getpid()).value_or(0);
  const MachineCpu machine_before = ReadMachineCpu().value_or(MachineCpu{});
  const clock::Stopwatch loading;
  const LoadResult result = RunLoad(schedule, s.load, booking);
  // CPU over the bookings only: the figures the targets are about.
  const double load_seconds = absl::ToDoubleSeconds(loading.Elapsed());
  const double client_cpu = ReadCpuSeconds(getpid()).value_or(0) - client_cpu_before;
  const MachineCpu machine_after = ReadMachineCpu().value_or(MachineCpu{});
  double cpu = 0;
  if (proc) cpu = ReadCpuSeconds(s.watch_pid).value_or(0) - cpu_before;
  // Events still on their way when the last booking was answered are waited for (a late
  // delivery is a long latency, not a lost one), until the streams have been quiet for 3 s:
  // the feed writes nothing else but a heartbeat every 15 s.
  const clock::Stopwatch draining;
  while (draining.Elapsed() < s.drain && absl::ToUnixNanos(clock::SystemClock::Instance().Now()) -
                                                 subscribers.last_receipt_unix_ns() <
                                             3'000'000'000) {
    absl::SleepFor(absl::Milliseconds(200));
  }
  const double drain_seconds = absl::ToDoubleSeconds(draining.Elapsed());
  ProcStatus after;
  if (proc) {
    sampler->Stop();
    after = ReadProcStatus(s.watch_pid).value_or(ProcStatus{});
  }
  const double machine_busy =
      machine_after.total_ticks > machine_before.total_ticks
          ? static_cast<double>(machine_after.busy_ticks - machine_before.busy_ticks) /
                static_cast<double>(machine_after.total_ticks - machine_before.total_ticks)
          : 0.0;

  const std::map<std::string, int64_t> ended_early = subscribers.EndedEarly();
  const int64_t heartbeats = subscribers.heartbeats();
  const int64_t event_responses = subscribers.event_responses();
  if (!subscribers.CancelAndWait(absl::Seconds(30))) {
    return fail(absl::DeadlineExceededError("the streams did not end within 30 s of cancelling"));
  }
  const std::vector<BookedEvent> booked = booking.Booked();
  const DeliveryTally tally = TallyDeliveries(booked, subscribers.TakeLogs());
  const DeliverySummary upper = SummarizeDelivery(tally.from_event_time);
  const DeliverySummary lower = SummarizeDelivery(tally.from_reply);

  Report report = BuildReport(s, schedule, result);
  nlohmann::json& c = report.checks;
  c["subscribers"] = absl::StrFormat(
      "%d streams on %d connections to %s, spread over %d comuni (%s), %d live after %.1f s",
      s.subscribers, s.watch_connections, s.watch_target, watched.size(),
      absl::StrJoin(watched, " "), subscribers.live(), connect_seconds);
  c["deliveries"] = absl::StrFormat(
      "expected %d (%d bookings confirmed in the measured window x subscribers of their comune), "
      "received %d (%.2f%%); duplicates %d, misrouted %d, other events %d, before the reply %d",
      tally.expected, booked.size(), tally.received,
      tally.expected > 0
          ? 100.0 * static_cast<double>(tally.received) / static_cast<double>(tally.expected)
          : 0.0,
      tally.duplicates, tally.misrouted, tally.other, tally.before_reply);
  c["events per response"] = absl::StrFormat(
      "%.2f (%d responses carried events)",
      event_responses > 0
          ? static_cast<double>(tally.received + tally.duplicates + tally.misrouted + tally.other) /
                static_cast<double>(event_responses)
          : 0.0,
      event_responses);
  c["delivery ms, from the event's time (upper bound)"] = DeliveryLine(upper);
  c["delivery ms, from the booking's reply (lower bound)"] = DeliveryLine(lower);
  c["delivery ms, event time -> stream entry (outbox relay)"] =
      DeliveryLine(SummarizeDelivery(tally.to_stream));
  c["delivery ms, stream entry -> subscriber (live feed)"] =
      DeliveryLine(SummarizeDelivery(tally.from_stream));
  c["delivery target (p99 <= 200 ms, upper bound)"] =
      upper.count > 0 && upper.p99_ms <= 200 ? "met" : "missed";
  if (!ended_early.empty()) {
    std::vector<std::string> ends;
    for (const auto& [why, count] : ended_early) ends.push_back(absl::StrCat(count, " x ", why));
    c["streams ended by the server"] = absl::StrJoin(ends, "; ");
  }
  nlohmann::json watch = {
      {"subscribers", s.subscribers},
      {"connections", s.watch_connections},
      {"comuni", watched},
      {"live", subscribers.live()},
      {"connect_seconds", connect_seconds},
      {"heartbeats", heartbeats},
      {"bookings_confirmed", booked.size()},
      {"deliveries",
       {{"expected", tally.expected},
        {"received", tally.received},
        {"duplicates", tally.duplicates},
        {"misrouted", tally.misrouted},
        {"other", tally.other},
        {"before_reply", tally.before_reply}}},
      {"delivery_ms_from_event_time", DeliveryJson(upper)},
      {"delivery_ms_from_reply", DeliveryJson(lower)},
      {"delivery_ms_event_to_stream", DeliveryJson(SummarizeDelivery(tally.to_stream))},
      {"delivery_ms_stream_to_subscriber", DeliveryJson(SummarizeDelivery(tally.from_stream))},
      {"ended_early", ended_early},
      {"client_cpu_seconds", client_cpu},
      {"load_seconds", load_seconds},
      {"drain_seconds", drain_seconds},
      {"machine_cpu_busy", machine_busy},
  };
  if (proc) {
    const double per_subscriber_kib =
        static_cast<double>(idle.vm_rss_kib - none.vm_rss_kib) / s.subscribers;
    const double per_connection_kib =
        static_cast<double>(connected.vm_rss_kib - none.vm_rss_kib) / s.watch_connections;
    const double per_stream_kib =
        static_cast<double>(idle.vm_rss_kib - connected.vm_rss_kib) / s.subscribers;
    c["threads"] = absl::StrFormat(
        "no subscriber %d, %d connections %d, %d idle subscribers %d, during the load %d to %d (%d "
        "samples), after %d",
        none.threads, s.watch_connections, connected.threads, s.subscribers, idle.threads,
        sampler->min_threads(), sampler->max_threads(), sampler->samples(), after.threads);
    c["rss"] = absl::StrFormat(
        "no subscriber %d KiB, %d connections without a stream %d KiB, %d idle subscribers %d KiB "
        "(medians of 5 after %s): %.1f KiB per idle subscriber (target <= 64: %s; %.1f KiB per "
        "connection, %.1f KiB per stream); during the load at most %d KiB",
        none.vm_rss_kib, s.watch_connections, connected.vm_rss_kib, s.subscribers, idle.vm_rss_kib,
        absl::FormatDuration(s.settle), per_subscriber_kib,
        per_subscriber_kib <= 64 ? "met" : "missed", per_connection_kib, per_stream_kib,
        sampler->max_rss_kib());
    c["cpu"] = absl::StrFormat(
        "during the bookings (%.1f s): notifications %.1f s (%.2f cores), this client %.1f s "
        "(%.2f cores), the whole machine %.0f%% busy; then %.1f s waiting for late events",
        load_seconds, cpu, cpu / load_seconds, client_cpu, client_cpu / load_seconds,
        100 * machine_busy, drain_seconds);
    watch["process"] = {
        {"pid", s.watch_pid},
        {"threads",
         {{"none", none.threads},
          {"connected", connected.threads},
          {"idle", idle.threads},
          {"load_min", sampler->min_threads()},
          {"load_max", sampler->max_threads()},
          {"after", after.threads}}},
        {"rss_kib",
         {{"none", none.vm_rss_kib},
          {"connected", connected.vm_rss_kib},
          {"idle", idle.vm_rss_kib},
          {"load_max", sampler->max_rss_kib()},
          {"per_idle_subscriber", per_subscriber_kib},
          {"per_connection", per_connection_kib},
          {"per_stream", per_stream_kib}}},
        {"cpu_seconds", cpu},
        {"settle_seconds", absl::ToDoubleSeconds(s.settle)},
    };
  }
  c["watch"] = watch;

  std::cout << ToText(report);
  if (!s.json_path.empty()) {
    std::ofstream out(s.json_path);
    out << ToJson(report).dump(2) << "\n";
    if (!out) return fail(absl::UnavailableError(absl::StrCat("cannot write ", s.json_path)));
  }
  return kExitOk;
}

// The queue-rush scenario's own results: each call's latency apart from the journey the engine
// measured, the answers, and how fair the order of service was.
void ReportQueue(const QueuedRushWorkload& queued, Report& report) {
  const LatencySummary enter = Summarize(queued.EnterLatency());
  const LatencySummary book = Summarize(queued.BookLatency());
  report.checks["EnterQueue calls"] = enter.count;
  report.checks["EnterQueue p99 ms"] = enter.p99_ms;
  report.checks["EnterQueue p99.9 ms"] = enter.p99_9_ms;
  report.checks["EnterQueue max ms"] = enter.max_ms;
  report.checks["bookings sent"] = book.count;
  report.checks["booking p50 ms"] = book.p50_ms;
  report.checks["booking p99 ms"] = book.p99_ms;
  report.checks["booking p99.9 ms"] = book.p99_9_ms;
  report.checks["booking max ms"] = book.max_ms;
  const auto [enter_retries, booking_retries] = queued.Retries();
  report.checks["EnterQueue calls answered OVERLOADED or RATE_LIMITED (sent again)"] =
      enter_retries;
  report.checks["bookings answered OVERLOADED or RATE_LIMITED (sent again)"] = booking_retries;
  nlohmann::json answers = nlohmann::json::object();
  for (const auto& [answer, count] : queued.Answers()) answers[answer] = count;
  report.checks["answers"] = answers;
  std::vector<int64_t> capacity;
  for (const SlotRef& slot : queued.slots()) capacity.push_back(slot.capacity);
  const QueueFairness fairness = JudgeQueue(queued.Journeys(), capacity, /*far_ns=*/1'000'000'000);
  report.checks["confirmed (as the clients saw it)"] = fairness.confirmed;
  report.checks["seats out of turn"] = fairness.out_of_turn;
  report.checks["confirmed pairs of one comune"] = fairness.pairs;
  report.checks["inversions"] = fairness.inversions;
  report.checks["inversions of citizens arrived > 1 s apart"] = fairness.far_inversions;
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
  absl::StatusOr<Bearers> bearers = MintBearers(s, tenants, ttl, s.roles);
  if (!bearers.ok()) return fail(bearers.status());
  absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> channels =
      OpenChannels(s.target, s.load.connections, absl::Seconds(10));
  if (!channels.ok()) return fail(channels.status());

  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome))
    return fail(absl::InternalError("no Europe/Rome time zone (tzdata)"));
  const absl::CivilDay today = absl::ToCivilDay(clock::SystemClock::Instance().Now(), rome);
  if (s.scenario == "watch") {
    return RunWatch(s, *schedule, *channels, *bearers, tenants, today, ttl);
  }

  std::unique_ptr<Workload> workload;
  BookingWorkload* booking = nullptr;
  QueuedRushWorkload* queued = nullptr;
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
  } else if (s.scenario == "queue") {
    workload = std::make_unique<QueueWorkload>(
        *channels, std::vector<std::string>(tenants.begin(), tenants.end()), *bearers, FreshSeed());
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
    if (rush || s.scenario == "abuse" || s.scenario == "queue-rush") {
      absl::StatusOr<std::vector<SlotRef>> chosen = ChooseRushSlots(*free, s.slots, s.seed);
      if (!chosen.ok()) return fail(chosen.status());
      *free = *std::move(chosen);
    }
    if (s.scenario == "queue-rush") {
      auto owned =
          std::make_unique<QueuedRushWorkload>(*channels, *std::move(free), *bearers, FreshSeed());
      queued = owned.get();
      workload = std::move(owned);
    } else if (s.scenario == "abuse") {
      workload = std::make_unique<AbuseWorkload>(*channels, *std::move(free), *bearers, s.visitor,
                                                 FreshSeed(), s.seed);
    } else {
      auto owned = std::make_unique<BookingWorkload>(
          *channels, *std::move(free), *bearers,
          rush ? BookingWorkload::Spread::kUniformRandom : BookingWorkload::Spread::kRoundRobin,
          FreshSeed(), s.seed);
      booking = owned.get();
      workload = std::move(owned);
    }
  }

  // The slots whose appointments the rush check counts, and the attempts each got.
  const std::vector<SlotRef>* checked = booking != nullptr && rush ? &booking->slots()
                                        : queued != nullptr        ? &queued->slots()
                                                                   : nullptr;
  std::vector<int64_t> live_before;
  if (checked != nullptr && !s.pg_dsn.empty()) {
    absl::StatusOr<std::vector<int64_t>> counts = CountLiveAppointments(s.pg_dsn, *checked);
    if (!counts.ok()) return fail(counts.status());
    live_before = *std::move(counts);
  }

  std::cerr << absl::StrFormat("sportelli-bench: %s, %d requests at %.1f/s (%d warm-up)\n",
                               s.scenario, schedule->total(), schedule->rate(),
                               schedule->warmup_requests());
  const LoadResult result = RunLoad(*schedule, s.load, *workload);
  Report report = BuildReport(s, *schedule, result);

  int exit_code = kExitOk;
  if (queued != nullptr) ReportQueue(*queued, report);
  if (checked != nullptr) {
    const std::vector<int64_t> attempts =
        queued != nullptr ? queued->AttemptsPerSlot() : booking->AttemptsPerSlot();
    std::vector<int64_t> capacity;
    for (const SlotRef& slot : *checked) capacity.push_back(slot.capacity);
    report.checks["slots"] = static_cast<int64_t>(capacity.size());
    report.checks["seed"] = s.seed;
    if (s.pg_dsn.empty()) {
      report.checks["rush check"] = "not run (no --pg-dsn)";
    } else {
      absl::StatusOr<std::vector<int64_t>> live_after = CountLiveAppointments(s.pg_dsn, *checked);
      if (!live_after.ok()) return fail(live_after.status());
      const RushOutcome outcome = CompareRush(capacity, attempts, live_before, *live_after);
      report.checks["over_capacity_slots"] = outcome.over_capacity_slots;
      report.checks["mismatched_slots"] = outcome.mismatched_slots;
      report.checks["confirmed"] = outcome.confirmed;
      report.checks["expected"] = outcome.expected;
      // With other clients on the same slots, only capacity is this run's to check.
      const bool passed = s.exact_check ? outcome.passed() : outcome.over_capacity_slots == 0;
      report.checks["passed"] = passed;
      report.checks["rush check"] =
          absl::StrCat("over capacity slots: ", outcome.over_capacity_slots,
                       ", confirmed: ", outcome.confirmed, ", expected: ", outcome.expected,
                       s.exact_check ? "" : " (capacity only)", passed ? " (passed)" : " (FAILED)");
      if (!passed) exit_code = kExitCheckFailed;
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
