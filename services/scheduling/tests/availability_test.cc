// Availability with fakes in place of Redis and PostgreSQL: the cache's value format, one
// rebuild per key at a time, the fallback when the cache fails, and the replay of
// invalidations missed during an outage.
#include "services/scheduling/availability.h"

#include <atomic>
#include <thread>

#include "absl/synchronization/notification.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/tests/memory_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling {
namespace {

absl::TimeZone Rome() {
  absl::TimeZone zone;
  absl::LoadTimeZone("Europe/Rome", &zone);
  return zone;
}

// An in-memory cache with the generation semantics of the Redis one; `down` makes every call
// fail as an unreachable Redis would.
class FakeCache final : public AvailabilityCache {
 public:
  absl::StatusOr<std::vector<CacheRead>> Get(const std::vector<DayKey>& keys,
                                             absl::Time now) override {
    absl::MutexLock lock(&mu);
    if (down) return status::Unavailable("redis");
    std::vector<CacheRead> reads;
    for (const DayKey& key : keys) {
      CacheRead read;
      read.generation = {generations[Gen(key.desk_id, key.day)], configuration};
      auto it = values.find(Key(key));
      if (it != values.end() && it->second.generation == read.generation &&
          now < it->second.valid_until) {
        read.day = it->second.day;
      }
      reads.push_back(read);
    }
    return reads;
  }
  absl::Status Put(const std::vector<std::pair<DayKey, CachedDay>>& put,
                   const std::vector<Generation>& gens, absl::Time now,
                   absl::Duration ttl) override {
    absl::MutexLock lock(&mu);
    if (down) return status::Unavailable("redis");
    for (size_t i = 0; i < put.size(); ++i) {
      values[Key(put[i].first)] = {put[i].second, gens[i], now + ttl};
    }
    return absl::OkStatus();
  }
  absl::StatusOr<std::vector<int64_t>> Invalidate(
      const std::string&, const std::string& desk,
      const std::vector<absl::CivilDay>& days) override {
    absl::MutexLock lock(&mu);
    if (down) return status::Unavailable("redis");
    std::vector<int64_t> bumped;
    for (absl::CivilDay day : days) bumped.push_back(++generations[Gen(desk, day)]);
    return bumped;
  }
  absl::StatusOr<int64_t> InvalidateTenant(const std::string&) override {
    absl::MutexLock lock(&mu);
    if (down) return status::Unavailable("redis");
    return ++configuration;
  }
  absl::Status Ping() override {
    absl::MutexLock lock(&mu);
    return down ? status::Unavailable("redis") : absl::OkStatus();
  }
  static std::string Key(const DayKey& k) {
    return AvailabilityCacheKey(k.tenant_id, k.desk_id, k.service_id, k.day,
                                kAvailabilityCacheVersion);
  }
  static std::string Gen(const std::string& desk, absl::CivilDay day) {
    return desk + absl::FormatCivilTime(day);
  }

  absl::Mutex mu;
  bool down = false;
  std::map<std::string, CachedValue> values;
  std::map<std::string, int64_t> generations;
  int64_t configuration = 0;
};

class AvailabilityTest : public ::testing::Test {
 protected:
  AvailabilityQuery Query() {
    AvailabilityQuery query;
    query.tenant_id = "capannori";
    query.desk_id = "sede";
    query.service_id = "colloquio";
    query.first_day = day_;
    query.last_day = day_;
    query.zone = Rome();
    query.policy.capacity = 2;
    query.policy.duration = absl::Minutes(30);
    return query;
  }
  OpenHoursLoader Hours() {
    return [this]() -> absl::StatusOr<std::vector<TimeInterval>> {
      return std::vector<TimeInterval>{{At(9), At(10)}};
    };
  }
  absl::Time At(int hour) const {
    return absl::FromCivil(absl::CivilHour(day_.year(), day_.month(), day_.day(), hour), Rome());
  }
  absl::Time Now() const { return At(9) - absl::Hours(72); }

  absl::CivilDay day_{2026, 12, 2};
  // The clock Availability times outages with, on the same fixed day as the queries.
  clock::FakeClock clock_{Now()};
  testing::MemoryRepository repository_;
  FakeCache cache_;
  prometheus::Registry registry_;
  logging::Logger logger_{"test", logging::Level::kError, nullptr, &clock_};
  Availability availability_{&repository_, &cache_,
                             &clock_,      registry_,
                             &logger_,     AvailabilityOptions{.retry_after = absl::Seconds(1)}};
};

TEST(CachedDayEncodingTest, RoundTrips) {
  CachedValue value;
  value.day.slots.push_back({absl::FromUnixSeconds(1796191200),
                             absl::FromUnixSeconds(1796193000),
                             {SlotUsage{1, 0, 2}, SlotUsage{}}});
  value.day.slots.push_back(
      {absl::FromUnixSeconds(1796193000), absl::FromUnixSeconds(1796194800), {SlotUsage{}}});
  value.generation = {42, 7};
  value.valid_until = absl::FromUnixMicros(1796190000123456);
  std::optional<CachedValue> decoded = DecodeCachedValue(EncodeCachedValue(value));
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, value);
  EXPECT_FALSE(DecodeCachedValue("garbage").has_value());
  EXPECT_FALSE(DecodeCachedValue("1.1|2|1,2,x.y.z;").has_value());
  EXPECT_FALSE(DecodeCachedValue("1|1,2,0.0.0;").has_value());    // the version 1 layout
  EXPECT_FALSE(DecodeCachedValue("1|2|1,2,0.0.0;").has_value());  // the version 2 layout
  std::optional<CachedValue> empty = DecodeCachedValue(EncodeCachedValue(CachedValue{}));
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->day.slots.empty());
}

