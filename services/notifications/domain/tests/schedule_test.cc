#include "services/notifications/domain/schedule.h"

#include <climits>
#include <cmath>
#include <limits>
#include <optional>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace sportelli::notifications {
namespace {

class ScheduleTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome_)); }

  // A local time in Lucca that exists once (not in the repeated hour of 25 October).
  absl::Time Local(int y, int mo, int d, int h, int mi = 0, int s = 0) const {
    const absl::TimeZone::TimeInfo info = rome_.At(absl::CivilSecond(y, mo, d, h, mi, s));
    EXPECT_EQ(info.kind, absl::TimeZone::TimeInfo::UNIQUE);
    return info.pre;
  }
  static absl::Time Utc(int y, int mo, int d, int h, int mi = 0, int s = 0) {
    return absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone());
  }
  absl::CivilSecond OnLuccaClock(absl::Time t) const { return absl::ToCivilSecond(t, rome_); }

  absl::TimeZone rome_;
};

// --- NextSendableTime ---------------------------------------------------------------------

TEST_F(ScheduleTest, ADaytimeMessageGoesOutWhenWanted) {
  const absl::Time wanted = Local(2026, 12, 2, 10, 17, 3);
  EXPECT_EQ(NextSendableTime(wanted, rome_), wanted);
}

TEST_F(ScheduleTest, QuietHoursStartAtNineInTheEveningAndEndAtEight) {
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 1, 20, 59, 59), rome_),
            Local(2026, 12, 1, 20, 59, 59));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 1, 21, 0, 0), rome_), Local(2026, 12, 2, 8));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 1, 23, 59, 59), rome_), Local(2026, 12, 2, 8));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 0, 0, 0), rome_), Local(2026, 12, 2, 8));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 7, 59, 59), rome_), Local(2026, 12, 2, 8));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 8, 0, 0), rome_), Local(2026, 12, 2, 8));
}

TEST_F(ScheduleTest, OnTheSpringForwardNightMessagesWaitForEightOClockSummerTime) {
  // Saturday 28 March 2026, 23:30 CET; the clocks jump from 02:00 to 03:00 that night.
  EXPECT_EQ(NextSendableTime(Utc(2026, 3, 28, 22, 30), rome_), Utc(2026, 3, 29, 6, 0));
  // 01:30 CET, just before the jump.
  EXPECT_EQ(NextSendableTime(Utc(2026, 3, 29, 0, 30), rome_), Utc(2026, 3, 29, 6, 0));
  EXPECT_EQ(OnLuccaClock(Utc(2026, 3, 29, 6, 0)), absl::CivilSecond(2026, 3, 29, 8, 0, 0));
}

TEST_F(ScheduleTest, OnTheFallBackNightBothHalfPastTwosWaitForEightOClockWinterTime) {
  const absl::Time first_half_past_two = Utc(2026, 10, 25, 0, 30);   // 02:30 CEST
  const absl::Time second_half_past_two = Utc(2026, 10, 25, 1, 30);  // 02:30 CET
  ASSERT_EQ(OnLuccaClock(first_half_past_two), OnLuccaClock(second_half_past_two));
  EXPECT_EQ(NextSendableTime(first_half_past_two, rome_), Utc(2026, 10, 25, 7, 0));
  EXPECT_EQ(NextSendableTime(second_half_past_two, rome_), Utc(2026, 10, 25, 7, 0));
  // Saturday 21:00 CEST waits twelve real hours, not eleven, for Sunday 08:00 CET.
  EXPECT_EQ(NextSendableTime(Utc(2026, 10, 24, 19, 0), rome_) - Utc(2026, 10, 24, 19, 0),
            absl::Hours(12));
  EXPECT_EQ(NextSendableTime(Utc(2026, 10, 24, 21, 0), rome_), Utc(2026, 10, 25, 7, 0));
}

TEST_F(ScheduleTest, AQuietWindowNeedNotWrapMidnight) {
  const QuietHours lunch{.start_hour = 13, .end_hour = 15};
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 12, 59, 59), rome_, lunch),
            Local(2026, 12, 2, 12, 59, 59));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 13, 0), rome_, lunch), Local(2026, 12, 2, 15));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 14, 59, 59), rome_, lunch), Local(2026, 12, 2, 15));
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 15, 0), rome_, lunch), Local(2026, 12, 2, 15));
  // Night is not quiet with this window.
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 3, 0), rome_, lunch), Local(2026, 12, 2, 3, 0));
}

