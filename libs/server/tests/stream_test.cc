// The kit's frames on a real server: the streaming frame on gRPC's callback API (no thread per
// open stream, authentication first, cancellation seen by the producer), and the limits every
// server sets (an oversized message refused while the server stays healthy, reflection only
// where enabled, the caller's deadline carried to the handler's thread).
#include <atomic>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/server.h"
#include "sportelli/status/macros.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/v1/testing_service.grpc.pb.h"

namespace sportelli::server {
namespace {

namespace tv1 = ::sportelli::testing::v1;

class TestingService final
    : public tv1::TestingService::WithCallbackMethod_Watch<tv1::TestingService::Service> {
 public:
  explicit TestingService(const RpcHandler* handler) : handler_(handler) {}

  grpc::Status Echo(grpc::ServerContext* context, const tv1::EchoRequest* request,
                    tv1::EchoResponse* response) override {
    return handler_->Handle(context, "Echo", [&](Call&) -> absl::Status {
      std::optional<absl::Duration> left = clock::RemainingRequestTime();
      seen_deadline = left.has_value() ? absl::ToInt64Milliseconds(*left) : -1;
      response->set_payload(request->payload());
      return absl::OkStatus();
    });
  }

  grpc::ServerWriteReactor<tv1::WatchResponse>* Watch(grpc::CallbackServerContext* context,
                                                      const tv1::WatchRequest* request) override {
    const tv1::WatchRequest copy = *request;
    return handler_->Stream<tv1::WatchResponse>(
        context, "Watch",
        [this, copy](Call& call,
                     std::shared_ptr<StreamWriter<tv1::WatchResponse>> writer) -> absl::Status {
          RETURN_IF_ERROR(call.caller.RequireStaffOf("porcari"));
          writer->OnDone([this] { ended.fetch_add(1); });
          // A producer thread, as a real feed would have: the gRPC thread returns at once.
          producers_.emplace_back([copy, writer] {
            for (int i = 0; copy.count() == 0 || i < copy.count(); ++i) {
              tv1::WatchResponse tick;
              tick.set_sequence(i);
              if (!writer->Write(tick)) return;  // the client went away
              if (copy.interval_ms() > 0) absl::SleepFor(absl::Milliseconds(copy.interval_ms()));
            }
            writer->Finish(absl::OkStatus());
          });
          return absl::OkStatus();
        });
  }

  void JoinProducers() {
    for (std::thread& producer : producers_) producer.join();
    producers_.clear();
  }

  std::atomic<int> ended{0};
  std::atomic<int64_t> seen_deadline{0};

 private:
  const RpcHandler* const handler_;
  std::vector<std::thread> producers_;
};

class StreamTest : public ::testing::Test {
 protected:
  void Start(bool reflection = true) {
    ServerOptions options;
    options.service_name = "sportelli.testing.v1.TestingService";
    options.listen_address = "127.0.0.1:0";
    options.metrics_address = "";
    options.health_address = "127.0.0.1:0";
    options.threads = 4;  // far fewer than the streams a test keeps open
    options.max_receive_bytes = 4096;
    options.reflection = reflection;
    options.shutdown_grace = absl::ZeroDuration();
    options.shutdown_deadline = absl::Seconds(1);
    server_ = std::make_unique<Server>(options, &logger_, registry_);
    server_->AddService(&service_);
    ASSERT_TRUE(server_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = tv1::TestingService::NewStub(channel_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    service_.JoinProducers();
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& tenant = "porcari") {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(DeadlineAfter(absl::Seconds(10)));
    if (!tenant.empty()) {
      context->AddMetadata("authorization", identity_.Bearer(tenant, {"operator"}));
    }
    return context;
  }

  sportelli::testing::TestIdentity identity_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  logging::Logger logger_{"stream-test", logging::Level::kError};
  RpcMetrics metrics_{"test", *registry_};
  RpcHandler handler_{"test.sportelli", &identity_.verifier(), &metrics_, &logger_};
  TestingService service_{&handler_};
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<tv1::TestingService::Stub> stub_;
};

TEST_F(StreamTest, AStreamDeliversEveryMessageInOrderThenItsStatus) {
  Start();
  tv1::WatchRequest request;
  request.set_count(50);
  auto context = Context();
  auto reader = stub_->Watch(context.get(), request);
  tv1::WatchResponse tick;
  int expected = 0;
  while (reader->Read(&tick)) EXPECT_EQ(tick.sequence(), expected++);
  EXPECT_EQ(expected, 50);
  EXPECT_TRUE(reader->Finish().ok());
}

TEST_F(StreamTest, AnUnauthenticatedStreamEndsBeforeTheHandlerRuns) {
  Start();
  tv1::WatchRequest request;
  request.set_count(1);
  auto context = Context("");
  auto reader = stub_->Watch(context.get(), request);
  tv1::WatchResponse tick;
  EXPECT_FALSE(reader->Read(&tick));
  const grpc::Status status = reader->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Another comune's operator: the handler's own check, before anything is streamed.
  auto lucca = Context("lucca");
  auto denied = stub_->Watch(lucca.get(), request);
  EXPECT_FALSE(denied->Read(&tick));
  EXPECT_EQ(denied->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(StreamTest, ManyOpenStreamsHoldNoThreadAndEndWhenTheirClientsLeave) {
  Start();
  // 40 endless streams on a server of 4 threads: a thread per stream would starve the Echo.
  constexpr int kStreams = 40;
  tv1::WatchRequest endless;
  endless.set_interval_ms(20);
  std::vector<std::unique_ptr<grpc::ClientContext>> contexts;
  std::vector<std::unique_ptr<grpc::ClientReader<tv1::WatchResponse>>> readers;
  for (int i = 0; i < kStreams; ++i) {
    contexts.push_back(Context());
    readers.push_back(stub_->Watch(contexts.back().get(), endless));
    tv1::WatchResponse first;
    ASSERT_TRUE(readers.back()->Read(&first));
  }
  tv1::EchoRequest echo;
  echo.set_payload("still answering");
  tv1::EchoResponse answer;
  auto context = Context();
  ASSERT_TRUE(stub_->Echo(context.get(), echo, &answer).ok());
  EXPECT_EQ(answer.payload(), "still answering");
  for (auto& client : contexts) client->TryCancel();
  for (auto& reader : readers) {
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::CANCELLED);
  }
  // Every producer learns its stream is over (Write returns false) and stops.
  for (int i = 0; i < 200 && service_.ended.load() < kStreams; ++i) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(service_.ended.load(), kStreams);
}

TEST_F(StreamTest, AnOversizedMessageIsRefusedAndTheServerStaysHealthy) {
  Start();
  tv1::EchoRequest big;
  big.set_payload(std::string(8192, 'x'));  // twice the server's limit
  tv1::EchoResponse answer;
  auto context = Context();
  EXPECT_EQ(stub_->Echo(context.get(), big, &answer).error_code(),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  tv1::EchoRequest small;
  small.set_payload("ok");
  auto again = Context();
  EXPECT_TRUE(stub_->Echo(again.get(), small, &answer).ok());
  auto health = grpc::health::v1::Health::NewStub(channel_);
  grpc::health::v1::HealthCheckRequest check;
  grpc::health::v1::HealthCheckResponse serving;
  grpc::ClientContext health_context;
  ASSERT_TRUE(health->Check(&health_context, check, &serving).ok());
  EXPECT_EQ(serving.status(), grpc::health::v1::HealthCheckResponse::SERVING);
}

TEST_F(StreamTest, TheCallersDeadlineReachesTheHandlersThread) {
  Start();
  tv1::EchoRequest request;
  tv1::EchoResponse answer;
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(absl::Seconds(3)));
  context.AddMetadata("authorization", identity_.Bearer("porcari", {"operator"}));
  ASSERT_TRUE(stub_->Echo(&context, request, &answer).ok());
  EXPECT_GT(service_.seen_deadline.load(), 1000);
  EXPECT_LE(service_.seen_deadline.load(), 3000);
}

grpc::StatusCode ReflectionCall(grpc::Channel& channel) {
  grpc::GenericStub stub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  grpc::ClientContext context;
  context.set_deadline(DeadlineAfter(absl::Seconds(5)));
  grpc::CompletionQueue queue;
  grpc::ByteBuffer request;
  grpc::ByteBuffer response;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> call = stub.PrepareUnaryCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", request, &queue);
  call->StartCall();
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  queue.Next(&tag, &ok);
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
  return status.error_code();
}

TEST_F(StreamTest, ReflectionIsServedOnlyWhereEnabled) {
  Start(/*reflection=*/false);
  EXPECT_EQ(ReflectionCall(*channel_), grpc::StatusCode::UNIMPLEMENTED);
  server_->Shutdown();
  service_.JoinProducers();
  server_.reset();
  Start(/*reflection=*/true);
  EXPECT_NE(ReflectionCall(*channel_), grpc::StatusCode::UNIMPLEMENTED);
  // Never on the plaintext health port, whatever the setting: it serves health and nothing else.
  auto health = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->health_port()),
                                    grpc::InsecureChannelCredentials());
  EXPECT_EQ(ReflectionCall(*health), grpc::StatusCode::UNIMPLEMENTED);
}

}  // namespace
}  // namespace sportelli::server
