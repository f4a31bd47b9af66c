#include "services/notifications/appointment_source.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

namespace sv1 = ::sportelli::scheduling::v1;
namespace tv1 = ::sportelli::tenants::v1;

PreferredContact FromProto(sv1::ContactChannel channel) {
  switch (channel) {
    case sv1::CONTACT_CHANNEL_SMS:
      return PreferredContact::kSms;
    case sv1::CONTACT_CHANNEL_EMAIL:
      return PreferredContact::kEmail;
    case sv1::CONTACT_CHANNEL_PHONE_CALL:
      return PreferredContact::kPhoneCall;
    default:
      return PreferredContact::kNone;
  }
}

}  // namespace

GrpcAppointmentSource::GrpcAppointmentSource(std::shared_ptr<grpc::Channel> scheduling,
                                             std::shared_ptr<grpc::Channel> tenants,
                                             ServiceIdentity* identity, absl::Duration deadline)
    : scheduling_(sv1::SchedulingService::NewStub(std::move(scheduling))),
      tenants_(tv1::TenantsService::NewStub(std::move(tenants))),
      identity_(identity),
      deadline_(deadline) {}

absl::StatusOr<AppointmentNow> GrpcAppointmentSource::Appointment(
    const std::string& tenant, const std::string& appointment_id) {
  ASSIGN_OR_RETURN(auth::OnBehalfOf as, identity_->For(tenant));
  sv1::GetAppointmentContactRequest request;
  request.set_name(api::AppointmentName{tenant, appointment_id}.ToString());
  sv1::AppointmentContact contact;
  const grpc::Status status =
      scheduling_->GetAppointmentContact(as.NewContext(deadline_).get(), request, &contact);
  if (!status.ok()) {
    return status::FromDependency(status, "scheduling", "SCHEDULING_UNAVAILABLE");
  }
  absl::StatusOr<api::DeskName> desk = api::ParseName<api::DeskName>(contact.desk(), "desk");
  if (!desk.ok()) return status::Internal("scheduling answered an appointment without a desk");
  AppointmentNow now;
  now.desk_id = desk->desk;
  now.booked = contact.state() == sv1::APPOINTMENT_STATE_BOOKED;
  now.start = api::FromTimestamp(contact.start_time());
  now.phone_number = contact.phone_number();
  now.email = contact.email();
  now.preferred = FromProto(contact.preferred_contact());
  now.citizen = contact.citizen();
  return now;
}

absl::StatusOr<std::vector<std::string>> GrpcAppointmentSource::AffectedAppointments(
    const std::string& tenant, const std::string& desk_id, absl::CivilDay first,
    absl::CivilDay last) {
  ASSIGN_OR_RETURN(auth::OnBehalfOf as, identity_->For(tenant));
  sv1::ListAffectedAppointmentsRequest request;
  request.set_desk(api::DeskName{tenant, desk_id}.ToString());
  *request.mutable_start_date() = api::ToDate(first);
  *request.mutable_end_date() = api::ToDate(last);
  sv1::ListAffectedAppointmentsResponse response;
  const grpc::Status status =
      scheduling_->ListAffectedAppointments(as.NewContext(deadline_).get(), request, &response);
  if (!status.ok()) {
    return status::FromDependency(status, "scheduling", "SCHEDULING_UNAVAILABLE");
  }
  std::vector<std::string> ids;
  for (const sv1::Appointment& appointment : response.appointments()) {
    absl::StatusOr<api::AppointmentName> name =
        api::ParseName<api::AppointmentName>(appointment.name(), "name");
    if (!name.ok() || name->tenant != tenant) {
      return status::Internal("scheduling answered another comune's appointment");
    }
    ids.push_back(name->appointment);
  }
  return ids;
}

absl::StatusOr<Place> GrpcAppointmentSource::PlaceOf(const std::string& tenant,
                                                     const std::string& desk_id) {
  ASSIGN_OR_RETURN(auth::OnBehalfOf as, identity_->For(tenant));
  tv1::GetTenantRequest get_tenant;
  get_tenant.set_name(api::TenantName{tenant}.ToString());
  tv1::Tenant comune;
  grpc::Status status = tenants_->GetTenant(as.NewContext(deadline_).get(), get_tenant, &comune);
  if (!status.ok()) return status::FromDependency(status, "tenants", "TENANTS_UNAVAILABLE");
  tv1::GetDeskRequest get_desk;
  get_desk.set_name(api::DeskName{tenant, desk_id}.ToString());
  tv1::Desk desk;
  status = tenants_->GetDesk(as.NewContext(deadline_).get(), get_desk, &desk);
  if (!status.ok()) return status::FromDependency(status, "tenants", "TENANTS_UNAVAILABLE");
  Place place;
  place.comune = comune.display_name();
  // "Comune di Capannori" is how comuni name themselves; the text says "Comune di {comune}".
  if (absl::StartsWith(place.comune, "Comune di ")) place.comune.erase(0, 10);
  // "Via del Popolo 12, 55012 Capannori", leaving out what the directory does not have; a desk
  // without an address is named instead (the text's neutrality is checked on rendering).
  const tv1::PostalAddress& a = desk.address();
  std::vector<std::string> parts;
  if (!a.street().empty()) parts.push_back(a.street());
  std::vector<std::string> town;
  if (!a.postal_code().empty()) town.push_back(a.postal_code());
  if (!a.locality().empty()) town.push_back(a.locality());
  if (!town.empty()) parts.push_back(absl::StrJoin(town, " "));
  place.address = parts.empty() ? desk.display_name() : absl::StrJoin(parts, ", ");
  if (!absl::LoadTimeZone(comune.time_zone().empty() ? "Europe/Rome" : comune.time_zone(),
                          &place.zone)) {
    return status::Internal("the comune's time zone is unknown to this process");
  }
  return place;
}

}  // namespace sportelli::notifications
