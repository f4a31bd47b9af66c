// Whether a click day through the waiting room served its citizens in their order of arrival
// (issue 11 §3, the queue-rush scenario): how many seats went out of turn and how often two
// citizens of one comune were confirmed in the opposite order of their arrival.
//
// In the scenario the k-th citizen to arrive in a comune asks for slot k % n of that comune's n
// slots, so a slot's seats are due to the first `capacity` citizens who ask for it (`rank` 0,
// 1, ...); a seat confirmed to any other is out of turn.
#ifndef SPORTELLI_BENCH_QUEUE_FAIRNESS_H_
#define SPORTELLI_BENCH_QUEUE_FAIRNESS_H_

#include <cstdint>
#include <vector>

namespace sportelli::bench {

// One citizen's journey, as the client saw its end.
struct QueueJourney {
  int comune = 0;          // which line
  int64_t turn = 0;        // order of arrival in the comune's line (0 first)
  int64_t slot = 0;        // the slot asked for
  int64_t rank = 0;        // order among the citizens asking for that slot (0 first)
  bool confirmed = false;  // booked
  int64_t arrived_ns = 0;  // when the citizen arrived (intended send time of EnterQueue)
  int64_t done_ns = 0;     // when the booking's answer arrived
};

struct QueueFairness {
  int64_t confirmed = 0;
  // Confirmed to a citizen who was not among the first `capacity` to ask for the slot.
  int64_t out_of_turn = 0;
  // Pairs of confirmed citizens of one comune, and those confirmed in the opposite order of
  // their arrival; `far_inversions` only those who arrived more than `far_ns` apart (citizens
  // who arrived together are served concurrently, in no particular order).
  int64_t pairs = 0;
  int64_t inversions = 0;
  int64_t far_inversions = 0;
};

// `capacity[slot]` is each slot's seats. Journeys may come in any order.
QueueFairness JudgeQueue(const std::vector<QueueJourney>& journeys,
                         const std::vector<int64_t>& capacity, int64_t far_ns);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_QUEUE_FAIRNESS_H_
