// The frames every handler runs in, unary (sync API) and server-streaming (callback API): check
// the caller's deadline and token before any handler work, run the handler, turn its
// absl::Status into a grpc::Status (with ErrorInfo/BadRequest details), and record one access
// log line and the RPC metrics. No exception escapes to gRPC: an unexpected one becomes INTERNAL
// and is logged without its text.
//
//   grpc::Status GetDesk(grpc::ServerContext* context, const GetDeskRequest* request,
//                        Desk* response) override {
//     return handler_->Handle(context, "GetDesk", [&](Call& call) -> absl::Status {
//       ASSIGN_OR_RETURN(api::DeskName name, api::ParseName<api::DeskName>(request->name(),
//       "name")); RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
//       ...
//     });
//   }
//
//   // A server stream: no thread is held while the stream is open. The handler starts it and
//   // keeps the writer, which any thread may write to and finish.
//   grpc::ServerWriteReactor<Event>* Watch(grpc::CallbackServerContext* context,
//                                         const WatchRequest* request) override {
//     return handler_->Stream<Event>(context, "Watch",
//         [&](Call& call, std::shared_ptr<StreamWriter<Event>> writer) -> absl::Status {
//           RETURN_IF_ERROR(call.caller.RequireStaffOf(tenant));
//           feed_->Subscribe(tenant, std::move(writer));   // writes, then Finish()es, later
//           return absl::OkStatus();
//         });
//   }
//
// While a handler runs, its thread carries the caller's deadline (clock/request_deadline.h):
// the database pool then opens no transaction once it has passed and bounds each statement by
// the time left. A call that arrives with its deadline already passed runs no handler.
#ifndef SPORTELLI_SERVER_RPC_HANDLER_H_
#define SPORTELLI_SERVER_RPC_HANDLER_H_

#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"
#include "sportelli/auth/caller.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/logging/logger.h"
#include "sportelli/server/call_admission.h"
#include "sportelli/server/rate_limits.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/status/grpc_status.h"

namespace sportelli::server {

// What a handler knows about its call.
struct Call {
  grpc::ServerContextBase* context;
  auth::Caller caller;
  // Set by handlers of methods with a `request_id`, so the access log can correlate retries.
  std::string request_id;

  // For calls to other services on the caller's behalf (their token, deadline, cancellation).
  auth::OnBehalfOf OnBehalfOfCaller() const { return auth::OnBehalfOf::CallerOf(*context); }
};

// The writing end of a server stream, shared by the handler and the frame. Thread-safe: any
// thread may Write and Finish; writes are sent one at a time, in order, without blocking the
// writer (they queue, up to `max_queued`, beyond which the stream is finished with
// RESOURCE_EXHAUSTED: a client that does not read is not allowed to grow the server's memory).
template <typename Response>
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // False once the stream is over (finished, or the client went away): stop producing.
  virtual bool Write(Response response) = 0;
  // Ends the stream with `status` (after the queued writes); later calls do nothing.
  virtual void Finish(const absl::Status& status) = 0;
  virtual bool done() const = 0;
  // Writes accepted and not yet sent: a producer that can wait (a catch-up from storage) writes
  // only while this stays under `kMaxBacklog`, so flow control holds it back instead of the
  // bound ending the stream.
  virtual size_t backlog() const = 0;
  static constexpr size_t kMaxBacklog = 1000;
  // Runs once when the stream is over for any reason (finished, cancelled, client gone), on a
  // gRPC thread: it must not block. Set before writing; replaces a previous one.
  virtual void OnDone(std::function<void()> callback) = 0;
  // Lets writes that wait for the client go out as one message: a client that fell behind then
  // catches up with a few large messages instead of many small ones, each of which costs the
  // server, the network and the client as much as a large one. When the stream is ready to send
  // and several writes wait, `absorb(first, next)` is called on the oldest and the one after it,
  // in order, until it returns false; a `next` it took (true) is not sent on its own. Runs
  // under the writer's lock on any thread: it must only move data. Set before writing.
  using Absorb = std::function<bool(Response& first, Response& next)>;
  virtual void CoalesceWith(Absorb absorb) = 0;
};