TEST_F(ScheduleTest, EqualStartAndEndMeanNoQuietHours) {
  const QuietHours none{.start_hour = 0, .end_hour = 0};
  EXPECT_EQ(NextSendableTime(Local(2026, 12, 2, 3, 0), rome_, none), Local(2026, 12, 2, 3, 0));
  EXPECT_FALSE(IsQuiet(Local(2026, 12, 2, 23, 0), rome_, none));
}

TEST_F(ScheduleTest, QuietHoursEndingInTheSkippedHourEndWhenTheClockJumps) {
  // Quiet 00:00-02:00; on 29 March 2026 the clock goes from 01:59:59 CET to 03:00 CEST.
  const QuietHours night{.start_hour = 0, .end_hour = 2};
  EXPECT_EQ(NextSendableTime(Utc(2026, 3, 29, 0, 30), rome_, night), Utc(2026, 3, 29, 1, 0));
}

TEST_F(ScheduleTest, QuietHoursAreCheckedForRange) {
  EXPECT_TRUE(ValidateQuietHours({}).empty());
  EXPECT_TRUE(ValidateQuietHours({.start_hour = 0, .end_hour = 23}).empty());
  const status::FieldViolations bad = ValidateQuietHours({.start_hour = -1, .end_hour = 24});
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad.violations()[0].first, "start_hour");
  EXPECT_EQ(bad.violations()[1].first, "end_hour");
}

// --- RetryDelay ----------------------------------------------------------------------------

TEST(RetryDelayTest, DoublesFromThirtySecondsUpToAnHour) {
  const RetryPolicy policy;
  const double no_jitter = 0.5;  // the middle of the jitter range: factor 1
  EXPECT_EQ(RetryDelay(1, no_jitter, policy), absl::Seconds(30));
  EXPECT_EQ(RetryDelay(2, no_jitter, policy), absl::Seconds(60));
  EXPECT_EQ(RetryDelay(3, no_jitter, policy), absl::Minutes(2));
  EXPECT_EQ(RetryDelay(7, no_jitter, policy), absl::Minutes(32));
  EXPECT_EQ(RetryDelay(8, no_jitter, policy), absl::Hours(1));  // 64 minutes, capped
  EXPECT_EQ(RetryDelay(9, no_jitter, policy), absl::Hours(1));
}

TEST(RetryDelayTest, JitterSpreadsEachDelayByTwentyPercent) {
  const RetryPolicy policy;
  EXPECT_EQ(RetryDelay(1, 0.0, policy), absl::Seconds(24));
  EXPECT_EQ(RetryDelay(1, 0.25, policy), absl::Seconds(27));
  EXPECT_EQ(RetryDelay(1, 0.75, policy), absl::Seconds(33));
  EXPECT_LT(RetryDelay(1, 0.999999, policy), absl::Seconds(36));
  EXPECT_GT(RetryDelay(1, 0.999999, policy), absl::Seconds(35.99));
  // At the cap too, so that messages that failed together do not come back together.
  EXPECT_EQ(RetryDelay(30, 0.0, policy), absl::Minutes(48));
  EXPECT_GT(RetryDelay(30, 0.999999, policy), absl::Minutes(71.99));
}

TEST(RetryDelayTest, HugeAttemptCountsStayAtTheCap) {
  const RetryPolicy policy;
  EXPECT_EQ(RetryDelay(64, 0.5, policy), absl::Hours(1));
  EXPECT_EQ(RetryDelay(1000, 0.5, policy), absl::Hours(1));
  EXPECT_EQ(RetryDelay(INT_MAX, 0.5, policy), absl::Hours(1));
  // With no cap the delay saturates instead of wrapping to a negative number.
  const RetryPolicy uncapped{.max = absl::InfiniteDuration()};
  EXPECT_GT(RetryDelay(1000, 0.0, uncapped), absl::Hours(24 * 365 * 1000));
}

TEST(RetryDelayTest, OddInputsStillGiveASensibleDelay) {
  const RetryPolicy policy;
  EXPECT_EQ(RetryDelay(0, 0.5, policy), absl::Seconds(30));
  EXPECT_EQ(RetryDelay(-5, 0.5, policy), absl::Seconds(30));
  EXPECT_EQ(RetryDelay(1, -3.0, policy), absl::Seconds(24));
  EXPECT_EQ(RetryDelay(1, 7.0, policy), absl::Seconds(36));
  EXPECT_EQ(RetryDelay(1, std::nan(""), policy), absl::Seconds(24));
  EXPECT_EQ(RetryDelay(3, 0.0, {.jitter = 0}), absl::Minutes(2));
  EXPECT_EQ(RetryDelay(3, 0.5, {.first = absl::Seconds(-1)}), absl::ZeroDuration());
  // A cap below the first delay wins.
  EXPECT_EQ(RetryDelay(1, 0.5, {.first = absl::Minutes(5), .max = absl::Minutes(1)}),
            absl::Minutes(1));
}

