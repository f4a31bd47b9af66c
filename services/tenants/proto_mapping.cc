#include "services/tenants/proto_mapping.h"

#include "absl/strings/str_cat.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"

namespace sportelli::tenants {
namespace {

using api::ToTimestamp;

v1::PostalAddress ToProto(const PostalAddress& address) {
  v1::PostalAddress out;
  out.set_street(address.street);
  out.set_postal_code(address.postal_code);
  out.set_locality(address.locality);
  out.set_province(address.province);
  return out;
}

google::type::DayOfWeek ToProtoDay(absl::Weekday day) {
  switch (day) {
    case absl::Weekday::monday:
      return google::type::MONDAY;
    case absl::Weekday::tuesday:
      return google::type::TUESDAY;
    case absl::Weekday::wednesday:
      return google::type::WEDNESDAY;
    case absl::Weekday::thursday:
      return google::type::THURSDAY;
    case absl::Weekday::friday:
      return google::type::FRIDAY;
    case absl::Weekday::saturday:
      return google::type::SATURDAY;
    case absl::Weekday::sunday:
      return google::type::SUNDAY;
  }
  return google::type::DAY_OF_WEEK_UNSPECIFIED;
}

google::type::TimeOfDay ToProtoTime(int minute) {
  google::type::TimeOfDay time;
  time.set_hours(minute / 60);
  time.set_minutes(minute % 60);
  return time;
}

void AddHours(const std::vector<WeeklyInterval>& hours,
              google::protobuf::RepeatedPtrField<v1::WeeklyInterval>* out) {
  for (const WeeklyInterval& interval : hours) {
    v1::WeeklyInterval* entry = out->Add();
    entry->set_day_of_week(ToProtoDay(interval.day));
    *entry->mutable_start_time() = ToProtoTime(interval.start_minute);
    *entry->mutable_end_time() = ToProtoTime(interval.end_minute);
  }
}

std::optional<absl::Weekday> FromProtoDay(google::type::DayOfWeek day) {
  switch (day) {
    case google::type::MONDAY:
      return absl::Weekday::monday;
    case google::type::TUESDAY:
      return absl::Weekday::tuesday;
    case google::type::WEDNESDAY:
      return absl::Weekday::wednesday;
    case google::type::THURSDAY:
      return absl::Weekday::thursday;
    case google::type::FRIDAY:
      return absl::Weekday::friday;
    case google::type::SATURDAY:
      return absl::Weekday::saturday;
    case google::type::SUNDAY:
      return absl::Weekday::sunday;
    default:
      return std::nullopt;
  }
}

// Minutes since midnight; 24:00 is accepted as the end of the day.
std::optional<int> FromProtoTime(const google::type::TimeOfDay& time, const std::string& field,
                                 status::FieldViolations& violations) {
  const bool midnight_end = time.hours() == 24 && time.minutes() == 0;
  if (time.seconds() != 0 || time.nanos() != 0 || time.minutes() < 0 || time.minutes() > 59 ||
      time.hours() < 0 || (time.hours() > 23 && !midnight_end)) {
    violations.Add(field, "must be a time between 00:00 and 24:00 in whole minutes");
    return std::nullopt;
  }
  return time.hours() * 60 + time.minutes();
}

}  // namespace

v1::Tenant ToProto(const Tenant& tenant) {
  v1::Tenant out;
  out.set_name(api::TenantName{tenant.id}.ToString());
  out.set_display_name(tenant.display_name);
  out.set_istat_code(tenant.istat_code);
  *out.mutable_address() = ToProto(tenant.address);
  out.set_phone_number(tenant.phone_number);
  out.set_lead(tenant.lead);
  out.set_time_zone(tenant.time_zone);
  *out.mutable_create_time() = ToTimestamp(tenant.create_time);
  *out.mutable_update_time() = ToTimestamp(tenant.update_time);
  return out;
}

v1::Desk ToProto(const Desk& desk) {
  v1::Desk out;
  out.set_name(api::DeskName{desk.tenant_id, desk.id}.ToString());
  out.set_display_name(desk.display_name);
  *out.mutable_address() = ToProto(desk.address);
  switch (desk.booking_mode) {
    case BookingMode::kWalkIn:
      out.set_booking_mode(v1::BOOKING_MODE_WALK_IN);
      break;
    case BookingMode::kAppointmentOnly:
      out.set_booking_mode(v1::BOOKING_MODE_APPOINTMENT_ONLY);
      break;
    case BookingMode::kWalkInAndAppointment:
      out.set_booking_mode(v1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT);
      break;
  }
  AddHours(desk.opening_hours, out.mutable_opening_hours());
  for (const std::string& service_id : desk.service_ids)
    out.add_services(api::ServiceName{desk.tenant_id, service_id}.ToString());
  out.set_capacity(desk.capacity);
  *out.mutable_create_time() = ToTimestamp(desk.create_time);
  *out.mutable_update_time() = ToTimestamp(desk.update_time);
  return out;
}

v1::Service ToProto(const Service& service) {
  v1::Service out;
  out.set_name(api::ServiceName{service.tenant_id, service.id}.ToString());
  out.set_display_name(service.display_name);
  out.set_description(service.description);
  out.set_duration_minutes(service.duration_minutes);
  *out.mutable_create_time() = ToTimestamp(service.create_time);
  *out.mutable_update_time() = ToTimestamp(service.update_time);
  return out;
}

v1::Channel ToProto(const Channel& channel) {
  v1::Channel out;
  out.set_name(api::ChannelName{channel.tenant_id, channel.id}.ToString());
  out.set_display_name(channel.display_name);
  switch (channel.kind) {
    case ChannelKind::kPhone:
      out.set_kind(v1::CHANNEL_KIND_PHONE);
      break;
    case ChannelKind::kWeb:
      out.set_kind(v1::CHANNEL_KIND_WEB);
      break;
    case ChannelKind::kDesk:
      out.set_kind(v1::CHANNEL_KIND_DESK);
      break;
  }
  out.set_phone_number(channel.phone_number);
  AddHours(channel.opening_hours, out.mutable_opening_hours());
  *out.mutable_create_time() = ToTimestamp(channel.create_time);
  *out.mutable_update_time() = ToTimestamp(channel.update_time);
  return out;
}

v1::Closure ToProto(const Closure& closure) {
  v1::Closure out;
  out.set_name(api::ClosureName{closure.tenant_id, closure.desk_id, closure.id}.ToString());
  *out.mutable_start_date() = api::ToDate(closure.start_date);
  *out.mutable_end_date() = api::ToDate(closure.end_date);
  out.set_reason(closure.reason);
  *out.mutable_create_time() = ToTimestamp(closure.create_time);
  out.set_citizen_notice(closure.citizen_notice == ClosureNotice::kMoved ? v1::CLOSURE_NOTICE_MOVED
                         : closure.citizen_notice == ClosureNotice::kCancelled
                             ? v1::CLOSURE_NOTICE_CANCELLED
                             : v1::CLOSURE_NOTICE_NONE);
  return out;
}

v1::Holiday ToProto(const Holiday& holiday) {
  v1::Holiday out;
  out.set_name(api::HolidayName{holiday.tenant_id, holiday.id}.ToString());
  out.set_display_name(holiday.display_name);
  *out.mutable_date() =
      holiday.recurring ? api::ToYearlessDate(holiday.date) : api::ToDate(holiday.date);
  out.set_recurring(holiday.recurring);
  *out.mutable_create_time() = ToTimestamp(holiday.create_time);
  return out;
}

v1::Operator ToProto(const Operator& op) {
  v1::Operator out;
  out.set_name(api::OperatorName{op.tenant_id, op.id}.ToString());
  out.set_display_name(op.display_name);
  out.set_subject(op.subject);
  for (OperatorRole role : op.roles) {
    switch (role) {
      case OperatorRole::kOperator:
        out.add_roles(v1::OPERATOR_ROLE_OPERATOR);
        break;
      case OperatorRole::kCoordinator:
        out.add_roles(v1::OPERATOR_ROLE_COORDINATOR);
        break;
      case OperatorRole::kTenantAdmin:
        out.add_roles(v1::OPERATOR_ROLE_TENANT_ADMIN);
        break;
      case OperatorRole::kDpo:
        out.add_roles(v1::OPERATOR_ROLE_DPO);
        break;
    }
  }
  for (const std::string& desk_id : op.desk_ids)
    out.add_desks(api::DeskName{op.tenant_id, desk_id}.ToString());
  *out.mutable_create_time() = ToTimestamp(op.create_time);
  *out.mutable_update_time() = ToTimestamp(op.update_time);
  return out;
}

PostalAddress FromProto(const v1::PostalAddress& address) {
  return PostalAddress{address.street(), address.postal_code(), address.locality(),
                       address.province()};
}

std::vector<WeeklyInterval> FromProto(
    const google::protobuf::RepeatedPtrField<v1::WeeklyInterval>& hours, const std::string& prefix,
    status::FieldViolations& violations) {
  std::vector<WeeklyInterval> out;
  for (int i = 0; i < hours.size(); ++i) {
    const std::string field = absl::StrCat(prefix, "[", i, "].");
    const v1::WeeklyInterval& interval = hours[i];
    std::optional<absl::Weekday> day = FromProtoDay(interval.day_of_week());
    if (!day) violations.Add(field + "day_of_week", "must be a day of the week");
    std::optional<int> start =
        FromProtoTime(interval.start_time(), field + "start_time", violations);
    std::optional<int> end = FromProtoTime(interval.end_time(), field + "end_time", violations);
    if (day && start && end) out.push_back(WeeklyInterval{*day, *start, *end});
  }
  return out;
}

std::optional<BookingMode> FromProto(v1::BookingMode mode) {
  switch (mode) {
    case v1::BOOKING_MODE_WALK_IN:
      return BookingMode::kWalkIn;
    case v1::BOOKING_MODE_APPOINTMENT_ONLY:
      return BookingMode::kAppointmentOnly;
    case v1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT:
      return BookingMode::kWalkInAndAppointment;
    default:
      return std::nullopt;
  }
}

std::optional<ChannelKind> FromProto(v1::ChannelKind kind) {
  switch (kind) {
    case v1::CHANNEL_KIND_PHONE:
      return ChannelKind::kPhone;
    case v1::CHANNEL_KIND_WEB:
      return ChannelKind::kWeb;
    case v1::CHANNEL_KIND_DESK:
      return ChannelKind::kDesk;
    default:
      return std::nullopt;
  }
}

std::optional<OperatorRole> FromProto(v1::OperatorRole role) {
  switch (role) {
    case v1::OPERATOR_ROLE_OPERATOR:
      return OperatorRole::kOperator;
    case v1::OPERATOR_ROLE_COORDINATOR:
      return OperatorRole::kCoordinator;
    case v1::OPERATOR_ROLE_TENANT_ADMIN:
      return OperatorRole::kTenantAdmin;
    case v1::OPERATOR_ROLE_DPO:
      return OperatorRole::kDpo;
    default:
      return std::nullopt;
  }
}

}  // namespace sportelli::tenants
