// Rate limits: the policy as operators write it, the limiter against the real test Redis (shared
// by replicas, refusals that consume nothing, no subject or address in Redis, fail-open when
// Redis is gone), and the answer a client gets through a real server.
#include "sportelli/server/rate_limits.h"

#include <thread>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/crypto/random.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/server.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/metric_value.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/test_redis.h"
#include "sportelli/testing/test_server.h"
#include "sportelli/testing/v1/testing_service.grpc.pb.h"

namespace sportelli::server {
namespace {

namespace tv1 = ::sportelli::testing::v1;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;

auth::Caller CallerOf(std::string tenant, std::set<auth::Role> roles,
                      std::string subject = "someone") {
  return {.subject = std::move(subject), .tenant = std::move(tenant), .roles = std::move(roles)};
}

// ---- the policy -----------------------------------------------------------------------------

TEST(RateLimitPolicyTest, ReadsRolesAddressesAndComuneOverrides) {
  ASSERT_OK_AND_ASSIGN(
      RateLimitPolicy policy,
      RateLimitPolicy::Parse(" portal=2000/s:4000, operator=30/min , address=5/s:20,"
                             " address@lucca=10/s:40, operator@porcari=1/h:3 "));
  EXPECT_THAT(policy.ForCaller(CallerOf("capannori", {auth::Role::kPortal})),
              Optional(Rate{.per_second = 2000, .burst = 4000}));
  // The burst defaults to the count.
  EXPECT_THAT(policy.ForCaller(CallerOf("capannori", {auth::Role::kOperator})),
              Optional(Rate{.per_second = 0.5, .burst = 30}));
  EXPECT_THAT(policy.ForCaller(CallerOf("porcari", {auth::Role::kOperator})),
              Optional(Rate{.per_second = 1.0 / 3600, .burst = 3}));
  EXPECT_EQ(policy.ForCaller(CallerOf("porcari", {auth::Role::kDpo})), std::nullopt);
  EXPECT_THAT(policy.ForAddress("altopascio"), Optional(Rate{.per_second = 5, .burst = 20}));
  EXPECT_THAT(policy.ForAddress("lucca"), Optional(Rate{.per_second = 10, .burst = 40}));
  EXPECT_FALSE(policy.empty());
}

TEST(RateLimitPolicyTest, ACallerWithSeveralRolesGetsTheHighestLimit) {
  ASSERT_OK_AND_ASSIGN(RateLimitPolicy policy,
                       RateLimitPolicy::Parse("operator=10/s, coordinator=50/s"));
  EXPECT_THAT(policy.ForCaller(CallerOf(
                  "lucca", {auth::Role::kOperator, auth::Role::kCoordinator, auth::Role::kDpo})),
              Optional(Rate{.per_second = 50, .burst = 50}));
}

TEST(RateLimitPolicyTest, AnEmptySpecLimitsNothing) {
  ASSERT_OK_AND_ASSIGN(RateLimitPolicy policy, RateLimitPolicy::Parse(""));
  EXPECT_TRUE(policy.empty());
  EXPECT_EQ(policy.ForCaller(CallerOf("lucca", {auth::Role::kPortal})), std::nullopt);
  EXPECT_EQ(policy.ForAddress("lucca"), std::nullopt);
}

TEST(RateLimitPolicyTest, RefusesWhatItCannotRead) {
  for (const char* spec :
       {"citizen=5/s", "portal=0/s", "portal=5/day", "portal=5", "portal=5/s:0", "portal=5/s:x",
        "portal=-1/s", "portal@=5/s", "portal@Lucca=5/s", "portal=5/s, portal=6/s", "=5/s"}) {
    const absl::StatusOr<RateLimitPolicy> policy = RateLimitPolicy::Parse(spec);
    EXPECT_EQ(policy.status().code(), absl::StatusCode::kInvalidArgument) << spec;
  }
}

TEST(RateLimitConfigTest, LimitsNeedTheSecretKey) {
  config::EnvReader without_key([](const std::string& name) -> std::optional<std::string> {
    if (name == "SPORTELLI_RATE_LIMITS") return "portal=10/s";
    return std::nullopt;
  });
  ReadRateLimitConfig(without_key);
  EXPECT_THAT(std::string(without_key.Finish().message()), HasSubstr("SPORTELLI_SECRET_KEY_FILE"));

  config::EnvReader bad_spec([](const std::string& name) -> std::optional<std::string> {
    if (name == "SPORTELLI_RATE_LIMITS") return "visitor=10/s";
    return std::nullopt;
  });
  ReadRateLimitConfig(bad_spec);
  EXPECT_THAT(std::string(bad_spec.Finish().message()), HasSubstr("SPORTELLI_RATE_LIMITS"));

  config::EnvReader none(
      [](const std::string&) -> std::optional<std::string> { return std::nullopt; });
  EXPECT_TRUE(ReadRateLimitConfig(none).policy.empty());
  EXPECT_OK(none.Finish());
}

// ---- the limiter, on the test Redis ---------------------------------------------------------

crypto::SecretKey TestKey() { return *crypto::SecretKey::Create(std::string(32, 'k')); }

class RateLimiterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
  }

