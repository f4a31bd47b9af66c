#include "services/notifications/domain/schedule.h"

#include <algorithm>
#include <cmath>

#include "absl/time/civil_time.h"

namespace sportelli::notifications {
namespace {

QuietHours Clamped(QuietHours quiet) {
  return {.start_hour = std::clamp(quiet.start_hour, 0, 23),
          .end_hour = std::clamp(quiet.end_hour, 0, 23)};
}

bool IsQuietHour(int hour, QuietHours quiet) {
  if (quiet.start_hour == quiet.end_hour) return false;
  if (quiet.start_hour < quiet.end_hour) {
    return hour >= quiet.start_hour && hour < quiet.end_hour;
  }
  return hour >= quiet.start_hour || hour < quiet.end_hour;
}

absl::CivilSecond AtHour(absl::CivilDay day, int hour) {
  return absl::CivilSecond(day.year(), day.month(), day.day(), hour);
}

// The first instant after `after` at which the local clock reads `local` or later. A local time
// skipped by the clock (spring forward) is reached when the clock jumps past it; one that occurs
// twice (fall back) at its first occurrence still after `after`.
absl::Time FirstInstantAfter(absl::CivilSecond local, absl::TimeZone zone, absl::Time after) {
  const absl::TimeZone::TimeInfo info = zone.At(local);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::SKIPPED:
      return info.trans;
    case absl::TimeZone::TimeInfo::REPEATED:
      return info.pre > after ? info.pre : info.post;
    case absl::TimeZone::TimeInfo::UNIQUE:
      break;
  }
  return info.pre;
}

}  // namespace

status::FieldViolations ValidateQuietHours(const QuietHours& quiet) {
  status::FieldViolations violations;
  if (quiet.start_hour < 0 || quiet.start_hour > 23) {
    violations.Add("start_hour", "must be an hour between 0 and 23");
  }
  if (quiet.end_hour < 0 || quiet.end_hour > 23) {
    violations.Add("end_hour", "must be an hour between 0 and 23");
  }
  return violations;
}

bool IsQuiet(absl::Time t, absl::TimeZone zone, QuietHours quiet) {
  return IsQuietHour(absl::ToCivilHour(t, zone).hour(), Clamped(quiet));
}

absl::Time NextSendableTime(absl::Time wanted, absl::TimeZone zone, QuietHours quiet) {
  quiet = Clamped(quiet);
  if (!IsQuiet(wanted, zone, quiet)) return wanted;
  const absl::CivilSecond local = absl::ToCivilSecond(wanted, zone);
  // The quiet hours end today or tomorrow; the extra days only matter for a zone that skipped a
  // whole calendar day (Pacific/Apia, 30 December 2011).
  absl::Time end = wanted;
  for (absl::CivilDay day(local); day <= absl::CivilDay(local) + 3; ++day) {
    const absl::CivilSecond local_end = AtHour(day, quiet.end_hour);
    if (local_end <= local) continue;
    end = FirstInstantAfter(local_end, zone, wanted);
    if (end > wanted && !IsQuiet(end, zone, quiet)) return end;
  }
  return end;
}

absl::Duration RetryDelay(int failed_attempts, double random_unit, const RetryPolicy& policy) {
  const absl::Duration cap = std::max(policy.max, absl::ZeroDuration());
  absl::Duration delay = std::max(policy.first, absl::ZeroDuration());
  // Doubling stops at the cap, and after 64 doublings any positive delay is past every finite
  // cap, so a huge failed_attempts costs nothing and cannot overflow.
  for (int i = 1; i < failed_attempts && i <= 64 && delay < cap; ++i) delay *= 2;
  delay = std::min(delay, cap);

  const double jitter = std::isnan(policy.jitter) ? 0.0 : std::clamp(policy.jitter, 0.0, 1.0);
  const double unit = std::isnan(random_unit) ? 0.0 : std::clamp(random_unit, 0.0, 1.0);
  return delay * (1.0 - jitter + 2.0 * jitter * unit);
}

std::optional<absl::Time> ReminderTime(absl::Time appointment_start, absl::Duration before,
                                       absl::TimeZone zone, absl::Time now, QuietHours quiet) {
  if (before <= absl::ZeroDuration()) return std::nullopt;
  quiet = Clamped(quiet);
  const absl::Time wanted = appointment_start - before;
  absl::Time at = wanted;
  if (IsQuiet(wanted, zone, quiet)) {
    // Back to the start of the quiet window that holds `wanted`: today's start_hour, or
    // yesterday's when the window wraps midnight and `wanted` is in its morning part.
    const absl::CivilSecond local = absl::ToCivilSecond(wanted, zone);
    absl::CivilDay day(local);
    if (quiet.start_hour > quiet.end_hour && local.hour() < quiet.end_hour) --day;
    const absl::Time window_start =
        FirstInstantAfter(AtHour(day, quiet.start_hour), zone, absl::InfinitePast());
    at = std::min(window_start - absl::Minutes(1), wanted);
  }
  if (at < now) at = NextSendableTime(now, zone, quiet);
  if (at >= appointment_start) return std::nullopt;
  return at;
}

std::optional<absl::Time> SameDayReminderTime(absl::Time appointment_start, absl::TimeZone zone,
                                              absl::Time now, QuietHours quiet) {
  const absl::CivilDay day = absl::ToCivilDay(appointment_start, zone);
  const absl::Time morning = NextSendableTime(
      FirstInstantAfter(AtHour(day, kSameDayReminderHour), zone, absl::InfinitePast()), zone,
      quiet);
  if (morning > appointment_start - absl::Hours(1) || morning <= now) return std::nullopt;
  return morning;
}

}  // namespace sportelli::notifications
