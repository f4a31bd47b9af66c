// The engine and the scheduling workloads against fake servers in-process: the schedule is
// kept while the server stalls (open loop), latencies count from the intended send time when
// the client itself stalls, and the rush's accounting matches what the server booked. Only
// lower bounds that the deliberate stalls guarantee are asserted, never a speed.
#include "bench/load_generator.h"

#include <chrono>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "bench/scenarios.h"
#include "gmock/gmock.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::bench {
namespace {

namespace sv1 = scheduling::v1;

std::unique_ptr<grpc::Server> StartServer(grpc::Service* service, int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
  builder.RegisterService(service);
  return builder.BuildAndStart();
}

// Ping that holds every call until `hold` after the first one arrived, then answers at once.
class GatedPing final : public v1::BenchService::CallbackService {
 public:
  explicit GatedPing(absl::Duration hold) : hold_(hold) {}
  ~GatedPing() override {
    if (gate_.joinable()) gate_.join();
  }

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context, const v1::PingRequest*,
                                 v1::PingResponse*) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mutex_);
    auto auth = context->client_metadata().find("authorization");
    if (auth == context->client_metadata().end() || auth->second != "Bearer t") ++unauthenticated_;
    if (open_) {
      reactor->Finish(grpc::Status::OK);
      return reactor;
    }
    held_.push_back(reactor);
    if (!gate_.joinable()) {
      gate_ = std::thread([this] {
        absl::SleepFor(hold_);
        absl::MutexLock gate_lock(&mutex_);
        open_ = true;
        for (grpc::ServerUnaryReactor* held : held_) held->Finish(grpc::Status::OK);
        held_before_open_ = static_cast<int64_t>(held_.size());
        held_.clear();
      });
    }
    return reactor;
  }

  int64_t held_before_open() {
    absl::MutexLock lock(&mutex_);
    return held_before_open_;
  }
  int64_t unauthenticated() {
    absl::MutexLock lock(&mutex_);
    return unauthenticated_;
  }

 private:
  const absl::Duration hold_;
  absl::Mutex mutex_;
  bool open_ = false;
  std::vector<grpc::ServerUnaryReactor*> held_;
  int64_t held_before_open_ = 0;
  int64_t unauthenticated_ = 0;
  std::thread gate_;
};

TEST(LoadGeneratorTest, AStalledServerDoesNotSlowTheSchedule) {
  GatedPing service(absl::Seconds(1));
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 2, absl::Seconds(10));
  ASSERT_TRUE(channels.ok()) << channels.status();
  PingWorkload workload(*channels, "Bearer t");
  absl::StatusOr<Schedule> schedule = Schedule::Create(500, absl::ZeroDuration(), absl::Seconds(2));
  ASSERT_TRUE(schedule.ok());

  const LoadResult result = RunLoad(
      *schedule,
      {.threads = 2, .connections = 2, .max_inflight = 10'000, .deadline = absl::Seconds(10)},
      workload);

  EXPECT_EQ(result.sent, 1000);
  EXPECT_EQ(result.not_sent, 0);
  EXPECT_EQ(result.responses, 1000);
  EXPECT_EQ(result.codes[0], 1000);
  EXPECT_EQ(service.unauthenticated(), 0);
  // A closed-loop client would have had 2 requests waiting; this one kept sending at 500/s.
  EXPECT_GE(service.held_before_open(), 250);
  // The first requests waited about the whole second, from their intended time; the held half
  // waited 0..1 s, so the 75th percentile of all is about 0.5 s.
  EXPECT_GE(result.latency.max(), 900'000'000);
  EXPECT_GE(result.latency.ValueAtPercentile(75), 250'000'000);
  server->Shutdown();
}

