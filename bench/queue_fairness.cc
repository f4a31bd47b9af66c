#include "bench/queue_fairness.h"

#include <algorithm>
#include <map>

namespace sportelli::bench {

QueueFairness JudgeQueue(const std::vector<QueueJourney>& journeys,
                         const std::vector<int64_t>& capacity, int64_t far_ns) {
  QueueFairness fairness;
  std::map<int, std::vector<const QueueJourney*>> confirmed;
  for (const QueueJourney& journey : journeys) {
    if (!journey.confirmed) continue;
    ++fairness.confirmed;
    const size_t slot = static_cast<size_t>(journey.slot);
    if (slot >= capacity.size() || journey.rank >= capacity[slot]) ++fairness.out_of_turn;
    confirmed[journey.comune].push_back(&journey);
  }
  for (auto& [comune, line] : confirmed) {
    std::sort(line.begin(), line.end(), [](const QueueJourney* a, const QueueJourney* b) {
      return a->done_ns != b->done_ns ? a->done_ns < b->done_ns : a->turn < b->turn;
    });
    const int64_t n = static_cast<int64_t>(line.size());
    fairness.pairs += n * (n - 1) / 2;
    // A few thousand confirmations per comune: the quadratic count is fast enough.
    for (int64_t i = 0; i < n; ++i) {
      for (int64_t j = i + 1; j < n; ++j) {
        if (line[i]->turn <= line[j]->turn) continue;
        ++fairness.inversions;
        if (line[i]->arrived_ns - line[j]->arrived_ns > far_ns) ++fairness.far_inversions;
      }
    }
  }
  return fairness;
}

}  // namespace sportelli::bench
