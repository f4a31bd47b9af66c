// When messages to citizens go out: never in the comune's quiet hours (deferred, not dropped),
// reminders ahead of the appointment, and retries with backoff. Pure functions: the caller
// passes the time (`now`, `wanted`) and, for retries, a random number, so that every answer can
// be tested.
//
//   const absl::Time send_after = NextSendableTime(clock.Now(), rome, policy.quiet);
//   std::optional<absl::Time> reminder =
//       ReminderTime(appointment.start, absl::Hours(48), rome, clock.Now(), policy.quiet);
//   const absl::Time retry_at = NextSendableTime(
//       clock.Now() + RetryDelay(attempts, random_unit, policy.retry), rome, policy.quiet);
//
// Quiet hours are read on the comune's local clock, hour by hour: a moment is quiet when its
// local hour is in the window. On the days the clocks change this is what a citizen expects:
// 08:00 is 08:00 on the wall, whatever its UTC offset (06:00 UTC on 29 March 2026, 07:00 UTC on
// 25 October 2026 in Europe/Rome), and both 02:30 of 25 October are quiet.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SCHEDULE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SCHEDULE_H_

#include <optional>

#include "absl/time/time.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {

// Local hours of the comune in which no message is sent: [start_hour:00, end_hour:00). The
// window wraps midnight when start_hour > end_hour (the default, 21:00-08:00) and does not when
// start_hour < end_hour (13-15 keeps the lunch break quiet); start_hour == end_hour means no
// quiet hours at all. Hours are 0..23 (ValidateQuietHours); the functions below clamp values
// outside that range rather than fail.
struct QuietHours {
  int start_hour = 21;
  int end_hour = 8;
};

// Every problem of `quiet`, with fields "start_hour" and "end_hour".
status::FieldViolations ValidateQuietHours(const QuietHours& quiet);

// Whether `t` falls in the quiet hours of the comune whose clock is `zone`.
bool IsQuiet(absl::Time t, absl::TimeZone zone, QuietHours quiet = {});

// `wanted` when it is outside the quiet hours, else the first moment after it at which they end
// (the next local end_hour:00). When end_hour:00 does not exist on the local clock that day (a
// "spring forward" gap), the moment the clock jumps past it.
absl::Time NextSendableTime(absl::Time wanted, absl::TimeZone zone, QuietHours quiet = {});

// How a failed delivery is retried.
struct RetryPolicy {
  absl::Duration first = absl::Seconds(30);
  absl::Duration max = absl::Hours(1);
  // Each delay is scaled by a factor in [1 - jitter, 1 + jitter), so that messages that failed
  // together (the SMS gateway was down) are not all retried in the same second.
  double jitter = 0.2;
};

// The wait before the next attempt after `failed_attempts` (>= 1; smaller counts as 1)
// failures: first * 2^(failed_attempts - 1), capped at `max`, then scaled by the jitter factor
// 1 - jitter + 2 * jitter * random_unit. `random_unit` is a random number in [0, 1) drawn by the
// caller (values outside are clamped, NaN counts as 0). The jitter applies after the cap, so
// delays at the cap stay spread too: they are in [0.8, 1.2) hours with the defaults. Never
// negative, and no overflow however large `failed_attempts` is.
absl::Duration RetryDelay(int failed_attempts, double random_unit, const RetryPolicy& policy);

// When to send the reminder of an appointment starting at `appointment_start`, planned at
// `now`: `before` ahead of the start, but never in the quiet hours and never less than `before`
// ahead because of them, so a reminder due in the quiet hours goes out EARLIER, one minute
// before they began (20:59 local with the defaults: the last minute a message may go out, which
// makes it arrive as close as allowed to the wanted time). Then:
//   - when that moment is already past (a booking made less than `before` ahead), the reminder
//     goes out at NextSendableTime(now);
//   - when the result is not before the appointment's start, there is no moment to remind the
//     citizen (booked at 22:00 for 07:45 the next morning: the earliest moment, 08:00, is after
//     the start): nullopt, no reminder is sent.
// A `before` of zero or less always gives nullopt.
std::optional<absl::Time> ReminderTime(absl::Time appointment_start, absl::Duration before,
                                       absl::TimeZone zone, absl::Time now, QuietHours quiet = {});

// The local hour at which the optional morning reminder goes out on the day of the appointment.
inline constexpr int kSameDayReminderHour = 8;

// The morning reminder of an appointment: local 08:00 of the appointment's day (later if the
// quiet hours end later), provided that is at least one hour before the start (an appointment
// at 08:30 gets none: the citizen is already on the way) and after `now` (a booking made that
// morning gets its confirmation instead); else nullopt.
std::optional<absl::Time> SameDayReminderTime(absl::Time appointment_start, absl::TimeZone zone,
                                              absl::Time now, QuietHours quiet = {});

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SCHEDULE_H_
