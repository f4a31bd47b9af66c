#include "services/tenants/domain/holidays.h"

#include <algorithm>
#include <ostream>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::tenants {

// Readable failures (found by argument-dependent lookup, so not in the anonymous namespace).
void PrintTo(const NamedDay& day, std::ostream* os) { *os << day.day << " " << day.name; }

namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::Not;

struct EasterCase {
  int year;
  absl::CivilDay sunday;
};

class EasterSundayTest : public ::testing::TestWithParam<EasterCase> {};

TEST_P(EasterSundayTest, MatchesTheCalendar) {
  EXPECT_EQ(EasterSunday(GetParam().year), GetParam().sunday);
  EXPECT_EQ(absl::GetWeekday(EasterSunday(GetParam().year)), absl::Weekday::sunday);
}

INSTANTIATE_TEST_SUITE_P(
    Years, EasterSundayTest,
    ::testing::Values(EasterCase{2024, absl::CivilDay(2024, 3, 31)},
                      EasterCase{2025, absl::CivilDay(2025, 4, 20)},
                      EasterCase{2026, absl::CivilDay(2026, 4, 5)},
                      EasterCase{2027, absl::CivilDay(2027, 3, 28)},
                      EasterCase{2038, absl::CivilDay(2038, 4, 25)},
                      // The extremes: earliest (22 March) and latest (25 April) possible.
                      EasterCase{2285, absl::CivilDay(2285, 3, 22)},
                      EasterCase{1943, absl::CivilDay(1943, 4, 25)},
                      EasterCase{2000, absl::CivilDay(2000, 4, 23)},
                      EasterCase{2011, absl::CivilDay(2011, 4, 24)},
                      EasterCase{1583, absl::CivilDay(1583, 4, 10)},
                      EasterCase{9999, absl::CivilDay(9999, 3, 28)}));

TEST(NationalHolidaysTest, EasterMondayIsAHoliday) {
  EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2025, 4, 21)));
  EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2026, 4, 6)));
  EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2027, 3, 29)));
  // The Tuesday after is a working day.
  EXPECT_FALSE(IsNationalHoliday(absl::CivilDay(2026, 4, 7)));
}

TEST(NationalHolidaysTest, SanFrancescoFrom2026Only) {
  EXPECT_FALSE(IsNationalHoliday(absl::CivilDay(2025, 10, 4)));
  EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2026, 10, 4)));
  EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2030, 10, 4)));
}

TEST(NationalHolidaysTest, FixedDates) {
  for (auto [month, day] : std::vector<std::pair<int, int>>{{1, 1},
                                                            {1, 6},
                                                            {4, 25},
                                                            {5, 1},
                                                            {6, 2},
                                                            {8, 15},
                                                            {11, 1},
                                                            {12, 8},
                                                            {12, 25},
                                                            {12, 26}}) {
    EXPECT_TRUE(IsNationalHoliday(absl::CivilDay(2025, month, day))) << month << "/" << day;
  }
}

TEST(NationalHolidaysTest, OrdinaryDaysAreNotHolidays) {
  for (absl::CivilDay day :
       {absl::CivilDay(2026, 1, 2), absl::CivilDay(2026, 3, 19), absl::CivilDay(2026, 7, 12),
        absl::CivilDay(2026, 11, 2), absl::CivilDay(2026, 12, 24), absl::CivilDay(2026, 12, 31)}) {
    EXPECT_FALSE(IsNationalHoliday(day)) << day;
  }
}

TEST(NationalHolidaysTest, Year2026InOrder) {
  EXPECT_THAT(NationalHolidays(2026),
              ElementsAre(NamedDay{absl::CivilDay(2026, 1, 1), "Capodanno"},
                          NamedDay{absl::CivilDay(2026, 1, 6), "Epifania"},
                          NamedDay{absl::CivilDay(2026, 4, 5), "Pasqua"},
                          NamedDay{absl::CivilDay(2026, 4, 6), "Lunedì dell'Angelo"},
                          NamedDay{absl::CivilDay(2026, 4, 25), "Festa della Liberazione"},
                          NamedDay{absl::CivilDay(2026, 5, 1), "Festa del Lavoro"},
                          NamedDay{absl::CivilDay(2026, 6, 2), "Festa della Repubblica"},
                          NamedDay{absl::CivilDay(2026, 8, 15), "Ferragosto"},
                          NamedDay{absl::CivilDay(2026, 10, 4), "San Francesco d'Assisi"},
                          NamedDay{absl::CivilDay(2026, 11, 1), "Ognissanti"},
                          NamedDay{absl::CivilDay(2026, 12, 8), "Immacolata Concezione"},
                          NamedDay{absl::CivilDay(2026, 12, 25), "Natale"},
                          NamedDay{absl::CivilDay(2026, 12, 26), "Santo Stefano"}));
}

