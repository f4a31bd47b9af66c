// Conversions between protobuf's time types and abseil's, the same in every service:
// google.protobuf.Timestamp <-> absl::Time, google.type.Date <-> absl::CivilDay. The
// "Parse" functions check client input and report a field violation; the others trust their
// input (it comes from this system).
//
//   status::FieldViolations violations;
//   std::optional<absl::Time> start =
//       api::ParseTimestamp(request.has_start_time(), request.start_time(), "start_time",
//                           violations);
//   std::optional<absl::CivilDay> day =
//       api::ParseDate(request.has_date(), request.date(), "date", violations);
//   api::ToTimestamp(appointment.start, out.mutable_start_time());
#ifndef SPORTELLI_API_PROTO_TIME_H_
#define SPORTELLI_API_PROTO_TIME_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);
google::protobuf::Timestamp ToTimestamp(absl::Time t);
// A timestamp from a trusted source (this system, another service), without checks.
absl::Time FromTimestamp(const google::protobuf::Timestamp& t);
// nullopt (and a violation on `field`) when unset or outside years 1..9999.
std::optional<absl::Time> ParseTimestamp(bool present, const google::protobuf::Timestamp& t,
                                         absl::string_view field,
                                         status::FieldViolations& violations);

google::type::Date ToDate(absl::CivilDay day);
// A date with year 0 ("every year": a recurring holiday), month and day.
google::type::Date ToYearlessDate(absl::CivilDay day);

struct DateRules {
  // An unset date is a violation ("is required"); otherwise an all-zero date is.
  bool required = true;
  // Year 0 means "every year" and gives a day in leap year 2000, so that 29 February stays
  // representable.
  bool allow_no_year = false;
};

// nullopt (and a violation on `field`) unless a date that exists: "must be a complete valid
// date" (year 1..9999, month, day), "must be a date that exists" (31 April).
std::optional<absl::CivilDay> ParseDate(bool present, const google::type::Date& date,
                                        absl::string_view field,
                                        status::FieldViolations& violations, DateRules rules = {});

}  // namespace sportelli::api

#endif  // SPORTELLI_API_PROTO_TIME_H_