TEST(LoadGeneratorTest, ClientStallsCountFromTheIntendedSendTime) {
  // Building request 100 takes 300 ms (a client pause: GC, page fault, preemption). The
  // requests due meanwhile leave late, and their latency must include the wait.
  class StallingWorkload final : public Workload {
   public:
    explicit StallingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels)
        : ping_(channels, "Bearer t") {}
    std::unique_ptr<Call> MakeCall(int64_t index, int channel) override {
      if (index == 100) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      return ping_.MakeCall(index, channel);
    }

   private:
    PingWorkload ping_;
  };
  GatedPing service(absl::ZeroDuration());
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 1, absl::Seconds(10));
  ASSERT_TRUE(channels.ok()) << channels.status();
  StallingWorkload workload(*channels);
  absl::StatusOr<Schedule> schedule =
      Schedule::Create(1000, absl::ZeroDuration(), absl::Seconds(1));
  ASSERT_TRUE(schedule.ok());

  const LoadResult result = RunLoad(*schedule, {.threads = 1, .connections = 1}, workload);

  EXPECT_EQ(result.responses, 1000);
  EXPECT_GE(result.send_lag.max(), 290'000'000);
  EXPECT_GE(result.latency.max(), 290'000'000);
  // ~300 requests were due during the pause, with lateness spread over 0..300 ms: at least the
  // slowest 15% of all requests waited 100 ms or more.
  EXPECT_GE(result.latency.ValueAtPercentile(85), 100'000'000);
  server->Shutdown();
}

TEST(LoadGeneratorTest, RequestsBeyondTheInflightCapAreCountedNotSent) {
  GatedPing service(absl::Seconds(1));
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 1, absl::Seconds(10));
  ASSERT_TRUE(channels.ok());
  PingWorkload workload(*channels, "Bearer t");
  absl::StatusOr<Schedule> schedule = Schedule::Create(200, absl::ZeroDuration(), absl::Seconds(1));
  ASSERT_TRUE(schedule.ok());

  const LoadResult result =
      RunLoad(*schedule,
              {.threads = 1, .connections = 1, .max_inflight = 20, .deadline = absl::Seconds(10)},
              workload);

  EXPECT_EQ(result.sent + result.not_sent, 200);
  EXPECT_GT(result.not_sent, 0);
  EXPECT_EQ(result.responses, result.sent);
  server->Shutdown();
}

// ListAvailableSlots gives three slots a day per desk; CreateAppointment books while seats last
// and checks each request the way the real service will.
class FakeScheduling final : public sv1::SchedulingService::Service {
 public:
  static constexpr int kCapacities[] = {2, 1, 3};
  static absl::Time SlotStart(int i) {
    return absl::FromUnixSeconds(1'900'000'000) + absl::Minutes(30) * i;
  }

  grpc::Status ListAvailableSlots(grpc::ServerContext*,
                                  const sv1::ListAvailableSlotsRequest* request,
                                  sv1::ListAvailableSlotsResponse* response) override {
    if (request->channel() != sv1::CHANNEL_WEB)
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "channel");
    for (int i = 0; i < 3; ++i) {
      sv1::Slot* slot = response->add_slots();
      slot->mutable_start_time()->set_seconds(absl::ToUnixSeconds(SlotStart(i)));
      slot->set_remaining_capacity(kCapacities[i]);
    }
    return grpc::Status::OK;
  }

