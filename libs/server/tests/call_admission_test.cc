// The admission of unary calls: a burst beyond what the server handles at once waits its turn in
// arrival order, and what cannot wait is answered UNAVAILABLE/OVERLOADED with a retry delay,
// counted and logged; gRPC itself never refuses a call for want of a thread.
#include "sportelli/server/call_admission.h"

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "gtest/gtest.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/server.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/testing/eventually.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/metric_value.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/v1/testing_service.grpc.pb.h"

namespace sportelli::server {
namespace {

namespace tv1 = ::sportelli::testing::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using ::sportelli::testing::Eventually;

TEST(CallAdmissionTest, CallsBeyondTheLimitWaitAndStartInArrivalOrder) {
  CallAdmission admission({.concurrent = 2, .max_waiting = 10, .max_wait = absl::Seconds(30)});
  std::optional<CallAdmission::Permit> first = admission.Enter(std::nullopt);
  std::optional<CallAdmission::Permit> second = admission.Enter(std::nullopt);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(admission.running(), 2);

  std::mutex mu;
  std::vector<int> started;
  std::vector<std::thread> waiters;
  for (int i = 0; i < 4; ++i) {
    // Each one in line before the next arrives, so arrival order is known.
    waiters.emplace_back([&, i] {
      std::optional<CallAdmission::Permit> permit = admission.Enter(std::nullopt);
      ASSERT_TRUE(permit);
      std::lock_guard<std::mutex> lock(mu);
      started.push_back(i);
    });
    ASSERT_TRUE(Eventually([&] { return admission.waiting() == i + 1; }));
  }
  // One permit at a time: each release lets exactly the oldest waiter in.
  first.reset();
  ASSERT_TRUE(Eventually([&] {
    std::lock_guard<std::mutex> lock(mu);
    return started.size() == 4;  // each finished at once, releasing for the next
  }));
  for (std::thread& waiter : waiters) waiter.join();
  EXPECT_THAT(started, ElementsAre(0, 1, 2, 3));
  EXPECT_EQ(admission.running(), 1);  // `second` still holds its permit
  second.reset();
  EXPECT_EQ(admission.running(), 0);
  EXPECT_EQ(admission.waiting(), 0);
}

TEST(CallAdmissionTest, AFullLineIsRefusedAtOnce) {
  CallAdmission admission({.concurrent = 1, .max_waiting = 1, .max_wait = absl::Seconds(30)});
  std::optional<CallAdmission::Permit> running = admission.Enter(std::nullopt);
  ASSERT_TRUE(running);
  std::thread waiter([&] { EXPECT_TRUE(admission.Enter(std::nullopt)); });
  ASSERT_TRUE(Eventually([&] { return admission.waiting() == 1; }));

  const clock::Stopwatch watch;
  EXPECT_FALSE(admission.Enter(std::nullopt));
  EXPECT_LT(watch.Elapsed(), absl::Seconds(5));  // not the 30 s of the wait
  running.reset();
  waiter.join();
}

TEST(CallAdmissionTest, AWaitEndsAtTheMaximumWaitOrTheCallersDeadline) {
  CallAdmission admission({.concurrent = 1, .max_waiting = 4, .max_wait = absl::Milliseconds(50)});
  std::optional<CallAdmission::Permit> running = admission.Enter(std::nullopt);
  ASSERT_TRUE(running);
  EXPECT_FALSE(admission.Enter(std::nullopt));
  EXPECT_EQ(admission.waiting(), 0);  // the one that gave up left the line

  CallAdmission patient({.concurrent = 1, .max_waiting = 4, .max_wait = absl::Seconds(30)});
  std::optional<CallAdmission::Permit> busy = patient.Enter(std::nullopt);
  const clock::Stopwatch watch;
  EXPECT_FALSE(patient.Enter(std::chrono::steady_clock::now() + std::chrono::milliseconds(50)));
  EXPECT_LT(watch.Elapsed(), absl::Seconds(5));
  // A freed permit still goes to a caller who comes later.
  busy.reset();
  EXPECT_TRUE(patient.Enter(std::nullopt));
}

TEST(CallAdmissionTest, OverloadedSaysWhenToTryAgain) {
  CallAdmission admission({.concurrent = 1, .max_waiting = 0, .max_wait = absl::Milliseconds(750)});
  const absl::Status status = admission.Overloaded();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(status), "OVERLOADED");
  EXPECT_EQ(status::RetryDelayOf(status), absl::Milliseconds(750));
}

TEST(CallAdmissionTest, ACallThatStepsAsideLetsTheNextOneInAndResumesWithoutQueueing) {
  CallAdmission admission(
      {.concurrent = 1, .max_waiting = 4, .max_wait = absl::Seconds(30), .max_aside = 4});
  std::optional<CallAdmission::Permit> first = admission.Enter(std::nullopt);
  ASSERT_TRUE(first);
  std::optional<CallAdmission::Permit> second;
  std::thread next([&] {
    if (std::optional<CallAdmission::Permit> permit = admission.Enter(std::nullopt)) {
      second.emplace(std::move(*permit));
    }
  });
  ASSERT_TRUE(Eventually([&] { return admission.waiting() == 1; }));
  {
    const CallAdmission::Running running(&admission);
    std::optional<CallAdmission::StepAside> aside(std::in_place);
    EXPECT_TRUE(aside->stepped_aside());
    next.join();  // its turn came while the first call is aside
    ASSERT_TRUE(second);
    EXPECT_EQ(admission.aside(), 1);
    EXPECT_EQ(admission.running(), 1);

    // A third caller waits: the one place is taken.
    std::optional<CallAdmission::Permit> third;
    std::thread late([&] {
      if (std::optional<CallAdmission::Permit> permit = admission.Enter(std::nullopt)) {
        third.emplace(std::move(*permit));
      }
    });
    ASSERT_TRUE(Eventually([&] { return admission.waiting() == 1; }));
    // The first call resumes at once, beyond the limit, ahead of the line...
    aside.reset();
    EXPECT_EQ(admission.running(), 2);
    EXPECT_EQ(admission.waiting(), 1);
    // ... and the line moves only once the count is under the limit again.
    second.reset();
    EXPECT_EQ(admission.waiting(), 1);
    first.reset();
    late.join();
    ASSERT_TRUE(third);
    EXPECT_EQ(admission.running(), 1);
  }
}

TEST(CallAdmissionTest, StepAsideDoesNothingBeyondItsBoundOutsideACallOrTwice) {
  CallAdmission admission(
      {.concurrent = 4, .max_waiting = 0, .max_wait = absl::Seconds(1), .max_aside = 1});
  {
    const CallAdmission::StepAside outside_a_call;
    EXPECT_FALSE(outside_a_call.stepped_aside());
  }
  std::optional<CallAdmission::Permit> a = admission.Enter(std::nullopt);
  std::optional<CallAdmission::Permit> b = admission.Enter(std::nullopt);
  ASSERT_TRUE(a && b);
  std::thread other([&] {
    const CallAdmission::Running running(&admission);
    const CallAdmission::StepAside aside;
    EXPECT_TRUE(aside.stepped_aside());
    const CallAdmission::StepAside nested;
    EXPECT_FALSE(nested.stepped_aside());
    EXPECT_EQ(admission.aside(), 1);
    EXPECT_EQ(admission.running(), 1);
  });
  other.join();
  EXPECT_EQ(admission.running(), 2);
  {
    const CallAdmission::Running running(&admission);
    std::optional<CallAdmission::StepAside> aside(std::in_place);
    EXPECT_TRUE(aside->stepped_aside());
    std::thread beyond([&] {
      const CallAdmission::Running its_call(&admission);
      const CallAdmission::StepAside second;
      EXPECT_FALSE(second.stepped_aside());  // max_aside is 1: it keeps its place
    });
    beyond.join();
    EXPECT_EQ(admission.running(), 1);
  }
  EXPECT_EQ(admission.running(), 2);
  EXPECT_EQ(admission.aside(), 0);
}

// ---- on a real server -----------------------------------------------------------------------

// Echo holds its call until the test lets it go.
class HeldService final : public tv1::TestingService::Service {
 public:
  explicit HeldService(const RpcHandler* handler) : handler_(handler) {}

