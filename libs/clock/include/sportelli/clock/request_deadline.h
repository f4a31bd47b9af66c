// The deadline of the request the current thread is serving, so that work done for it far
// from the RPC frame (a database transaction) honours the caller's deadline without every
// function in between passing it along. The RPC frame sets it around a handler; the database
// pool reads it: a call whose deadline has passed opens no transaction, and a statement may
// run at most the time left.
//
//   {
//     clock::ScopedRequestDeadline scope(std::chrono::steady_clock::now() + remaining);
//     handler(...);   // deep inside: clock::RemainingRequestTime()
//   }
//
// Monotonic time, not a date (see clock.h). Threads the handler starts do not inherit it.
#ifndef SPORTELLI_CLOCK_REQUEST_DEADLINE_H_
#define SPORTELLI_CLOCK_REQUEST_DEADLINE_H_

#include <chrono>
#include <optional>

#include "absl/time/time.h"

namespace sportelli::clock {

class ScopedRequestDeadline final {
 public:
  // Sets the current thread's deadline until destruction, when the previous one (usually none)
  // comes back.
  explicit ScopedRequestDeadline(std::chrono::steady_clock::time_point deadline);
  ~ScopedRequestDeadline();
  ScopedRequestDeadline(const ScopedRequestDeadline&) = delete;
  ScopedRequestDeadline& operator=(const ScopedRequestDeadline&) = delete;

 private:
  std::optional<std::chrono::steady_clock::time_point> previous_;
};

// The time left before the current thread's request deadline (zero or negative once passed),
// or nullopt when the thread serves no request with a deadline.
std::optional<absl::Duration> RemainingRequestTime();

}  // namespace sportelli::clock

#endif  // SPORTELLI_CLOCK_REQUEST_DEADLINE_H_
