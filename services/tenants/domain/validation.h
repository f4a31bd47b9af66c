// The tenants service's input rules, in one place, as pure functions: what a valid desk,
// service, channel, closure, holiday or operator is. The gRPC layer runs them before anything
// is written and answers INVALID_ARGUMENT with every violation at once.
//
// Two kinds of function:
//   - Validate<Message>(value) returns the violations of a whole message, with field paths
//     relative to it and named as in the proto ("display_name", "address.postal_code",
//     "opening_hours[2].end_time", "services[1]"). The caller adds the request's prefix:
//
//       FieldViolations violations;
//       api::CheckResourceId("desk_id", request.desk_id(), violations);
//       violations.Merge(ValidateDesk(desk), "desk.");
//       RETURN_IF_ERROR(violations.ToStatus());
//
//   - Check<Thing>(field, value, violations) appends at most one violation for one field, for
//     request fields outside a message and for building the Validate functions.
//
// Descriptions are plain English and never repeat the submitted value: names, subjects and
// phone numbers may be personal data, and descriptions reach logs.
//
// Enums: the domain enums have no "unspecified" value. A mapper that meets an unspecified or
// unknown proto enum may store any value outside the enumerators (e.g.
// static_cast<BookingMode>(-1), well defined for a scoped enum) and these validators report
// "must be specified" on that field.
#ifndef SPORTELLI_SERVICES_TENANTS_DOMAIN_VALIDATION_H_
#define SPORTELLI_SERVICES_TENANTS_DOMAIN_VALIDATION_H_

#include <cstdint>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/tenants/domain/model.h"
#include "sportelli/api/text.h"
#include "sportelli/status/errors.h"