  grpc::Status Echo(grpc::ServerContext* context, const tv1::EchoRequest* request,
                    tv1::EchoResponse* response) override {
    return handler_->Handle(context, "Echo", [&](Call&) -> absl::Status {
      in_handler.fetch_add(1);
      release.WaitForNotification();
      response->set_payload(request->payload());
      return absl::OkStatus();
    });
  }

  std::atomic<int> in_handler{0};
  absl::Notification release;

 private:
  const RpcHandler* const handler_;
};

class AdmissionOnServerTest : public ::testing::Test {
 protected:
  void Start(int threads, int max_waiting, absl::Duration max_wait) {
    ServerOptions options;
    options.service_name = "sportelli.testing.v1.TestingService";
    options.listen_address = "127.0.0.1:0";
    options.metrics_address = "127.0.0.1:0";
    options.threads = threads;
    options.max_waiting = max_waiting;
    options.max_queue_wait = max_wait;
    options.shutdown_grace = absl::ZeroDuration();
    options.shutdown_deadline = absl::Seconds(2);
    admission_ = std::make_unique<CallAdmission>(AdmissionOptions(options));
    handler_ = std::make_unique<RpcHandler>("test.sportelli", &identity_.verifier(), &metrics_,
                                            &logger_, admission_.get());
    service_ = std::make_unique<HeldService>(handler_.get());
    server_ = std::make_unique<Server>(options, &logger_, registry_);
    server_->AddService(service_.get());
    ASSERT_TRUE(server_->Start().ok());
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", server_->port()),
                                   grpc::InsecureChannelCredentials());
  }
  void TearDown() override {
    if (service_ && !service_->release.HasBeenNotified()) service_->release.Notify();
    if (server_) server_->Shutdown();
  }