class RpcHandler final {
 public:
  // `error_domain` goes into every ErrorInfo (e.g. "tenants.sportelli"). Every call, once its
  // caller is authenticated, is checked against `limiter`'s rate limits (null: none) and
  // answered RATE_LIMITED beyond them. Unary calls then take a permit of `admission` (null: no
  // bound), and are answered OVERLOADED when none comes in time. All pointers must outlive the
  // handler.
  RpcHandler(std::string error_domain, const auth::TokenVerifier* verifier, RpcMetrics* metrics,
             logging::Logger* logger, CallAdmission* admission = nullptr,
             RateLimiter* limiter = nullptr);

  // The address a call is made for: the last entry of the `x-forwarded-for` metadata of a
  // portal's call (the portal's visitor), otherwise the peer's IP address without its port.
  static std::string ClientAddressOf(const grpc::ServerContextBase& context,
                                     const auth::Caller& caller);

  template <typename Fn>
  grpc::Status Handle(grpc::ServerContext* context, const char* method, Fn&& fn) const {
    const clock::Stopwatch watch;
    metrics_->Started(method);
    Call call{context, {}, {}};
    absl::Status status = Admit(*context, call);
    if (status.ok()) {
      const std::optional<std::chrono::steady_clock::time_point> until = DeadlineOf(*context);
      const std::optional<CallAdmission::Permit> permit =
          admission_ != nullptr ? admission_->Enter(until) : std::nullopt;
      if (admission_ != nullptr && !permit) {
        status = admission_->Overloaded();
      } else {
        std::optional<clock::ScopedRequestDeadline> deadline;
        if (until) deadline.emplace(*until);
        const CallAdmission::Running running(admission_);  // for CallAdmission::StepAside
        try {
          status = std::forward<Fn>(fn)(call);
        } catch (const std::exception&) {
          status = absl::InternalError("unexpected exception in handler");
        }
      }
    }
    return Finish(method, watch.Elapsed(), call, status);
  }

  // Starts a server stream: `start(call, writer)` runs once the caller is admitted; an error
  // from it ends the stream at once with that status. Returns the reactor gRPC drives.
  template <typename Response, typename Fn>
  grpc::ServerWriteReactor<Response>* Stream(grpc::CallbackServerContext* context,
                                             const char* method, Fn&& start) const;

 private:
  template <typename Response>
  class StreamReactor;

  // The deadline check, authentication, then the rate limits.
  absl::Status Admit(const grpc::ServerContextBase& context, Call& call) const;
  // The caller's deadline on the monotonic clock; nullopt when the call has none.
  static std::optional<std::chrono::steady_clock::time_point> DeadlineOf(
      const grpc::ServerContextBase& context);
  grpc::Status Finish(const char* method, absl::Duration elapsed, const Call& call,
                      const absl::Status& status) const;

  const std::string error_domain_;
  const auth::TokenVerifier* const verifier_;
  RpcMetrics* const metrics_;
  logging::Logger* const logger_;
  CallAdmission* const admission_;
  RateLimiter* const limiter_;
};

// ---- implementation details ---------------------------------------------------------------

