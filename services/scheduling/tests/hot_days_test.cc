// Availability days held in memory (hot_days.h), against the real PostgreSQL and Redis: the
// fixture's server is replica A (its memory follows the changes stream, as in production); a
// second Availability over the same database and Redis, whose follower the test drives by
// hand, is replica B.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/testing/eventually.h"
#include "sportelli/testing/metric_value.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using sportelli::testing::CounterValue;
using sportelli::testing::Eventually;

class HotDaysTest : public SchedulingTest {
 protected:
  void SetUp() override {
    SchedulingTest::SetUp();
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    options.pool_size = 1;
    ASSERT_OK_AND_ASSIGN(replica_b_redis_, redis::RedisClient::Create(options));
    replica_b_hot_ =
        std::make_unique<HotDays>(replica_b_redis_.get(), replica_b_registry_, &logger_,
                                  HotDaysOptions{.max_days = 8, .block = absl::Milliseconds(50)});
    replica_b_ = std::make_unique<Availability>(repository_.get(), cache_.get(), &clock_,
                                                replica_b_registry_, &logger_,
                                                AvailabilityOptions{}, replica_b_hot_.get());
    ASSERT_OK(replica_b_hot_->Poll().status());  // follows from the stream's end
  }

  AvailabilityQuery Query(const std::string& tenant, absl::Time day_of) const {
    AvailabilityQuery query;
    query.tenant_id = tenant;
    query.desk_id = "sede";
    // Its own service id: its values never mix with the server's (whose hours may differ),
    // while its days are still those of the desk that bookings change.
    query.service_id = "colloquio-b";
    query.first_day = query.last_day = absl::ToCivilDay(day_of, Rome());
    query.zone = Rome();
    query.policy.duration = absl::Minutes(30);
    query.policy.capacity = 3;
    query.policy.booking_window = absl::Hours(24 * 60);
    query.channel = Channel::kWeb;
    query.include_full = true;
    return query;
  }

  // Replica B's seats at `slot` (09:00-13:00 open, 30-minute slots).
  int SeatsOnB(absl::Time slot, const std::string& tenant = "") {
    const absl::CivilDay day = absl::ToCivilDay(slot, Rome());
    absl::StatusOr<std::vector<AvailableSlot>> slots = replica_b_->List(
        Query(tenant.empty() ? tenant_ : tenant, slot),
        [&]() -> absl::StatusOr<std::vector<TimeInterval>> {
          return std::vector<TimeInterval>{
              {absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 9, 0), Rome()),
               absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 13, 0),
                               Rome())}};
        },
        clock_.Now());
    EXPECT_OK(slots.status());
    if (!slots.ok()) return -1;
    for (const AvailableSlot& s : *slots) {
      if (s.start == slot) return s.remaining;
    }
    return -1;
  }

  double FromMemory() {
    return CounterValue(replica_b_registry_, "sportelli_scheduling_availability_days_total",
                        {{"source", "memory"}});
  }

  // Applies what reached the stream until `predicate` holds.
  bool FollowUntil(const std::function<bool()>& predicate) {
    return Eventually([&] {
      EXPECT_OK(replica_b_hot_->Poll().status());
      return predicate();
    });
  }

  prometheus::Registry replica_b_registry_;
  std::unique_ptr<redis::RedisClient> replica_b_redis_;
  std::unique_ptr<HotDays> replica_b_hot_;
  std::unique_ptr<Availability> replica_b_;
};

TEST_F(HotDaysTest, AnotherReplicasBookingReachesTheDayHeldInMemory) {
  const absl::Time slot = SlotStart(3, 0);
  EXPECT_EQ(SeatsOnB(slot), 3);  // read from PostgreSQL, kept
  EXPECT_EQ(FromMemory(), 0);
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(FromMemory(), 1);  // the second listing cost no Redis round trip

  v1::Appointment made;
  const grpc::Status booked =
      Call(&Stub::CreateAppointment, Portal(), Booking("sede", slot, 1), &made);
  ASSERT_TRUE(booked.ok()) << booked.error_message();
  // Replica A (the server) applied its own change before answering.
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);
  // Replica B drops its day when the change arrives, and reads it again.
  ASSERT_TRUE(FollowUntil([&] { return replica_b_hot_->size() == 0; }));
  EXPECT_EQ(SeatsOnB(slot), 2);
  EXPECT_EQ(SeatsOnB(slot), 2);
  EXPECT_EQ(FromMemory(), 2);
}

