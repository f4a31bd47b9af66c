#include "sportelli/server/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/test/server_context_test_spouse.h"
#include "gtest/gtest.h"
#include "sportelli/auth/keys.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/eventually.h"

namespace sportelli::server {
namespace {

using ::grpc::health::v1::HealthCheckRequest;
using ::grpc::health::v1::HealthCheckResponse;
using ::testing::HasSubstr;

constexpr char kServiceName[] = "sportelli.test.v1.TestService";

HealthCheckResponse::ServingStatus Health(int port, const std::string& service) {
  auto channel =
      grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(absl::Seconds(2)));
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  grpc::Status status = stub->Check(&context, request, &response);
  if (!status.ok()) return HealthCheckResponse::UNKNOWN;
  return response.status();
}

using ::sportelli::testing::Eventually;

// A plain HTTP GET over a socket: enough to read /metrics without an HTTP client library.
std::string HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return "";
  }
  std::string request = absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: localhost\r\n\r\n");
  if (write(fd, request.data(), request.size()) < 0) {
    close(fd);
    return "";
  }
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof(buffer))) > 0)
    response.append(buffer, static_cast<size_t>(n));
  close(fd);
  return response;
}

class ServerTest : public ::testing::Test {
 protected:
  ServerOptions Options() {
    ServerOptions options;
    options.service_name = kServiceName;
    options.listen_address = "127.0.0.1:0";
    options.metrics_address = "";
    options.health_address = "127.0.0.1:0";  // the kubelet's plaintext port, answering the same
    options.threads = 4;
    options.readiness_interval = absl::Milliseconds(50);
    options.shutdown_grace = absl::Milliseconds(600);
    options.shutdown_deadline = absl::Seconds(1);
    return options;
  }

  std::ostringstream log_;
  logging::Logger logger_{"test", logging::Level::kInfo, &log_};
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
};

TEST_F(ServerTest, LivenessServesAtOnceReadinessFollowsTheChecks) {
  std::atomic<bool> database_up{false};
  Server server(Options(), &logger_, registry_);
  server.AddReadinessCheck(
      "postgres", [&] { return database_up ? absl::OkStatus() : absl::UnavailableError("down"); });
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.port(), 0);
  ASSERT_GT(server.health_port(), 0);
  const std::vector<int> ports = {server.port(), server.health_port()};

  for (int port : ports) {
    EXPECT_EQ(Health(port, ""), HealthCheckResponse::SERVING) << port;
    EXPECT_EQ(Health(port, kServiceName), HealthCheckResponse::NOT_SERVING) << port;
    EXPECT_EQ(Health(port, "sportelli.other.v1.Unknown"), HealthCheckResponse::UNKNOWN) << port;
  }

  database_up = true;
  for (int port : ports) {
    EXPECT_TRUE(Eventually([&] {
      return Health(port, kServiceName) == HealthCheckResponse::SERVING;
    })) << port;
  }

  database_up = false;
  for (int port : ports) {
    EXPECT_TRUE(Eventually([&] {
      return Health(port, kServiceName) == HealthCheckResponse::NOT_SERVING;
    })) << port;
    EXPECT_EQ(Health(port, ""), HealthCheckResponse::SERVING) << port;
  }
  EXPECT_THAT(log_.str(), HasSubstr("readiness check failed"));
}

TEST_F(ServerTest, ShutdownAnswersNotServingDuringTheGracePeriod) {
  Server server(Options(), &logger_, registry_);
  ASSERT_TRUE(server.Start().ok());
  const std::vector<int> ports = {server.port(), server.health_port()};
  for (int port : ports) EXPECT_EQ(Health(port, kServiceName), HealthCheckResponse::SERVING);

  std::thread stopper([&] { server.Shutdown(); });
  // During the grace period the server still answers, but says NOT_SERVING for both names.
  for (int port : ports) {
    EXPECT_TRUE(Eventually([&] { return Health(port, "") == HealthCheckResponse::NOT_SERVING; },
                           absl::Milliseconds(500)))
        << port;
    EXPECT_EQ(Health(port, kServiceName), HealthCheckResponse::NOT_SERVING) << port;
  }
  stopper.join();
  for (int port : ports) EXPECT_EQ(Health(port, ""), HealthCheckResponse::UNKNOWN) << port;  // gone
  server.Shutdown();  // idempotent
}

TEST_F(ServerTest, ASecondServerOnTheSamePortFailsToStart) {
  Server first(Options(), &logger_, registry_);
  ASSERT_TRUE(first.Start().ok());
  ServerOptions options = Options();
  options.listen_address = absl::StrCat("127.0.0.1:", first.port());
  Server second(options, &logger_, registry_);
  EXPECT_EQ(second.Start().code(), absl::StatusCode::kUnavailable);
}

