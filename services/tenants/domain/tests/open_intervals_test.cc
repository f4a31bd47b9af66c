#include "services/tenants/domain/open_intervals.h"

#include <ostream>
#include <vector>

#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::tenants {

void PrintTo(const TimeInterval& interval, std::ostream* os) {
  *os << "[" << absl::FormatTime(interval.start, absl::UTCTimeZone()) << ", "
      << absl::FormatTime(interval.end, absl::UTCTimeZone()) << ")";
}

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr absl::Weekday kMon = absl::Weekday::monday;
constexpr absl::Weekday kTue = absl::Weekday::tuesday;
constexpr absl::Weekday kWed = absl::Weekday::wednesday;
constexpr absl::Weekday kThu = absl::Weekday::thursday;
constexpr absl::Weekday kFri = absl::Weekday::friday;
constexpr absl::Weekday kSat = absl::Weekday::saturday;
constexpr absl::Weekday kSun = absl::Weekday::sunday;

constexpr int H(int hour, int minute = 0) { return hour * 60 + minute; }

// An instant written as a UTC wall-clock literal, independent of the code under test.
absl::Time Utc(int year, int month, int day, int hour, int minute = 0) {
  return absl::FromCivil(absl::CivilSecond(year, month, day, hour, minute, 0), absl::UTCTimeZone());
}

TimeInterval Span(absl::Time start, absl::Time end) { return TimeInterval{start, end}; }

class OpenIntervalsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome_)); }

  std::vector<TimeInterval> Compute(const std::vector<WeeklyInterval>& hours, absl::CivilDay first,
                                    absl::CivilDay last, const std::vector<Closure>& closures = {},
                                    const std::vector<Holiday>& holidays = {}) const {
    return ComputeOpenIntervals(rome_, hours, closures, holidays, first, last);
  }

  absl::TimeZone rome_;
};

// Capannori's booking phone line: Mon-Fri 09:00-13:00, Tue and Thu also 14:00-16:00.
std::vector<WeeklyInterval> CapannoriPhoneLine() {
  return {{kMon, H(9), H(13)}, {kTue, H(9), H(13)},  {kWed, H(9), H(13)}, {kThu, H(9), H(13)},
          {kFri, H(9), H(13)}, {kTue, H(14), H(16)}, {kThu, H(14), H(16)}};
}

TEST_F(OpenIntervalsTest, WinterWeekIsUtcPlusOne) {
  EXPECT_THAT(
      Compute(CapannoriPhoneLine(), absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 18)),
      ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 12)),
                  Span(Utc(2026, 1, 13, 8), Utc(2026, 1, 13, 12)),
                  Span(Utc(2026, 1, 13, 13), Utc(2026, 1, 13, 15)),
                  Span(Utc(2026, 1, 14, 8), Utc(2026, 1, 14, 12)),
                  Span(Utc(2026, 1, 15, 8), Utc(2026, 1, 15, 12)),
                  Span(Utc(2026, 1, 15, 13), Utc(2026, 1, 15, 15)),
                  Span(Utc(2026, 1, 16, 8), Utc(2026, 1, 16, 12))));
}

TEST_F(OpenIntervalsTest, SummerWeekIsUtcPlusTwo) {
  EXPECT_THAT(
      Compute(CapannoriPhoneLine(), absl::CivilDay(2026, 6, 8), absl::CivilDay(2026, 6, 14)),
      ElementsAre(Span(Utc(2026, 6, 8, 7), Utc(2026, 6, 8, 11)),
                  Span(Utc(2026, 6, 9, 7), Utc(2026, 6, 9, 11)),
                  Span(Utc(2026, 6, 9, 12), Utc(2026, 6, 9, 14)),
                  Span(Utc(2026, 6, 10, 7), Utc(2026, 6, 10, 11)),
                  Span(Utc(2026, 6, 11, 7), Utc(2026, 6, 11, 11)),
                  Span(Utc(2026, 6, 11, 12), Utc(2026, 6, 11, 14)),
                  Span(Utc(2026, 6, 12, 7), Utc(2026, 6, 12, 11))));
}