TEST_F(HotDaysTest, ADayReadBeforeAChangeIsNeverKept) {
  const absl::Time slot = SlotStart(4, 0);
  const DayKey key{tenant_, "sede", "colloquio-b", absl::ToCivilDay(slot, Rome())};
  const HotDays::Ticket ticket = replica_b_hot_->Take();
  ASSERT_NE(ticket, 0);
  // The day was read under generation 4; generation 5 is seen before it is kept.
  replica_b_hot_->DayChanged(tenant_, "sede", key.day, 5);
  CachedValue old_value{CachedDay{}, Generation{4, 0}, clock_.Now() + absl::Minutes(5)};
  replica_b_hot_->Keep(ticket, key, old_value);
  EXPECT_EQ(replica_b_hot_->Find(key, clock_.Now()), nullptr);
  // Read under 5: kept.
  replica_b_hot_->Keep(ticket, key,
                       {CachedDay{}, Generation{5, 0}, clock_.Now() + absl::Minutes(5)});
  EXPECT_NE(replica_b_hot_->Find(key, clock_.Now()), nullptr);
  // Past its validity (a hold in it expires): not served.
  EXPECT_EQ(replica_b_hot_->Find(key, clock_.Now() + absl::Minutes(5)), nullptr);
  // A ticket taken before the follow broke keeps nothing.
  replica_b_hot_->Drop();
  replica_b_hot_->Keep(ticket, key,
                       {CachedDay{}, Generation{6, 0}, clock_.Now() + absl::Minutes(5)});
  EXPECT_EQ(replica_b_hot_->size(), 0);
}

TEST_F(HotDaysTest, AComuneConfigurationChangeDropsOnlyItsDays) {
  const absl::Time slot = SlotStart(3, 1);
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(SeatsOnB(slot, other_tenant_), 3);
  ASSERT_EQ(replica_b_hot_->size(), 2);
  booking_->ConfigurationChanged(tenant_);  // as on a change of the directory (replica A)
  ASSERT_TRUE(FollowUntil([&] { return replica_b_hot_->size() == 1; }));
  const double before = FromMemory();
  EXPECT_EQ(SeatsOnB(slot, other_tenant_), 3);
  EXPECT_EQ(FromMemory(), before + 1);  // the other comune's day is still held
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(FromMemory(), before + 1);  // this comune's was read again
}

TEST_F(HotDaysTest, MissedChangesDropEverythingUntilFollowedAgain) {
  const absl::Time slot = SlotStart(3, 2);
  EXPECT_EQ(SeatsOnB(slot), 3);
  ASSERT_EQ(replica_b_hot_->size(), 1);
  // An entry numbered far ahead: the ones between were trimmed or lost.
  ASSERT_OK_AND_ASSIGN(
      int64_t seq,
      redis::AsInteger(redis_->Command({"INCRBY", kAvailabilityChangesSequence, "10"})));
  ASSERT_OK(redis::AsString(redis_->Command({"XADD", kAvailabilityChangesStream, "*", "s",
                                             absl::StrCat(seq), "t", "nessuno", "d", ""}))
                .status());
  ASSERT_TRUE(FollowUntil([&] { return !replica_b_hot_->following(); }));
  EXPECT_EQ(replica_b_hot_->size(), 0);
  const double before = FromMemory();
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(FromMemory(), before);             // nothing kept while not following
  ASSERT_OK(replica_b_hot_->Poll().status());  // follows again from the stream's end
  EXPECT_TRUE(replica_b_hot_->following());
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(SeatsOnB(slot), 3);
  EXPECT_EQ(FromMemory(), before + 1);
}

TEST_F(HotDaysTest, BeyondItsBoundTheMemoryStartsAgainEmpty) {
  for (int day = 3; day < 3 + 8; ++day) EXPECT_EQ(SeatsOnB(SlotStart(day, 0)), 3);
  EXPECT_EQ(replica_b_hot_->size(), 8);
  EXPECT_EQ(SeatsOnB(SlotStart(11, 0)), 3);  // the ninth
  EXPECT_EQ(replica_b_hot_->size(), 0);
  EXPECT_EQ(
      CounterValue(replica_b_registry_, "sportelli_scheduling_availability_hot_days_resets_total"),
      1);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