  // A limiter of its own service name, so that tests running at once never share a bucket.
  std::unique_ptr<RateLimiter> Limiter(const std::string& spec, const std::string& service) {
    return std::make_unique<RateLimiter>(*RateLimitPolicy::Parse(spec), TestKey(), service,
                                         redis_.get(), &logger_);
  }
  static std::string FreshService() {
    return absl::StrCat("test-", absl::BytesToHexString(crypto::RandomBytes(6)));
  }

  std::unique_ptr<redis::RedisClient> redis_;
  logging::Logger logger_{"rate-limits-test", logging::Level::kError};
};

TEST_F(RateLimiterTest, ABurstIsAcceptedThenTheNextCallIsToldWhenToComeBack) {
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> limiter = Limiter("operator=1/min:3", service);
  const auth::Caller caller = CallerOf("lucca", {auth::Role::kOperator}, "op-1");
  for (int i = 0; i < 3; ++i) EXPECT_OK(limiter->Check(caller, "")) << i;

  const absl::Status refused = limiter->Check(caller, "");
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status::ReasonOf(refused), "RATE_LIMITED");
  // One call a minute: the next is accepted about a minute after the first.
  const std::optional<absl::Duration> delay = status::RetryDelayOf(refused);
  ASSERT_TRUE(delay);
  EXPECT_GT(*delay, absl::Seconds(50));
  EXPECT_LE(*delay, absl::Seconds(60));
  EXPECT_EQ(limiter->refused(), 1);

  // Another operator of the same comune, and the same subject in another comune, have their own.
  EXPECT_OK(limiter->Check(CallerOf("lucca", {auth::Role::kOperator}, "op-2"), ""));
  EXPECT_OK(limiter->Check(CallerOf("porcari", {auth::Role::kOperator}, "op-1"), ""));
  // A role without a limit is not counted.
  for (int i = 0; i < 10; ++i) EXPECT_OK(limiter->Check(CallerOf("lucca", {auth::Role::kDpo}), ""));
}

TEST_F(RateLimiterTest, ReplicasShareTheirCounts) {
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> first = Limiter("portal=1/min:4", service);
  std::unique_ptr<RateLimiter> second = Limiter("portal=1/min:4", service);
  const auth::Caller portal = CallerOf("altopascio", {auth::Role::kPortal}, "portal-altopascio");
  EXPECT_OK(first->Check(portal, ""));
  EXPECT_OK(second->Check(portal, ""));
  EXPECT_OK(first->Check(portal, ""));
  EXPECT_OK(second->Check(portal, ""));
  EXPECT_EQ(status::ReasonOf(first->Check(portal, "")), "RATE_LIMITED");
  EXPECT_EQ(status::ReasonOf(second->Check(portal, "")), "RATE_LIMITED");
}

TEST_F(RateLimiterTest, ARefusedCallConsumesNothing) {
  // 20 a second: a call every 50 ms once the burst of 2 is spent.
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> limiter = Limiter("operator=20/s:2", service);
  const auth::Caller caller = CallerOf("pescaglia", {auth::Role::kOperator}, "op-3");
  EXPECT_OK(limiter->Check(caller, ""));
  EXPECT_OK(limiter->Check(caller, ""));
  absl::Status refused = limiter->Check(caller, "");
  ASSERT_EQ(status::ReasonOf(refused), "RATE_LIMITED");
  // Hammering while refused (from memory and from Redis, through a second replica) does not
  // push the next acceptance further away.
  std::unique_ptr<RateLimiter> replica = Limiter("operator=20/s:2", service);
  for (int i = 0; i < 20; ++i) {
    EXPECT_FALSE(limiter->Check(caller, "").ok());
    EXPECT_FALSE(replica->Check(caller, "").ok());
  }
  const absl::Duration delay = *status::RetryDelayOf(refused);
  EXPECT_LE(delay, absl::Milliseconds(50));
  absl::SleepFor(delay + absl::Milliseconds(5));
  EXPECT_OK(limiter->Check(caller, ""));
}

