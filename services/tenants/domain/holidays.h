// Which days the desks of a comune are closed for a holiday: the Italian national holidays
// (when public offices close everywhere), computed for any year, and the comune's own ones
// (the patron saint's day, stored as Holiday rows).
//
//   std::vector<NamedDay> days = NationalHolidays(2026);  // 1 Jan ... 26 Dec, sorted
//   IsNationalHoliday(absl::CivilDay(2026, 4, 6));        // true: Lunedì dell'Angelo
//   IsLocalHoliday(absl::CivilDay(2026, 7, 12), tenant_holidays);
//
// The rules are today's law applied to every year (plus the one dated change below); dates
// before the Gregorian calendar (1583) are outside the domain.
#ifndef SPORTELLI_SERVICES_TENANTS_DOMAIN_HOLIDAYS_H_
#define SPORTELLI_SERVICES_TENANTS_DOMAIN_HOLIDAYS_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "services/tenants/domain/model.h"

namespace sportelli::tenants {

// A holiday as shown to staff and citizens: the day and its Italian name.
struct NamedDay {
  absl::CivilDay day;
  std::string name;  // e.g. "Festa della Repubblica"

  bool operator==(const NamedDay&) const = default;
};

// Easter Sunday of a Gregorian `year` (>= 1583), by the anonymous Gregorian algorithm (Meeus,
// "Astronomical Algorithms"): Easter Monday, a national holiday, moves with it.
absl::CivilDay EasterSunday(absl::civil_year_t year);

// The national holidays of `year`, sorted by day. When two fall on one day (Easter Monday was
// also Liberation Day in 2011) both are listed, so each keeps its name.
std::vector<NamedDay> NationalHolidays(absl::civil_year_t year);

// True when `day` is a national holiday.
bool IsNationalHoliday(absl::CivilDay day);

// True when `day` is one of `holidays`: a recurring holiday matches its month and day in every
// year (29 February only in leap years), a one-off holiday only its exact date.
bool IsLocalHoliday(absl::CivilDay day, const std::vector<Holiday>& holidays);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_DOMAIN_HOLIDAYS_H_
