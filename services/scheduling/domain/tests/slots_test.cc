#include "services/scheduling/domain/slots.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

void PrintTo(const Slot& slot, std::ostream* os) {
  *os << "[" << absl::FormatTime(slot.start, absl::UTCTimeZone()) << ", "
      << absl::FormatTime(slot.end, absl::UTCTimeZone()) << ")";
}

void PrintTo(const AvailableSlot& slot, std::ostream* os) {
  *os << "[" << absl::FormatTime(slot.start, absl::UTCTimeZone()) << ", "
      << absl::FormatTime(slot.end, absl::UTCTimeZone()) << ") remaining " << slot.remaining;
}

void PrintTo(const CapacitySplit& split, std::ostream* os) {
  *os << "{phone " << split.reserved_phone << ", desk " << split.reserved_desk << ", general "
      << split.general << "}";
}

namespace {

using ::sportelli::status::FieldViolationsOf;
using ::sportelli::status::ReasonOf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

// An instant written as a UTC wall-clock literal, independent of the code under test.
absl::Time Utc(int year, int month, int day, int hour, int minute = 0, int second = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, second),
                         absl::UTCTimeZone());
}

TimeInterval Open(absl::Time start, absl::Time end) { return TimeInterval{start, end}; }

Slot S(absl::Time start, absl::Duration duration = absl::Minutes(30)) {
  return Slot{start, start + duration};
}

// 30-minute slots, one seat, no quotas: the defaults of the portal's simplest desk.
SlotPolicy Policy(absl::Duration duration = absl::Minutes(30), int capacity = 1) {
  SlotPolicy policy;
  policy.duration = duration;
  policy.capacity = capacity;
  policy.minimum_notice = absl::Hours(2);
  policy.booking_window = absl::Hours(24 * 60);
  policy.quota = {};
  policy.reserve_release_before = absl::Hours(24);
  return policy;
}

// The shares of the issue's example: 20 % for the phone line, 20 % for the desk.
SlotPolicy QuotaPolicy(int capacity) {
  SlotPolicy policy = Policy(absl::Minutes(30), capacity);
  policy.quota = {.phone_share = 0.2, .desk_share = 0.2};
  return policy;
}

class SlotsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome_)); }

  // Local labels of the slots' starts, to assert what a citizen would read.
  std::vector<std::string> Labels(const std::vector<Slot>& slots) const {
    std::vector<std::string> labels;
    for (const Slot& slot : slots) labels.push_back(FormatLocalStart(slot.start, rome_));
    return labels;
  }

  absl::TimeZone rome_;
};

// --- Cutting ------------------------------------------------------------------------------

TEST_F(SlotsTest, WinterWeekdayIsUtcPlusOne) {
  // Monday 12 January 2026, 09:00-11:00 in Capannori is 08:00-10:00 UTC.
  const std::vector<Slot> slots =
      CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 10))}, Policy(), Utc(2026, 1, 11, 12));
  EXPECT_THAT(slots, ElementsAre(S(Utc(2026, 1, 12, 8)), S(Utc(2026, 1, 12, 8, 30)),
                                 S(Utc(2026, 1, 12, 9)), S(Utc(2026, 1, 12, 9, 30))));
  EXPECT_THAT(Labels(slots), ElementsAre("2026-01-12T09:00+01:00", "2026-01-12T09:30+01:00",
                                         "2026-01-12T10:00+01:00", "2026-01-12T10:30+01:00"));
}

TEST_F(SlotsTest, SummerWeekdayIsUtcPlusTwo) {
  // Wednesday 10 June 2026, 09:00-11:00 local is 07:00-09:00 UTC.
  const std::vector<Slot> slots =
      CutSlots({Open(Utc(2026, 6, 10, 7), Utc(2026, 6, 10, 9))}, Policy(), Utc(2026, 6, 9, 12));
  EXPECT_THAT(slots, ElementsAre(S(Utc(2026, 6, 10, 7)), S(Utc(2026, 6, 10, 7, 30)),
                                 S(Utc(2026, 6, 10, 8)), S(Utc(2026, 6, 10, 8, 30))));
  EXPECT_THAT(Labels(slots), ElementsAre("2026-06-10T09:00+02:00", "2026-06-10T09:30+02:00",
                                         "2026-06-10T10:00+02:00", "2026-06-10T10:30+02:00"));
}

TEST_F(SlotsTest, SlotEndingAtClosingTimeIsKept) {
  EXPECT_THAT(
      CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9, 30))}, Policy(),
               Utc(2026, 1, 11, 12)),
      ElementsAre(S(Utc(2026, 1, 12, 8)), S(Utc(2026, 1, 12, 8, 30)), S(Utc(2026, 1, 12, 9))));
}

TEST_F(SlotsTest, ShorterRemainderIsDropped) {
  const absl::Time now = Utc(2026, 1, 11, 12);
  // 08:00-09:40 with 30 minutes: 09:30-10:00 would outlast the desk.
  EXPECT_THAT(
      CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9, 40))}, Policy(), now),
      ElementsAre(S(Utc(2026, 1, 12, 8)), S(Utc(2026, 1, 12, 8, 30)), S(Utc(2026, 1, 12, 9))));
  // 45 minutes in 08:00-10:00: two slots, the last 30 minutes unused.
  const absl::Duration d45 = absl::Minutes(45);
  EXPECT_THAT(CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 10))}, Policy(d45), now),
              ElementsAre(S(Utc(2026, 1, 12, 8), d45), S(Utc(2026, 1, 12, 8, 45), d45)));
  // An interval shorter than one duration has no slot.
  EXPECT_THAT(CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 8, 25))}, Policy(), now),
              IsEmpty());
}

TEST_F(SlotsTest, IntervalsOfSeveralDaysEachCutFromTheirOwnStart) {
  const std::vector<TimeInterval> open = {
      Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9)),        // Mon 09:00-10:00
      Open(Utc(2026, 1, 12, 13), Utc(2026, 1, 12, 14, 15)),  // Mon 14:00-15:15
      Open(Utc(2026, 1, 13, 8, 10), Utc(2026, 1, 13, 9)),    // Tue 09:10-10:00
      Open(Utc(2026, 1, 15, 8), Utc(2026, 1, 15, 8, 30)),    // Thu 09:00-09:30
  };
  EXPECT_THAT(
      CutSlots(open, Policy(), Utc(2026, 1, 11, 12)),
      ElementsAre(S(Utc(2026, 1, 12, 8)), S(Utc(2026, 1, 12, 8, 30)), S(Utc(2026, 1, 12, 13)),
                  S(Utc(2026, 1, 12, 13, 30)), S(Utc(2026, 1, 13, 8, 10)), S(Utc(2026, 1, 15, 8))));
}