TEST_F(RateLimiterTest, PortalCallsAreLimitedPerVisitorAddress) {
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> limiter = Limiter("portal=1000/s, address=1/min:2", service);
  const auth::Caller portal = CallerOf("montecarlo", {auth::Role::kPortal}, "portal-montecarlo");
  EXPECT_OK(limiter->Check(portal, "203.0.113.7"));
  EXPECT_OK(limiter->Check(portal, "203.0.113.7"));
  EXPECT_EQ(status::ReasonOf(limiter->Check(portal, "203.0.113.7")), "RATE_LIMITED");
  // Other visitors of the same portal are not held back by that one.
  EXPECT_OK(limiter->Check(portal, "203.0.113.8"));
  EXPECT_OK(limiter->Check(portal, "2001:db8::8"));
  // Staff behind one office address are not limited by it.
  const auth::Caller staff = CallerOf("montecarlo", {auth::Role::kOperator}, "op-4");
  for (int i = 0; i < 5; ++i) EXPECT_OK(limiter->Check(staff, "203.0.113.7"));
}

TEST_F(RateLimiterTest, RedisHoldsNeitherSubjectsNorAddresses) {
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> limiter = Limiter("portal=100/s, address=100/s", service);
  ASSERT_OK(limiter->Check(CallerOf("villa-basilica", {auth::Role::kPortal}, "portal-subject-x"),
                           "198.51.100.23"));
  ASSERT_OK_AND_ASSIGN(std::vector<redis::Reply> keys,
                       redis::AsArray(redis_->Command(
                           {"KEYS", absl::StrCat("{villa-basilica}:rl:", service, ":*")})));
  ASSERT_EQ(keys.size(), 2);
  for (const redis::Reply& key : keys) {
    EXPECT_THAT(key.str(), Not(HasSubstr("portal-subject-x")));
    EXPECT_THAT(key.str(), Not(HasSubstr("198.51.100.23")));
    // Only seconds to live: a bucket at rest disappears.
    ASSERT_OK_AND_ASSIGN(int64_t ttl_ms, redis::AsInteger(redis_->Command({"PTTL", key.str()})));
    EXPECT_GT(ttl_ms, 0);
    EXPECT_LE(ttl_ms, 1000);
  }
}

TEST_F(RateLimiterTest, AScriptLostByRedisIsLoadedAgain) {
  const std::string service = FreshService();
  std::unique_ptr<RateLimiter> limiter = Limiter("operator=1/min:1", service);
  const auth::Caller caller = CallerOf("lucca", {auth::Role::kOperator}, "op-5");
  ASSERT_OK(limiter->Check(caller, ""));
  ASSERT_OK(redis::ExpectStatus(redis_->Command({"SCRIPT", "FLUSH"}), "OK"));
  // Still counted: the second call of the minute is refused, not let through unchecked.
  EXPECT_EQ(status::ReasonOf(limiter->Check(caller, "")), "RATE_LIMITED");
  EXPECT_EQ(limiter->unchecked(), 0);
}

TEST_F(RateLimiterTest, WithoutRedisCallsGoThroughAndAreCounted) {
  redis::RedisClient::Options nowhere = redis_->options();
  nowhere.port = 1;  // nothing listens there
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<redis::RedisClient> gone,
                       redis::RedisClient::Create(nowhere));
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  RpcMetrics metrics("test", *registry);
  RateLimiter limiter(*RateLimitPolicy::Parse("operator=1/min:1"), TestKey(), FreshService(),
                      gone.get(), &logger_, &metrics);
  const auth::Caller caller = CallerOf("lucca", {auth::Role::kOperator}, "op-6");
  EXPECT_OK(limiter.Check(caller, ""));
  EXPECT_OK(limiter.Check(caller, ""));
  EXPECT_EQ(limiter.unchecked(), 2);
  EXPECT_EQ(sportelli::testing::CounterValue(*registry, "sportelli_rate_limit_unchecked_total"), 2);
}

// ---- through a server -----------------------------------------------------------------------

class EchoService final : public tv1::TestingService::Service {
 public:
  // With `downstream`, each call is passed on to it on behalf of the caller, as scheduling calls
  // tenants.
  explicit EchoService(const RpcHandler* handler,
                       std::shared_ptr<grpc::Channel> downstream = nullptr)
      : handler_(handler), downstream_(std::move(downstream)) {}
  // Answers with the client address the handler sees (or the downstream service saw).
  grpc::Status Echo(grpc::ServerContext* context, const tv1::EchoRequest* request,
                    tv1::EchoResponse* response) override {
    return handler_->Handle(context, "Echo", [&](Call& call) -> absl::Status {
      if (downstream_ == nullptr) {
        response->set_payload(RpcHandler::ClientAddressOf(*call.context, call.caller));
        return absl::OkStatus();
      }
      std::unique_ptr<grpc::ClientContext> onward =
          call.OnBehalfOfCaller().NewContext(absl::Seconds(10));
      return status::FromGrpcStatus(
          tv1::TestingService::NewStub(downstream_)->Echo(onward.get(), *request, response));
    });
  }