TEST_F(OpenIntervalsTest, FestaDellaRepubblicaRemovesTheTuesday) {
  // 2 June 2026 is a Tuesday: both of its intervals go.
  EXPECT_THAT(Compute(CapannoriPhoneLine(), absl::CivilDay(2026, 6, 1), absl::CivilDay(2026, 6, 3)),
              ElementsAre(Span(Utc(2026, 6, 1, 7), Utc(2026, 6, 1, 11)),
                          Span(Utc(2026, 6, 3, 7), Utc(2026, 6, 3, 11))));
}

TEST_F(OpenIntervalsTest, EasterMondayRemovesTheDay) {
  EXPECT_THAT(Compute(CapannoriPhoneLine(), absl::CivilDay(2026, 4, 6), absl::CivilDay(2026, 4, 7)),
              ElementsAre(Span(Utc(2026, 4, 7, 7), Utc(2026, 4, 7, 11)),
                          Span(Utc(2026, 4, 7, 12), Utc(2026, 4, 7, 14))));
}

TEST_F(OpenIntervalsTest, SanFrancescoClosesFrom2026) {
  // 4 October is a Monday in 2027 and a Saturday in 2025: use a Monday-only desk in 2027 and
  // a Saturday-only desk in 2025.
  EXPECT_THAT(
      Compute({{kMon, H(9), H(13)}}, absl::CivilDay(2027, 10, 4), absl::CivilDay(2027, 10, 4)),
      IsEmpty());
  EXPECT_THAT(
      Compute({{kSat, H(9), H(12)}}, absl::CivilDay(2025, 10, 4), absl::CivilDay(2025, 10, 4)),
      ElementsAre(Span(Utc(2025, 10, 4, 7), Utc(2025, 10, 4, 10))));
}

TEST_F(OpenIntervalsTest, RangeAcrossNewYearUsesEachYearsHolidays) {
  // Capodanno (Friday 1 January 2027) and Epifania (Wednesday 6 January 2027) are closed.
  const std::vector<WeeklyInterval> weekdays = {{kMon, H(9), H(13)},
                                                {kTue, H(9), H(13)},
                                                {kWed, H(9), H(13)},
                                                {kThu, H(9), H(13)},
                                                {kFri, H(9), H(13)}};
  EXPECT_THAT(Compute(weekdays, absl::CivilDay(2026, 12, 31), absl::CivilDay(2027, 1, 7)),
              ElementsAre(Span(Utc(2026, 12, 31, 8), Utc(2026, 12, 31, 12)),
                          Span(Utc(2027, 1, 4, 8), Utc(2027, 1, 4, 12)),
                          Span(Utc(2027, 1, 5, 8), Utc(2027, 1, 5, 12)),
                          Span(Utc(2027, 1, 7, 8), Utc(2027, 1, 7, 12))));
}

// --- The spring change: Sunday 29 March 2026, 02:00 CET -> 03:00 CEST (01:00 UTC) -----------

TEST_F(OpenIntervalsTest, SpringForwardWeekend) {
  const std::vector<WeeklyInterval> hours = {
      {kSat, H(9), H(12)}, {kSun, H(1), H(4)}, {kSun, H(9), H(12)}, {kMon, H(9), H(13)}};
  EXPECT_THAT(Compute(hours, absl::CivilDay(2026, 3, 28), absl::CivilDay(2026, 3, 30)),
              ElementsAre(Span(Utc(2026, 3, 28, 8),
                               Utc(2026, 3, 28, 11)),  // CET
                                                       // 01:00 CET to 04:00 CEST: two real hours.
                          Span(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 2)),
                          Span(Utc(2026, 3, 29, 7), Utc(2026, 3, 29, 10)),  // CEST
                          Span(Utc(2026, 3, 30, 7), Utc(2026, 3, 30, 11))));
}

TEST_F(OpenIntervalsTest, SpringForwardEndInTheGapIsTheJump) {
  // 03:00 exists (CEST); 01:00-03:00 lasts one real hour.
  EXPECT_THAT(
      Compute({{kSun, H(1), H(3)}}, absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 3, 29)),
      ElementsAre(Span(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 1))));
  // 02:30 does not exist: it means the jump, 01:00 UTC.
  EXPECT_THAT(
      Compute({{kSun, H(1), H(2, 30)}}, absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 3, 29)),
      ElementsAre(Span(Utc(2026, 3, 29, 0), Utc(2026, 3, 29, 1))));
}

