// WatchEvents as the operator app sees it: the real NotificationsGrpcService and LiveFeed on a
// gRPC server, over the shared test Redis, with events added to the comuni's streams the way the
// outbox relay adds them. Each test gets its own comuni (random suffix).
#include <dirent.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/notifications/live_feed.h"
#include "services/notifications/notifications_grpc_service.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/clock/clock.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/streams.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/server.h"
#include "sportelli/tenants_client/fake_directory.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/test_redis.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::notifications {
namespace {

using ::sportelli::testing::Decode;
using ::sportelli::testing::Failure;
using ::sportelli::testing::Fields;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
namespace ev1 = ::sportelli::events::v1;

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 30, 10, 0, 0), absl::UTCTimeZone());

// One client stream: reads on its own thread-less terms (Read blocks the caller).
struct Stream {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader;

  // Events of a response not handed out yet, oldest first.
  std::deque<v1::LiveEvent> pending;
  // Responses read that carried events.
  int event_responses = 0;

  // The next event (heartbeats skipped); nullopt when the stream ended.
  std::optional<v1::LiveEvent> NextEvent() {
    v1::WatchEventsResponse response;
    while (pending.empty() && reader->Read(&response)) {
      if (!response.events().empty()) ++event_responses;
      for (v1::LiveEvent& event : *response.mutable_events()) pending.push_back(std::move(event));
    }
    if (pending.empty()) return std::nullopt;
    v1::LiveEvent next = std::move(pending.front());
    pending.pop_front();
    return next;
  }
  // Reads `n` events; stops early when the stream ends.
  std::vector<v1::LiveEvent> Events(int n) {
    std::vector<v1::LiveEvent> out;
    while (static_cast<int>(out.size()) < n) {
      std::optional<v1::LiveEvent> next = NextEvent();
      if (!next) break;
      out.push_back(*std::move(next));
    }
    return out;
  }
  // Reads to the end (cancelling nothing) and returns how the stream ended.
  grpc::Status End() {
    v1::WatchEventsResponse ignored;
    while (reader->Read(&ignored)) {
    }
    return reader->Finish();
  }
};

class WatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    options.command_timeout = absl::Seconds(2);
    ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
    std::random_device random;
    const std::string suffix = absl::StrCat(random() % 1000000000);
    tenant_ = "capannori-" + suffix;
    other_tenant_ = "lucca-" + suffix;
    directory_.AddDesk(tenant_, "sede", tenants_client::DeskInfo{3, true, true, {"colloquio"}});
    directory_.AddDesk(tenant_, "marlia", tenants_client::DeskInfo{3, true, true, {"colloquio"}});
    directory_.AddDesk(other_tenant_, "sede",
                       tenants_client::DeskInfo{3, true, true, {"colloquio"}});
    StartServer(LiveFeed::Options{.block = absl::Milliseconds(50), .heartbeat = absl::Seconds(60)});
  }

  void TearDown() override { StopServer(); }

  void StartServer(LiveFeed::Options options) {
    registry_ = std::make_shared<prometheus::Registry>();
    metrics_ = std::make_unique<server::RpcMetrics>("notifications", *registry_);
    handler_ = std::make_unique<server::RpcHandler>(
        "notifications.sportelli", &identity_.verifier(), metrics_.get(), &logger_);
    feed_ = std::make_unique<LiveFeed>(redis_.get(), &clock_, &logger_, registry_.get(), options);
    service_ = std::make_unique<NotificationsGrpcService>(
        feed_.get(), &directory_, /*messages=*/nullptr, /*templates=*/nullptr,
        /*opt_outs=*/nullptr, /*source=*/nullptr, &clock_, &logger_,
        "https://prenota.sportelli.invalid", handler_.get());
    server::ServerOptions server_options =
        sportelli::testing::TestServerOptions("sportelli.notifications.v1.NotificationsService", 4);
    server_options.shutdown_grace = absl::ZeroDuration();
    server_ = std::make_unique<server::Server>(server_options, &logger_, registry_);
    server_->AddService(service_.get());
    server_->AddDrainHook([this] { feed_->Drain(); });
    ASSERT_OK(server_->Start());
    stub_ = v1::NotificationsService::NewStub(sportelli::testing::ChannelTo(*server_));
    feed_->Start();
  }

  void StopServer() {
    if (server_) server_->Shutdown();
    if (feed_) feed_->Stop();
    server_.reset();
    service_.reset();
    feed_.reset();
  }

  std::string Token(const std::string& tenant, std::vector<std::string> roles) {
    return identity_.Token(tenant, std::move(roles), "operatrice-1");
  }
  std::string Operator() { return Token(tenant_, {"operator"}); }

  v1::WatchEventsRequest Request(const std::string& tenant, const std::string& desk = "",
                                 const std::string& after = "") {
    v1::WatchEventsRequest request;
    request.set_parent(api::TenantName{tenant}.ToString());
    if (!desk.empty()) request.set_desk(api::DeskName{tenant, desk}.ToString());
    request.set_after_event_id(after);
    return request;
  }

  Stream Watch(const v1::WatchEventsRequest& request, const std::string& token,
               v1::NotificationsService::Stub* stub = nullptr) {
    Stream stream;
    stream.context = std::make_unique<grpc::ClientContext>();
    stream.context->set_deadline(server::DeadlineAfter(absl::Seconds(60)));
    if (!token.empty()) stream.context->AddMetadata("authorization", "Bearer " + token);
    stream.reader = (stub ? stub : stub_.get())->WatchEvents(stream.context.get(), request);
    return stream;
  }

  // A watch that is live: its first heartbeat came, so what is published from now on reaches
  // it.
  Stream WatchLive(const v1::WatchEventsRequest& request, const std::string& token,
                   v1::NotificationsService::Stub* stub = nullptr) {
    Stream stream = Watch(request, token, stub);
    v1::WatchEventsResponse first;
    EXPECT_TRUE(stream.reader->Read(&first));
    EXPECT_TRUE(first.has_heartbeat());
    return stream;
  }

  // Streams the feed holds, from its gauge.
  int Open() {
    for (const auto& family : registry_->Collect()) {
      if (family.name == "sportelli_watch_streams") {
        return static_cast<int>(family.metric.at(0).gauge.value);
      }
    }
    return -1;
  }

  template <typename Condition>
  void WaitUntil(Condition condition) {
    for (int i = 0; i < 500 && !condition(); ++i) absl::SleepFor(absl::Milliseconds(10));
    ASSERT_TRUE(condition());
  }

  // Adds `event` to its comune's stream as the relay does; returns its position.
  std::string Publish(const ev1::Event& event) {
    absl::StatusOr<redis::Reply> added =
        redis_->Command({"XADD", events::TenantStream(event.tenant()), "*", "id", event.id(),
                         "type", events::EventType(event), "event", event.SerializeAsString()});
    EXPECT_TRUE(added.ok() && added->is_string()) << added.status();
    return added.ok() ? added->str() : "";
  }

  ev1::Event Booked(const std::string& tenant, const std::string& desk = "sede") {
    ev1::Event event = events::NewEvent(
        tenant, absl::StrCat("tenants/", tenant, "/appointments/a", ++appointments_), kNow);
    event.set_desk(api::DeskName{tenant, desk}.ToString());
    ev1::AppointmentBooked* booked = event.mutable_appointment_booked();
    booked->set_desk(event.desk());
    api::ToTimestamp(kNow + absl::Hours(48), booked->mutable_start_time());
    return event;
  }

  std::unique_ptr<redis::RedisClient> redis_;
  std::string tenant_;
  std::string other_tenant_;
  int appointments_ = 0;
  clock::FakeClock clock_{kNow};
  tenants_client::testing::FakeDirectory directory_;
  logging::Logger logger_{"notifications-test", logging::Level::kWarning};
  sportelli::testing::TestIdentity identity_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<LiveFeed> feed_;
  std::unique_ptr<NotificationsGrpcService> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::NotificationsService::Stub> stub_;
};

TEST_F(WatchTest, AnEventReachesEveryWatcherOfItsComuneAndNoOther) {
  Stream operator_stream = WatchLive(Request(tenant_), Operator());
  Stream coordinator = WatchLive(Request(tenant_), Token(tenant_, {"coordinator"}));
  Stream other = WatchLive(Request(other_tenant_), Token(other_tenant_, {"operator"}));

  const ev1::Event booked = Booked(tenant_);
  const std::string position = Publish(booked);
  const ev1::Event elsewhere = Booked(other_tenant_);
  const std::string other_position = Publish(elsewhere);

  for (Stream* stream : {&operator_stream, &coordinator}) {
    std::optional<v1::LiveEvent> got = stream->NextEvent();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->id(), position);
    EXPECT_EQ(got->event().id(), booked.id());
    EXPECT_EQ(got->event().resource(), booked.resource());
    EXPECT_TRUE(got->event().has_appointment_booked());
  }
  // Lucca's operator gets Lucca's booking, and nothing of Capannori's before it.
  std::optional<v1::LiveEvent> got = other.NextEvent();
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->id(), other_position);
  EXPECT_EQ(got->event().id(), elsewhere.id());
}