TEST_F(SlotsTest, HolidaysAndClosuresAreGapsInTheOpenIntervals) {
  // The tenants service leaves out Tuesday 2 June 2026 (Festa della Repubblica) and a closure
  // on Thursday 4 June: no slot exists on those days, and none can be booked there.
  const std::vector<TimeInterval> open = {
      Open(Utc(2026, 6, 1, 7), Utc(2026, 6, 1, 8)),
      Open(Utc(2026, 6, 3, 7), Utc(2026, 6, 3, 8)),
      Open(Utc(2026, 6, 5, 7), Utc(2026, 6, 5, 8)),
  };
  const std::vector<Slot> slots = CutSlots(open, Policy(), Utc(2026, 5, 31, 12));
  EXPECT_EQ(slots.size(), 6u);
  const auto days = GroupByLocalDay(slots, rome_);
  EXPECT_THAT(days, ElementsAre(Pair(absl::CivilDay(2026, 6, 1), ::testing::SizeIs(2)),
                                Pair(absl::CivilDay(2026, 6, 3), ::testing::SizeIs(2)),
                                Pair(absl::CivilDay(2026, 6, 5), ::testing::SizeIs(2))));
  EXPECT_FALSE(IsSlotStart(open, Policy(), Utc(2026, 6, 2, 7)));
  EXPECT_FALSE(IsSlotStart(open, Policy(), Utc(2026, 6, 4, 7)));
}

TEST_F(SlotsTest, IntervalsAreNormalisedBeforeCutting) {
  const absl::Time now = Utc(2026, 1, 11, 12);
  const std::vector<Slot> expected =
      CutSlots({Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 10))}, Policy(), now);
  ASSERT_EQ(expected.size(), 4u);
  // Out of order, touching, overlapping, duplicated and empty pieces of the same two hours.
  const std::vector<TimeInterval> messy = {
      Open(Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 10)),
      Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 8, 40)),
      Open(Utc(2026, 1, 12, 8, 40), Utc(2026, 1, 12, 9)),
      Open(Utc(2026, 1, 12, 8, 15), Utc(2026, 1, 12, 8, 20)),
      Open(Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 10)),
      Open(Utc(2026, 1, 12, 11), Utc(2026, 1, 12, 11)),
      Open(Utc(2026, 1, 12, 12), Utc(2026, 1, 12, 11)),
  };
  EXPECT_EQ(CutSlots(messy, Policy(), now), expected);
  EXPECT_TRUE(IsSlotStart(messy, Policy(), Utc(2026, 1, 12, 9, 30)));
  EXPECT_FALSE(IsSlotStart(messy, Policy(), Utc(2026, 1, 12, 8, 40)));
}

TEST_F(SlotsTest, NoIntervalsOrInvalidDurationGiveNoSlots) {
  const absl::Time now = Utc(2026, 1, 11, 12);
  EXPECT_THAT(CutSlots({}, Policy(), now), IsEmpty());
  // Must terminate rather than loop: a zero or negative duration cuts nothing.
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 10))};
  EXPECT_THAT(CutSlots(open, Policy(absl::ZeroDuration()), now), IsEmpty());
  EXPECT_THAT(CutSlots(open, Policy(absl::Minutes(-30)), now), IsEmpty());
  EXPECT_FALSE(IsSlotStart(open, Policy(absl::ZeroDuration()), Utc(2026, 1, 12, 8)));
}

// --- Clock changes ------------------------------------------------------------------------

TEST_F(SlotsTest, SpringForwardDeskOpenAcrossTheSwitch) {
  // Sunday 29 March 2026, open 01:00-04:00 local: 01:00 CET = 00:00Z to 04:00 CEST = 02:00Z,
  // two real hours. 02:00-03:00 local never happens.
  const std::vector<Slot> slots =
      CutSlots({Open(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 2))}, Policy(), Utc(2026, 3, 27, 12));
  EXPECT_THAT(slots, ElementsAre(S(Utc(2026, 3, 29, 0)), S(Utc(2026, 3, 29, 0, 30)),
                                 S(Utc(2026, 3, 29, 1)), S(Utc(2026, 3, 29, 1, 30))));
  EXPECT_THAT(Labels(slots), ElementsAre("2026-03-29T01:00+01:00", "2026-03-29T01:30+01:00",
                                         "2026-03-29T03:00+02:00", "2026-03-29T03:30+02:00"));
  // Every slot lasts 30 real minutes, also the one whose wall clock reads 01:30-03:00.
  for (const Slot& slot : slots) EXPECT_EQ(slot.end - slot.start, absl::Minutes(30));
}

TEST_F(SlotsTest, FallBackDeskOpenAcrossTheSwitch) {
  // Sunday 25 October 2026, open 01:00-04:00 local: 01:00 CEST = 23:00Z on the 24th to
  // 04:00 CET = 03:00Z, four real hours. 02:00-03:00 local happens twice.
  const std::vector<Slot> slots = CutSlots({Open(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 3))},
                                           Policy(), Utc(2026, 10, 23, 12));
  EXPECT_THAT(slots, ElementsAre(S(Utc(2026, 10, 24, 23)), S(Utc(2026, 10, 24, 23, 30)),
                                 S(Utc(2026, 10, 25, 0)), S(Utc(2026, 10, 25, 0, 30)),
                                 S(Utc(2026, 10, 25, 1)), S(Utc(2026, 10, 25, 1, 30)),
                                 S(Utc(2026, 10, 25, 2)), S(Utc(2026, 10, 25, 2, 30))));
  EXPECT_THAT(Labels(slots), ElementsAre("2026-10-25T01:00+02:00", "2026-10-25T01:30+02:00",
                                         "2026-10-25T02:00+02:00", "2026-10-25T02:30+02:00",
                                         "2026-10-25T02:00+01:00", "2026-10-25T02:30+01:00",
                                         "2026-10-25T03:00+01:00", "2026-10-25T03:30+01:00"));
  // The two 02:00 slots are different appointments an hour apart, each bookable on its own.
  EXPECT_EQ(slots[4].start - slots[2].start, absl::Hours(1));
  SlotUsage cest_two_taken{.web = 1};
  EXPECT_EQ(
      Remaining(Policy(), cest_two_taken, Channel::kWeb, slots[2].start, Utc(2026, 10, 23, 12)), 0);
  EXPECT_EQ(AvailableSlots({Open(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 3))}, Policy(),
                           {{slots[2].start, cest_two_taken}}, Channel::kWeb, Utc(2026, 10, 23, 12))
                .size(),
            7u);
  // All eight start on the local Sunday, though the first two start on Saturday in UTC.
  EXPECT_THAT(GroupByLocalDay(slots, rome_),
              ElementsAre(Pair(absl::CivilDay(2026, 10, 25), ::testing::SizeIs(8))));
}

