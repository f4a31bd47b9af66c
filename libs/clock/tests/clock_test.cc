#include "sportelli/clock/clock.h"

#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace sportelli::clock {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1774742400);  // 2026-03-29T00:00:00Z

TEST(FakeClockTest, StandsStillUntilMoved) {
  FakeClock clock(kStart);
  EXPECT_EQ(clock.Now(), kStart);
  EXPECT_EQ(clock.Now(), kStart);
  clock.Advance(absl::Minutes(90));
  EXPECT_EQ(clock.Now(), kStart + absl::Minutes(90));
  clock.Set(kStart - absl::Hours(24));
  EXPECT_EQ(clock.Now(), kStart - absl::Hours(24));
}

TEST(FakeClockTest, AdvancesSeenByOtherThreads) {
  FakeClock clock(kStart);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&clock] {
      for (int j = 0; j < 1000; ++j) clock.Advance(absl::Seconds(1));
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(clock.Now(), kStart + absl::Seconds(8000));
}

TEST(SystemClockTest, MovesForward) {
  const Clock& clock = SystemClock::Instance();
  const absl::Time first = clock.Now();
  absl::Time later = clock.Now();
  while (later == first) later = clock.Now();
  EXPECT_GT(later, first);
}

}  // namespace
}  // namespace sportelli::clock

#include "sportelli/clock/request_deadline.h"

namespace sportelli::clock {
namespace {

TEST(RequestDeadlineTest, ScopedPerThreadAndRestored) {
  EXPECT_FALSE(RemainingRequestTime().has_value());
  {
    ScopedRequestDeadline outer(std::chrono::steady_clock::now() + std::chrono::seconds(10));
    ASSERT_TRUE(RemainingRequestTime().has_value());
    EXPECT_GT(*RemainingRequestTime(), absl::Seconds(9));
    {
      ScopedRequestDeadline inner(std::chrono::steady_clock::now() - std::chrono::seconds(1));
      EXPECT_LE(*RemainingRequestTime(), absl::ZeroDuration());
    }
    EXPECT_GT(*RemainingRequestTime(), absl::Seconds(9));
    std::optional<absl::Duration> seen_elsewhere = absl::ZeroDuration();
    std::thread other([&seen_elsewhere] { seen_elsewhere = RemainingRequestTime(); });
    other.join();
    EXPECT_FALSE(seen_elsewhere.has_value());
  }
  EXPECT_FALSE(RemainingRequestTime().has_value());
}

}  // namespace
}  // namespace sportelli::clock
