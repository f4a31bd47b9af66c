#include "services/tenants/domain/holidays.h"

#include <algorithm>

namespace sportelli::tenants {
namespace {

// San Francesco d'Assisi, patron saint of Italy, was a national holiday until 1977. A law of
// 2025 restored it as a national holiday with effect from 2026, so 4 October closes the
// offices only from that year on.
constexpr absl::civil_year_t kFirstYearOfSanFrancesco = 2026;

}  // namespace

absl::CivilDay EasterSunday(absl::civil_year_t year) {
  const absl::civil_year_t a = year % 19;
  const absl::civil_year_t b = year / 100;
  const absl::civil_year_t c = year % 100;
  const absl::civil_year_t d = b / 4;
  const absl::civil_year_t e = b % 4;
  const absl::civil_year_t f = (b + 8) / 25;
  const absl::civil_year_t g = (b - f + 1) / 3;
  const absl::civil_year_t h = (19 * a + b - d - g + 15) % 30;
  const absl::civil_year_t i = c / 4;
  const absl::civil_year_t k = c % 4;
  const absl::civil_year_t l = (32 + 2 * e + 2 * i - h - k) % 7;
  const absl::civil_year_t m = (a + 11 * h + 22 * l) / 451;
  const int month = static_cast<int>((h + l - 7 * m + 114) / 31);
  const int day = static_cast<int>((h + l - 7 * m + 114) % 31) + 1;
  return absl::CivilDay(year, month, day);
}

std::vector<NamedDay> NationalHolidays(absl::civil_year_t year) {
  const absl::CivilDay easter = EasterSunday(year);
  std::vector<NamedDay> days = {
      {absl::CivilDay(year, 1, 1), "Capodanno"},
      {absl::CivilDay(year, 1, 6), "Epifania"},
      {absl::CivilDay(year, 4, 25), "Festa della Liberazione"},
      {absl::CivilDay(year, 5, 1), "Festa del Lavoro"},
      {absl::CivilDay(year, 6, 2), "Festa della Repubblica"},
      {absl::CivilDay(year, 8, 15), "Ferragosto"},
      {absl::CivilDay(year, 11, 1), "Ognissanti"},
      {absl::CivilDay(year, 12, 8), "Immacolata Concezione"},
      {absl::CivilDay(year, 12, 25), "Natale"},
      {absl::CivilDay(year, 12, 26), "Santo Stefano"},
      {easter, "Pasqua"},
      {easter + 1, "Lunedì dell'Angelo"},
  };
  if (year >= kFirstYearOfSanFrancesco) {
    days.push_back({absl::CivilDay(year, 10, 4), "San Francesco d'Assisi"});
  }
  // Stable, with the movable feasts listed last: on a shared day the fixed-date holiday comes
  // first, the same every year.
  std::stable_sort(days.begin(), days.end(),
                   [](const NamedDay& x, const NamedDay& y) { return x.day < y.day; });
  return days;
}

bool IsNationalHoliday(absl::CivilDay day) {
  const std::vector<NamedDay> days = NationalHolidays(day.year());
  return std::any_of(days.begin(), days.end(),
                     [day](const NamedDay& holiday) { return holiday.day == day; });
}

bool IsLocalHoliday(absl::CivilDay day, const std::vector<Holiday>& holidays) {
  return std::any_of(holidays.begin(), holidays.end(), [day](const Holiday& holiday) {
    if (!holiday.recurring) return holiday.date == day;
    // Comparing month and day (rather than rebuilding the date in `day`'s year) is what keeps
    // a 29 February holiday from normalising to 1 March in common years.
    return holiday.date.month() == day.month() && holiday.date.day() == day.day();
  });
}

}  // namespace sportelli::tenants