TEST_F(SlotsTest, WholeClockChangeDaysHave23And25HourlySlots) {
  const SlotPolicy hourly = Policy(absl::Minutes(60));
  // Local midnight to midnight.
  const std::vector<Slot> spring =
      CutSlots({Open(Utc(2026, 3, 28, 23), Utc(2026, 3, 29, 22))}, hourly, Utc(2026, 3, 27, 12));
  const std::vector<Slot> autumn =
      CutSlots({Open(Utc(2026, 10, 24, 22), Utc(2026, 10, 25, 23))}, hourly, Utc(2026, 10, 23, 12));
  EXPECT_EQ(spring.size(), 23u);
  EXPECT_EQ(autumn.size(), 25u);
  EXPECT_EQ(FormatLocalStart(spring.front().start, rome_), "2026-03-29T00:00+01:00");
  EXPECT_EQ(FormatLocalStart(spring[2].start, rome_), "2026-03-29T03:00+02:00");
  EXPECT_EQ(FormatLocalStart(spring.back().start, rome_), "2026-03-29T23:00+02:00");
  EXPECT_EQ(FormatLocalStart(autumn[2].start, rome_), "2026-10-25T02:00+02:00");
  EXPECT_EQ(FormatLocalStart(autumn[3].start, rome_), "2026-10-25T02:00+01:00");
  EXPECT_EQ(FormatLocalStart(autumn.back().start, rome_), "2026-10-25T23:00+01:00");
  EXPECT_THAT(GroupByLocalDay(spring, rome_),
              ElementsAre(Pair(absl::CivilDay(2026, 3, 29), ::testing::SizeIs(23))));
  EXPECT_THAT(GroupByLocalDay(autumn, rome_),
              ElementsAre(Pair(absl::CivilDay(2026, 10, 25), ::testing::SizeIs(25))));
}

TEST_F(SlotsTest, AYearOfMorningsKeepsLocalNineAcrossBothChanges) {
  // Every day of 2026 open 09:00-10:00 local (converted here with absl, not the code under
  // test): two 30-minute slots a day, always labelled 09:00 and 09:30 local, never overlapping.
  std::vector<TimeInterval> open;
  for (absl::CivilDay day(2026, 1, 1); day <= absl::CivilDay(2026, 12, 31); ++day) {
    open.push_back(Open(absl::FromCivil(absl::CivilSecond(day) + 9 * 3600, rome_),
                        absl::FromCivil(absl::CivilSecond(day) + 10 * 3600, rome_)));
  }
  SlotPolicy policy = Policy();
  policy.booking_window = kMaxBookingWindow;
  const std::vector<Slot> slots = CutSlots(open, policy, Utc(2025, 12, 31, 12));
  ASSERT_EQ(slots.size(), 2u * 365u);
  for (size_t i = 0; i < slots.size(); ++i) {
    const absl::CivilSecond local = absl::ToCivilSecond(slots[i].start, rome_);
    EXPECT_EQ(local.hour(), 9) << slots[i].start;
    EXPECT_EQ(local.minute(), i % 2 == 0 ? 0 : 30) << slots[i].start;
    if (i > 0) {
      EXPECT_LE(slots[i - 1].end, slots[i].start);
    }
  }
  // 9:00 local is 08:00Z in winter and 07:00Z in summer.
  EXPECT_EQ(slots[2 * 86].start, Utc(2026, 3, 28, 8));  // Saturday before the change
  EXPECT_EQ(slots[2 * 87].start, Utc(2026, 3, 29, 7));  // the Sunday of the change
}

// --- Minimum notice and booking window ------------------------------------------------------

TEST_F(SlotsTest, MinimumNoticeIsInclusiveToTheSecond) {
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 10), Utc(2026, 1, 12, 11))};
  // 10:00Z is exactly 2 h after 08:00Z: bookable.
  EXPECT_THAT(CutSlots(open, Policy(), Utc(2026, 1, 12, 8)),
              ElementsAre(S(Utc(2026, 1, 12, 10)), S(Utc(2026, 1, 12, 10, 30))));
  // One second later 10:00Z is 1h59m59s ahead: gone.
  EXPECT_THAT(CutSlots(open, Policy(), Utc(2026, 1, 12, 8, 0, 1)),
              ElementsAre(S(Utc(2026, 1, 12, 10, 30))));
  // 1h59 ahead: gone.
  EXPECT_THAT(CutSlots(open, Policy(), Utc(2026, 1, 12, 8, 1)),
              ElementsAre(S(Utc(2026, 1, 12, 10, 30))));
}

TEST_F(SlotsTest, NoticeNeverShiftsTheGrid) {
  // now + notice = 09:13Z falls inside the interval; the next slot is 09:30, not 09:13.
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 11))};
  EXPECT_THAT(CutSlots(open, Policy(), Utc(2026, 1, 12, 7, 13)),
              ElementsAre(S(Utc(2026, 1, 12, 9, 30)), S(Utc(2026, 1, 12, 10)),
                          S(Utc(2026, 1, 12, 10, 30))));
  // A 45-minute grid is 09:00, 09:45 (10:30 would end at 11:15): 09:00 is inside the notice.
  const absl::Duration d45 = absl::Minutes(45);
  EXPECT_THAT(CutSlots(open, Policy(d45), Utc(2026, 1, 12, 7, 13)),
              ElementsAre(S(Utc(2026, 1, 12, 9, 45), d45)));
}

