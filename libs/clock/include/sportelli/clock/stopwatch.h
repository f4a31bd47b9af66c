// Elapsed time on the monotonic clock: for latency metrics and for bounding a wait (polling in
// tests, retries). Never a date and never compared with one: a Stopwatch cannot say what day
// it is, so it cannot make anything depend on the date (see clock.h).
//
//   clock::Stopwatch watch;
//   while (!ready() && watch.Elapsed() < absl::Seconds(10)) absl::SleepFor(absl::Milliseconds(20));
//   metrics.Observe(absl::ToDoubleSeconds(watch.Elapsed()));
#ifndef SPORTELLI_CLOCK_STOPWATCH_H_
#define SPORTELLI_CLOCK_STOPWATCH_H_

#include <chrono>

#include "absl/time/time.h"

namespace sportelli::clock {

class Stopwatch final {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  absl::Duration Elapsed() const {
    return absl::FromChrono(std::chrono::steady_clock::now() - start_);
  }

 private:
  std::chrono::steady_clock::time_point start_;
};

}  // namespace sportelli::clock

#endif  // SPORTELLI_CLOCK_STOPWATCH_H_