TEST(NationalHolidaysTest, Year2025HasTwelveWithoutSanFrancesco) {
  const std::vector<NamedDay> days = NationalHolidays(2025);
  EXPECT_EQ(days.size(), 12u);
  EXPECT_THAT(days, Not(Contains(Field(&NamedDay::name, "San Francesco d'Assisi"))));
  EXPECT_TRUE(std::is_sorted(days.begin(), days.end(),
                             [](const NamedDay& a, const NamedDay& b) { return a.day < b.day; }));
}

TEST(NationalHolidaysTest, CoincidingHolidaysKeepBothNames) {
  // 2011: Easter Monday fell on Liberation Day; 2038: Easter Sunday does.
  const std::vector<NamedDay> days2011 = NationalHolidays(2011);
  EXPECT_THAT(days2011, Contains(NamedDay{absl::CivilDay(2011, 4, 25), "Festa della Liberazione"}));
  EXPECT_THAT(days2011, Contains(NamedDay{absl::CivilDay(2011, 4, 25), "Lunedì dell'Angelo"}));
  const std::vector<NamedDay> days2038 = NationalHolidays(2038);
  auto liberation = std::find(days2038.begin(), days2038.end(),
                              NamedDay{absl::CivilDay(2038, 4, 25), "Festa della Liberazione"});
  ASSERT_NE(liberation, days2038.end());
  ASSERT_NE(liberation + 1, days2038.end());
  EXPECT_EQ(*(liberation + 1), (NamedDay{absl::CivilDay(2038, 4, 25), "Pasqua"}));
}

Holiday MakeHoliday(absl::CivilDay date, bool recurring) {
  Holiday holiday;
  holiday.tenant_id = "lucca";
  holiday.id = "patrono";
  holiday.display_name = "San Paolino";
  holiday.date = date;
  holiday.recurring = recurring;
  return holiday;
}

TEST(LocalHolidayTest, RecurringMatchesEveryYear) {
  // Stored with year 0, as the gRPC layer maps a google.type.Date without a year.
  const std::vector<Holiday> holidays = {MakeHoliday(absl::CivilDay(0, 7, 12), true)};
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2026, 7, 12), holidays));
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2031, 7, 12), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2026, 7, 13), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2026, 6, 12), holidays));
}

TEST(LocalHolidayTest, RecurringIgnoresTheStoredYear) {
  const std::vector<Holiday> holidays = {MakeHoliday(absl::CivilDay(2019, 7, 12), true)};
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2026, 7, 12), holidays));
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2001, 7, 12), holidays));
}

TEST(LocalHolidayTest, OneOffMatchesOnlyItsDate) {
  const std::vector<Holiday> holidays = {MakeHoliday(absl::CivilDay(2026, 1, 14), false)};
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2026, 1, 14), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2027, 1, 14), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2026, 1, 15), holidays));
}

TEST(LocalHolidayTest, RecurringLeapDayOnlyInLeapYears) {
  const std::vector<Holiday> holidays = {MakeHoliday(absl::CivilDay(0, 2, 29), true)};
  EXPECT_EQ(holidays[0].date.month(), 2);  // year 0 is a leap year: no normalisation
  EXPECT_TRUE(IsLocalHoliday(absl::CivilDay(2028, 2, 29), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2027, 2, 28), holidays));
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2027, 3, 1), holidays));
}

TEST(LocalHolidayTest, NoHolidaysNoMatch) {
  EXPECT_FALSE(IsLocalHoliday(absl::CivilDay(2026, 7, 12), {}));
}

}  // namespace
}  // namespace sportelli::tenants
