// Redis killed in the middle of a test: availability still answers (from PostgreSQL) and
// bookings succeed; Redis back: the cache is used again, and a booking made during the outage
// is not hidden by a value cached before it. Stops the shared Redis, hence SERIAL.
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/testing/eventually.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

TEST_F(SchedulingTest, AvailabilityAndBookingSurviveRedisGoingAwayAndComingBack) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sportelli::testing::RedisOutage> outage,
                       sportelli::testing::RedisOutage::Create());
  const absl::Time slot = SlotStart(3, 0);
  const std::string key = AvailabilityCacheKey(
      tenant_, "sede", "colloquio", absl::ToCivilDay(slot, Rome()), kAvailabilityCacheVersion);
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 3);  // cached now

  ASSERT_OK(outage->Stop());
  // The days held in memory are dropped once the changes stream cannot be read.
  EXPECT_TRUE(sportelli::testing::Eventually([&] { return !hot_days_->following(); }));
  EXPECT_EQ(hot_days_->size(), 0);
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 3);
  v1::Appointment made;
  const grpc::Status booked =
      Call(&Stub::CreateAppointment, Portal(), Booking("sede", slot, 1), &made);
  EXPECT_TRUE(booked.ok()) << booked.error_message();
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);  // from PostgreSQL
  EXPECT_FALSE(availability_->CacheUp());

  ASSERT_OK(outage->Start());
  // Wait for Redis to accept connections, then past the retry interval.
  const clock::Stopwatch watch;
  while (!redis_->Ping().ok() && watch.Elapsed() < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  ASSERT_OK(redis_->Ping());
  clock_.Advance(absl::Milliseconds(300));  // past the fixture's 200 ms retry interval
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);
  EXPECT_TRUE(availability_->CacheUp());
  ASSERT_OK_AND_ASSIGN(redis::Reply exists, redis_->Command({"EXISTS", key}));
  EXPECT_EQ(exists.integer(), 1);  // cached again
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);
  // Following again, the memory serves the day, with the outage's booking.
  EXPECT_TRUE(sportelli::testing::Eventually([&] { return hot_days_->following(); }));
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);
  EXPECT_EQ(Seats("sede", slot, v1::CHANNEL_WEB)[slot], 2);
  EXPECT_EQ(hot_days_->size(), 1);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