TEST_F(WatchTest, OnlyTheComunesOperatorsAndCoordinatorsMayWatch) {
  for (const std::string& token :
       {Token(tenant_, {"portal"}), Token(tenant_, {"tenant_admin"}), Token(tenant_, {"dpo"}),
        Token(other_tenant_, {"operator"}), Token(other_tenant_, {"coordinator"})}) {
    EXPECT_EQ(Watch(Request(tenant_), token).End().error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(Watch(Request(tenant_), "").End().error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Another comune's desk is refused before it is looked up.
  EXPECT_EQ(Watch(Request(other_tenant_, "sede"), Operator()).End().error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Open(), 0);
}

TEST_F(WatchTest, BadRequestsNameEveryFieldAndAnUnknownDeskIsNotFound) {
  v1::WatchEventsRequest request;
  request.set_parent("comuni/capannori");
  request.set_desk("tenants/" + tenant_ + "/sportelli/sede");
  request.set_after_event_id("$");
  Failure failure = Decode(Watch(request, Operator()).End());
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(failure), ElementsAre("parent", "desk", "after_event_id"));

  request = Request(tenant_);
  request.set_desk(api::DeskName{other_tenant_, "sede"}.ToString());
  failure = Decode(Watch(request, Operator()).End());
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(failure), ElementsAre("desk"));

  EXPECT_EQ(Watch(Request(tenant_, "nessuno"), Operator()).End().error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Open(), 0);
}

TEST_F(WatchTest, ADeskFilterKeepsThatDesksEventsOnly) {
  Stream sede = WatchLive(Request(tenant_, "sede"), Operator());
  Publish(Booked(tenant_, "marlia"));
  ev1::Event holiday = events::NewEvent(tenant_, "tenants/" + tenant_ + "/holidays/h1", kNow);
  holiday.mutable_holiday_changed();
  Publish(holiday);  // concerns no single desk
  ev1::Event closure = events::NewEvent(tenant_, "tenants/" + tenant_ + "/closures/c1", kNow);
  closure.mutable_closure_changed()->set_desk(api::DeskName{tenant_, "sede"}.ToString());
  const std::string closure_position = Publish(closure);
  const ev1::Event here = Booked(tenant_, "sede");
  const std::string here_position = Publish(here);

  std::vector<v1::LiveEvent> got = sede.Events(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].id(), closure_position);
  EXPECT_EQ(got[1].id(), here_position);
  EXPECT_EQ(got[1].event().id(), here.id());
}

TEST_F(WatchTest, ResumingAfterAnEventGivesEveryLaterEventOnceInOrder) {
  Stream first = WatchLive(Request(tenant_), Operator());
  std::vector<std::string> positions;
  for (int i = 0; i < 30; ++i) positions.push_back(Publish(Booked(tenant_)));
  std::vector<v1::LiveEvent> seen = first.Events(10);
  ASSERT_EQ(seen.size(), 10u);
  first.context->TryCancel();
  first.End();

  // Events keep coming while the client is away and while it catches up.
  for (int i = 0; i < 20; ++i) positions.push_back(Publish(Booked(tenant_)));
  Stream resumed = Watch(Request(tenant_, "", seen.back().id()), Operator());
  std::thread more([&] {
    for (int i = 0; i < 30; ++i) Publish(Booked(tenant_));
  });
  more.join();
  absl::StatusOr<redis::Reply> all =
      redis_->Command({"XRANGE", events::TenantStream(tenant_), "-", "+"});
  ASSERT_TRUE(all.ok());
  std::vector<std::string> expected;
  for (const redis::Reply& entry : all->elements()) expected.push_back(entry.elements()[0].str());
  ASSERT_EQ(expected.size(), 80u);
  expected.erase(expected.begin(), expected.begin() + 10);

  std::vector<std::string> got;
  for (const v1::LiveEvent& event : resumed.Events(70)) got.push_back(event.id());
  EXPECT_EQ(got, expected);
  // Nothing twice: the next event is the next one published.
  const std::string sentinel = Publish(Booked(tenant_));
  std::optional<v1::LiveEvent> next = resumed.NextEvent();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->id(), sentinel);
}