TEST_F(OpenIntervalsTest, SpringForwardStartInTheGapIsTheJump) {
  EXPECT_THAT(Compute({{kSun, H(2, 30), H(3, 30)}}, absl::CivilDay(2026, 3, 29),
                      absl::CivilDay(2026, 3, 29)),
              ElementsAre(Span(Utc(2026, 3, 29, 1), Utc(2026, 3, 29, 1, 30))));
}

TEST_F(OpenIntervalsTest, SpringForwardIntervalInsideTheGapIsDropped) {
  EXPECT_THAT(
      Compute({{kSun, H(2), H(2, 30)}}, absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 3, 29)),
      IsEmpty());
  // The same hours a week later are an ordinary half hour.
  EXPECT_THAT(
      Compute({{kSun, H(2), H(2, 30)}}, absl::CivilDay(2026, 4, 12), absl::CivilDay(2026, 4, 12)),
      ElementsAre(Span(Utc(2026, 4, 12, 0), Utc(2026, 4, 12, 0, 30))));
}

TEST_F(OpenIntervalsTest, SpringForwardWholeDayLasts23Hours) {
  auto open = Compute({{kSun, 0, H(24)}}, absl::CivilDay(2026, 3, 29), absl::CivilDay(2026, 3, 29));
  EXPECT_THAT(open, ElementsAre(Span(Utc(2026, 3, 28, 23), Utc(2026, 3, 29, 22))));
}

// --- The autumn change: Sunday 25 October 2026, 03:00 CEST -> 02:00 CET (01:00 UTC) ---------

TEST_F(OpenIntervalsTest, FallBackWeekend) {
  const std::vector<WeeklyInterval> hours = {
      {kSat, H(9), H(12)}, {kSun, H(1), H(4)}, {kSun, H(9), H(12)}, {kMon, H(9), H(13)}};
  EXPECT_THAT(Compute(hours, absl::CivilDay(2026, 10, 24), absl::CivilDay(2026, 10, 26)),
              ElementsAre(Span(Utc(2026, 10, 24, 7),
                               Utc(2026, 10, 24, 10)),  // CEST
                                                        // 01:00 CEST to 04:00 CET: four real hours.
                          Span(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 3)),
                          Span(Utc(2026, 10, 25, 8), Utc(2026, 10, 25, 11)),  // CET
                          Span(Utc(2026, 10, 26, 8), Utc(2026, 10, 26, 12))));
}

TEST_F(OpenIntervalsTest, FallBackRepeatedTimesStartFirstEndSecond) {
  // 02:00 and 02:30 happen twice; the interval runs from the first 02:00 (00:00 UTC) to the
  // second 02:30 (01:30 UTC).
  EXPECT_THAT(
      Compute({{kSun, H(2), H(2, 30)}}, absl::CivilDay(2026, 10, 25), absl::CivilDay(2026, 10, 25)),
      ElementsAre(Span(Utc(2026, 10, 25, 0), Utc(2026, 10, 25, 1, 30))));
  // Ending at 03:00, after the repeat: 01:00 CEST to 03:00 CET, three real hours.
  EXPECT_THAT(
      Compute({{kSun, H(1), H(3)}}, absl::CivilDay(2026, 10, 25), absl::CivilDay(2026, 10, 25)),
      ElementsAre(Span(Utc(2026, 10, 24, 23), Utc(2026, 10, 25, 2))));
}

TEST_F(OpenIntervalsTest, FallBackWholeDayLasts25Hours) {
  auto open =
      Compute({{kSun, 0, H(24)}}, absl::CivilDay(2026, 10, 25), absl::CivilDay(2026, 10, 25));
  ASSERT_THAT(open, ElementsAre(Span(Utc(2026, 10, 24, 22), Utc(2026, 10, 25, 23))));
  EXPECT_EQ(open[0].end - open[0].start, absl::Hours(25));
}

