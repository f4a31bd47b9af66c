#include "bench/load_generator.h"

#include <sys/prctl.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"
#include "sportelli/clock/clock.h"
#include "sportelli/server/deadline.h"

namespace sportelli::bench {

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

namespace {

// Sends its share of the schedule (the requests i with i % threads == its number), each at its
// intended time. It sleeps with the steady clock (microsecond precision with the timer slack
// lowered), never on the completion queue, whose timers only have millisecond resolution and
// would add up to a millisecond of client-made latency to every request.
class Sender final {
 public:
  Sender(const Schedule& schedule, const LoadOptions& options, Workload& workload, int thread,
         int64_t start_ns, grpc::CompletionQueue* cq, std::atomic<int64_t>& inflight)
      : schedule_(schedule),
        options_(options),
        workload_(workload),
        thread_(thread),
        start_ns_(start_ns),
        cq_(cq),
        inflight_(inflight) {}

  void Run() {
    // 1 µs of timer slack instead of the default 50 µs: wake-ups land on the intended times.
    prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL);
    for (int64_t index = Schedule::NextForThread(0, thread_, options_.threads);
         index < schedule_.total(); index += options_.threads) {
      const int64_t intended = start_ns_ + schedule_.OffsetNanos(index);
      if (SteadyNanos() < intended) {
        std::this_thread::sleep_until(
            std::chrono::steady_clock::time_point(std::chrono::nanoseconds(intended)));
      }
      Send(index, intended);
    }
  }

  const LoadResult& result() const { return result_; }

 private:
  void Send(int64_t index, int64_t intended) {
    const bool measured = schedule_.IsMeasured(index);
    if (inflight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_inflight) {
      inflight_.fetch_sub(1, std::memory_order_relaxed);
      ++(measured ? result_.not_sent : result_.warmup_not_sent);
      return;
    }
    std::unique_ptr<Call> call =
        workload_.MakeCall(index, static_cast<int>(index % options_.connections));
    call->index = index;
    call->intended_ns = intended;
    call->context.set_deadline(server::DeadlineAfter(options_.deadline));
    const int64_t sent_at = SteadyNanos();
    workload_.OnSent(index);
    // From here the collector owns the call: it may complete (and be freed) at once.
    call.release()->Start(cq_);
    if (measured) {
      ++result_.sent;
      result_.send_lag.Record(sent_at - intended);
    } else {
      ++result_.warmup_sent;
    }
  }

  const Schedule& schedule_;
  const LoadOptions& options_;
  Workload& workload_;
  const int thread_;
  const int64_t start_ns_;
  grpc::CompletionQueue* const cq_;
  std::atomic<int64_t>& inflight_;
  LoadResult result_;
};

// Drains one completion queue until it is shut down, timing each response against its
// intended send time.
class Collector final {
 public:
  Collector(const Schedule& schedule, std::atomic<int64_t>& inflight)
      : schedule_(schedule), inflight_(inflight) {}

  void Run() {
    void* tag = nullptr;
    bool ok = false;
    while (cq_.Next(&tag, &ok)) Complete(static_cast<Call*>(tag));
  }

  grpc::CompletionQueue* cq() { return &cq_; }
  const LoadResult& result() const { return result_; }
  int64_t last_completion_ns() const { return last_completion_ns_; }

 private:
  void Complete(Call* raw) {
    std::unique_ptr<Call> call(raw);
    if (call->status.ok() ? call->StartNext(&cq_) : call->StartAfterFailure(&cq_)) {
      call.release();  // its next step is in flight, with the same tag
      return;
    }
    const int64_t now = SteadyNanos();
    if (schedule_.IsMeasured(call->index)) {
      const grpc::StatusCode code = call->status.error_code();
      ++result_.responses;
      const size_t code_index = static_cast<size_t>(code);
      if (code_index < result_.codes.size()) ++result_.codes[code_index];
      result_.latency.Record(now - call->intended_ns);
      if (code == grpc::StatusCode::OK) result_.latency_ok.Record(now - call->intended_ns);
      last_completion_ns_ = std::max(last_completion_ns_, now);
    }
    call.reset();
    inflight_.fetch_sub(1, std::memory_order_release);
  }

  const Schedule& schedule_;
  std::atomic<int64_t>& inflight_;
  grpc::CompletionQueue cq_;
  int64_t last_completion_ns_ = 0;
  LoadResult result_;
};

}  // namespace

absl::StatusOr<std::vector<std::shared_ptr<grpc::Channel>>> OpenChannels(
    const std::string& target, int count, absl::Duration connect_timeout) {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    // Channels with equal arguments would share one subchannel, hence one TCP connection.
    args.SetInt("sportelli.bench.connection", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetMaxReceiveMessageSize(-1);
    channels.push_back(grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args));
  }
  for (const auto& channel : channels) {
    if (!channel->WaitForConnected(server::DeadlineAfter(connect_timeout))) {
      return absl::UnavailableError(absl::StrCat("cannot connect to ", target));
    }
  }
  return channels;
}

LoadResult RunLoad(const Schedule& schedule, const LoadOptions& options, Workload& workload) {
  std::atomic<int64_t> inflight{0};
  std::vector<std::unique_ptr<Collector>> collectors;
  for (int t = 0; t < options.threads; ++t)
    collectors.push_back(std::make_unique<Collector>(schedule, inflight));
  std::vector<std::thread> collector_threads;
  for (auto& collector : collectors)
    collector_threads.emplace_back([&collector] { collector->Run(); });

  // A little head start, so every sender is waiting when the first request falls due.
  const int64_t start_ns = SteadyNanos() + 20'000'000;
  const absl::Time started = clock::SystemClock::Instance().Now() + absl::Milliseconds(20);
  std::vector<std::unique_ptr<Sender>> senders;
  for (int t = 0; t < options.threads; ++t) {
    senders.push_back(std::make_unique<Sender>(schedule, options, workload, t, start_ns,
                                               collectors[t]->cq(), inflight));
  }
  std::vector<std::thread> sender_threads;
  for (auto& sender : senders) sender_threads.emplace_back([&sender] { sender->Run(); });
  for (std::thread& thread : sender_threads) thread.join();
  // Every call in flight ends by its deadline at the latest.
  while (inflight.load(std::memory_order_acquire) > 0)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  for (auto& collector : collectors) collector->cq()->Shutdown();
  for (std::thread& thread : collector_threads) thread.join();

  LoadResult total;
  total.started = started;
  auto add = [&total](const LoadResult& part) {
    total.sent += part.sent;
    total.not_sent += part.not_sent;
    total.warmup_sent += part.warmup_sent;
    total.warmup_not_sent += part.warmup_not_sent;
    total.responses += part.responses;
    for (size_t i = 0; i < total.codes.size(); ++i) total.codes[i] += part.codes[i];
    total.latency.Merge(part.latency);
    total.latency_ok.Merge(part.latency_ok);
    total.send_lag.Merge(part.send_lag);
  };
  int64_t last_completion_ns = 0;
  for (auto& sender : senders) add(sender->result());
  for (auto& collector : collectors) {
    add(collector->result());
    last_completion_ns = std::max(last_completion_ns, collector->last_completion_ns());
  }
  const int64_t measured_start = start_ns + schedule.MeasuredStartNanos();
  const int64_t end = std::max(start_ns + schedule.EndNanos(), last_completion_ns);
  total.elapsed_seconds = static_cast<double>(end - measured_start) / 1e9;
  return total;
}

}  // namespace sportelli::bench
