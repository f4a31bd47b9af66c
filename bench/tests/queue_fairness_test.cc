#include "bench/queue_fairness.h"

#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

constexpr int64_t kSecond = 1'000'000'000;

// Citizen `turn` of comune `comune`, asking for slot `slot` as its `rank`-th.
QueueJourney Journey(int comune, int64_t turn, int64_t slot, int64_t rank, bool confirmed,
                     int64_t done_ns) {
  return {comune, turn, slot, rank, confirmed, turn * kSecond / 10, done_ns};
}

TEST(QueueFairnessTest, ServedInOrderOfArrivalIsFair) {
  // Two slots of one seat each; four citizens, the first two confirmed in order.
  const QueueFairness f =
      JudgeQueue({Journey(0, 0, 0, 0, true, 100), Journey(0, 1, 1, 0, true, 200),
                  Journey(0, 2, 0, 1, false, 300), Journey(0, 3, 1, 1, false, 400)},
                 {1, 1}, kSecond);
  EXPECT_EQ(f.confirmed, 2);
  EXPECT_EQ(f.out_of_turn, 0);
  EXPECT_EQ(f.pairs, 1);
  EXPECT_EQ(f.inversions, 0);
  EXPECT_EQ(f.far_inversions, 0);
}

TEST(QueueFairnessTest, ALaterCitizenTakingASeatIsOutOfTurnAndInverted) {
  // Citizen 2 (rank 1 on slot 0) took the seat due to citizen 0; confirmed before citizen 1.
  const QueueFairness f =
      JudgeQueue({Journey(0, 0, 0, 0, false, 500), Journey(0, 1, 1, 0, true, 300),
                  Journey(0, 2, 0, 1, true, 200)},
                 {1, 1}, kSecond);
  EXPECT_EQ(f.confirmed, 2);
  EXPECT_EQ(f.out_of_turn, 1);
  EXPECT_EQ(f.inversions, 1);
  EXPECT_EQ(f.far_inversions, 0);  // they arrived 0.1 s apart
}

TEST(QueueFairnessTest, InversionsCountOnlyWithinAComuneAndFarOnesApart) {
  // Comune 0: turn 20 (arrived 2 s after turn 0) confirmed first: a far inversion.
  // Comune 1: confirmed in order, although earlier than comune 0's.
  const QueueFairness f =
      JudgeQueue({Journey(0, 0, 0, 0, true, 900), Journey(0, 20, 1, 0, true, 100),
                  Journey(1, 5, 2, 0, true, 50), Journey(1, 6, 3, 0, true, 60)},
                 {1, 1, 1, 1}, kSecond);
  EXPECT_EQ(f.confirmed, 4);
  EXPECT_EQ(f.pairs, 2);
  EXPECT_EQ(f.inversions, 1);
  EXPECT_EQ(f.far_inversions, 1);
}

}  // namespace
}  // namespace sportelli::bench
