// The open-loop engine of sportelli-bench: sends a workload's requests at the Schedule's
// intended times on the gRPC async API, whatever the server's pace, and measures each latency
// from the intended send time.
//
//   std::vector<std::shared_ptr<grpc::Channel>> channels = OpenChannels(target, 4);
//   PingWorkload workload(channels, bearer);
//   LoadResult result = RunLoad(schedule, {.threads = 2, .max_inflight = 10000,
//                                          .deadline = absl::Seconds(2)}, workload);
//
// --threads sender threads share the schedule round-robin (request i goes to sender
// i % threads); each sleeps until its next request is due and starts it, never waiting for a
// response. As many collector threads, one per sender's completion queue, time the responses.
// A slow server therefore never delays the schedule: responses pile up in flight instead, up to
// --max-inflight, beyond which a due request is counted as "not sent (client saturated)" rather
// than queued or silently dropped. If the client itself falls behind (CPU-bound), the send lag
// histogram shows it, and the latencies already include it.
#ifndef SPORTELLI_BENCH_LOAD_GENERATOR_H_
#define SPORTELLI_BENCH_LOAD_GENERATOR_H_

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "bench/histogram.h"
#include "bench/schedule.h"
#include "grpcpp/channel.h"
#include "grpcpp/client_context.h"
#include "grpcpp/completion_queue.h"
#include "grpcpp/support/async_unary_call.h"
#include "grpcpp/support/status.h"

namespace sportelli::bench {

// The engine's clock (steady), in nanoseconds: Call::intended_ns is on it.
int64_t SteadyNanos();

// One RPC in flight; the engine owns it from Start until its completion arrives.
class Call {
 public:
  virtual ~Call() = default;
  // Starts the RPC on `cq`, with `this` as the completion tag.
  virtual void Start(grpc::CompletionQueue* cq) = 0;
  // Called when a step ended OK: true if the call started another step (again with `this` as
  // the tag), so that what is measured is the whole sequence a user waits for.
  virtual bool StartNext(grpc::CompletionQueue* /*cq*/) { return false; }
  // Called when a step failed: true if the call started another step (a retry, again with
  // `this` as the tag). The failure is then not counted unless the retry fails for good.
  virtual bool StartAfterFailure(grpc::CompletionQueue* /*cq*/) { return false; }

  grpc::ClientContext context;
  grpc::Status status;
  int64_t index = 0;
  int64_t intended_ns = 0;  // steady clock
};

// A unary call made with a generated stub's PrepareAsync<Method>:
//   MakeUnaryCall<v1::PingResponse>(request, [stub](auto* context, const auto& request, auto* cq) {
//     return stub->PrepareAsyncPing(context, request, cq);
//   });
template <typename Response, typename Request, typename Prepare>
class UnaryCall final : public Call {
 public:
  UnaryCall(Request request, Prepare prepare)
      : request_(std::move(request)), prepare_(std::move(prepare)) {}

  void Start(grpc::CompletionQueue* cq) override {
    reader_ = prepare_(&context, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status, this);
  }

 private:
  Request request_;
  Prepare prepare_;
  Response response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<Response>> reader_;
};

template <typename Response, typename Request, typename Prepare>
std::unique_ptr<Call> MakeUnaryCall(Request request, Prepare prepare) {
  return std::make_unique<UnaryCall<Response, Request, Prepare>>(std::move(request),
                                                                 std::move(prepare));
}

// Two unary calls in sequence, measured as one request: the second is made from the first's
// response once it succeeded, with the same deadline and the same `authorization`. (A
// ClientContext serves one RPC only, so the second step has its own.)
//   TwoStepCall<v1::Person, v1::Contact>(bearer,
//       [=](grpc::ClientContext* c, grpc::CompletionQueue* cq) { ...PrepareAsyncCreatePerson },
//       [=](const v1::Person& p, grpc::ClientContext* c, grpc::CompletionQueue* cq) { ... });
template <typename FirstResponse, typename SecondResponse>
class TwoStepCall final : public Call {
 public:
  using First = std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<FirstResponse>>(
      grpc::ClientContext*, grpc::CompletionQueue*)>;
  using Second = std::function<std::unique_ptr<grpc::ClientAsyncResponseReader<SecondResponse>>(
      const FirstResponse&, grpc::ClientContext*, grpc::CompletionQueue*)>;

  TwoStepCall(std::string bearer, First first, Second second)
      : bearer_(std::move(bearer)), first_(std::move(first)), second_(std::move(second)) {
    context.AddMetadata("authorization", bearer_);
  }

  void Start(grpc::CompletionQueue* cq) override {
    first_reader_ = first_(&context, cq);
    first_reader_->StartCall();
    first_reader_->Finish(&first_response_, &status, this);
  }

  bool StartNext(grpc::CompletionQueue* cq) override {
    if (second_reader_ != nullptr) return false;
    second_context_.set_deadline(context.deadline());
    second_context_.AddMetadata("authorization", bearer_);
    second_reader_ = second_(first_response_, &second_context_, cq);
    second_reader_->StartCall();
    second_reader_->Finish(&second_response_, &status, this);
    return true;
  }

 private:
  const std::string bearer_;
  First first_;
  Second second_;
  FirstResponse first_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<FirstResponse>> first_reader_;
  grpc::ClientContext second_context_;
  SecondResponse second_response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<SecondResponse>> second_reader_;
};

// What a scenario sends. MakeCall is called from every client thread at once.
class Workload {
 public:
  virtual ~Workload() = default;
  // The RPC for request `index`, to be sent on channel `channel`, with its metadata set
  // (authorization). The engine sets the deadline.
  virtual std::unique_ptr<Call> MakeCall(int64_t index, int channel) = 0;
  // The request left (an attempt, measured or not).
  virtual void OnSent(int64_t /*index*/) {}
};

// `count` channels to `target` that do not share a connection: each has a distinct channel
// argument and a subchannel pool of its own, so each is one HTTP/2 connection. UNAVAILABLE when
// one does not connect within `connect_timeout`.
absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenChannels(
    const std::string& target, int count, absl::Duration connect_timeout);

struct LoadOptions {
  int threads = 2;      // senders, and as many collectors
  int connections = 1;  // request i goes to channel i % connections
  int64_t max_inflight = 10'000;
  absl::Duration deadline = absl::Seconds(2);
};

// Counters of the measured requests (warm-up excluded).
struct LoadResult {
  absl::Time started;  // wall clock at the schedule's start
  int64_t sent = 0;
  int64_t not_sent = 0;
  int64_t responses = 0;
  std::array<int64_t, 17> codes{};  // by grpc::StatusCode
  Histogram latency;
  Histogram latency_ok;
  Histogram send_lag;
  double elapsed_seconds = 0;
  int64_t warmup_sent = 0;
  int64_t warmup_not_sent = 0;
};

LoadResult RunLoad(const Schedule& schedule, const LoadOptions& options, Workload& workload);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_LOAD_GENERATOR_H_