// --- ReminderTime ----------------------------------------------------------------------------

TEST_F(ScheduleTest, TheReminderGoesOutTheWantedTimeBefore) {
  const absl::Time start = Local(2026, 12, 2, 9, 0);
  EXPECT_EQ(ReminderTime(start, absl::Hours(48), rome_, Local(2026, 11, 20, 10, 0)),
            Local(2026, 11, 30, 9, 0));
}

TEST_F(ScheduleTest, AReminderDueInQuietHoursGoesOutAtNineToNineTheEveningBefore) {
  const absl::Time booked = Local(2026, 11, 20, 10, 0);
  // Due at 21:00 (start 09:00 - 12 hours): 20:59 that evening.
  EXPECT_EQ(ReminderTime(Local(2026, 12, 2, 9, 0), absl::Hours(12), rome_, booked),
            Local(2026, 12, 1, 20, 59));
  // Due at 03:00 (start 15:00 - 12 hours): 20:59 the evening before, not 08:00 after.
  EXPECT_EQ(ReminderTime(Local(2026, 12, 2, 15, 0), absl::Hours(12), rome_, booked),
            Local(2026, 12, 1, 20, 59));
  // Due at 07:59:59: still the evening before.
  EXPECT_EQ(ReminderTime(Local(2026, 12, 4, 7, 59, 59), absl::Hours(48), rome_, booked),
            Local(2026, 12, 1, 20, 59));
}

TEST_F(ScheduleTest, TheReminderIsFortyEightRealHoursAheadAcrossAClockChange) {
  // Monday 26 October 2026 09:00 CET: 48 hours before is Saturday 10:00 CEST.
  EXPECT_EQ(OnLuccaClock(*ReminderTime(Local(2026, 10, 26, 9, 0), absl::Hours(48), rome_,
                                       Local(2026, 10, 1, 9, 0))),
            absl::CivilSecond(2026, 10, 24, 10, 0, 0));
  // Monday 30 March 2026 08:00 CEST: 48 hours before is Saturday 07:00 CET, quiet, so Friday
  // 20:59 CET.
  EXPECT_EQ(ReminderTime(Local(2026, 3, 30, 8, 0), absl::Hours(48), rome_, Local(2026, 3, 1, 9, 0)),
            Local(2026, 3, 27, 20, 59));
}

TEST_F(ScheduleTest, ALateBookingIsRemindedAtOnceOrAtEightIfBookedAtNight) {
  const absl::Time start = Local(2026, 12, 2, 9, 0);
  const absl::Time afternoon = Local(2026, 12, 1, 15, 0);
  EXPECT_EQ(ReminderTime(start, absl::Hours(48), rome_, afternoon), afternoon);
  EXPECT_EQ(
      ReminderTime(Local(2026, 12, 2, 10, 0), absl::Hours(48), rome_, Local(2026, 12, 1, 22, 0)),
      Local(2026, 12, 2, 8, 0));
  // Moved to 20:59 by the quiet hours, but booked at 20:59:30: at once.
  EXPECT_EQ(ReminderTime(start, absl::Hours(12), rome_, Local(2026, 12, 1, 20, 59, 30)),
            Local(2026, 12, 1, 20, 59, 30));
}

TEST_F(ScheduleTest, NoReminderWhenNoSendableMomentIsLeftBeforeTheStart) {
  const absl::Time booked_at_night = Local(2026, 12, 1, 22, 0);
  EXPECT_EQ(ReminderTime(Local(2026, 12, 2, 7, 45), absl::Hours(48), rome_, booked_at_night),
            std::nullopt);
  EXPECT_EQ(ReminderTime(Local(2026, 12, 2, 8, 0), absl::Hours(48), rome_, booked_at_night),
            std::nullopt);
  EXPECT_EQ(ReminderTime(Local(2026, 12, 2, 8, 1), absl::Hours(48), rome_, booked_at_night),
            Local(2026, 12, 2, 8, 0));
  // After the start there is nothing to remind.
  EXPECT_EQ(
      ReminderTime(Local(2026, 12, 2, 9, 0), absl::Hours(48), rome_, Local(2026, 12, 2, 9, 30)),
      std::nullopt);
}