TEST_F(SlotsTest, PastSlotsAreGoneWithoutNotice) {
  SlotPolicy policy = Policy();
  policy.minimum_notice = absl::ZeroDuration();
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 11))};
  EXPECT_THAT(CutSlots(open, policy, Utc(2026, 1, 12, 10)),
              ElementsAre(S(Utc(2026, 1, 12, 10)), S(Utc(2026, 1, 12, 10, 30))));
  EXPECT_THAT(CutSlots(open, policy, Utc(2026, 1, 12, 10, 0, 1)),
              ElementsAre(S(Utc(2026, 1, 12, 10, 30))));
  EXPECT_THAT(CutSlots(open, policy, Utc(2026, 1, 12, 12)), IsEmpty());
}

TEST_F(SlotsTest, BookingWindowExcludesItsEdge) {
  // Window of 60 days from 08:00Z on 12 January: the limit is 08:00Z on 13 March.
  const absl::Time now = Utc(2026, 1, 12, 8);
  const std::vector<TimeInterval> open = {Open(Utc(2026, 3, 13, 7), Utc(2026, 3, 13, 9))};
  EXPECT_THAT(CutSlots(open, Policy(), now),
              ElementsAre(S(Utc(2026, 3, 13, 7)), S(Utc(2026, 3, 13, 7, 30))));
  // A second later, 08:00Z is inside the window.
  EXPECT_THAT(
      CutSlots(open, Policy(), now + absl::Seconds(1)),
      ElementsAre(S(Utc(2026, 3, 13, 7)), S(Utc(2026, 3, 13, 7, 30)), S(Utc(2026, 3, 13, 8))));
  // Intervals wholly beyond the window give nothing.
  EXPECT_THAT(CutSlots({Open(Utc(2026, 3, 14, 7), Utc(2026, 3, 14, 9))}, Policy(), now), IsEmpty());
}

// --- Seats and channel quotas -------------------------------------------------------------

TEST(SplitCapacityTest, ReservesRoundDownSoTheWebNeverLosesASeat) {
  const ChannelQuota quota{.phone_share = 0.2, .desk_share = 0.2};
  struct Case {
    int capacity;
    CapacitySplit expected;
  };
  const Case cases[] = {
      {1, {0, 0, 1}}, {2, {0, 0, 2}},  {3, {0, 0, 3}},
      {5, {1, 1, 3}}, {10, {2, 2, 6}}, {100, {20, 20, 60}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.capacity);
    EXPECT_EQ(SplitCapacity(c.capacity, quota), c.expected);
  }
}

TEST(SplitCapacityTest, DecimalSharesAreNotLostToBinaryRounding) {
  // 0.29 * 100 is 28.999999999999996 in doubles; 29 seats were meant.
  EXPECT_EQ(SplitCapacity(100, {.phone_share = 0.29, .desk_share = 0.0}),
            (CapacitySplit{29, 0, 71}));
  EXPECT_EQ(SplitCapacity(10, {.phone_share = 0.7, .desk_share = 0.3}), (CapacitySplit{7, 3, 0}));
  EXPECT_EQ(SplitCapacity(3, {.phone_share = 0.5, .desk_share = 0.5}), (CapacitySplit{1, 1, 1}));
  EXPECT_EQ(SplitCapacity(4, {.phone_share = 1.0, .desk_share = 0.0}), (CapacitySplit{4, 0, 0}));
}

TEST(SplitCapacityTest, InvalidInputStaysConsistent) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(SplitCapacity(10, {.phone_share = 0.8, .desk_share = 0.8}), (CapacitySplit{8, 2, 0}));
  EXPECT_EQ(SplitCapacity(10, {.phone_share = -1, .desk_share = 7}), (CapacitySplit{0, 10, 0}));
  EXPECT_EQ(SplitCapacity(10, {.phone_share = nan, .desk_share = nan}), (CapacitySplit{0, 0, 10}));
  EXPECT_EQ(SplitCapacity(0, {.phone_share = 0.5, .desk_share = 0.5}), (CapacitySplit{}));
  EXPECT_EQ(SplitCapacity(-3, {}), (CapacitySplit{}));
}

// One row: a capacity, the seats taken, and what each channel may still book.
struct RemainingCase {
  int capacity;
  SlotUsage usage;
  int web;
  int phone;
  int desk;
};

void ExpectRemaining(const SlotPolicy& policy, const RemainingCase& c, absl::Time slot_start,
                     absl::Time now) {
  SCOPED_TRACE(testing::Message() << "K=" << c.capacity << " web=" << c.usage.web
                                  << " phone=" << c.usage.phone << " desk=" << c.usage.desk);
  EXPECT_EQ(Remaining(policy, c.usage, Channel::kWeb, slot_start, now), c.web);
  EXPECT_EQ(Remaining(policy, c.usage, Channel::kPhone, slot_start, now), c.phone);
  EXPECT_EQ(Remaining(policy, c.usage, Channel::kDesk, slot_start, now), c.desk);
}

TEST(RemainingTest, ReservesThenGeneralPoolBeforeRelease) {
  const absl::Time slot = Utc(2026, 1, 20, 8);
  const absl::Time now = slot - absl::Hours(48);  // reserves still held
  const RemainingCase cases[] = {
      // K=1, 2, 3: 20 % rounds down to no reserve; every channel shares the general pool.
      {1, {}, 1, 1, 1},
      {1, {.desk = 1}, 0, 0, 0},
      {2, {.web = 1}, 1, 1, 1},
      {2, {.web = 2}, 0, 0, 0},
      {3, {.phone = 1}, 2, 2, 2},
      {3, {.web = 1, .phone = 1, .desk = 1}, 0, 0, 0},
      // K=5: one seat for the phone, one for the desk, three general.
      {5, {}, 3, 4, 4},
      {5, {.web = 3}, 0, 1, 1},
      {5, {.phone = 1}, 3, 3, 4},
      {5, {.phone = 2}, 2, 2, 3},  // the second phone booking overflows into the general pool
      {5, {.web = 3, .phone = 1, .desk = 1}, 0, 0, 0},
      // K=10: two and two reserved, six general.
      {10, {}, 6, 8, 8},
      {10, {.web = 6}, 0, 2, 2},
      {10, {.phone = 2}, 6, 6, 8},
      {10, {.phone = 3}, 5, 5, 7},
      {10, {.web = 6, .phone = 2, .desk = 1}, 0, 0, 1},
      {10, {.web = 2, .phone = 4, .desk = 3}, 1, 1, 1},
      {10, {.phone = 8}, 0, 0, 2},  // the phone took its reserve and the whole general pool
      {10, {.web = 6, .phone = 2, .desk = 2}, 0, 0, 0},
  };
  for (const RemainingCase& c : cases) ExpectRemaining(QuotaPolicy(c.capacity), c, slot, now);
}

