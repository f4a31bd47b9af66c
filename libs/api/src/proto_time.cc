#include "sportelli/api/proto_time.h"

namespace sportelli::api {
namespace {

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range of google.protobuf.Timestamp.
constexpr int64_t kMinSeconds = -62135596800;
constexpr int64_t kMaxSeconds = 253402300799;

}  // namespace

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out) {
  const int64_t seconds = absl::ToUnixSeconds(t);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(t - absl::FromUnixSeconds(seconds))));
}

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp out;
  ToTimestamp(t, &out);
  return out;
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

std::optional<absl::Time> ParseTimestamp(bool present, const google::protobuf::Timestamp& t,
                                         absl::string_view field,
                                         status::FieldViolations& violations) {
  if (!present) {
    violations.Add(std::string(field), "is required");
    return std::nullopt;
  }
  if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds || t.nanos() < 0 ||
      t.nanos() > 999999999) {
    violations.Add(std::string(field), "is not a valid timestamp");
    return std::nullopt;
  }
  return FromTimestamp(t);
}

google::type::Date ToDate(absl::CivilDay day) {
  google::type::Date date;
  date.set_year(static_cast<int32_t>(day.year()));
  date.set_month(day.month());
  date.set_day(day.day());
  return date;
}

google::type::Date ToYearlessDate(absl::CivilDay day) {
  google::type::Date date = ToDate(day);
  date.set_year(0);
  return date;
}

std::optional<absl::CivilDay> ParseDate(bool present, const google::type::Date& date,
                                        absl::string_view field,
                                        status::FieldViolations& violations, DateRules rules) {
  const std::string name(field);
  const bool unset = !present || (date.year() == 0 && date.month() == 0 && date.day() == 0);
  if (unset && rules.required) {
    violations.Add(name, "is required");
    return std::nullopt;
  }
  const bool no_year = rules.allow_no_year && date.year() == 0;
  const int year = no_year ? 2000 : date.year();
  if (year < 1 || year > 9999 || date.month() < 1 || date.month() > 12 || date.day() < 1 ||
      date.day() > 31) {
    violations.Add(name, rules.allow_no_year ? "must be a valid date (year 0 for every year)"
                                             : "must be a complete valid date");
    return std::nullopt;
  }
  const absl::CivilDay day(year, date.month(), date.day());
  // CivilDay normalises 31 April to 1 May: a date that does not round-trip does not exist.
  if (day.month() != date.month() || day.day() != date.day()) {
    violations.Add(name, "must be a date that exists");
    return std::nullopt;
  }
  return day;
}

}  // namespace sportelli::api
