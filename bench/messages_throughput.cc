// sportelli-bench-messages: how fast the notifications sender hands SMS to a provider, and how
// much of its time is its own (claiming and finishing rows in PostgreSQL, reading the comune's
// template and opt-outs, rendering) rather than the provider call. The real MessageSender and
// PostgreSQL repositories, the real HTTP adapter, against the fake provider of the tests
// (services/notifications/tests/sms_provider.py, started by bench/run). Scheduling and tenants
// are replaced by fixed in-process answers: their cost is measured by the booking and read
// scenarios, not here.
//
//   sportelli-bench-messages --dsn DSN --provider-url URL --api-key KEY --messages 2000
//                            --senders 1 --out FILE.json
//
// Plans `messages` SMS confirmations due now in a comune of its own (a fresh random name, so
// runs never meet), then runs `senders` threads of MessageSender::RunOnce until none is left.
// Prints and writes: messages/s, and the share of the senders' time spent outside the provider
// call (1 − time inside SmsSender::Send summed over the threads / (threads × wall time)).
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "services/notifications/citizen_messages.h"
#include "services/notifications/opt_outs.h"
#include "services/notifications/postgres_messages_repository.h"
#include "services/notifications/sms_sender.h"
#include "services/notifications/templates_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/crypto/random.h"
#include "sportelli/pg/pool.h"

namespace sportelli::notifications {
namespace {

// Every appointment booked three days ahead at a desk of the comune, its citizen preferring SMS.
class FixedSource final : public AppointmentSource {
 public:
  explicit FixedSource(absl::Time start) : start_(start) {
    if (!absl::LoadTimeZone("Europe/Rome", &zone_)) zone_ = absl::UTCTimeZone();
  }
  absl::StatusOr<AppointmentNow> Appointment(const std::string&, const std::string& id) override {
    AppointmentNow now;
    now.desk_id = "sede";
    now.booked = true;
    now.start = start_;
    // A valid number per appointment ending in 1: never one of the fake provider's special
    // endings (0400, 0422, 0429, 0503, 9998, 9999).
    now.phone_number =
        absl::StrCat("+39333", 1000000 + std::hash<std::string>()(id) % 8000000, "1");
    now.preferred = PreferredContact::kSms;
    now.citizen = id;
    return now;
  }
  absl::StatusOr<Place> PlaceOf(const std::string&, const std::string&) override {
    return Place{"Capannori", "Piazza Aldo Moro 1, 55012 Capannori", zone_};
  }
  absl::StatusOr<std::vector<std::string>> AffectedAppointments(const std::string&,
                                                                const std::string&, absl::CivilDay,
                                                                absl::CivilDay) override {
    return std::vector<std::string>();
  }

 private:
  const absl::Time start_;
  absl::TimeZone zone_;
};

// The provider adapter, timed.
class TimedSms final : public SmsSender {
 public:
  explicit TimedSms(SmsSender* inner) : inner_(inner) {}
  SmsResult Send(const Sms& sms) override {
    const clock::Stopwatch watch;
    SmsResult result = inner_->Send(sms);
    inside_ns_.fetch_add(absl::ToInt64Nanoseconds(watch.Elapsed()), std::memory_order_relaxed);
    calls_.fetch_add(1, std::memory_order_relaxed);
    if (result.outcome != SendOutcome::kAccepted) failed_.fetch_add(1, std::memory_order_relaxed);
    return result;
  }
  const std::string& provider() const override { return inner_->provider(); }
  int64_t inside_ns() const { return inside_ns_.load(); }
  int64_t calls() const { return calls_.load(); }
  int64_t failed() const { return failed_.load(); }

 private:
  SmsSender* const inner_;
  std::atomic<int64_t> inside_ns_{0};
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> failed_{0};
};

struct Flags {
  std::string dsn;
  std::string provider_url;
  std::string api_key;
  int messages = 2000;
  int senders = 1;
  int batch = 20;
  std::string out;
};

bool ParseFlags(int argc, char** argv, Flags& flags) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    const std::string value = argv[i + 1];
    if (name == "--dsn") {
      flags.dsn = value;
    } else if (name == "--provider-url") {
      flags.provider_url = value;
    } else if (name == "--api-key") {
      flags.api_key = value;
    } else if (name == "--messages") {
      if (!absl::SimpleAtoi(value, &flags.messages) || flags.messages < 1) return false;
    } else if (name == "--senders") {
      if (!absl::SimpleAtoi(value, &flags.senders) || flags.senders < 1) return false;
    } else if (name == "--batch") {
      if (!absl::SimpleAtoi(value, &flags.batch) || flags.batch < 1) return false;
    } else if (name == "--out") {
      flags.out = value;
    } else {
      return false;
    }
  }
  return !flags.dsn.empty() && !flags.provider_url.empty() && !flags.api_key.empty();
}