TEST_F(AvailabilityTest, ConcurrentMissesRebuildTheDayOnce) {
  absl::Notification gate;
  repository_.occupancy_gate = &gate;
  std::vector<std::thread> threads;
  std::atomic<int> answers{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      absl::StatusOr<std::vector<AvailableSlot>> slots =
          availability_.List(Query(), Hours(), Now());
      if (slots.ok() && slots->size() == 2) answers.fetch_add(1);
    });
  }
  absl::SleepFor(absl::Milliseconds(200));  // every thread is waiting on the one rebuild
  gate.Notify();
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(answers.load(), 16);
  EXPECT_EQ(repository_.occupancy_reads.load(), 1);
  // Now cached: no further database read.
  ASSERT_OK(availability_.List(Query(), Hours(), Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 1);
}

TEST_F(AvailabilityTest, AWriteMakesTheCachedDayStale) {
  ASSERT_OK(availability_.List(Query(), Hours(), Now()).status());
  repository_.occupancy_override =
      DeskOccupancy{{{At(9), At(9) + absl::Minutes(30), Channel::kWeb},
                     {At(9), At(9) + absl::Minutes(30), Channel::kWeb}},
                    std::nullopt};
  availability_.AfterWrite("capannori", "sede", At(9), At(9) + absl::Minutes(30), Rome());
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> slots,
                       availability_.List(Query(), Hours(), Now()));
  ASSERT_EQ(slots.size(), 1u);  // 09:00 is full
  EXPECT_EQ(slots[0].start, At(9) + absl::Minutes(30));
  EXPECT_EQ(repository_.occupancy_reads.load(), 2);
}

TEST_F(AvailabilityTest, ACacheOutageIsServedFromTheDatabaseAndMissedInvalidationsReplayed) {
  ASSERT_OK(availability_.List(Query(), Hours(), Now()).status());  // cached: 2 free slots
  cache_.down = true;
  repository_.occupancy_override =
      DeskOccupancy{{{At(9), At(9) + absl::Minutes(30), Channel::kWeb},
                     {At(9), At(9) + absl::Minutes(30), Channel::kWeb}},
                    std::nullopt};
  availability_.AfterWrite("capannori", "sede", At(9), At(9) + absl::Minutes(30), Rome());
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> during,
                       availability_.List(Query(), Hours(), Now()));
  EXPECT_EQ(during.size(), 1u);
  EXPECT_FALSE(availability_.CacheUp());
  cache_.down = false;
  // Within retry_after of the failure Redis is not tried again: still PostgreSQL.
  ASSERT_OK(availability_.List(Query(), Hours(), Now()).status());
  EXPECT_FALSE(availability_.CacheUp());
  clock_.Advance(absl::Seconds(1));
  // Back: the value cached before the booking must not be served.
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> after,
                       availability_.List(Query(), Hours(), clock_.Now()));
  EXPECT_EQ(after.size(), 1u);
  EXPECT_TRUE(availability_.CacheUp());
}

TEST_F(AvailabilityTest, ACachedDayLastsItsTtlOnTheServicesClockOrUntilAHoldExpires) {
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 1);
  clock_.Advance(absl::Minutes(5) - absl::Seconds(1));
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 1);  // still cached
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 2);  // expired at the TTL: rebuilt

  // A hold counted in the day makes it stale when the hold expires.
  availability_.AfterWrite("capannori", "sede", At(9), At(9) + absl::Minutes(30), Rome());
  repository_.occupancy_override =
      DeskOccupancy{{{At(9), At(9) + absl::Minutes(30), Channel::kWeb}}, std::nullopt};
  repository_.occupancy_override->first_hold_expiry = clock_.Now() + absl::Seconds(30);
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> held,
                       availability_.List(Query(), Hours(), clock_.Now()));
  EXPECT_EQ(repository_.occupancy_reads.load(), 3);
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0].remaining, 1);
  repository_.occupancy_override = DeskOccupancy{};
  clock_.Advance(absl::Seconds(29));
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 3);
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> released,
                       availability_.List(Query(), Hours(), clock_.Now()));
  EXPECT_EQ(repository_.occupancy_reads.load(), 4);
  EXPECT_EQ(released[0].remaining, 2);
}

TEST_F(AvailabilityTest, AConfigurationChangeMakesEveryDayOfTheComuneStale) {
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 1);  // cached
  availability_.ConfigurationChanged("capannori");
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(repository_.occupancy_reads.load(), 2);  // rebuilt
  // Missed while Redis was down: replayed before the cache is trusted again.
  cache_.down = true;
  availability_.ConfigurationChanged("capannori");
  cache_.down = false;
  clock_.Advance(absl::Seconds(1));
  ASSERT_OK(availability_.List(Query(), Hours(), clock_.Now()).status());
  EXPECT_EQ(cache_.configuration, 2);
  EXPECT_EQ(repository_.occupancy_reads.load(), 3);
}

TEST_F(AvailabilityTest, NoticeAndWindowAreAppliedWhenAnswering) {
  // The cached day is the same whatever the clock; the answer is not.
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> early,
                       availability_.List(Query(), Hours(), Now()));
  EXPECT_EQ(early.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> late,
                       availability_.List(Query(), Hours(), At(9) - absl::Minutes(60)));
  EXPECT_TRUE(late.empty());  // both slots within the 2-hour notice
}

}  // namespace
}  // namespace sportelli::scheduling