  grpc::Status CreateAppointment(grpc::ServerContext* context,
                                 const sv1::CreateAppointmentRequest* request,
                                 sv1::Appointment*) override {
    absl::MutexLock lock(&mutex_);
    const sv1::Appointment& appointment = request->appointment();
    const std::string tenant = appointment.desk().substr(8, 1);  // "tenants/a/desks/d"
    auto auth = context->client_metadata().find("authorization");
    const bool valid =
        request->parent() == "tenants/" + tenant && auth != context->client_metadata().end() &&
        auth->second == "Bearer " + tenant && request_ids_.insert(request->request_id()).second &&
        codes_.insert(appointment.citizen().codice_fiscale()).second &&
        !citizen::CheckCodiceFiscale(appointment.citizen().codice_fiscale()).has_value() &&
        appointment.citizen().privacy_notice_acknowledged() &&
        appointment.channel() == sv1::CHANNEL_WEB;
    if (!valid) {
      ++invalid_;
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "invalid");
    }
    const int slot = static_cast<int>(
        (appointment.start_time().seconds() - absl::ToUnixSeconds(SlotStart(0))) / 1800);
    int& booked = booked_[{appointment.desk(), slot}];
    if (booked >= kCapacities[slot])
      return grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "SLOT_FULL");
    ++booked;
    return grpc::Status::OK;
  }

  int64_t Booked(const std::string& desk, absl::Time start) {
    absl::MutexLock lock(&mutex_);
    return booked_[{desk, static_cast<int>((start - SlotStart(0)) / absl::Minutes(30))}];
  }
  int64_t invalid() {
    absl::MutexLock lock(&mutex_);
    return invalid_;
  }

 private:
  absl::Mutex mutex_;
  std::set<std::string> request_ids_;
  std::set<std::string> codes_;
  std::map<std::pair<std::string, int>, int> booked_;
  int64_t invalid_ = 0;
};

TEST(ScenariosTest, RushAccountingMatchesWhatTheServerBooked) {
  FakeScheduling service;
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 2, absl::Seconds(10));
  ASSERT_TRUE(channels.ok());
  const std::vector<DeskService> pairs = {{"a", "tenants/a/desks/d", "tenants/a/services/s"},
                                          {"b", "tenants/b/desks/d", "tenants/b/services/s"}};
  const Bearers bearers = {{"a", "Bearer a"}, {"b", "Bearer b"}};
  absl::StatusOr<std::vector<SlotRef>> free = ListFreeSlots(
      *(*channels)[0], pairs, bearers, absl::CivilDay(2030, 3, 18), 1, absl::Seconds(10));
  ASSERT_TRUE(free.ok()) << free.status();
  ASSERT_EQ(free->size(), 6u);
  absl::StatusOr<std::vector<SlotRef>> chosen = ChooseRushSlots(*free, 6, 1);
  ASSERT_TRUE(chosen.ok());
  BookingWorkload workload(*channels, *chosen, bearers, BookingWorkload::Spread::kUniformRandom, 11,
                           12);
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(1000, 200, 0);
  ASSERT_TRUE(schedule.ok());

  const LoadResult result = RunLoad(*schedule, {.threads = 2, .connections = 2}, workload);

  const std::vector<int64_t> attempts = workload.AttemptsPerSlot();
  int64_t total_attempts = 0;
  std::vector<int64_t> capacity, after;
  for (size_t i = 0; i < workload.slots().size(); ++i) {
    total_attempts += attempts[i];
    capacity.push_back(workload.slots()[i].capacity);
    after.push_back(service.Booked(workload.slots()[i].desk, workload.slots()[i].start));
  }
  EXPECT_EQ(total_attempts, 200);
  EXPECT_EQ(service.invalid(), 0);
  const RushOutcome outcome =
      CompareRush(capacity, attempts, std::vector<int64_t>(capacity.size(), 0), after);
  EXPECT_TRUE(outcome.passed());
  EXPECT_EQ(outcome.expected, 12);  // every slot gets far more attempts than its seats
  EXPECT_EQ(result.codes[static_cast<int>(grpc::StatusCode::OK)], outcome.expected);
  EXPECT_EQ(result.codes[static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION)],
            200 - outcome.expected);
  server->Shutdown();
}

TEST(ScenariosTest, BookingRoundRobinVisitsEverySlotInTurn) {
  FakeScheduling service;
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 1, absl::Seconds(10));
  ASSERT_TRUE(channels.ok());
  const std::vector<DeskService> pairs = {{"a", "tenants/a/desks/d", "tenants/a/services/s"}};
  absl::StatusOr<std::vector<SlotRef>> free =
      ListFreeSlots(*(*channels)[0], pairs, {{"a", "Bearer a"}}, absl::CivilDay(2030, 3, 18), 1,
                    absl::Seconds(10));
  ASSERT_TRUE(free.ok());
  BookingWorkload workload(*channels, *free, {{"a", "Bearer a"}},
                           BookingWorkload::Spread::kRoundRobin, 21, 22);
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(500, 30, 0);
  ASSERT_TRUE(schedule.ok());
  RunLoad(*schedule, {.threads = 1, .connections = 1}, workload);
  EXPECT_THAT(workload.AttemptsPerSlot(), ::testing::ElementsAre(10, 10, 10));
  EXPECT_EQ(service.invalid(), 0);
  server->Shutdown();
}