int Run(const Flags& flags) {
  const clock::Clock& clock = clock::SystemClock::Instance();
  absl::StatusOr<std::unique_ptr<pg::ConnectionPool>> pool =
      pg::ConnectionPool::Create(flags.dsn, {.max_size = flags.senders + 1});
  if (!pool.ok()) {
    std::cerr << "sportelli-bench-messages: " << pool.status() << "\n";
    return 1;
  }
  PostgresMessagesRepository messages(pool->get());
  PostgresTemplatesRepository templates(pool->get());
  PostgresOptOutsRepository opt_outs(pool->get());
  absl::StatusOr<std::unique_ptr<HttpSmsSender>> http =
      HttpSmsSender::Create({.name = "fake", .url = flags.provider_url, .api_key = flags.api_key});
  if (!http.ok()) {
    std::cerr << "sportelli-bench-messages: " << http.status() << "\n";
    return 1;
  }
  TimedSms timed(http->get());
  const std::string tenant = absl::AsciiStrToLower(crypto::RandomResourceId("bench"));
  SmsRoutes routes;
  routes[tenant] = SmsRoute{.sender = &timed, .from = "Capannori", .same_day_reminder = false};
  // One start for the appointments and their messages: a message whose start differs from its
  // appointment's is dropped, not sent.
  // (On a whole minute, as appointments are: PostgreSQL keeps microseconds, the clock has more.)
  const absl::Time start =
      absl::FromUnixSeconds(absl::ToUnixSeconds(clock.Now() + absl::Hours(72)) / 60 * 60);
  FixedSource source(start);
  MessagePolicy policy;
  policy.quiet = QuietHours{0, 0};
  if (!absl::LoadTimeZone("Europe/Rome", &policy.zone)) policy.zone = absl::UTCTimeZone();
  logging::Logger logger("bench-messages", logging::Level::kError);

  // The messages, due now: what a burst of bookings leaves for the sender.
  std::cerr << "sportelli-bench-messages: planning " << flags.messages << " SMS in " << tenant
            << "\n";
  for (int i = 0; i < flags.messages; ++i) {
    Message m;
    m.message_id = crypto::RandomResourceId("m");
    m.kind = MessageKind::kConfirmation;
    m.channel = DeliveryChannel::kSms;
    m.appointment_start = start;
    m.send_after = clock.Now();
    m.give_up_at = clock.Now() + absl::Hours(24);
    const std::string appointment = crypto::RandomResourceId("a");
    // Event ids are UUIDs.
    const std::string hex = absl::StrFormat("%032x", static_cast<uint64_t>(i) + 1);
    const std::string event =
        absl::StrCat(hex.substr(0, 8), "-", hex.substr(8, 4), "-", hex.substr(12, 4), "-",
                     hex.substr(16, 4), "-", hex.substr(20, 12));
    absl::StatusOr<int> planned =
        messages.Plan(tenant, appointment, event, false, {m}, clock.Now());
    if (!planned.ok()) {
      std::cerr << "sportelli-bench-messages: " << planned.status() << "\n";
      return 1;
    }
  }

  std::vector<std::unique_ptr<MessageSender>> senders;
  for (int i = 0; i < flags.senders; ++i) {
    senders.push_back(std::make_unique<MessageSender>(
        &messages, &source, nullptr, &routes, &clock, &logger, nullptr, policy,
        MessageSender::Options{.tenants = {tenant},
                               .batch = flags.batch,
                               .templates = &templates,
                               .opt_outs = &opt_outs}));
  }
  std::atomic<int64_t> attempted{0};
  std::atomic<int> errors{0};
  const clock::Stopwatch wall;
  std::vector<std::thread> threads;
  for (auto& sender : senders) {
    threads.emplace_back([&, s = sender.get()] {
      // Until a round finds nothing left (another thread may hold the last batch).
      for (int empty = 0; empty < 3;) {
        absl::StatusOr<int> done = s->RunOnce();
        if (!done.ok()) {
          errors.fetch_add(1);
          continue;
        }
        attempted.fetch_add(*done);
        empty = *done == 0 ? empty + 1 : 0;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const double seconds = absl::ToDoubleSeconds(wall.Elapsed());
  const double inside = static_cast<double>(timed.inside_ns()) / 1e9;
  const double outside_share = 1.0 - inside / (seconds * flags.senders);
  nlohmann::json result = {
      {"messages", flags.messages},
      {"senders", flags.senders},
      {"batch", flags.batch},
      {"attempted", attempted.load()},
      {"provider_calls", timed.calls()},
      {"provider_failures", timed.failed()},
      {"round_errors", errors.load()},
      {"seconds", seconds},
      {"messages_per_second", attempted.load() / seconds},
      {"provider_call_ms_mean", timed.calls() ? inside * 1000 / timed.calls() : 0.0},
      {"share_outside_provider", outside_share}};
  std::cout << absl::StrFormat(
      "%d senders: %lld messages in %.2f s = %.0f/s; provider call mean %.2f ms; share of the "
      "senders' time outside the provider call %.1f %% (%lld provider failures)\n",
      flags.senders, static_cast<long long>(attempted.load()), seconds, attempted.load() / seconds,
      result["provider_call_ms_mean"].get<double>(), outside_share * 100,
      static_cast<long long>(timed.failed()));
  if (!flags.out.empty()) std::ofstream(flags.out) << result.dump(2) << "\n";
  // Every message must have reached the provider, once: otherwise the figures measure
  // something else (messages dropped or failed before the call).
  return timed.calls() == flags.messages && timed.failed() == 0 ? 0 : 2;
}

}  // namespace
}  // namespace sportelli::notifications

int main(int argc, char** argv) {
  sportelli::notifications::Flags flags;
  if (!sportelli::notifications::ParseFlags(argc, argv, flags)) {
    std::cerr << "usage: sportelli-bench-messages --dsn DSN --provider-url URL --api-key KEY "
                 "[--messages N] [--senders K] [--batch B] [--out FILE]\n";
    return 2;
  }
  return sportelli::notifications::Run(flags);
}
