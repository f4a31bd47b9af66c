// How many unary calls a server handles at once, and what a burst beyond that gets: a place in
// line, first come first served, for a bounded time, and then a clear refusal of its own.
//
// Without it, gRPC's sync server refused a call it had no thread for with RESOURCE_EXHAUSTED
// "Server Threadpool Exhausted": no reason, no retry delay, no access-log line, and the same code
// CreateAppointment uses for a citizen's own limit. With it, gRPC is given threads for every call
// that may wait here (Server sizes its quota from ServerOptions), the handlers run at most
// `concurrent` at a time (the database pool and the Redis pool are sized for that), and a call
// that cannot start in time is answered UNAVAILABLE with reason OVERLOADED and a RetryInfo delay
// (Overloaded()), which RpcHandler counts and logs like any other answer.
//
//   CallAdmission admission({.concurrent = 64, .max_waiting = 256, .max_wait = absl::Seconds(1)});
//   std::optional<CallAdmission::Permit> permit = admission.Enter(deadline);
//   if (!permit) return CallAdmission::Overloaded();
//   ... the handler runs; the permit's destructor lets the next caller in ...
//
// A call that waits for work another call does on its behalf (a booking waiting for the batch of
// its comune that another booking writes) uses no resource of its own meanwhile, so it may step
// aside: its permit serves the next caller in line until it resumes.
//
//   { CallAdmission::StepAside aside;  answered.Wait(&mu); }
#ifndef SPORTELLI_SERVER_CALL_ADMISSION_H_
#define SPORTELLI_SERVER_CALL_ADMISSION_H_

#include <chrono>
#include <cstdint>
#include <list>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sportelli::server {

class CallAdmission final {
 public:
  struct Options {
    int concurrent = 16;   // calls handled at once
    int max_waiting = 64;  // calls waiting for their turn; one more is refused at once
    absl::Duration max_wait = absl::Seconds(1);  // the longest a call waits for its turn
    int max_aside = 0;  // calls stepped aside at once (StepAside); one more keeps its permit
  };

  // The right to run one call; leaving the scope hands it to the longest-waiting caller.
  class Permit final {
   public:
    Permit(Permit&& other) noexcept : admission_(other.admission_) { other.admission_ = nullptr; }
    Permit& operator=(Permit&&) = delete;
    Permit(const Permit&) = delete;
    ~Permit() {
      if (admission_ != nullptr) admission_->Release();
    }

   private:
    friend class CallAdmission;
    explicit Permit(CallAdmission* admission) : admission_(admission) {}
    CallAdmission* admission_;
  };

  // Marks the current thread, for its lifetime, as running a call admitted by `admission`
  // (RpcHandler sets it around a handler that holds a permit), so that StepAside finds it.
  class Running final {
   public:
    explicit Running(CallAdmission* admission);
    ~Running();
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;

   private:
    CallAdmission* const previous_;
  };

  // For its lifetime, the current thread's call no longer counts as running: its place goes to
  // the oldest caller in line (or stays free). When it ends, the call counts as running again at
  // once, even beyond `concurrent`, without queueing: it resumes with its answer in hand (or a
  // batch to write, which its combiner bounds), and making it wait behind newcomers would only
  // make it later. It does nothing on a thread that runs no admitted call, inside another
  // StepAside, or when `max_aside` calls are aside already: the call then keeps its permit,
  // which is always safe. gRPC has a thread for each call aside (Server sizes its quota).
  class StepAside final {
   public:
    StepAside();
    ~StepAside();
    StepAside(const StepAside&) = delete;
    StepAside& operator=(const StepAside&) = delete;

    bool stepped_aside() const { return admission_ != nullptr; }

   private:
    CallAdmission* admission_ = nullptr;
  };

  explicit CallAdmission(Options options);
  CallAdmission(const CallAdmission&) = delete;
  CallAdmission& operator=(const CallAdmission&) = delete;

  // A permit at once when fewer than `concurrent` calls run; otherwise a place in line until a
  // permit is handed over, `max_wait` passes or `deadline` (the caller's) comes. nullopt when the
  // line is full or the wait ran out: answer Overloaded().
  std::optional<Permit> Enter(std::optional<std::chrono::steady_clock::time_point> deadline);

  // UNAVAILABLE, reason OVERLOADED, with a RetryInfo delay of `max_wait`: nothing was done, and
  // the same request (with the same request id) may be sent again after the delay.
  absl::Status Overloaded() const;

  const Options& options() const { return options_; }
  int running() const;
  int waiting() const;
  int aside() const;

 private:
  struct Waiter {
    absl::CondVar admitted_cv;
    bool admitted = false;
  };
  void Release();
  void ReleaseLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Release() for a call that steps aside (false: `max_aside` reached, nothing changed), and its
  // return.
  bool LeaveRunning();
  void ReturnRunning();

  const Options options_;
  mutable absl::Mutex mu_;
  int running_ ABSL_GUARDED_BY(mu_) = 0;
  int aside_ ABSL_GUARDED_BY(mu_) = 0;
  std::list<Waiter*> line_ ABSL_GUARDED_BY(mu_);  // oldest first
};

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_CALL_ADMISSION_H_