TEST_F(ScheduleTest, NoReminderWithoutALeadTime) {
  const absl::Time start = Local(2026, 12, 2, 9, 0);
  const absl::Time booked = Local(2026, 11, 20, 10, 0);
  EXPECT_EQ(ReminderTime(start, absl::ZeroDuration(), rome_, booked), std::nullopt);
  EXPECT_EQ(ReminderTime(start, absl::Hours(-1), rome_, booked), std::nullopt);
}

TEST_F(ScheduleTest, AReminderInANonWrappingQuietWindowGoesOutTheMinuteBeforeIt) {
  const QuietHours lunch{.start_hour = 13, .end_hour = 15};
  EXPECT_EQ(ReminderTime(Local(2026, 12, 4, 14, 0), absl::Hours(48), rome_,
                         Local(2026, 11, 20, 10, 0), lunch),
            Local(2026, 12, 2, 12, 59));
}

TEST_F(ScheduleTest, AReminderIsNeverInQuietHoursNorLessThanTheLeadTimeAhead) {
  // Every quarter hour of the two weeks around each clock change, as booked a month before.
  for (const absl::CivilDay first : {absl::CivilDay(2026, 3, 22), absl::CivilDay(2026, 10, 18)}) {
    for (absl::Duration before : {absl::Hours(48), absl::Hours(24), absl::Hours(10)}) {
      const absl::Time from = rome_.At(absl::CivilSecond(first)).pre;
      for (absl::Time start = from; start < from + absl::Hours(24 * 14);
           start += absl::Minutes(15)) {
        const std::optional<absl::Time> at =
            ReminderTime(start, before, rome_, start - absl::Hours(24 * 30));
        ASSERT_TRUE(at.has_value()) << start;
        EXPECT_LE(*at, start - before) << start;
        EXPECT_FALSE(IsQuiet(*at, rome_)) << start;
        // And never earlier than needed: at most the quiet hours' length (11 hours, 12 on the
        // night the clocks go back) and a minute.
        EXPECT_GE(*at, start - before - absl::Hours(12) - absl::Minutes(1)) << start;
      }
    }
  }
}

// --- SameDayReminderTime ---------------------------------------------------------------------

TEST_F(ScheduleTest, TheMorningReminderGoesOutAtEightOnTheDay) {
  const absl::Time booked = Local(2026, 11, 20, 10, 0);
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 10, 30), rome_, booked),
            Local(2026, 12, 2, 8, 0));
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 17, 0), rome_, booked),
            Local(2026, 12, 2, 8, 0));
}

TEST_F(ScheduleTest, NoMorningReminderLessThanAnHourBeforeTheStart) {
  const absl::Time booked = Local(2026, 11, 20, 10, 0);
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 9, 0), rome_, booked), Local(2026, 12, 2, 8, 0));
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 8, 59, 59), rome_, booked), std::nullopt);
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 8, 30), rome_, booked), std::nullopt);
}

TEST_F(ScheduleTest, NoMorningReminderWhenBookedThatMorning) {
  const absl::Time start = Local(2026, 12, 2, 11, 0);
  EXPECT_EQ(SameDayReminderTime(start, rome_, Local(2026, 12, 2, 7, 59)), Local(2026, 12, 2, 8, 0));
  EXPECT_EQ(SameDayReminderTime(start, rome_, Local(2026, 12, 2, 8, 0)), std::nullopt);
  EXPECT_EQ(SameDayReminderTime(start, rome_, Local(2026, 12, 2, 9, 15)), std::nullopt);
}

TEST_F(ScheduleTest, TheMorningReminderIsAtEightOnTheWallOnClockChangeDays) {
  const absl::Time booked = Local(2026, 3, 1, 10, 0);
  EXPECT_EQ(SameDayReminderTime(Local(2026, 3, 29, 10, 0), rome_, booked), Utc(2026, 3, 29, 6, 0));
  EXPECT_EQ(SameDayReminderTime(Local(2026, 10, 25, 10, 0), rome_, booked),
            Utc(2026, 10, 25, 7, 0));
}

TEST_F(ScheduleTest, TheMorningReminderWaitsForLaterQuietHoursToEnd) {
  const QuietHours until_nine{.start_hour = 21, .end_hour = 9};
  const absl::Time booked = Local(2026, 11, 20, 10, 0);
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 11, 0), rome_, booked, until_nine),
            Local(2026, 12, 2, 9, 0));
  EXPECT_EQ(SameDayReminderTime(Local(2026, 12, 2, 9, 30), rome_, booked, until_nine),
            std::nullopt);
}

}  // namespace
}  // namespace sportelli::notifications