TEST(RemainingTest, ReservesAreReleasedOneDayBefore) {
  const absl::Time slot = Utc(2026, 1, 20, 8);
  const absl::Time release = slot - absl::Hours(24);
  const RemainingCase full_for_web = {10, {.web = 6}, 0, 2, 2};
  ExpectRemaining(QuotaPolicy(10), full_for_web, slot, release - absl::Seconds(1));
  // From the release instant every channel shares what is left.
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 6}, 4, 4, 4}, slot, release);
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 6, .phone = 1}, 3, 3, 3}, slot, release);
  ExpectRemaining(QuotaPolicy(5), {5, {.web = 3}, 2, 2, 2}, slot, release + absl::Hours(3));
  ExpectRemaining(QuotaPolicy(5), {5, {.web = 3, .phone = 2}, 0, 0, 0}, slot, release);
  ExpectRemaining(QuotaPolicy(1), {1, {}, 1, 1, 1}, slot, release);
}

TEST(RemainingTest, NeverNegativeNorAboveWhatIsLeft) {
  const absl::Time slot = Utc(2026, 1, 20, 8);
  const absl::Time before = slot - absl::Hours(48);
  // Over-booked general pool (the database must never allow it): the web gets nothing and the
  // phone's unused reserve is capped by the one seat left in the slot.
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 9}, 0, 1, 1}, slot, before);
  // More seats taken than the slot has: nothing for anyone, released or not.
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 12}, 0, 0, 0}, slot, before);
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 5, .phone = 9}, 0, 0, 0}, slot, before);
  ExpectRemaining(QuotaPolicy(10), {10, {.web = 12}, 0, 0, 0}, slot, slot - absl::Hours(1));
  // Negative counts are a caller bug and count as zero: they never create seats.
  ExpectRemaining(QuotaPolicy(10), {10, {.web = -5, .phone = -1}, 6, 8, 8}, slot, before);
  // Counts near INT_MAX must not overflow into free seats.
  const int big = std::numeric_limits<int>::max();
  ExpectRemaining(QuotaPolicy(10), {10, {.web = big, .phone = big, .desk = big}, 0, 0, 0}, slot,
                  before);
  // A channel value outside the enumerators gets nothing.
  EXPECT_EQ(Remaining(QuotaPolicy(10), {}, static_cast<Channel>(42), slot, before), 0);
}

TEST(RemainingTest, WithoutQuotasEveryChannelSharesOnePool) {
  const absl::Time slot = Utc(2026, 1, 20, 8);
  SlotPolicy policy = Policy(absl::Minutes(30), 4);
  ExpectRemaining(policy, {4, {.web = 1, .phone = 1}, 2, 2, 2}, slot, slot - absl::Hours(48));
}

TEST_F(SlotsTest, AvailableSlotsHidesFullSlotsUnlessAsked) {
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9, 30))};
  const absl::Time now = Utc(2026, 1, 5, 8);  // a week ahead: reserves held
  const UsageByStart usage = {
      {Utc(2026, 1, 12, 8), {.web = 6}},                  // full for the web
      {Utc(2026, 1, 12, 8, 30), {.web = 2, .phone = 1}},  // partly taken
      {Utc(2026, 1, 12, 8, 45), {.web = 10}},             // not a slot start: ignored
  };
  const SlotPolicy policy = QuotaPolicy(10);
  EXPECT_THAT(AvailableSlots(open, policy, usage, Channel::kWeb, now),
              ElementsAre(AvailableSlot{Utc(2026, 1, 12, 8, 30), Utc(2026, 1, 12, 9), 4},
                          AvailableSlot{Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 9, 30), 6}));
  EXPECT_THAT(AvailableSlots(open, policy, usage, Channel::kWeb, now, FullSlots::kInclude),
              ElementsAre(AvailableSlot{Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 8, 30), 0},
                          AvailableSlot{Utc(2026, 1, 12, 8, 30), Utc(2026, 1, 12, 9), 4},
                          AvailableSlot{Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 9, 30), 6}));
  // The phone line still sees its reserve in the slot the web sees as full.
  EXPECT_THAT(AvailableSlots(open, policy, usage, Channel::kPhone, now),
              ElementsAre(AvailableSlot{Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 8, 30), 2},
                          AvailableSlot{Utc(2026, 1, 12, 8, 30), Utc(2026, 1, 12, 9), 5},
                          AvailableSlot{Utc(2026, 1, 12, 9), Utc(2026, 1, 12, 9, 30), 8}));
  // Within the notice nothing is listed, full or not.
  EXPECT_THAT(AvailableSlots(open, policy, usage, Channel::kDesk, Utc(2026, 1, 12, 7, 30),
                             FullSlots::kInclude),
              IsEmpty());
}

// --- CheckBookable and IsSlotStart --------------------------------------------------------

class CheckBookableTest : public SlotsTest {
 protected:
  // Monday 12 January 2026 09:00-11:00 local; asked on the Friday before.
  const std::vector<TimeInterval> open_ = {Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 10))};
  const absl::Time now_ = Utc(2026, 1, 9, 10);
  const SlotPolicy policy_ = QuotaPolicy(5);
};

void ExpectReason(const absl::Status& status, absl::StatusCode code, const std::string& reason) {
  EXPECT_EQ(status.code(), code) << status;
  EXPECT_EQ(ReasonOf(status), reason) << status;
}

TEST_F(CheckBookableTest, FreeSlotIsBookable) {
  EXPECT_TRUE(CheckBookable(open_, policy_, {}, Channel::kWeb, Utc(2026, 1, 12, 8), now_).ok());
  EXPECT_TRUE(
      CheckBookable(open_, policy_, {}, Channel::kPhone, Utc(2026, 1, 12, 9, 30), now_).ok());
}

TEST_F(CheckBookableTest, NotASlot) {
  for (const absl::Time start : {Utc(2026, 1, 12, 8, 10),  // off the grid
                                 Utc(2026, 1, 12, 10),     // closing time
                                 Utc(2026, 1, 12, 7, 30),  // before opening
                                 Utc(2026, 1, 13, 8)}) {   // a closed day
    SCOPED_TRACE(start);
    ExpectReason(CheckBookable(open_, policy_, {}, Channel::kWeb, start, now_),
                 absl::StatusCode::kInvalidArgument, "NOT_A_SLOT");
  }
}

