// When a desk (or a booking channel) is open between two local days, as UTC instants: the
// weekly hours, minus the national holidays, the comune's holidays and the desk's closures.
// Scheduling builds its slots from these intervals, so this is where wall-clock time in the
// comune's zone, DST included, becomes absolute time.
//
//   absl::TimeZone rome;
//   absl::LoadTimeZone("Europe/Rome", &rome);
//   std::vector<TimeInterval> open = ComputeOpenIntervals(
//       rome, desk.opening_hours, desk_closures, tenant_holidays,
//       absl::CivilDay(2026, 3, 23), absl::CivilDay(2026, 3, 29));
//
// For a channel (the phone line) pass its opening_hours and no closures: closures belong to
// desks, holidays to the whole comune.
//
// Days on which the clocks change (Europe/Rome: last Sunday of March 02:00 -> 03:00, last
// Sunday of October 03:00 -> 02:00) follow one rule: an interval covers exactly the wall-clock
// span a person at the desk would see.
//   - A wall time that does not exist (02:30 on the March day) means the moment the clocks
//     jumped (03:00 CEST): 01:00-03:00 lasts one real hour, 02:00-02:30 is empty and dropped.
//   - A wall time that happens twice (02:30 on the October day) means its first occurrence
//     when it starts an interval and its second when it ends one: 01:00-04:00 lasts four real
//     hours, and nothing inside the repeated hour is lost.
#ifndef SPORTELLI_SERVICES_TENANTS_DOMAIN_OPEN_INTERVALS_H_
#define SPORTELLI_SERVICES_TENANTS_DOMAIN_OPEN_INTERVALS_H_

#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/tenants/domain/model.h"

namespace sportelli::tenants {

// The open intervals of the local days [first_day, last_day], both included, sorted and with
// overlapping or touching intervals merged (09:00-13:00 and 13:00-16:00 give one interval,
// and so do 20:00-24:00 and the next day's 00:00-02:00). Nothing when first_day > last_day.
//
// A day is skipped when it is a national holiday, one of `holidays`, or inside any of
// `closures` (start_date..end_date, both included). Intervals that break the WeeklyInterval
// invariants (0 <= start < end <= 1440) are ignored: validation rejects them before they are
// stored, and ignoring them keeps this function total. The span is not limited here;
// ValidateDateRange bounds what a request may ask for.
std::vector<TimeInterval> ComputeOpenIntervals(const absl::TimeZone& zone,
                                               const std::vector<WeeklyInterval>& hours,
                                               const std::vector<Closure>& closures,
                                               const std::vector<Holiday>& holidays,
                                               absl::CivilDay first_day, absl::CivilDay last_day);

// The instant at which `minute` minutes after local midnight of `day` begins (is_end false) or
// ends (is_end true) an interval in `zone`, by the DST rules above; 1440 is the next midnight.
absl::Time WallClockToInstant(const absl::TimeZone& zone, absl::CivilDay day, int minute,
                              bool is_end);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_DOMAIN_OPEN_INTERVALS_H_
