// A stretch of time between two instants, [start, end): an opening interval of a desk, a slot.
// One definition for every service that exchanges them (tenants computes them, scheduling and
// the tenants client use them).
#ifndef SPORTELLI_CLOCK_TIME_INTERVAL_H_
#define SPORTELLI_CLOCK_TIME_INTERVAL_H_

#include "absl/time/time.h"

namespace sportelli::clock {

struct TimeInterval {
  absl::Time start;
  absl::Time end;

  bool operator==(const TimeInterval&) const = default;
};

}  // namespace sportelli::clock

#endif  // SPORTELLI_CLOCK_TIME_INTERVAL_H_