TEST_F(CheckBookableTest, TooLateInsideTheNoticeOrInThePast) {
  const absl::Time start = Utc(2026, 1, 12, 9);
  // 1h59 before: too late; 2h00 before: fine.
  ExpectReason(CheckBookable(open_, policy_, {}, Channel::kWeb, start,
                             start - absl::Hours(2) + absl::Minutes(1)),
               absl::StatusCode::kFailedPrecondition, "TOO_LATE");
  EXPECT_TRUE(CheckBookable(open_, policy_, {}, Channel::kWeb, start, start - absl::Hours(2)).ok());
  ExpectReason(CheckBookable(open_, policy_, {}, Channel::kDesk, start, start + absl::Hours(1)),
               absl::StatusCode::kFailedPrecondition, "TOO_LATE");
}

TEST_F(CheckBookableTest, OutsideTheBookingWindow) {
  const absl::Time start = Utc(2026, 1, 12, 9);
  const absl::Time edge = start - absl::Hours(24 * 60);
  ExpectReason(CheckBookable(open_, policy_, {}, Channel::kWeb, start, edge),
               absl::StatusCode::kFailedPrecondition, "OUTSIDE_BOOKING_WINDOW");
  EXPECT_TRUE(
      CheckBookable(open_, policy_, {}, Channel::kWeb, start, edge + absl::Seconds(1)).ok());
}

TEST_F(CheckBookableTest, SlotFullDependsOnTheChannel) {
  const absl::Time start = Utc(2026, 1, 12, 9);
  const SlotUsage web_full = {.web = 3};
  ExpectReason(CheckBookable(open_, policy_, web_full, Channel::kWeb, start, now_),
               absl::StatusCode::kFailedPrecondition, "SLOT_FULL");
  EXPECT_TRUE(CheckBookable(open_, policy_, web_full, Channel::kPhone, start, now_).ok());
  const SlotUsage all_taken = {.web = 3, .phone = 1, .desk = 1};
  ExpectReason(CheckBookable(open_, policy_, all_taken, Channel::kDesk, start, now_),
               absl::StatusCode::kFailedPrecondition, "SLOT_FULL");
  // The day before, the reserves are released and the web may take them.
  EXPECT_TRUE(
      CheckBookable(open_, policy_, web_full, Channel::kWeb, start, start - absl::Hours(20)).ok());
}

TEST_F(CheckBookableTest, FirstFailureWins) {
  const SlotUsage all_taken = {.web = 3, .phone = 1, .desk = 1};
  // Off the grid and too late: not a slot.
  ExpectReason(CheckBookable(open_, policy_, all_taken, Channel::kWeb, Utc(2026, 1, 12, 8, 10),
                             Utc(2026, 1, 12, 9)),
               absl::StatusCode::kInvalidArgument, "NOT_A_SLOT");
  // Past and full: too late, not full.
  ExpectReason(CheckBookable(open_, policy_, all_taken, Channel::kWeb, Utc(2026, 1, 12, 8),
                             Utc(2026, 1, 12, 9)),
               absl::StatusCode::kFailedPrecondition, "TOO_LATE");
  // Beyond the window and full: outside the window.
  ExpectReason(CheckBookable(open_, policy_, all_taken, Channel::kWeb, Utc(2026, 1, 12, 8),
                             Utc(2025, 11, 1, 8)),
               absl::StatusCode::kFailedPrecondition, "OUTSIDE_BOOKING_WINDOW");
}

TEST_F(CheckBookableTest, InvalidPolicyIsAServerError) {
  SlotPolicy broken = policy_;
  broken.capacity = 0;
  ExpectReason(CheckBookable(open_, broken, {}, Channel::kWeb, Utc(2026, 1, 12, 8), now_),
               absl::StatusCode::kInternal, "INTERNAL");
}

TEST_F(CheckBookableTest, BothTwoOClockSlotsOfTheAutumnChange) {
  const std::vector<TimeInterval> open = {Open(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 3))};
  const absl::Time now = Utc(2026, 10, 20, 8);
  const absl::Time cest_two = Utc(2026, 10, 25, 0);
  const absl::Time cet_two = Utc(2026, 10, 25, 1);
  const SlotPolicy policy = Policy();
  ExpectReason(CheckBookable(open, policy, {.web = 1}, Channel::kWeb, cest_two, now),
               absl::StatusCode::kFailedPrecondition, "SLOT_FULL");
  EXPECT_TRUE(CheckBookable(open, policy, {}, Channel::kWeb, cet_two, now).ok());
}

TEST_F(SlotsTest, IsSlotStartMatchesTheGrid) {
  const std::vector<std::vector<TimeInterval>> opens = {
      {Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9, 40)),
       Open(Utc(2026, 1, 12, 13, 10), Utc(2026, 1, 12, 15))},
      {Open(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 2))},
      {Open(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 3))},
  };
  for (const absl::Duration duration : {absl::Minutes(15), absl::Minutes(30), absl::Minutes(45)}) {
    SlotPolicy policy = Policy(duration);
    policy.booking_window = kMaxBookingWindow;  // all of 2026 from 1 January
    for (const std::vector<TimeInterval>& open : opens) {
      const std::vector<Slot> slots = CutSlots(open, policy, Utc(2026, 1, 1, 0));
      ASSERT_FALSE(slots.empty());
      // Walk every minute of the day around each interval: a start is a slot start exactly
      // when CutSlots produced it.
      for (absl::Time t = open.front().start - absl::Hours(1); t < open.back().end + absl::Hours(1);
           t += absl::Minutes(1)) {
        const bool cut = std::any_of(slots.begin(), slots.end(),
                                     [t](const Slot& slot) { return slot.start == t; });
        EXPECT_EQ(IsSlotStart(open, policy, t), cut) << t << " " << duration;
      }
    }
  }
}