TEST_F(WatchTest, AResumePointNoLongerKeptAsksTheClientToResynchronize) {
  std::vector<std::string> positions;
  for (int i = 0; i < 5; ++i) positions.push_back(Publish(Booked(tenant_)));
  // The relay trims long streams (XADD MAXLEN ~); here the first three go.
  ASSERT_TRUE(redis_->Command({"XTRIM", events::TenantStream(tenant_), "MAXLEN", "2"}).ok());

  Failure failure = Decode(Watch(Request(tenant_, "", positions[1]), Operator()).End());
  EXPECT_EQ(failure.code, grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(failure.reason, "RESYNC_REQUIRED");
  // A point the stream never gave out (from before Redis lost its data, say).
  failure = Decode(Watch(Request(tenant_, "", "99999999999999-0"), Operator()).End());
  EXPECT_EQ(failure.code, grpc::StatusCode::OUT_OF_RANGE);
  EXPECT_EQ(failure.reason, "RESYNC_REQUIRED");

  // From the oldest entry kept, the rest follows.
  Stream resumed = Watch(Request(tenant_, "", positions[3]), Operator());
  std::optional<v1::LiveEvent> next = resumed.NextEvent();
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->id(), positions[4]);
}

TEST_F(WatchTest, AQuietStreamGetsHeartbeats) {
  StopServer();
  StartServer(
      LiveFeed::Options{.block = absl::Milliseconds(50), .heartbeat = absl::Milliseconds(200)});
  Stream quiet = WatchLive(Request(tenant_), Operator());
  // After the first, one more after each quiet period, stamped with the service's clock.
  clock_.Advance(absl::Minutes(1));
  v1::WatchEventsResponse response;
  ASSERT_TRUE(quiet.reader->Read(&response));
  ASSERT_TRUE(response.has_heartbeat());
  EXPECT_EQ(api::FromTimestamp(response.heartbeat().time()), kNow + absl::Minutes(1));
  ASSERT_TRUE(quiet.reader->Read(&response));
  EXPECT_TRUE(response.has_heartbeat());
}

TEST_F(WatchTest, AClientThatDoesNotReadIsCutOffAndTheOthersAreNot) {
  Stream stalled = WatchLive(Request(tenant_), Operator());
  Stream reading = WatchLive(Request(tenant_), Operator());
  // Far more than the transport's windows (which grow to a few MiB) and the writer's backlog
  // hold: 6,000 events of 4 KiB (a long resource name fills them sooner).
  const int kEvents = 6000;
  std::thread reader(
      [&] { EXPECT_EQ(reading.Events(kEvents).size(), static_cast<size_t>(kEvents)); });
  for (int sent = 0; sent < kEvents; sent += 500) {
    std::vector<std::vector<std::string>> batch;
    for (int i = 0; i < 500; ++i) {
      ev1::Event event = Booked(tenant_);
      event.set_resource(event.resource() + std::string(4000, 'x'));
      batch.push_back({"XADD", events::TenantStream(tenant_), "*", "id", event.id(), "type",
                       events::EventType(event), "event", event.SerializeAsString()});
    }
    ASSERT_TRUE(redis_->Pipeline(batch).ok());
  }
  reader.join();
  const Failure failure = Decode(stalled.End());
  EXPECT_EQ(failure.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(failure.reason, "CLIENT_TOO_SLOW");
}

TEST_F(WatchTest, EventsThatWaitForTheClientComeTogetherInOrderOnce) {
  Stream behind = WatchLive(Request(tenant_), Operator());
  // Committed together (one relay batch): the client has not read any when the feed writes
  // them.
  const int kEvents = 300;
  std::vector<std::string> ids;
  std::vector<std::vector<std::string>> batch;
  for (int i = 0; i < kEvents; ++i) {
    const ev1::Event event = Booked(tenant_);
    ids.push_back(event.id());
    batch.push_back({"XADD", events::TenantStream(tenant_), "*", "id", event.id(), "type",
                     events::EventType(event), "event", event.SerializeAsString()});
  }
  ASSERT_TRUE(redis_->Pipeline(batch).ok());
  std::vector<std::string> got;
  for (const v1::LiveEvent& live : behind.Events(kEvents)) got.push_back(live.event().id());
  EXPECT_EQ(got, ids);
  // Joined while they waited (at most 100 a response), rather than one message each.
  EXPECT_LT(behind.event_responses, kEvents);
  EXPECT_GE(behind.event_responses, kEvents / 100);
}

// The number of threads of this process.
int Threads() {
  int count = 0;
  if (DIR* tasks = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(tasks)) count += entry->d_name[0] != '.' ? 1 : 0;
    closedir(tasks);
  }
  return count;
}

