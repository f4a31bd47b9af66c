#include "services/tenants/domain/open_intervals.h"

#include <algorithm>

#include "services/tenants/domain/holidays.h"

namespace sportelli::tenants {
namespace {

constexpr int kMinutesPerDay = 24 * 60;

bool IsClosed(absl::CivilDay day, const std::vector<Closure>& closures) {
  return std::any_of(closures.begin(), closures.end(), [day](const Closure& closure) {
    return closure.start_date <= day && day <= closure.end_date;
  });
}

}  // namespace

absl::Time WallClockToInstant(const absl::TimeZone& zone, absl::CivilDay day, int minute,
                              bool is_end) {
  // CivilSecond normalises 1440 minutes to 00:00 of the next day.
  const absl::TimeZone::TimeInfo info = zone.At(absl::CivilSecond(day) + minute * 60);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      return info.pre;
    case absl::TimeZone::TimeInfo::SKIPPED:
      // The wall time never happened: the desk opens (or closes) when the clocks jumped.
      return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      // Earliest start and latest end: the interval covers its whole wall-clock span.
      return is_end ? info.post : info.pre;
  }
  return info.pre;
}

std::vector<TimeInterval> ComputeOpenIntervals(const absl::TimeZone& zone,
                                               const std::vector<WeeklyInterval>& hours,
                                               const std::vector<Closure>& closures,
                                               const std::vector<Holiday>& holidays,
                                               absl::CivilDay first_day, absl::CivilDay last_day) {
  std::vector<TimeInterval> intervals;
  // The national holidays of the year being walked, computed once per year, not once per day.
  std::vector<NamedDay> national;
  absl::civil_year_t national_year = 0;
  for (absl::CivilDay day = first_day; day <= last_day; ++day) {
    if (national.empty() || national_year != day.year()) {
      national_year = day.year();
      national = NationalHolidays(national_year);
    }
    const bool national_holiday =
        std::any_of(national.begin(), national.end(),
                    [day](const NamedDay& holiday) { return holiday.day == day; });
    if (national_holiday || IsLocalHoliday(day, holidays) || IsClosed(day, closures)) continue;
    const absl::Weekday weekday = absl::GetWeekday(day);
    for (const WeeklyInterval& interval : hours) {
      if (interval.day != weekday) continue;
      if (interval.start_minute < 0 || interval.start_minute >= interval.end_minute ||
          interval.end_minute > kMinutesPerDay) {
        continue;
      }
      const absl::Time start = WallClockToInstant(zone, day, interval.start_minute, false);
      const absl::Time end = WallClockToInstant(zone, day, interval.end_minute, true);
      // Only a wholly skipped interval (02:00-02:30 on the March change) gets here empty.
      if (start < end) intervals.push_back({start, end});
    }
  }
  std::sort(intervals.begin(), intervals.end(), [](const TimeInterval& x, const TimeInterval& y) {
    return x.start < y.start || (x.start == y.start && x.end < y.end);
  });
  std::vector<TimeInterval> merged;
  for (const TimeInterval& interval : intervals) {
    if (!merged.empty() && interval.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, interval.end);
    } else {
      merged.push_back(interval);
    }
  }
  return merged;
}

}  // namespace sportelli::tenants