namespace sportelli::tenants {

// Dates the service accepts: the Gregorian computus behind the national holidays holds from
// 1583, and google.type.Date stops at 9999.
inline constexpr absl::civil_year_t kMinYear = 1583;
inline constexpr absl::civil_year_t kMaxYear = 9999;

// Lengths in Unicode code points, counted after trimming ASCII whitespace at both ends.
inline constexpr int kMaxDisplayNameLength = 200;
inline constexpr int kMaxDescriptionLength = 2000;
inline constexpr int kMaxClosureReasonLength = 200;
// The OpenID Connect limit for `sub`.
inline constexpr int kMaxSubjectLength = 255;

inline constexpr int kMinCapacity = 1;
inline constexpr int kMaxCapacity = 100;
// Appointments start on a five-minute grid; eight hours is a whole working day.
inline constexpr int kMinDurationMinutes = 5;
inline constexpr int kMaxDurationMinutes = 480;
inline constexpr int kDurationStepMinutes = 5;
// A desk with more than about a dozen intervals a day is a data entry error; the bound also
// keeps the work done per request (here and in slot generation) small.
inline constexpr int kMaxWeeklyIntervals = 100;
// A closure covers at most a whole leap year, both ends counted.
inline constexpr int kMaxClosureDays = 366;
// ComputeOpenIntervals answers for at most a year ahead: end_date - start_date <= 366.
inline constexpr int kMaxRangeDays = 366;

// --- Predicates -------------------------------------------------------------------------

// '+' then 8 to 15 digits, the first not 0 (E.164 country codes never start with 0).
using api::IsE164PhoneNumber;  // shared with every service: sportelli/api/text.h
// Italian CAP: exactly five ASCII digits.
bool IsPostalCode(absl::string_view value);
// Italian province code (sigla): two ASCII capital letters.
bool IsProvinceCode(absl::string_view value);
// ISTAT code of a comune: exactly six ASCII digits.
bool IsIstatCode(absl::string_view value);
// True when year/month/day name a real day; year 0 is accepted as a leap year, the form of a
// recurring holiday's date (google.type.Date with year 0), so that 29 February is valid.
bool IsCalendarDate(int64_t year, int month, int day);

// --- Field checks: append at most one violation on `field` --------------------------------

// Required text of 1..kMaxDisplayNameLength code points, valid UTF-8, no control characters.
void CheckDisplayName(absl::string_view field, absl::string_view value,
                      status::FieldViolations& violations);
// Optional text of 0..kMaxDescriptionLength code points; line breaks and tabs are allowed.
void CheckDescription(absl::string_view field, absl::string_view value,
                      status::FieldViolations& violations);
// Required E.164 number.
void CheckPhoneNumber(absl::string_view field, absl::string_view value,
                      status::FieldViolations& violations);
void CheckPostalCode(absl::string_view field, absl::string_view value,
                     status::FieldViolations& violations);
void CheckProvinceCode(absl::string_view field, absl::string_view value,
                       status::FieldViolations& violations);
void CheckIstatCode(absl::string_view field, absl::string_view value,
                    status::FieldViolations& violations);
// An IANA zone name that absl can load. The syntax is checked first (ASCII segments starting
// with a letter, no "." or empty segment) because the name becomes a path under the tzdata
// directory; "localtime" is refused because it means whatever zone the host is set to; fixed
// offsets ("Fixed/UTC+01:00") are refused by the syntax because they know nothing of DST.
// Loading reads tzdata from disk (absl caches it): the one non-pure rule here. Every Italian
// comune is in "Europe/Rome", but nothing here depends on that.
void CheckTimeZoneName(absl::string_view field, absl::string_view value,
                       status::FieldViolations& violations);
void CheckCapacity(absl::string_view field, int value, status::FieldViolations& violations);
void CheckDurationMinutes(absl::string_view field, int value, status::FieldViolations& violations);
// For a google.type.Date before it becomes an absl::CivilDay (which would silently normalise
// 31 April to 1 May). A recurring date must have year 0; any other a year in
// [kMinYear, kMaxYear].
void CheckDateParts(absl::string_view field, int64_t year, int month, int day, bool recurring,
                    status::FieldViolations& violations);

// --- Several fields: paths are `field` + a suffix -------------------------------------------

// locality (display-name rules) and province, required; street and postal_code, checked when set.
void CheckAddress(absl::string_view field, const PostalAddress& address,
                  status::FieldViolations& violations);
// Each interval: "<field>[i].day_of_week", ".start_time" (0..1439), ".end_time"
// (start < end <= 1440). Of two intervals of one day that overlap (touching is fine), the one
// that starts later (on a tie, the one listed later) gets "<field>[i]". At most
// kMaxWeeklyIntervals, else one violation on `field`.
void CheckWeeklyIntervals(absl::string_view field, const std::vector<WeeklyInterval>& intervals,
                          status::FieldViolations& violations);

// --- Whole messages ----------------------------------------------------------------------
// Ids (Desk::id ...) are not checked here: a create request carries the new id in its own
// field (desk_id) and a name carries it in `name`; check those with api::CheckResourceId and
// api::ParseResourceName.

// display_name, istat_code, address, phone_number (optional, E.164 when set), time_zone.
status::FieldViolations ValidateTenant(const Tenant& tenant);
// display_name, address, booking_mode, opening_hours, capacity, services[i] (valid, unique ids).
status::FieldViolations ValidateDesk(const Desk& desk);
// display_name, description, duration_minutes.
status::FieldViolations ValidateService(const Service& service);
// display_name, kind, phone_number (required for kPhone, otherwise E.164 when set),
// opening_hours.
status::FieldViolations ValidateChannel(const Channel& channel);
// start_date, end_date (years in range, not before start_date, at most kMaxClosureDays days
// counting both ends), reason (optional, single line, at most kMaxClosureReasonLength).
status::FieldViolations ValidateClosure(const Closure& closure);
// display_name, date (year in range unless recurring, when the year is ignored).
status::FieldViolations ValidateHoliday(const Holiday& holiday);
// display_name, subject (1..255 printable ASCII characters, kept byte for byte because it is
// compared with tokens), roles (at least one, each specified, none twice), desks[i] (valid,
// unique ids).
status::FieldViolations ValidateOperator(const Operator& op);
// The local days of a ComputeOpenIntervals request: "start_date", "end_date" (years in
// range, end not before start and at most kMaxRangeDays after it).
status::FieldViolations ValidateDateRange(absl::CivilDay start_date, absl::CivilDay end_date);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_DOMAIN_VALIDATION_H_
