#include "services/scheduling/proto_mapping.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/util/json_util.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"

namespace sportelli::scheduling {

using api::ToTimestamp;

std::optional<Channel> FromProto(v1::Channel channel) {
  switch (channel) {
    case v1::CHANNEL_WEB:
      return Channel::kWeb;
    case v1::CHANNEL_PHONE:
      return Channel::kPhone;
    case v1::CHANNEL_DESK:
      return Channel::kDesk;
    default:
      return std::nullopt;
  }
}

v1::Channel ToProto(Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      return v1::CHANNEL_WEB;
    case Channel::kPhone:
      return v1::CHANNEL_PHONE;
    case Channel::kDesk:
      return v1::CHANNEL_DESK;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

std::optional<AppointmentState> FromProto(v1::AppointmentState state) {
  switch (state) {
    case v1::APPOINTMENT_STATE_BOOKED:
      return AppointmentState::kBooked;
    case v1::APPOINTMENT_STATE_CHECKED_IN:
      return AppointmentState::kCheckedIn;
    case v1::APPOINTMENT_STATE_COMPLETED:
      return AppointmentState::kCompleted;
    case v1::APPOINTMENT_STATE_CANCELLED:
      return AppointmentState::kCancelled;
    case v1::APPOINTMENT_STATE_NO_SHOW:
      return AppointmentState::kNoShow;
    default:
      return std::nullopt;
  }
}

v1::AppointmentState ToProto(AppointmentState state) {
  switch (state) {
    case AppointmentState::kBooked:
      return v1::APPOINTMENT_STATE_BOOKED;
    case AppointmentState::kCheckedIn:
      return v1::APPOINTMENT_STATE_CHECKED_IN;
    case AppointmentState::kCompleted:
      return v1::APPOINTMENT_STATE_COMPLETED;
    case AppointmentState::kCancelled:
      return v1::APPOINTMENT_STATE_CANCELLED;
    case AppointmentState::kNoShow:
      return v1::APPOINTMENT_STATE_NO_SHOW;
  }
  return v1::APPOINTMENT_STATE_UNSPECIFIED;
}

Citizen FromProto(const v1::Citizen& citizen) {
  Citizen out;
  out.given_name = citizen.given_name();
  out.family_name = citizen.family_name();
  out.codice_fiscale = citizen.codice_fiscale();
  out.phone_e164 = citizen.phone_number();
  out.email = citizen.email();
  switch (citizen.preferred_contact()) {
    case v1::CONTACT_CHANNEL_SMS:
      out.preferred_contact = ContactChannel::kSms;
      break;
    case v1::CONTACT_CHANNEL_EMAIL:
      out.preferred_contact = ContactChannel::kEmail;
      break;
    case v1::CONTACT_CHANNEL_PHONE_CALL:
      out.preferred_contact = ContactChannel::kPhoneCall;
      break;
    case v1::CONTACT_CHANNEL_NONE:
      out.preferred_contact = ContactChannel::kNone;
      break;
    default:
      out.preferred_contact = static_cast<ContactChannel>(-1);  // "must be specified"
      break;
  }
  out.privacy_notice_acknowledged = citizen.privacy_notice_acknowledged();
  return out;
}

namespace {

v1::ContactChannel ToProto(ContactChannel contact) {
  switch (contact) {
    case ContactChannel::kSms:
      return v1::CONTACT_CHANNEL_SMS;
    case ContactChannel::kEmail:
      return v1::CONTACT_CHANNEL_EMAIL;
    case ContactChannel::kPhoneCall:
      return v1::CONTACT_CHANNEL_PHONE_CALL;
    case ContactChannel::kNone:
      return v1::CONTACT_CHANNEL_NONE;
  }
  return v1::CONTACT_CHANNEL_UNSPECIFIED;
}

}  // namespace

v1::Appointment ToProto(const Appointment& a) {
  v1::Appointment out;
  out.set_name(api::AppointmentName{a.tenant_id, a.id}.ToString());
  out.set_desk(api::DeskName{a.tenant_id, a.desk_id}.ToString());
  out.set_service(api::ServiceName{a.tenant_id, a.service_id}.ToString());
  ToTimestamp(a.start, out.mutable_start_time());
  ToTimestamp(a.end, out.mutable_end_time());
  out.set_channel(ToProto(a.channel));
  if (!a.citizen_erased) {
    v1::Citizen* citizen = out.mutable_citizen();
    citizen->set_given_name(a.citizen.given_name);
    citizen->set_family_name(a.citizen.family_name);
    citizen->set_codice_fiscale(a.citizen.codice_fiscale);
    citizen->set_phone_number(a.citizen.phone_e164);
    citizen->set_email(a.citizen.email);
    citizen->set_preferred_contact(ToProto(a.citizen.preferred_contact));
    citizen->set_privacy_notice_acknowledged(a.citizen.privacy_notice_acknowledged);
  }
  out.set_state(ToProto(a.state));
  ToTimestamp(a.create_time, out.mutable_create_time());
  ToTimestamp(a.update_time, out.mutable_update_time());
  return out;
}

v1::AppointmentContact ToContactProto(const Appointment& a) {
  v1::AppointmentContact out;
  out.set_name(api::AppointmentName{a.tenant_id, a.id}.ToString());
  out.set_desk(api::DeskName{a.tenant_id, a.desk_id}.ToString());
  out.set_state(ToProto(a.state));
  ToTimestamp(a.start, out.mutable_start_time());
  ToTimestamp(a.end, out.mutable_end_time());
  if (!a.citizen_erased) {
    out.set_phone_number(a.citizen.phone_e164);
    out.set_email(a.citizen.email);
    out.set_preferred_contact(ToProto(a.citizen.preferred_contact));
  }
  return out;
}

v1::Hold ToProto(const Hold& hold) {
  v1::Hold out;
  out.set_name(api::HoldName{hold.tenant_id, hold.id}.ToString());
  out.set_desk(api::DeskName{hold.tenant_id, hold.desk_id}.ToString());
  out.set_service(api::ServiceName{hold.tenant_id, hold.service_id}.ToString());
  ToTimestamp(hold.start, out.mutable_start_time());
  out.set_channel(ToProto(hold.channel));
  ToTimestamp(hold.expire_time, out.mutable_expire_time());
  return out;
}

std::string TicketId(const WalkInTicket& ticket) {
  const absl::CivilDay day = ticket.local_day;
  return absl::StrCat("t", absl::StrFormat("%04d%02d%02d", day.year(), day.month(), day.day()), "-",
                      ticket.number);
}

v1::WalkInTicket ToProto(const WalkInTicket& ticket) {
  v1::WalkInTicket out;
  out.set_name(absl::StrCat(api::DeskName{ticket.tenant_id, ticket.desk_id}.ToString(), "/tickets/",
                            TicketId(ticket)));
  out.set_number(ticket.number);
  out.set_state(ticket.state == TicketState::kWaiting ? v1::TICKET_STATE_WAITING
                                                      : v1::TICKET_STATE_CALLED);
  ToTimestamp(ticket.create_time, out.mutable_create_time());
  return out;
}

nlohmann::json AppointmentsJson(const std::vector<Appointment>& appointments) {
  nlohmann::json out = nlohmann::json::array();
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  for (const Appointment& a : appointments) {
    std::string json;
    // Fails only on a message protobuf cannot describe, which a generated one never is.
    if (google::protobuf::util::MessageToJsonString(ToProto(a), &json, options).ok()) {
      out.push_back(nlohmann::json::parse(json));
    }
  }
  return out;
}

}  // namespace sportelli::scheduling
