#include "services/intake/appointments.h"

#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"

namespace sportelli::intake {
namespace sv1 = ::sportelli::scheduling::v1;

GrpcAppointmentReader::GrpcAppointmentReader(std::shared_ptr<grpc::Channel> channel,
                                             absl::Duration deadline)
    : stub_(sv1::SchedulingService::NewStub(std::move(channel))), deadline_(deadline) {}

absl::StatusOr<AppointmentFacts> GrpcAppointmentReader::Get(const auth::OnBehalfOf& caller,
                                                            const std::string& tenant,
                                                            const std::string& appointment_id) {
  sv1::GetAppointmentRequest request;
  request.set_name(api::AppointmentName{tenant, appointment_id}.ToString());
  sv1::Appointment appointment;
  const grpc::Status status =
      stub_->GetAppointment(caller.NewContext(deadline_).get(), request, &appointment);
  if (!status.ok()) {
    return status::FromDependency(status, "scheduling", "SCHEDULING_UNAVAILABLE");
  }
  AppointmentFacts facts;
  absl::StatusOr<api::DeskName> desk = api::ParseName<api::DeskName>(appointment.desk(), "desk");
  if (!desk.ok()) return status::Internal("scheduling answered an appointment without a desk");
  facts.desk_id = desk->desk;
  facts.attended = appointment.state() == sv1::APPOINTMENT_STATE_CHECKED_IN ||
                   appointment.state() == sv1::APPOINTMENT_STATE_COMPLETED;
  facts.start_time = api::FromTimestamp(appointment.start_time());
  facts.codice_fiscale = appointment.citizen().codice_fiscale();
  return facts;
}

}  // namespace sportelli::intake
