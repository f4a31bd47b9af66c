#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sportelli/cache/single_flight.h"
#include "sportelli/cache/ttl_cache.h"

namespace sportelli::cache {
namespace {

TEST(TtlCacheTest, EntriesExpireOnTheInjectedClock) {
  clock::FakeClock clock(absl::FromUnixSeconds(1780300800));
  TtlCache<int> cache(&clock, {.ttl = absl::Seconds(30)});
  EXPECT_FALSE(cache.Get("capannori/sede").has_value());
  cache.Put("capannori/sede", 3);
  EXPECT_EQ(cache.Get("capannori/sede"), 3);
  clock.Advance(absl::Seconds(29));
  EXPECT_EQ(cache.Get("capannori/sede"), 3);
  clock.Advance(absl::Seconds(1));
  EXPECT_FALSE(cache.Get("capannori/sede").has_value());
}

TEST(TtlCacheTest, PrefixesInvalidateOneComune) {
  clock::FakeClock clock(absl::FromUnixSeconds(1780300800));
  TtlCache<int> cache(&clock, {.ttl = absl::Minutes(1)});
  cache.Put("capannori/sede", 1);
  cache.Put("capannori/marlia", 2);
  cache.Put("capannorissimo/x", 3);
  cache.Put("lucca/sede", 4);
  cache.ErasePrefix("capannori/");
  EXPECT_FALSE(cache.Get("capannori/sede").has_value());
  EXPECT_FALSE(cache.Get("capannori/marlia").has_value());
  EXPECT_EQ(cache.Get("capannorissimo/x"), 3);
  EXPECT_EQ(cache.Get("lucca/sede"), 4);
  cache.ErasePrefix("");
  EXPECT_EQ(cache.size(), 0u);
}

TEST(TtlCacheTest, StaysBounded) {
  clock::FakeClock clock(absl::FromUnixSeconds(1780300800));
  TtlCache<int> cache(&clock, {.ttl = absl::Minutes(1), .max_entries = 10});
  for (int i = 0; i < 25; ++i) cache.Put(std::to_string(i), i);
  EXPECT_LE(cache.size(), 10u);
}

TEST(SingleFlightTest, ConcurrentCallersShareOneFetch) {
  SingleFlight<int> flights;
  std::atomic<int> fetches{0};
  absl::Notification release;
  std::vector<std::thread> threads;
  std::atomic<int> answers{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<int> value = flights.Do("k", [&]() -> absl::StatusOr<int> {
        fetches.fetch_add(1);
        release.WaitForNotification();
        return 42;
      });
      if (value.ok() && *value == 42) answers.fetch_add(1);
    });
  }
  absl::SleepFor(absl::Milliseconds(100));  // every thread is in Do by now
  release.Notify();
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(answers.load(), 16);
  EXPECT_EQ(fetches.load(), 1);
}

TEST(SingleFlightTest, ALeadersFailureIsNotItsWaitersAnswer) {
  SingleFlight<int> flights;
  std::vector<SingleFlight<int>::Ticket> first = flights.Join({"a", "b"});
  std::vector<SingleFlight<int>::Ticket> second = flights.Join({"b", "c"});
  EXPECT_TRUE(first[0].leader);
  EXPECT_TRUE(first[1].leader);
  EXPECT_FALSE(second[0].leader);  // "b" is already in flight
  EXPECT_TRUE(second[1].leader);
  flights.Complete("a", first[0], 1);
  flights.Complete("b", first[1], std::nullopt);  // failed
  flights.Complete("c", second[1], 3);
  EXPECT_EQ(SingleFlight<int>::Wait(second[0]), std::nullopt);
  // Completed flights are gone: the next caller leads anew.
  EXPECT_TRUE(flights.Join({"b"})[0].leader);
}

}  // namespace
}  // namespace sportelli::cache
