// The tenants service's domain model: plain values, no I/O, no protobuf. The gRPC layer maps
// these to and from sportelli.tenants.v1 messages; repositories store and load them.
//
// Wall-clock values (opening hours, dates) are in the tenant's time zone (Europe/Rome for the
// Piana di Lucca); instants are absl::Time (UTC).
#ifndef SPORTELLI_SERVICES_TENANTS_DOMAIN_MODEL_H_
#define SPORTELLI_SERVICES_TENANTS_DOMAIN_MODEL_H_

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sportelli/clock/time_interval.h"

namespace sportelli::tenants {

struct PostalAddress {
  std::string street;       // "Piazza Aldo Moro 1"
  std::string postal_code;  // CAP, five digits
  std::string locality;     // comune or frazione
  std::string province;     // two capital letters, "LU"

  bool operator==(const PostalAddress&) const = default;
};

enum class BookingMode { kWalkIn, kAppointmentOnly, kWalkInAndAppointment };
enum class ChannelKind { kPhone, kWeb, kDesk };
enum class OperatorRole { kOperator, kCoordinator, kTenantAdmin, kDpo };

// One weekly opening interval in wall-clock minutes since local midnight: [start, end).
// 0 <= start_minute < end_minute <= 1440; an interval never crosses midnight.
struct WeeklyInterval {
  absl::Weekday day = absl::Weekday::monday;
  int start_minute = 0;
  int end_minute = 0;

  bool operator==(const WeeklyInterval&) const = default;
};

struct Tenant {
  std::string id;  // "capannori"
  std::string display_name;
  std::string istat_code;  // six digits
  PostalAddress address;
  std::string phone_number;  // E.164
  bool lead = false;         // capofila of the federation
  std::string time_zone = "Europe/Rome";
  absl::Time create_time;
  absl::Time update_time;
};

struct Desk {
  std::string tenant_id;
  std::string id;  // "sede-centrale"
  std::string display_name;
  PostalAddress address;
  BookingMode booking_mode = BookingMode::kWalkInAndAppointment;
  std::vector<WeeklyInterval> opening_hours;
  std::vector<std::string> service_ids;  // ids within the same tenant
  int capacity = 1;                      // citizens served in parallel
  absl::Time create_time;
  absl::Time update_time;
};

struct Service {
  std::string tenant_id;
  std::string id;
  std::string display_name;
  std::string description;
  int duration_minutes = 30;
  absl::Time create_time;
  absl::Time update_time;
};

struct Channel {
  std::string tenant_id;
  std::string id;
  std::string display_name;
  ChannelKind kind = ChannelKind::kPhone;
  std::string phone_number;  // E.164, for kPhone
  std::vector<WeeklyInterval> opening_hours;
  absl::Time create_time;
  absl::Time update_time;
};

// What the citizens booked on a closure's days are told by the notifications service.
enum class ClosureNotice {
  kNone,       // nothing: the desk calls them
  kMoved,      // their appointment will be moved; the comune gets in touch
  kCancelled,  // their appointment is cancelled
};

// Days a desk is closed, both ends included.
struct Closure {
  std::string tenant_id;
  std::string desk_id;
  std::string id;
  absl::CivilDay start_date;
  absl::CivilDay end_date;
  std::string reason;
  absl::Time create_time;
  ClosureNotice citizen_notice = ClosureNotice::kNone;
};

// A tenant's own holiday. A recurring one (the patron saint's day) repeats every year on the
// month and day of `date`; its year is ignored.
struct Holiday {
  std::string tenant_id;
  std::string id;
  std::string display_name;
  absl::CivilDay date;
  bool recurring = false;
  absl::Time create_time;
};

struct Operator {
  std::string tenant_id;
  std::string id;
  std::string display_name;
  std::string subject;  // the identity provider's `sub`
  std::vector<OperatorRole> roles;
  std::vector<std::string> desk_ids;
  absl::Time create_time;
  absl::Time update_time;
};

using clock::TimeInterval;  // [start, end), shared by every service

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_DOMAIN_MODEL_H_
