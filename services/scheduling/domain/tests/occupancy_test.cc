#include "services/scheduling/domain/occupancy.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/domain/slots.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {
namespace {

using ::testing::UnorderedElementsAre;

absl::Time At(int hour, int minute) {
  return absl::FromCivil(absl::CivilMinute(2026, 12, 2, hour, minute), absl::UTCTimeZone());
}

SlotPolicy TwoSeats() {
  SlotPolicy policy;
  policy.capacity = 2;
  policy.duration = absl::Minutes(60);
  return policy;
}

TEST(UsageOverTest, NothingTakenIsOneEmptyStretch) {
  EXPECT_THAT(UsageOver({}, At(9, 0), At(10, 0)), UnorderedElementsAre(SlotUsage{}));
  EXPECT_THAT(UsageOver({}, At(9, 0), At(9, 0)), UnorderedElementsAre(SlotUsage{}));
}

TEST(UsageOverTest, TouchingBookingsDoNotOverlap) {
  const std::vector<Occupancy> taken = {{At(8, 0), At(9, 0), Channel::kWeb},
                                        {At(10, 0), At(11, 0), Channel::kWeb}};
  EXPECT_THAT(UsageOver(taken, At(9, 0), At(10, 0)), UnorderedElementsAre(SlotUsage{}));
}

TEST(UsageOverTest, TwoConsecutiveHalfHoursUseOneSeatAtATime) {
  // A 60-minute slot over two 30-minute bookings that follow each other: one seat is taken at
  // every instant, never two, so a desk with two seats still has one for the hour.
  const std::vector<Occupancy> taken = {{At(9, 0), At(9, 30), Channel::kWeb},
                                        {At(9, 30), At(10, 0), Channel::kPhone}};
  const std::vector<SlotUsage> usage = UsageOver(taken, At(9, 0), At(10, 0));
  EXPECT_THAT(usage, UnorderedElementsAre(SlotUsage{.web = 1}, SlotUsage{.phone = 1}));
  EXPECT_EQ(RemainingOver(TwoSeats(), usage, Channel::kWeb, At(9, 0), At(0, 0)), 1);
}

TEST(UsageOverTest, PartialOverlapCountsOnlyWhereBookingsMeet) {
  const std::vector<Occupancy> taken = {{At(8, 30), At(9, 30), Channel::kWeb},
                                        {At(9, 15), At(9, 45), Channel::kDesk}};
  const std::vector<SlotUsage> usage = UsageOver(taken, At(9, 0), At(10, 0));
  // 09:00-09:15 one web; 09:15-09:30 web and desk; 09:30-09:45 desk; 09:45-10:00 nothing.
  EXPECT_THAT(usage, UnorderedElementsAre(SlotUsage{.web = 1}, SlotUsage{.web = 1, .desk = 1},
                                          SlotUsage{.desk = 1}, SlotUsage{}));
  EXPECT_EQ(RemainingOver(TwoSeats(), usage, Channel::kWeb, At(9, 0), At(0, 0)), 0);
}

TEST(CheckBookableOverTest, FullWhenAnyStretchIsFull) {
  SlotPolicy policy = TwoSeats();
  policy.minimum_notice = absl::ZeroDuration();
  const std::vector<TimeInterval> open = {{At(9, 0), At(12, 0)}};
  const std::vector<Occupancy> taken = {{At(9, 30), At(10, 0), Channel::kWeb},
                                        {At(9, 0), At(10, 0), Channel::kWeb}};
  const std::vector<SlotUsage> usage = UsageOver(taken, At(9, 0), At(10, 0));
  EXPECT_EQ(
      status::ReasonOf(CheckBookableOver(open, policy, usage, Channel::kWeb, At(9, 0), At(8, 0))),
      "SLOT_FULL");
  EXPECT_TRUE(CheckBookableOver(open, policy, UsageOver(taken, At(10, 0), At(11, 0)), Channel::kWeb,
                                At(10, 0), At(8, 0))
                  .ok());
}

TEST(CheckBookableOverTest, TimeProblemsComeBeforeSeats) {
  SlotPolicy policy = TwoSeats();
  const std::vector<TimeInterval> open = {{At(9, 0), At(12, 0)}};
  const std::vector<Occupancy> taken = {{At(9, 0), At(10, 0), Channel::kWeb},
                                        {At(9, 0), At(10, 0), Channel::kWeb}};
  EXPECT_EQ(status::ReasonOf(CheckBookableOver(open, policy, UsageOver(taken, At(9, 0), At(10, 0)),
                                               Channel::kWeb, At(9, 0), At(8, 0))),
            "TOO_LATE");
  EXPECT_EQ(
      status::ReasonOf(CheckBookableOver(open, policy, {}, Channel::kWeb, At(9, 10), At(0, 0))),
      "NOT_A_SLOT");
}

TEST(GridSlotsTest, EverySlotStartingInTheRangeWhateverTheClock) {
  const std::vector<TimeInterval> open = {{At(9, 0), At(11, 0)}};
  EXPECT_EQ(GridSlots(open, absl::Minutes(45), At(0, 0), At(23, 0)),
            (std::vector<Slot>{{At(9, 0), At(9, 45)}, {At(9, 45), At(10, 30)}}));
  EXPECT_EQ(GridSlots(open, absl::Minutes(30), At(9, 30), At(10, 30)),
            (std::vector<Slot>{{At(9, 30), At(10, 0)}, {At(10, 0), At(10, 30)}}));
  EXPECT_TRUE(GridSlots(open, absl::Minutes(30), At(10, 0), At(10, 0)).empty());
}

}  // namespace
}  // namespace sportelli::scheduling