TEST_F(SlotsTest, IsSlotStartExamples) {
  const std::vector<TimeInterval> open = {Open(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9, 40)),
                                          Open(Utc(2026, 1, 12, 13, 10), Utc(2026, 1, 12, 15))};
  const SlotPolicy policy = Policy();
  EXPECT_TRUE(IsSlotStart(open, policy, Utc(2026, 1, 12, 8)));         // opening
  EXPECT_TRUE(IsSlotStart(open, policy, Utc(2026, 1, 12, 9)));         // last whole slot
  EXPECT_FALSE(IsSlotStart(open, policy, Utc(2026, 1, 12, 9, 30)));    // the dropped remainder
  EXPECT_FALSE(IsSlotStart(open, policy, Utc(2026, 1, 12, 8, 0, 1)));  // a second off
  EXPECT_FALSE(IsSlotStart(open, policy, Utc(2026, 1, 12, 12)));       // the lunch break
  EXPECT_TRUE(IsSlotStart(open, policy, Utc(2026, 1, 12, 13, 10)));    // own anchor
  EXPECT_FALSE(IsSlotStart(open, policy, Utc(2026, 1, 12, 13, 30)));   // morning's grid
  EXPECT_TRUE(IsSlotStart(open, policy, Utc(2026, 1, 12, 14, 10)));
  EXPECT_FALSE(IsSlotStart(open, policy, Utc(2026, 1, 12, 15)));  // closing time
  EXPECT_FALSE(IsSlotStart({}, policy, Utc(2026, 1, 12, 8)));
  // Past slots are still slots: the clock is CheckBookable's business.
  EXPECT_TRUE(IsSlotStart(open, policy, Utc(2026, 1, 12, 8, 30)));
}

// --- Local days and the cache key ---------------------------------------------------------

TEST_F(SlotsTest, LocalDayAroundMidnight) {
  struct Case {
    absl::Time t;
    absl::CivilDay day;
  };
  const Case cases[] = {
      // Winter, UTC+1: local midnight is 23:00Z.
      {Utc(2026, 1, 12, 22, 59, 59), absl::CivilDay(2026, 1, 12)},
      {Utc(2026, 1, 12, 23), absl::CivilDay(2026, 1, 13)},
      // Summer, UTC+2: local midnight is 22:00Z.
      {Utc(2026, 6, 10, 21, 59, 59), absl::CivilDay(2026, 6, 10)},
      {Utc(2026, 6, 10, 22), absl::CivilDay(2026, 6, 11)},
      // 29 March starts at 23:00Z (CET) and ends at 22:00Z (CEST): 23 hours.
      {Utc(2026, 3, 28, 22, 59, 59), absl::CivilDay(2026, 3, 28)},
      {Utc(2026, 3, 28, 23), absl::CivilDay(2026, 3, 29)},
      {Utc(2026, 3, 29, 21, 59, 59), absl::CivilDay(2026, 3, 29)},
      {Utc(2026, 3, 29, 22), absl::CivilDay(2026, 3, 30)},
      // 25 October starts at 22:00Z (CEST) and ends at 23:00Z (CET): 25 hours.
      {Utc(2026, 10, 24, 21, 59, 59), absl::CivilDay(2026, 10, 24)},
      {Utc(2026, 10, 24, 22), absl::CivilDay(2026, 10, 25)},
      {Utc(2026, 10, 25, 22, 59, 59), absl::CivilDay(2026, 10, 25)},
      {Utc(2026, 10, 25, 23), absl::CivilDay(2026, 10, 26)},
  };
  for (const Case& c : cases) EXPECT_EQ(LocalDayOf(c.t, rome_), c.day) << c.t;
}

TEST_F(SlotsTest, GroupByLocalDayUsesTheStart) {
  // An evening desk, 23:00-01:00 local in winter (22:00Z-00:00Z), hourly slots.
  const std::vector<Slot> slots = CutSlots({Open(Utc(2026, 1, 12, 22), Utc(2026, 1, 13, 0))},
                                           Policy(absl::Minutes(60)), Utc(2026, 1, 10, 0));
  ASSERT_THAT(slots, ElementsAre(S(Utc(2026, 1, 12, 22), absl::Minutes(60)),
                                 S(Utc(2026, 1, 12, 23), absl::Minutes(60))));
  EXPECT_THAT(GroupByLocalDay(slots, rome_),
              ElementsAre(Pair(absl::CivilDay(2026, 1, 12), ElementsAre(slots[0])),
                          Pair(absl::CivilDay(2026, 1, 13), ElementsAre(slots[1]))));
  // A 90-minute slot starting 23:30 local runs into the next day but belongs to its start's.
  const Slot late{Utc(2026, 6, 10, 21, 30), Utc(2026, 6, 10, 23)};
  EXPECT_THAT(GroupByLocalDay(std::vector<Slot>{late}, rome_),
              ElementsAre(Pair(absl::CivilDay(2026, 6, 10), ElementsAre(late))));
  // The AvailableSlot overload groups the same way.
  const std::vector<AvailableSlot> available = {
      {Utc(2026, 10, 24, 21, 30), Utc(2026, 10, 24, 22), 1},  // 23:30 CEST on the 24th
      {Utc(2026, 10, 24, 22), Utc(2026, 10, 24, 22, 30), 2},  // 00:00 CEST on the 25th
      {Utc(2026, 10, 25, 22, 30), Utc(2026, 10, 25, 23), 3},  // 23:30 CET on the 25th
  };
  EXPECT_THAT(
      GroupByLocalDay(available, rome_),
      ElementsAre(Pair(absl::CivilDay(2026, 10, 24), ElementsAre(available[0])),
                  Pair(absl::CivilDay(2026, 10, 25), ElementsAre(available[1], available[2]))));
  EXPECT_THAT(GroupByLocalDay(std::vector<Slot>{}, rome_), IsEmpty());
}

TEST(AvailabilityCacheKeyTest, Format) {
  EXPECT_EQ(AvailabilityCacheKey("capannori", "sede-centrale", "ascolto-accoglienza",
                                 absl::CivilDay(2026, 3, 29), 3),
            "{capannori}:avail:v3:sede-centrale:ascolto-accoglienza:2026-03-29");
  EXPECT_EQ(AvailabilityCacheKey("lucca", "s1", "isee", absl::CivilDay(2027, 1, 5), 12),
            "{lucca}:avail:v12:s1:isee:2027-01-05");
}