  grpc::Status Echo() {
    auto stub = tv1::TestingService::NewStub(channel_);
    grpc::ClientContext context;
    context.set_deadline(DeadlineAfter(absl::Seconds(20)));
    context.AddMetadata("authorization", identity_.Bearer("porcari", {"operator"}));
    tv1::EchoRequest request;
    request.set_payload("x");
    tv1::EchoResponse response;
    return stub->Echo(&context, request, &response);
  }

  sportelli::testing::TestIdentity identity_;
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  logging::Logger logger_{"admission-test", logging::Level::kError};
  RpcMetrics metrics_{"test", *registry_};
  std::unique_ptr<CallAdmission> admission_;
  std::unique_ptr<RpcHandler> handler_;
  std::unique_ptr<HeldService> service_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Calls refused for overload so far.
double OverloadedCount(prometheus::Registry& registry) {
  return sportelli::testing::CounterValue(registry, "sportelli_grpc_server_overloaded_total");
}

TEST_F(AdmissionOnServerTest, ABurstBeyondTheThreadsIsAnsweredOkOrOverloadedNeverByGrpc) {
  // Two calls run, four wait; the other 34 of a burst of 40 are refused by the admission, with
  // its reason and delay. Before the admission, gRPC refused them itself: RESOURCE_EXHAUSTED
  // "Server Threadpool Exhausted", the code of a citizen's booking limit.
  Start(/*threads=*/2, /*max_waiting=*/4, absl::Seconds(20));
  constexpr int kCalls = 40;
  std::vector<grpc::Status> answers(kCalls);
  std::vector<std::thread> clients;
  for (int i = 0; i < kCalls; ++i) clients.emplace_back([&, i] { answers[i] = Echo(); });
  EXPECT_TRUE(Eventually([&] { return OverloadedCount(*registry_) == kCalls - 6; }))
      << OverloadedCount(*registry_);
  EXPECT_EQ(service_->in_handler.load(), 2);  // never more than `threads` at once
  service_->release.Notify();
  for (std::thread& client : clients) client.join();

  int ok = 0;
  for (const grpc::Status& answer : answers) {
    if (answer.ok()) {
      ++ok;
      continue;
    }
    const sportelli::testing::Failure failure = sportelli::testing::Decode(answer);
    EXPECT_EQ(failure.code, grpc::StatusCode::UNAVAILABLE)
        << answer.error_message() << " " << failure.reason;
    EXPECT_EQ(failure.reason, "OVERLOADED");
    EXPECT_THAT(answer.error_message(), HasSubstr("send the same request again"));
    EXPECT_EQ(status::RetryDelayOf(status::FromGrpcStatus(answer)), absl::Seconds(20));
  }
  EXPECT_EQ(ok, 6);
  EXPECT_EQ(service_->in_handler.load(), 6);
}

TEST_F(AdmissionOnServerTest, ACallThatWaitedTooLongIsOverloadedAndTheNextOneStillRuns) {
  Start(/*threads=*/1, /*max_waiting=*/8, absl::Milliseconds(100));
  std::thread holder([&] { EXPECT_TRUE(Echo().ok()); });
  ASSERT_TRUE(Eventually([&] { return service_->in_handler.load() == 1; }));
  const grpc::Status waited = Echo();
  EXPECT_EQ(sportelli::testing::Decode(waited).reason, "OVERLOADED");
  EXPECT_EQ(status::RetryDelayOf(status::FromGrpcStatus(waited)), absl::Milliseconds(100));
  service_->release.Notify();
  holder.join();
  EXPECT_TRUE(Echo().ok());
  EXPECT_EQ(OverloadedCount(*registry_), 1);
}

}  // namespace
}  // namespace sportelli::server
