// The one source of the current time for application and domain code: what day it is at a
// desk, whether a slot is too close, when a hold or a token expires, when a cached answer goes
// stale. Code that needs "now" takes a `const Clock&` (or a pointer) and never reads the wall
// clock itself, so tests choose the date with a FakeClock and pass on any day they are run.
//
//   class Availability {
//    public:
//     explicit Availability(const clock::Clock* clock) : clock_(clock) {}
//     void AfterWrite(...) { const absl::Time now = clock_->Now(); ... }
//   };
//
//   // main.cc
//   Availability availability(&clock::SystemClock::Instance());
//
//   // a test
//   clock::FakeClock clock(absl::FromCivil(absl::CivilMinute(2026, 3, 29, 1, 30), rome));
//   Availability availability(&clock);
//   clock.Advance(absl::Hours(1));
//
// Durations that only bound waiting (gRPC deadlines, pool and lock timeouts, latency metrics)
// are not "now": they are measured by gRPC, abseil or a monotonic clock and never decide
// anything a user sees. scripts/check-wall-clock fails the build's tests when a wall-clock read
// appears outside this library.
#ifndef SPORTELLI_CLOCK_CLOCK_H_
#define SPORTELLI_CLOCK_CLOCK_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace sportelli::clock {

class Clock {
 public:
  virtual ~Clock() = default;
  // Thread-safe in every implementation.
  virtual absl::Time Now() const = 0;
};

// The operating system's real-time clock.
class SystemClock final : public Clock {
 public:
  absl::Time Now() const override;
  // One stateless instance for the whole process: main() passes it down; library code that
  // is given no clock (the logger's line times) falls back to it.
  static const SystemClock& Instance();
};

// A clock that moves only when told to. Thread-safe, so a test may advance it while the
// service under test reads it from its own threads.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start) : now_(start) {}

  absl::Time Now() const override;
  void Set(absl::Time now);
  void Advance(absl::Duration by);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::clock

#endif  // SPORTELLI_CLOCK_CLOCK_H_