TEST_F(ServerTest, MetricsAreExposedOverHttp) {
  ServerOptions options = Options();
  options.metrics_address = "127.0.0.1:0";
  options.shutdown_grace = absl::ZeroDuration();
  RpcMetrics metrics("test", *registry_);
  metrics.Started("GetThing");
  metrics.Finished("GetThing", grpc::StatusCode::NOT_FOUND, 0.002);
  Server server(options, &logger_, registry_);
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.metrics_port(), 0);
  std::string body = HttpGet(server.metrics_port(), "/metrics");
  EXPECT_THAT(
      body,
      HasSubstr(
          R"(sportelli_grpc_server_handled_total{code="NOT_FOUND",method="GetThing",service="test"} 1)"));
  EXPECT_THAT(body, HasSubstr("sportelli_grpc_server_handling_seconds_bucket"));
  EXPECT_THAT(body,
              HasSubstr(R"(sportelli_grpc_server_in_flight{method="GetThing",service="test"} 0)"));
}

class RpcHandlerTest : public ServerTest {
 protected:
  void SetUp() override {
    auth::KeyPairPem keys = *auth::GenerateEs256KeyPair();
    verifier_ = std::make_unique<auth::TokenVerifier>(
        *auth::TokenVerifier::Create(keys.public_key, "iss", "aud"));
    signer_ = std::make_unique<auth::TokenSigner>(
        *auth::TokenSigner::Create(keys.private_key, "iss", "aud"));
    metrics_ = std::make_unique<RpcMetrics>("test", *registry_);
    handler_ =
        std::make_unique<RpcHandler>("test.sportelli", verifier_.get(), metrics_.get(), &logger_);
  }

  std::string Token() {
    auth::MintOptions options;
    options.subject = "op-1";
    options.tenant = "porcari";
    options.roles = {"operator"};
    return *signer_->Mint(options);
  }

  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<auth::TokenSigner> signer_;
  std::unique_ptr<RpcMetrics> metrics_;
  std::unique_ptr<RpcHandler> handler_;
};

TEST_F(RpcHandlerTest, MissingTokenIsUnauthenticatedAndTheHandlerDoesNotRun) {
  grpc::ServerContext context;
  bool ran = false;
  grpc::Status status = handler_->Handle(&context, "GetThing", [&](Call&) {
    ran = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_FALSE(ran);
}

TEST_F(RpcHandlerTest, CallerReachesTheHandlerAndTheAccessLogHasNoPersonalData) {
  grpc::ServerContext context;
  grpc::testing::ServerContextTestSpouse spouse(&context);
  spouse.AddClientMetadata("authorization", absl::StrCat("Bearer ", Token()));
  grpc::Status status = handler_->Handle(&context, "CreateThing", [&](Call& call) {
    EXPECT_EQ(call.caller.tenant, "porcari");
    EXPECT_TRUE(call.caller.HasRole(auth::Role::kOperator));
    call.request_id = "3f0e7a4e-2b7c-4d7e-9a61-1c1d2e3f4a5b";
    return status::Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  std::string line = log_.str();
  nlohmann::json entry = nlohmann::json::parse(line.substr(0, line.find('\n')));
  EXPECT_EQ(entry["method"], "CreateThing");
  EXPECT_EQ(entry["tenant"], "porcari");
  EXPECT_EQ(entry["code"], "FAILED_PRECONDITION");
  EXPECT_EQ(entry["reason"], "SLOT_FULL");
  EXPECT_EQ(entry["request_id"], "3f0e7a4e-2b7c-4d7e-9a61-1c1d2e3f4a5b");
  EXPECT_TRUE(entry["latency_ms"].is_number());
  EXPECT_FALSE(entry.contains("error"));
}

TEST_F(RpcHandlerTest, ExceptionsBecomeInternalWithoutTheirText) {
  grpc::ServerContext context;
  grpc::testing::ServerContextTestSpouse spouse(&context);
  spouse.AddClientMetadata("authorization", absl::StrCat("Bearer ", Token()));
  grpc::Status status = handler_->Handle(&context, "Boom", [&](Call&) -> absl::Status {
    throw std::runtime_error("RSSMRA85T10A562S leaked");
  });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "internal error");
  EXPECT_THAT(log_.str(), ::testing::Not(HasSubstr("RSSMRA85T10A562S")));
}

}  // namespace
}  // namespace sportelli::server