TEST_F(WatchTest, StreamsDoNotTakeAThreadEach) {
  // As many connections as operator apps would open; each carries up to 100 streams.
  std::vector<std::unique_ptr<v1::NotificationsService::Stub>> apps;
  for (int i = 0; i < 20; ++i) {
    grpc::ChannelArguments args;
    args.SetInt("sportelli.test.app", i);  // a connection of its own
    apps.push_back(v1::NotificationsService::NewStub(grpc::CreateCustomChannel(
        absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials(), args)));
  }
  std::vector<Stream> streams;
  for (int i = 0; i < 20; ++i) {
    streams.push_back(WatchLive(Request(tenant_), Operator(), apps[i].get()));
  }
  const int with_few = Threads();
  for (int i = 20; i < 200; ++i) {
    streams.push_back(Watch(Request(tenant_), Operator(), apps[i % 20].get()));
  }
  for (int i = 20; i < 200; ++i) {
    v1::WatchEventsResponse first;
    ASSERT_TRUE(streams[i].reader->Read(&first));
    ASSERT_TRUE(first.has_heartbeat());
  }
  EXPECT_EQ(Open(), 200);
  // A thread per stream would be 180 more.
  EXPECT_LT(Threads(), with_few + 20);

  const ev1::Event booked = Booked(tenant_);
  Publish(booked);
  for (Stream& stream : streams) {
    std::optional<v1::LiveEvent> got = stream.NextEvent();
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->event().id(), booked.id());
  }
}

TEST_F(WatchTest, ServerStoppingEndsStreamsWithUnavailableAtOnce) {
  Stream open = WatchLive(Request(tenant_), Operator());
  std::thread stop([&] { server_->Shutdown(); });
  const Failure failure = Decode(open.End());
  EXPECT_EQ(failure.code, grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(failure.reason, "SHUTTING_DOWN");
  stop.join();
  // No new stream on a stopping feed.
  EXPECT_EQ(
      feed_->Subscribe({.tenant = tenant_, .desk = "", .after = std::nullopt}, nullptr).code(),
      absl::StatusCode::kUnavailable);
}

// A writer that records how its stream ended.
class RecordingWriter final : public FeedWriter {
 public:
  bool Write(v1::WatchEventsResponse) override { return !finished_; }
  void Finish(const absl::Status& status) override {
    if (!finished_) ended = status;
    finished_ = true;
  }
  bool done() const override { return finished_; }
  size_t backlog() const override { return 0; }
  void OnDone(std::function<void()>) override {}
  void CoalesceWith(Absorb) override {}
  absl::Status ended;

 private:
  bool finished_ = false;
};

TEST(LiveFeedTest, AStreamWhoseStartFindsRedisDownIsNotLost) {
  // Nothing listens on this Redis: the resume point cannot be checked yet.
  redis::RedisClient::Options options;
  options.port = 1;
  options.connect_timeout = absl::Milliseconds(50);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<redis::RedisClient> down,
                       redis::RedisClient::Create(options));
  clock::FakeClock clock(kNow);
  logging::Logger logger("notifications-test", logging::Level::kError);
  LiveFeed feed(down.get(), &clock, &logger, nullptr, LiveFeed::Options());
  auto writer = std::make_shared<RecordingWriter>();
  ASSERT_OK(
      feed.Subscribe({.tenant = "capannori", .desk = "", .after = FeedPosition{5, 0}}, writer));
  EXPECT_FALSE(feed.Poll().ok());
  EXPECT_FALSE(feed.Poll().ok());  // still waiting to start, not forgotten
  EXPECT_FALSE(writer->done());
  feed.Drain();  // the stream is still the feed's: it ends it, and the client can resume
  EXPECT_EQ(writer->ended.code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sportelli::notifications