template <typename Response>
class RpcHandler::StreamReactor final : public grpc::ServerWriteReactor<Response>,
                                        public StreamWriter<Response> {
 public:
  static constexpr size_t kMaxQueued = StreamWriter<Response>::kMaxBacklog;

  StreamReactor(const RpcHandler* handler, grpc::CallbackServerContext* context, const char* method)
      : handler_(handler), call_{context, {}, {}}, method_(method) {}

  // Held by the handler's writer and by gRPC (until OnDone): whichever lets go last frees it.
  void Retain(std::shared_ptr<StreamReactor> self) { self_ = std::move(self); }
  Call& call() { return call_; }

  bool Write(Response response) override {
    absl::MutexLock lock(&mu_);
    if (finishing_ || over_) return false;
    if (queue_.size() >= kMaxQueued) {
      FinishLocked(absl::ResourceExhaustedError("the client does not read the stream"));
      return false;
    }
    queue_.push_back(std::move(response));
    if (!writing_) SendNextLocked();
    return true;
  }

  void Finish(const absl::Status& status) override {
    absl::MutexLock lock(&mu_);
    FinishLocked(status);
  }

  bool done() const override {
    absl::MutexLock lock(&mu_);
    return finishing_ || over_;
  }

  size_t backlog() const override {
    absl::MutexLock lock(&mu_);
    return queue_.size();
  }

  void OnDone(std::function<void()> callback) override {
    absl::MutexLock lock(&mu_);
    on_done_ = std::move(callback);
  }

  void CoalesceWith(typename StreamWriter<Response>::Absorb absorb) override {
    absl::MutexLock lock(&mu_);
    absorb_ = std::move(absorb);
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) over_ = true;  // the client went away
    if (!queue_.empty()) queue_.pop_front();
    if (!over_ && !queue_.empty()) {
      SendNextLocked();
      return;
    }
    if ((finishing_ || over_) && !finished_) SendFinishLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    over_ = true;
    if (!writing_ && !finished_) SendFinishLocked();
  }

  void OnDone() override {
    std::function<void()> callback;
    absl::Status status;
    {
      absl::MutexLock lock(&mu_);
      over_ = true;
      callback = std::move(on_done_);
      status = final_status_;
    }
    handler_->Finish(method_, watch_.Elapsed(), call_, status);
    if (callback) callback();
    self_.reset();  // gRPC's reference: freed when the handler's writer is gone too
  }

 private:
  void SendNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    writing_ = true;
    // The front is not in flight yet (the previous write is done): what waits behind it may
    // join it.
    if (absorb_) {
      while (queue_.size() > 1 && absorb_(queue_[0], queue_[1])) queue_.erase(queue_.begin() + 1);
    }
    this->StartWrite(&queue_.front());
  }
  void FinishLocked(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finishing_ || finished_) return;
    finishing_ = true;
    final_status_ = status;
    if (!writing_) SendFinishLocked();
  }
  // gRPC's Finish, exactly once: after the last write, on a cancellation too.
  void SendFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    finished_ = true;
    queue_.clear();
    if (!finishing_) final_status_ = absl::CancelledError("the client cancelled the stream");
    this->grpc::ServerWriteReactor<Response>::Finish(
        status::ToGrpcStatus(final_status_, handler_->error_domain_));
  }

  const RpcHandler* const handler_;
  Call call_;
  const char* const method_;
  const clock::Stopwatch watch_;
  std::shared_ptr<StreamReactor> self_;

  mutable absl::Mutex mu_;
  std::deque<Response> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finishing_ ABSL_GUARDED_BY(mu_) = false;  // Finish asked for
  bool finished_ ABSL_GUARDED_BY(mu_) = false;   // Finish sent to gRPC
  bool over_ ABSL_GUARDED_BY(mu_) = false;       // cancelled, or the client went away
  absl::Status final_status_ ABSL_GUARDED_BY(mu_);
  std::function<void()> on_done_ ABSL_GUARDED_BY(mu_);
  typename StreamWriter<Response>::Absorb absorb_ ABSL_GUARDED_BY(mu_);
};

template <typename Response, typename Fn>
grpc::ServerWriteReactor<Response>* RpcHandler::Stream(grpc::CallbackServerContext* context,
                                                       const char* method, Fn&& start) const {
  metrics_->Started(method);
  auto reactor = std::make_shared<StreamReactor<Response>>(this, context, method);
  reactor->Retain(reactor);
  absl::Status status = Admit(*context, reactor->call());
  if (status.ok()) {
    try {
      status = std::forward<Fn>(start)(reactor->call(),
                                       std::shared_ptr<StreamWriter<Response>>(reactor));
    } catch (const std::exception&) {
      status = absl::InternalError("unexpected exception in handler");
    }
  }
  if (!status.ok()) reactor->Finish(status);
  return reactor.get();
}

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_RPC_HANDLER_H_
