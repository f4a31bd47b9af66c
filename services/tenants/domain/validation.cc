#include "services/tenants/domain/validation.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "sportelli/api/resource_name.h"

namespace sportelli::tenants {
namespace {

using api::Utf8SequenceLength;
using status::FieldViolations;

constexpr int kMinutesPerDay = 24 * 60;

// --- Text --------------------------------------------------------------------------------

struct TextRules {
  bool required = true;
  int max_length = kMaxDisplayNameLength;
  bool multiline = false;  // allows \n, \r and \t
};

// Unicode category Cc: C0, DEL and C1.
bool IsControl(char32_t code_point) {
  return code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f);
}

std::optional<std::string> TextProblem(absl::string_view value, const TextRules& rules) {
  bool has_control = false;
  for (absl::string_view rest = value; !rest.empty();) {
    char32_t code_point = 0;
    const size_t length = Utf8SequenceLength(rest, code_point);
    if (length == 0) return "must be valid UTF-8";
    if (IsControl(code_point) &&
        !(rules.multiline && (code_point == '\n' || code_point == '\r' || code_point == '\t'))) {
      has_control = true;
    }
    rest.remove_prefix(length);
  }
  if (has_control) {
    return rules.multiline ? "must not contain control characters other than line breaks and tabs"
                           : "must not contain control characters";
  }
  // Trimming ASCII whitespace cannot split a UTF-8 sequence, so counting the bytes that are
  // not continuation bytes counts code points.
  const absl::string_view trimmed = absl::StripAsciiWhitespace(value);
  const auto length = std::count_if(trimmed.begin(), trimmed.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  });
  if (length == 0 && rules.required) return "is required";
  if (length > rules.max_length) {
    return absl::StrCat("must be at most ", rules.max_length, " characters");
  }
  return std::nullopt;
}

void CheckText(absl::string_view field, absl::string_view value, const TextRules& rules,
               FieldViolations& violations) {
  if (auto problem = TextProblem(value, rules))
    violations.Add(std::string(field), *std::move(problem));
}

bool AllDigits(absl::string_view value) {
  return std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Adds "is required" when `value` is empty, `rule` when `valid` is false.
void CheckFormat(absl::string_view field, absl::string_view value, bool valid,
                 absl::string_view rule, FieldViolations& violations) {
  if (value.empty()) {
    violations.Add(std::string(field), "is required");
  } else if (!valid) {
    violations.Add(std::string(field), std::string(rule));
  }
}

// --- Enums -------------------------------------------------------------------------------

bool IsWeekday(absl::Weekday day) {
  switch (day) {
    case absl::Weekday::monday:
    case absl::Weekday::tuesday:
    case absl::Weekday::wednesday:
    case absl::Weekday::thursday:
    case absl::Weekday::friday:
    case absl::Weekday::saturday:
    case absl::Weekday::sunday:
      return true;
  }
  return false;
}

bool IsBookingMode(BookingMode mode) {
  switch (mode) {
    case BookingMode::kWalkIn:
    case BookingMode::kAppointmentOnly:
    case BookingMode::kWalkInAndAppointment:
      return true;
  }
  return false;
}

bool IsChannelKind(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::kPhone:
    case ChannelKind::kWeb:
    case ChannelKind::kDesk:
      return true;
  }
  return false;
}

bool IsOperatorRole(OperatorRole role) {
  switch (role) {
    case OperatorRole::kOperator:
    case OperatorRole::kCoordinator:
    case OperatorRole::kTenantAdmin:
    case OperatorRole::kDpo:
      return true;
  }
  return false;
}

// --- Lists -------------------------------------------------------------------------------

std::string Indexed(absl::string_view field, size_t index) {
  return absl::StrCat(field, "[", index, "]");
}

// Each id valid, none listed twice (the repeat is reported, naming the first).
void CheckIdList(absl::string_view field, const std::vector<std::string>& ids,
                 FieldViolations& violations) {
  absl::flat_hash_map<absl::string_view, size_t> first_index;
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string path = Indexed(field, i);
    if (ids[i].empty() || !api::IsValidResourceId(ids[i])) {
      api::CheckResourceId(path, ids[i], violations);
      continue;
    }
    auto [it, inserted] = first_index.try_emplace(ids[i], i);
    if (!inserted) violations.Add(path, absl::StrCat("repeats ", Indexed(field, it->second)));
  }
}

