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
