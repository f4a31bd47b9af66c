#include "sportelli/clock/clock.h"

#include "absl/time/clock.h"

namespace sportelli::clock {

absl::Time SystemClock::Now() const { return absl::Now(); }

const SystemClock& SystemClock::Instance() {
  static const SystemClock* const kInstance = new SystemClock();
  return *kInstance;
}

absl::Time FakeClock::Now() const {
  absl::MutexLock lock(&mu_);
  return now_;
}

void FakeClock::Set(absl::Time now) {
  absl::MutexLock lock(&mu_);
  now_ = now;
}

void FakeClock::Advance(absl::Duration by) {
  absl::MutexLock lock(&mu_);
  now_ += by;
}

}  // namespace sportelli::clock
