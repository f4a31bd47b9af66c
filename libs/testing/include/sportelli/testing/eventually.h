// Waiting in a test for something another thread or process does: true as soon as `predicate`
// holds, false if it still does not after `timeout` (polled every `poll`).
//
//   ASSERT_TRUE(Eventually([&] { return admission.waiting() == 3; }));
#ifndef SPORTELLI_TESTING_EVENTUALLY_H_
#define SPORTELLI_TESTING_EVENTUALLY_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "sportelli/clock/stopwatch.h"

namespace sportelli::testing {

template <typename Predicate>
bool Eventually(Predicate predicate, absl::Duration timeout = absl::Seconds(5),
                absl::Duration poll = absl::Milliseconds(5)) {
  const clock::Stopwatch watch;
  while (watch.Elapsed() < timeout) {
    if (predicate()) return true;
    absl::SleepFor(poll);
  }
  return predicate();
}

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_EVENTUALLY_H_