// --- Closures and holidays ---------------------------------------------------------------

Closure MakeClosure(absl::CivilDay start, absl::CivilDay end) {
  Closure closure;
  closure.tenant_id = "capannori";
  closure.desk_id = "sede-centrale";
  closure.id = "lavori";
  closure.start_date = start;
  closure.end_date = end;
  return closure;
}

Holiday MakeHoliday(absl::CivilDay date, bool recurring) {
  Holiday holiday;
  holiday.tenant_id = "lucca";
  holiday.id = "h";
  holiday.display_name = "Festa";
  holiday.date = date;
  holiday.recurring = recurring;
  return holiday;
}

TEST_F(OpenIntervalsTest, ClosureRemovesItsDaysBothEndsIncluded) {
  const std::vector<WeeklyInterval> weekdays = {{kMon, H(9), H(13)},
                                                {kTue, H(9), H(13)},
                                                {kWed, H(9), H(13)},
                                                {kThu, H(9), H(13)},
                                                {kFri, H(9), H(13)}};
  EXPECT_THAT(Compute(weekdays, absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 16),
                      {MakeClosure(absl::CivilDay(2026, 1, 13), absl::CivilDay(2026, 1, 15))}),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 12)),
                          Span(Utc(2026, 1, 16, 8), Utc(2026, 1, 16, 12))));
}

TEST_F(OpenIntervalsTest, ClosureOfOneDayAndClosureOutsideTheRange) {
  const std::vector<WeeklyInterval> hours = {{kMon, H(9), H(13)}, {kTue, H(9), H(13)}};
  EXPECT_THAT(Compute(hours, absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 13),
                      {MakeClosure(absl::CivilDay(2026, 1, 13), absl::CivilDay(2026, 1, 13)),
                       MakeClosure(absl::CivilDay(2025, 12, 1), absl::CivilDay(2026, 1, 11))}),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 12))));
}

TEST_F(OpenIntervalsTest, RecurringLocalHolidayRemovesTheDay) {
  // San Paolino, patron of Lucca, 12 July: a Monday in 2027.
  const std::vector<WeeklyInterval> hours = {{kMon, H(9), H(13)}, {kTue, H(9), H(13)}};
  EXPECT_THAT(Compute(hours, absl::CivilDay(2027, 7, 12), absl::CivilDay(2027, 7, 13), {},
                      {MakeHoliday(absl::CivilDay(0, 7, 12), true)}),
              ElementsAre(Span(Utc(2027, 7, 13, 7), Utc(2027, 7, 13, 11))));
}

TEST_F(OpenIntervalsTest, OneOffLocalHolidayRemovesOnlyThatYear) {
  const std::vector<WeeklyInterval> hours = {{kWed, H(9), H(13)}};
  const std::vector<Holiday> holidays = {MakeHoliday(absl::CivilDay(2026, 1, 14), false)};
  EXPECT_THAT(
      Compute(hours, absl::CivilDay(2026, 1, 14), absl::CivilDay(2026, 1, 14), {}, holidays),
      IsEmpty());
  // 14 January 2032 is a Wednesday too.
  EXPECT_THAT(
      Compute(hours, absl::CivilDay(2032, 1, 14), absl::CivilDay(2032, 1, 14), {}, holidays),
      ElementsAre(Span(Utc(2032, 1, 14, 8), Utc(2032, 1, 14, 12))));
}

// --- Merging and edge cases --------------------------------------------------------------

TEST_F(OpenIntervalsTest, AdjacentIntervalsMerge) {
  EXPECT_THAT(Compute({{kMon, H(13), H(16)}, {kMon, H(9), H(13)}}, absl::CivilDay(2026, 1, 12),
                      absl::CivilDay(2026, 1, 12)),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 15))));
}

TEST_F(OpenIntervalsTest, OverlappingIntervalsMerge) {
  EXPECT_THAT(Compute({{kMon, H(9), H(12)}, {kMon, H(11), H(14)}, {kMon, H(10), H(11)}},
                      absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 12)),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 13))));
}

