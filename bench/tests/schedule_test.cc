#include "bench/schedule.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

TEST(ScheduleTest, IntendedTimeIsIndexOverRateExactly) {
  absl::StatusOr<Schedule> schedule = Schedule::Create(2000, absl::Seconds(5), absl::Seconds(30));
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  for (int64_t i :
       {int64_t{0}, int64_t{1}, int64_t{2}, int64_t{1999}, int64_t{2000}, int64_t{69'999}}) {
    EXPECT_EQ(schedule->OffsetNanos(i), i * 500'000) << i;
  }
}

TEST(ScheduleTest, NoDriftWhenThePeriodIsNotAWholeNumberOfNanoseconds) {
  // 3 req/s: the period is 333333333.33 ns. Adding a rounded period would lose 1/3 ns per request,
  // 0.33 ms after a million requests; the schedule must land on every whole second exactly.
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(3, 100'000'000, 0);
  ASSERT_TRUE(schedule.ok()) << schedule.status();
  EXPECT_EQ(schedule->OffsetNanos(1), 333'333'333);
  EXPECT_EQ(schedule->OffsetNanos(2), 666'666'666);
  EXPECT_EQ(schedule->OffsetNanos(3), 1'000'000'000);
  EXPECT_EQ(schedule->OffsetNanos(3'000'000), int64_t{1'000'000} * 1'000'000'000);
  EXPECT_EQ(schedule->OffsetNanos(99'999'999), int64_t{33'333'333} * 1'000'000'000);
}

TEST(ScheduleTest, FractionalRatesAreExact) {
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(0.5, 10, 0);
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(schedule->OffsetNanos(7), 14'000'000'000);
  absl::StatusOr<Schedule> fast = Schedule::CreateCounted(12'345.678, 10, 0);
  ASSERT_TRUE(fast.ok());
  EXPECT_EQ(fast->OffsetNanos(12'345'678), int64_t{1000} * 1'000'000'000);
}

TEST(ScheduleTest, OffsetsNeverDecrease) {
  absl::StatusOr<Schedule> schedule = Schedule::CreateCounted(7777.7, 100'000, 0);
  ASSERT_TRUE(schedule.ok());
  for (int64_t i = 1; i < 100'000; ++i)
    ASSERT_GE(schedule->OffsetNanos(i), schedule->OffsetNanos(i - 1));
}

TEST(ScheduleTest, WarmupAndMeasuredCounts) {
  absl::StatusOr<Schedule> schedule = Schedule::Create(1000, absl::Seconds(2), absl::Seconds(10));
  ASSERT_TRUE(schedule.ok());
  EXPECT_EQ(schedule->warmup_requests(), 2000);
  EXPECT_EQ(schedule->total(), 12'000);
  EXPECT_EQ(schedule->measured_requests(), 10'000);
  EXPECT_FALSE(schedule->IsMeasured(1999));
  EXPECT_TRUE(schedule->IsMeasured(2000));
  EXPECT_EQ(schedule->MeasuredStartNanos(), 2'000'000'000);
  EXPECT_EQ(schedule->EndNanos(), 12'000'000'000);
}

TEST(ScheduleTest, RejectsBadParameters) {
  EXPECT_FALSE(Schedule::Create(0, absl::ZeroDuration(), absl::Seconds(1)).ok());
  EXPECT_FALSE(Schedule::Create(-5, absl::ZeroDuration(), absl::Seconds(1)).ok());
  EXPECT_FALSE(Schedule::Create(100, absl::ZeroDuration(), absl::ZeroDuration()).ok());
  EXPECT_FALSE(Schedule::Create(100, -absl::Seconds(1), absl::Seconds(1)).ok());
  EXPECT_FALSE(Schedule::CreateCounted(100, 10, 10).ok());
}

TEST(ScheduleTest, ThreadsShareEveryIndexExactlyOnce) {
  constexpr int kThreads = 3;
  std::multiset<int64_t> seen;
  for (int t = 0; t < kThreads; ++t) {
    for (int64_t i = Schedule::NextForThread(0, t, kThreads); i < 100;
         i = Schedule::NextForThread(i + 1, t, kThreads)) {
      EXPECT_EQ(i % kThreads, t);
      seen.insert(i);
    }
  }
  ASSERT_EQ(seen.size(), 100u);
  for (int64_t i = 0; i < 100; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
}

}  // namespace
}  // namespace sportelli::bench