// CreatePerson names a new person, except every third call (FAILED_PRECONDITION); CreateContact
// records whom it was given and whether the token came with it.
class FakeIntake final : public intake::v1::IntakeService::CallbackService {
 public:
  grpc::ServerUnaryReactor* CreatePerson(grpc::CallbackServerContext* context,
                                         const intake::v1::CreatePersonRequest* request,
                                         intake::v1::Person* person) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mutex_);
    if (!Authenticated(*context) || request->person().codice_fiscale().empty()) ++invalid_;
    if (++persons_ % 3 == 0) {
      reactor->Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "refused"));
      return reactor;
    }
    person->set_name(absl::StrCat("tenants/a/persons/p", persons_));
    made_.insert(person->name());
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerUnaryReactor* CreateContact(grpc::CallbackServerContext* context,
                                          const intake::v1::CreateContactRequest* request,
                                          intake::v1::Contact* contact) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    absl::MutexLock lock(&mutex_);
    if (!Authenticated(*context) || request->contact().desk() != "tenants/a/desks/d") ++invalid_;
    contacts_.push_back(request->contact().person());
    contact->set_name(absl::StrCat("tenants/a/contacts/c", contacts_.size()));
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::set<std::string> made() {
    absl::MutexLock lock(&mutex_);
    return made_;
  }
  std::vector<std::string> contacts() {
    absl::MutexLock lock(&mutex_);
    return contacts_;
  }
  int64_t invalid() {
    absl::MutexLock lock(&mutex_);
    return invalid_;
  }

 private:
  static bool Authenticated(const grpc::CallbackServerContext& context) {
    auto auth = context.client_metadata().find("authorization");
    return auth != context.client_metadata().end() && auth->second == "Bearer a";
  }

  absl::Mutex mutex_;
  int64_t persons_ = 0;
  std::set<std::string> made_;
  std::vector<std::string> contacts_;
  int64_t invalid_ = 0;
};

TEST(ScenariosTest, AContactIsMeasuredOnceWithItsPersonMadeFirst) {
  FakeIntake service;
  int port = 0;
  std::unique_ptr<grpc::Server> server = StartServer(&service, &port);
  auto channels = OpenChannels("127.0.0.1:" + std::to_string(port), 2, absl::Seconds(10));
  ASSERT_TRUE(channels.ok());
  ContactWorkload workload(*channels, {{"a", "tenants/a/desks/d", "tenants/a/services/s"}},
                           {{"a", "Bearer a"}}, absl::CivilDay(2030, 3, 18), 7);
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(1000, 300, 0);
  ASSERT_TRUE(schedule.ok());

  const LoadResult result = RunLoad(*schedule, {.threads = 2, .connections = 2}, workload);

  // One response per request, whichever step ended it: the refused persons' requests end with
  // their refusal and send no contact; every other contact names the person just made.
  EXPECT_EQ(result.responses, 300);
  EXPECT_EQ(result.codes[static_cast<int>(grpc::StatusCode::FAILED_PRECONDITION)], 100);
  EXPECT_EQ(result.codes[static_cast<int>(grpc::StatusCode::OK)], 200);
  const std::vector<std::string> contacts = service.contacts();
  EXPECT_EQ(contacts.size(), 200u);
  EXPECT_EQ(std::set<std::string>(contacts.begin(), contacts.end()), service.made());
  EXPECT_EQ(service.invalid(), 0);
  server->Shutdown();
}

}  // namespace
}  // namespace sportelli::bench