 private:
  const RpcHandler* const handler_;
  const std::shared_ptr<grpc::Channel> downstream_;
};

class RateLimitsOnServerTest : public RateLimiterTest {
 protected:
  void SetUp() override {
    RateLimiterTest::SetUp();
    if (HasFatalFailure()) return;
    limiter_ = std::make_unique<RateLimiter>(*RateLimitPolicy::Parse("address=1/min:2"), TestKey(),
                                             FreshService(), redis_.get(), &logger_, &metrics_);
    handler_ = std::make_unique<RpcHandler>("test.sportelli", &identity_.verifier(), &metrics_,
                                            &logger_, nullptr, limiter_.get());
    service_ = std::make_unique<EchoService>(handler_.get());
    server_ = std::make_unique<Server>(
        sportelli::testing::TestServerOptions("sportelli.testing.v1.TestingService"), &logger_,
        registry_);
    server_->AddService(service_.get());
    ASSERT_OK(server_->Start());
    channel_ = sportelli::testing::ChannelTo(*server_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  grpc::Status Echo(const std::vector<std::string>& roles, const std::string& forwarded_for,
                    std::string* address = nullptr) {
    auto stub = tv1::TestingService::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(DeadlineAfter(absl::Seconds(10)));
    context.AddMetadata("authorization", identity_.Bearer("porcari", roles, "portal-porcari"));
    if (!forwarded_for.empty()) context.AddMetadata("x-forwarded-for", forwarded_for);
    tv1::EchoResponse response;
    grpc::Status status = stub->Echo(&context, tv1::EchoRequest(), &response);
    if (address != nullptr) *address = response.payload();
    return status;
  }

  double RateLimitedCount() {
    return sportelli::testing::CounterValue(*registry_, "sportelli_grpc_server_rate_limited_total");
  }

  sportelli::testing::TestIdentity identity_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  RpcMetrics metrics_{"test", *registry_};
  std::unique_ptr<RateLimiter> limiter_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<EchoService> service_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(RateLimitsOnServerTest, APortalsVisitorIsTheLastForwardedAddress) {
  std::string address;
  ASSERT_TRUE(Echo({"portal"}, "192.0.2.1, 203.0.113.50", &address).ok());
  EXPECT_EQ(address, "203.0.113.50");
  // Without the header, and for staff whatever they send, the peer's own address.
  ASSERT_TRUE(Echo({"portal"}, "", &address).ok());
  EXPECT_EQ(address, "127.0.0.1");
  ASSERT_TRUE(Echo({"operator"}, "203.0.113.99", &address).ok());
  EXPECT_EQ(address, "127.0.0.1");
}

TEST_F(RateLimitsOnServerTest, TheVisitorTravelsWithCallsMadeOnTheCallersBehalf) {
  // This test's server passes each call on to another one, as scheduling calls tenants: the
  // next service sees the same visitor, so its own limits count the same person.
  EchoService forwarding(handler_.get(), channel_);
  Server upstream(sportelli::testing::TestServerOptions("sportelli.testing.v1.TestingService"),
                  &logger_, registry_);
  upstream.AddService(&forwarding);
  ASSERT_OK(upstream.Start());
  channel_ = sportelli::testing::ChannelTo(upstream);
  std::string address;
  const grpc::Status answer = Echo({"portal"}, "203.0.113.77", &address);
  upstream.Shutdown();
  ASSERT_TRUE(answer.ok()) << answer.error_message();
  EXPECT_EQ(address, "203.0.113.77");
}

TEST_F(RateLimitsOnServerTest, OverTheLimitTheClientGetsRateLimitedWithADelay) {
  ASSERT_TRUE(Echo({"portal"}, "203.0.113.60").ok());
  ASSERT_TRUE(Echo({"portal"}, "203.0.113.60").ok());
  const grpc::Status refused = Echo({"portal"}, "203.0.113.60");
  const sportelli::testing::Failure failure = sportelli::testing::Decode(refused);
  EXPECT_EQ(failure.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(failure.reason, "RATE_LIMITED");
  EXPECT_THAT(refused.error_message(), Not(HasSubstr("203.0.113.60")));
  const std::optional<absl::Duration> delay = status::RetryDelayOf(status::FromGrpcStatus(refused));
  ASSERT_TRUE(delay);
  EXPECT_GT(*delay, absl::Seconds(1));
  EXPECT_EQ(RateLimitedCount(), 1);
  // Another visitor of the same portal goes on.
  EXPECT_TRUE(Echo({"portal"}, "203.0.113.61").ok());
}

}  // namespace
}  // namespace sportelli::server