bool YearInRange(absl::civil_year_t year) { return year >= kMinYear && year <= kMaxYear; }

std::string YearRangeRule() {
  return absl::StrCat("must be in the years ", kMinYear, " to ", kMaxYear);
}

}  // namespace

// --- Predicates -------------------------------------------------------------------------

bool IsPostalCode(absl::string_view value) { return value.size() == 5 && AllDigits(value); }

bool IsProvinceCode(absl::string_view value) {
  return value.size() == 2 &&
         std::all_of(value.begin(), value.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

bool IsIstatCode(absl::string_view value) { return value.size() == 6 && AllDigits(value); }

bool IsCalendarDate(int64_t year, int month, int day) {
  if (month < 1 || month > 12 || day < 1 || day > 31) return false;
  // CivilDay normalises an impossible date into another one; a date is real when it survives.
  const absl::CivilDay civil(year, month, day);
  return civil.year() == year && civil.month() == month && civil.day() == day;
}

// --- Field checks ------------------------------------------------------------------------

void CheckDisplayName(absl::string_view field, absl::string_view value,
                      FieldViolations& violations) {
  CheckText(field, value, TextRules{}, violations);
}

void CheckDescription(absl::string_view field, absl::string_view value,
                      FieldViolations& violations) {
  CheckText(field, value,
            TextRules{.required = false, .max_length = kMaxDescriptionLength, .multiline = true},
            violations);
}

void CheckPhoneNumber(absl::string_view field, absl::string_view value,
                      FieldViolations& violations) {
  CheckFormat(field, value, IsE164PhoneNumber(value),
              "must be an E.164 number: '+' then 8 to 15 digits, the first not 0", violations);
}

void CheckPostalCode(absl::string_view field, absl::string_view value,
                     FieldViolations& violations) {
  CheckFormat(field, value, IsPostalCode(value), "must be five digits", violations);
}

void CheckProvinceCode(absl::string_view field, absl::string_view value,
                       FieldViolations& violations) {
  CheckFormat(field, value, IsProvinceCode(value), "must be two capital letters", violations);
}

void CheckIstatCode(absl::string_view field, absl::string_view value, FieldViolations& violations) {
  CheckFormat(field, value, IsIstatCode(value), "must be six digits", violations);
}

void CheckTimeZoneName(absl::string_view field, absl::string_view value,
                       FieldViolations& violations) {
  bool valid = value.size() <= 64 && value != "localtime";
  bool segment_start = true;
  for (char c : value) {
    if (!valid) break;
    if (segment_start) {
      valid = absl::ascii_isalpha(static_cast<unsigned char>(c));
      segment_start = false;
    } else if (c == '/') {
      segment_start = true;
    } else {
      valid =
          absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '+';
    }
  }
  valid = valid && !segment_start;  // no trailing '/'
  absl::TimeZone zone;
  valid = valid && absl::LoadTimeZone(std::string(value), &zone);
  CheckFormat(field, value, valid, "must be an IANA time zone name such as Europe/Rome",
              violations);
}

void CheckCapacity(absl::string_view field, int value, FieldViolations& violations) {
  if (value < kMinCapacity || value > kMaxCapacity) {
    violations.Add(std::string(field),
                   absl::StrCat("must be between ", kMinCapacity, " and ", kMaxCapacity));
  }
}

void CheckDurationMinutes(absl::string_view field, int value, FieldViolations& violations) {
  if (value < kMinDurationMinutes || value > kMaxDurationMinutes ||
      value % kDurationStepMinutes != 0) {
    violations.Add(
        std::string(field),
        absl::StrCat("must be between ", kMinDurationMinutes, " and ", kMaxDurationMinutes,
                     " minutes and a multiple of ", kDurationStepMinutes));
  }
}

void CheckDateParts(absl::string_view field, int64_t year, int month, int day, bool recurring,
                    FieldViolations& violations) {
  if (recurring && year != 0) {
    violations.Add(std::string(field), "must have year 0 for a recurring holiday");
  } else if (!IsCalendarDate(year, month, day)) {
    violations.Add(std::string(field), "must be a valid calendar date");
  } else if (!recurring && !YearInRange(year)) {
    violations.Add(std::string(field), YearRangeRule());
  }
}

void CheckAddress(absl::string_view field, const PostalAddress& address,
                  FieldViolations& violations) {
  // Street and postal code may be left empty while a desk's exact address is not yet published
  // (the seed does this for desks the sources name without an address); when set they must
  // be valid. Locality and province are always needed: citizens must know which town it is.
  if (!address.street.empty())
    CheckDisplayName(absl::StrCat(field, ".street"), address.street, violations);
  if (!address.postal_code.empty()) {
    CheckPostalCode(absl::StrCat(field, ".postal_code"), address.postal_code, violations);
  }
  CheckDisplayName(absl::StrCat(field, ".locality"), address.locality, violations);
  CheckProvinceCode(absl::StrCat(field, ".province"), address.province, violations);
}

void CheckWeeklyIntervals(absl::string_view field, const std::vector<WeeklyInterval>& intervals,
                          FieldViolations& violations) {
  if (intervals.size() > static_cast<size_t>(kMaxWeeklyIntervals)) {
    violations.Add(std::string(field),
                   absl::StrCat("must have at most ", kMaxWeeklyIntervals, " intervals"));
    return;
  }
  std::vector<size_t> well_formed;
  for (size_t i = 0; i < intervals.size(); ++i) {
    const WeeklyInterval& interval = intervals[i];
    const std::string path = Indexed(field, i);
    const bool day_ok = IsWeekday(interval.day);
    const bool start_ok = interval.start_minute >= 0 && interval.start_minute < kMinutesPerDay;
    const bool end_ok = interval.end_minute > 0 && interval.end_minute <= kMinutesPerDay &&
                        (!start_ok || interval.end_minute > interval.start_minute);
    if (!day_ok) violations.Add(absl::StrCat(path, ".day_of_week"), "must be specified");
    if (!start_ok) {
      violations.Add(absl::StrCat(path, ".start_time"), "must be between 00:00 and 23:59");
    }
    if (!end_ok) {
      violations.Add(absl::StrCat(path, ".end_time"), "must be after start_time and at most 24:00");
    }
    if (day_ok && start_ok && end_ok) well_formed.push_back(i);
  }
  // Sort by (day, start, position) and sweep: an interval that starts before the furthest end
  // seen so far on its day overlaps the interval owning that end. O(n log n).
  std::sort(well_formed.begin(), well_formed.end(), [&intervals](size_t x, size_t y) {
    const WeeklyInterval& a = intervals[x];
    const WeeklyInterval& b = intervals[y];
    if (a.day != b.day) return static_cast<int>(a.day) < static_cast<int>(b.day);
    if (a.start_minute != b.start_minute) return a.start_minute < b.start_minute;
    return x < y;
  });
  std::vector<std::pair<size_t, size_t>> overlaps;  // (later, earlier)
  std::optional<size_t> reach;                      // the interval ending furthest on this day
  for (size_t index : well_formed) {
    const WeeklyInterval& interval = intervals[index];
    if (reach && intervals[*reach].day == interval.day) {
      if (interval.start_minute < intervals[*reach].end_minute)
        overlaps.emplace_back(index, *reach);
      if (interval.end_minute > intervals[*reach].end_minute) reach = index;
    } else {
      reach = index;
    }
  }
  // In list order, which is how the client reads its request.
  std::sort(overlaps.begin(), overlaps.end());
  for (const auto& [later, earlier] : overlaps) {
    violations.Add(Indexed(field, later),
                   absl::StrCat("overlaps ", Indexed(field, earlier), " on the same day"));
  }
}

// --- Whole messages ----------------------------------------------------------------------

FieldViolations ValidateTenant(const Tenant& tenant) {
  FieldViolations violations;
  CheckDisplayName("display_name", tenant.display_name, violations);
  CheckIstatCode("istat_code", tenant.istat_code, violations);
  CheckAddress("address", tenant.address, violations);
  if (!tenant.phone_number.empty()) {
    CheckPhoneNumber("phone_number", tenant.phone_number, violations);
  }
  CheckTimeZoneName("time_zone", tenant.time_zone, violations);
  return violations;
}

FieldViolations ValidateDesk(const Desk& desk) {
  FieldViolations violations;
  CheckDisplayName("display_name", desk.display_name, violations);
  CheckAddress("address", desk.address, violations);
  if (!IsBookingMode(desk.booking_mode)) violations.Add("booking_mode", "must be specified");
  CheckWeeklyIntervals("opening_hours", desk.opening_hours, violations);
  CheckIdList("services", desk.service_ids, violations);
  CheckCapacity("capacity", desk.capacity, violations);
  return violations;
}

FieldViolations ValidateService(const Service& service) {
  FieldViolations violations;
  CheckDisplayName("display_name", service.display_name, violations);
  CheckDescription("description", service.description, violations);
  CheckDurationMinutes("duration_minutes", service.duration_minutes, violations);
  return violations;
}

FieldViolations ValidateChannel(const Channel& channel) {
  FieldViolations violations;
  CheckDisplayName("display_name", channel.display_name, violations);
  if (!IsChannelKind(channel.kind)) violations.Add("kind", "must be specified");
  // A phone line is useless without its number; other channels may publish a help number.
  if (channel.kind == ChannelKind::kPhone || !channel.phone_number.empty()) {
    CheckPhoneNumber("phone_number", channel.phone_number, violations);
  }
  CheckWeeklyIntervals("opening_hours", channel.opening_hours, violations);
  return violations;
}

FieldViolations ValidateClosure(const Closure& closure) {
  FieldViolations violations;
  const bool start_ok = YearInRange(closure.start_date.year());
  const bool end_ok = YearInRange(closure.end_date.year());
  if (!start_ok) violations.Add("start_date", YearRangeRule());
  if (!end_ok) violations.Add("end_date", YearRangeRule());
  if (start_ok && end_ok) {
    if (closure.end_date < closure.start_date) {
      violations.Add("end_date", "must not be before start_date");
    } else if (closure.end_date - closure.start_date + 1 > kMaxClosureDays) {
      violations.Add("end_date",
                     absl::StrCat("must make the closure at most ", kMaxClosureDays, " days long"));
    }
  }
  CheckText("reason", closure.reason,
            TextRules{.required = false, .max_length = kMaxClosureReasonLength}, violations);
  return violations;
}

FieldViolations ValidateHoliday(const Holiday& holiday) {
  FieldViolations violations;
  CheckDisplayName("display_name", holiday.display_name, violations);
  if (!holiday.recurring && !YearInRange(holiday.date.year())) {
    violations.Add("date", YearRangeRule());
  }
  return violations;
}

FieldViolations ValidateOperator(const Operator& op) {
  FieldViolations violations;
  CheckDisplayName("display_name", op.display_name, violations);
  const bool subject_printable = std::all_of(op.subject.begin(), op.subject.end(),
                                             [](char c) { return c >= 0x20 && c <= 0x7e; });
  if (op.subject.empty()) {
    violations.Add("subject", "is required");
  } else if (op.subject.size() > static_cast<size_t>(kMaxSubjectLength) || !subject_printable) {
    violations.Add("subject",
                   absl::StrCat("must be 1 to ", kMaxSubjectLength, " printable ASCII characters"));
  }
  if (op.roles.empty()) violations.Add("roles", "must list at least one role");
  // A table per role finds repeats in one pass however long the list is.
  std::optional<size_t> first_index[static_cast<int>(OperatorRole::kDpo) + 1];
  for (size_t i = 0; i < op.roles.size(); ++i) {
    if (!IsOperatorRole(op.roles[i])) {
      violations.Add(Indexed("roles", i), "must be specified");
      continue;
    }
    std::optional<size_t>& first = first_index[static_cast<int>(op.roles[i])];
    if (first) {
      violations.Add(Indexed("roles", i), absl::StrCat("repeats ", Indexed("roles", *first)));
    } else {
      first = i;
    }
  }
  CheckIdList("desks", op.desk_ids, violations);
  return violations;
}

FieldViolations ValidateDateRange(absl::CivilDay start_date, absl::CivilDay end_date) {
  FieldViolations violations;
  const bool start_ok = YearInRange(start_date.year());
  const bool end_ok = YearInRange(end_date.year());
  if (!start_ok) violations.Add("start_date", YearRangeRule());
  if (!end_ok) violations.Add("end_date", YearRangeRule());
  if (start_ok && end_ok) {
    if (end_date < start_date) {
      violations.Add("end_date", "must not be before start_date");
    } else if (end_date - start_date > kMaxRangeDays) {
      violations.Add("end_date",
                     absl::StrCat("must be at most ", kMaxRangeDays, " days after start_date"));
    }
  }
  return violations;
}

}  // namespace sportelli::tenants