TEST_F(OpenIntervalsTest, IntervalsTouchingAtMidnightMerge) {
  EXPECT_THAT(Compute({{kMon, H(20), H(24)}, {kTue, 0, H(2)}}, absl::CivilDay(2026, 1, 12),
                      absl::CivilDay(2026, 1, 13)),
              ElementsAre(Span(Utc(2026, 1, 12, 19), Utc(2026, 1, 13, 1))));
}

TEST_F(OpenIntervalsTest, GapsAreKept) {
  EXPECT_THAT(Compute({{kMon, H(9), H(12)}, {kMon, H(12, 1), H(13)}}, absl::CivilDay(2026, 1, 12),
                      absl::CivilDay(2026, 1, 12)),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 11)),
                          Span(Utc(2026, 1, 12, 11, 1), Utc(2026, 1, 12, 12))));
}

TEST_F(OpenIntervalsTest, EmptyRangeAndNoHours) {
  EXPECT_THAT(
      Compute(CapannoriPhoneLine(), absl::CivilDay(2026, 1, 13), absl::CivilDay(2026, 1, 12)),
      IsEmpty());
  EXPECT_THAT(Compute({}, absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 18)), IsEmpty());
}

TEST_F(OpenIntervalsTest, MalformedIntervalsAreIgnored) {
  EXPECT_THAT(Compute({{kMon, H(13), H(9)},
                       {kMon, H(9), H(9)},
                       {kMon, -60, H(1)},
                       {kMon, H(23), H(25)},
                       {kMon, H(9), H(10)}},
                      absl::CivilDay(2026, 1, 12), absl::CivilDay(2026, 1, 12)),
              ElementsAre(Span(Utc(2026, 1, 12, 8), Utc(2026, 1, 12, 9))));
}

TEST_F(OpenIntervalsTest, AWholeYearAcrossBothChanges) {
  // Every Monday of 2026 that is not a holiday, 09:00-10:00 local: 08:00 UTC in winter,
  // 07:00 UTC in summer. Easter Monday (6 April) is the only Monday holiday in 2026.
  auto open =
      Compute({{kMon, H(9), H(10)}}, absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 12, 31));
  EXPECT_EQ(open.size(), 51u);
  for (const TimeInterval& interval : open) {
    const absl::CivilSecond utc = absl::ToCivilSecond(interval.start, absl::UTCTimeZone());
    const absl::CivilDay day(utc);
    const bool summer = day >= absl::CivilDay(2026, 3, 29) && day < absl::CivilDay(2026, 10, 25);
    EXPECT_EQ(utc.hour(), summer ? 7 : 8) << day;
    EXPECT_EQ(interval.end - interval.start, absl::Hours(1));
  }
}

TEST_F(OpenIntervalsTest, ChannelHoursUseTheSameFunction) {
  // The phone line has no closures; a comune holiday still closes it.
  EXPECT_THAT(
      Compute(CapannoriPhoneLine(), absl::CivilDay(2027, 7, 12), absl::CivilDay(2027, 7, 12), {},
              {MakeHoliday(absl::CivilDay(0, 7, 12), true)}),
      IsEmpty());
}

TEST(WallClockToInstantTest, EndOfDayIsNextMidnight) {
  absl::TimeZone rome;
  ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome));
  EXPECT_EQ(WallClockToInstant(rome, absl::CivilDay(2026, 1, 12), 1440, true),
            Utc(2026, 1, 12, 23));
  EXPECT_EQ(WallClockToInstant(rome, absl::CivilDay(2026, 10, 25), H(2, 30), false),
            Utc(2026, 10, 25, 0, 30));
  EXPECT_EQ(WallClockToInstant(rome, absl::CivilDay(2026, 10, 25), H(2, 30), true),
            Utc(2026, 10, 25, 1, 30));
  EXPECT_EQ(WallClockToInstant(rome, absl::CivilDay(2026, 3, 29), H(2, 30), false),
            Utc(2026, 3, 29, 1));
  EXPECT_EQ(WallClockToInstant(rome, absl::CivilDay(2026, 3, 29), H(2, 30), true),
            Utc(2026, 3, 29, 1));
}

}  // namespace
}  // namespace sportelli::tenants