TEST(AvailabilityCacheKeyTest, DiffersInEveryPart) {
  const absl::CivilDay day(2026, 10, 25);
  const std::string key = AvailabilityCacheKey("capannori", "sede", "isee", day, 1);
  EXPECT_NE(key, AvailabilityCacheKey("altopascio", "sede", "isee", day, 1));
  EXPECT_NE(key, AvailabilityCacheKey("capannori", "marlia", "isee", day, 1));
  EXPECT_NE(key, AvailabilityCacheKey("capannori", "sede", "sad", day, 1));
  EXPECT_NE(key, AvailabilityCacheKey("capannori", "sede", "isee", day + 1, 1));
  EXPECT_NE(key, AvailabilityCacheKey("capannori", "sede", "isee", day, 2));
}

// --- Policy validation --------------------------------------------------------------------

TEST(ValidateSlotPolicyTest, IssueExampleIsValid) {
  SlotPolicy policy = QuotaPolicy(10);
  EXPECT_TRUE(ValidateSlotPolicy(policy).empty());
  EXPECT_TRUE(ValidateSlotPolicy(policy).ToStatus().ok());
}

TEST(ValidateSlotPolicyTest, EachRuleAndItsEdges) {
  struct Case {
    const char* name;
    void (*edit)(SlotPolicy&);
    const char* field;  // nullptr: valid
  };
  const Case cases[] = {
      {"duration 5 min", [](SlotPolicy& p) { p.duration = absl::Minutes(5); }, nullptr},
      {"duration 480 min", [](SlotPolicy& p) { p.duration = absl::Minutes(480); }, nullptr},
      {"duration 0", [](SlotPolicy& p) { p.duration = absl::ZeroDuration(); }, "duration"},
      {"duration 4 min", [](SlotPolicy& p) { p.duration = absl::Minutes(4); }, "duration"},
      {"duration 485 min", [](SlotPolicy& p) { p.duration = absl::Minutes(485); }, "duration"},
      {"duration 32 min", [](SlotPolicy& p) { p.duration = absl::Minutes(32); }, "duration"},
      {"duration 30 min 1 s",
       [](SlotPolicy& p) { p.duration = absl::Minutes(30) + absl::Seconds(1); }, "duration"},
      {"capacity 1", [](SlotPolicy& p) { p.capacity = 1; }, nullptr},
      {"capacity 100", [](SlotPolicy& p) { p.capacity = 100; }, nullptr},
      {"capacity 0", [](SlotPolicy& p) { p.capacity = 0; }, "capacity"},
      {"capacity 101", [](SlotPolicy& p) { p.capacity = 101; }, "capacity"},
      {"phone share 1",
       [](SlotPolicy& p) {
         p.quota = {1.0, 0.0};
       },
       nullptr},
      {"shares 0.7 + 0.3",
       [](SlotPolicy& p) {
         p.quota = {0.7, 0.3};
       },
       nullptr},
      {"shares 0.1 + 0.9",
       [](SlotPolicy& p) {
         p.quota = {0.1, 0.9};
       },
       nullptr},
      {"phone share negative",
       [](SlotPolicy& p) {
         p.quota = {-0.1, 0.0};
       },
       "quota.phone_share"},
      {"desk share above 1",
       [](SlotPolicy& p) {
         p.quota = {0.0, 1.1};
       },
       "quota.desk_share"},
      {"phone share NaN",
       [](SlotPolicy& p) {
         p.quota = {std::numeric_limits<double>::quiet_NaN(), 0.0};
       },
       "quota.phone_share"},
      {"shares above 1 together",
       [](SlotPolicy& p) {
         p.quota = {0.6, 0.5};
       },
       "quota"},
      {"notice 0", [](SlotPolicy& p) { p.minimum_notice = absl::ZeroDuration(); }, nullptr},
      {"notice negative", [](SlotPolicy& p) { p.minimum_notice = -absl::Seconds(1); },
       "minimum_notice"},
      // The release moves to 0 so that only the window is wrong.
      {"window equal to notice",
       [](SlotPolicy& p) {
         p.booking_window = p.minimum_notice;
         p.reserve_release_before = absl::ZeroDuration();
       },
       "booking_window"},
      {"window shorter than notice",
       [](SlotPolicy& p) {
         p.booking_window = absl::Hours(1);
         p.reserve_release_before = absl::ZeroDuration();
       },
       "booking_window"},
      {"window 366 days", [](SlotPolicy& p) { p.booking_window = absl::Hours(24 * 366); }, nullptr},
      {"window 367 days", [](SlotPolicy& p) { p.booking_window = absl::Hours(24 * 367); },
       "booking_window"},
      {"window infinite", [](SlotPolicy& p) { p.booking_window = absl::InfiniteDuration(); },
       "booking_window"},
      {"release 0", [](SlotPolicy& p) { p.reserve_release_before = absl::ZeroDuration(); },
       nullptr},
      {"release equal to window",
       [](SlotPolicy& p) { p.reserve_release_before = p.booking_window; }, nullptr},
      {"release negative", [](SlotPolicy& p) { p.reserve_release_before = -absl::Minutes(1); },
       "reserve_release_before"},
      {"release beyond window",
       [](SlotPolicy& p) { p.reserve_release_before = p.booking_window + absl::Seconds(1); },
       "reserve_release_before"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    SlotPolicy policy = QuotaPolicy(10);
    c.edit(policy);
    const status::FieldViolations violations = ValidateSlotPolicy(policy);
    if (c.field == nullptr) {
      EXPECT_TRUE(violations.empty());
    } else {
      ASSERT_EQ(violations.size(), 1u);
      EXPECT_EQ(violations.violations()[0].first, c.field);
    }
  }
}

TEST(ValidateSlotPolicyTest, EveryProblemAtOnce) {
  SlotPolicy policy;
  policy.duration = absl::Minutes(7);
  policy.capacity = 0;
  policy.quota = {2.0, -1.0};
  policy.minimum_notice = -absl::Hours(1);
  policy.booking_window = absl::ZeroDuration();
  policy.reserve_release_before = absl::Hours(1);
  const absl::Status status = ValidateSlotPolicy(policy).ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(status), "INVALID_FIELDS");
  const auto fields = FieldViolationsOf(status);
  std::vector<std::string> names;
  for (const auto& [field, description] : fields) names.push_back(field);
  EXPECT_THAT(names, ElementsAre("duration", "capacity", "quota.phone_share", "quota.desk_share",
                                 "minimum_notice", "booking_window", "reserve_release_before"));
}

}  // namespace
}  // namespace sportelli::scheduling
