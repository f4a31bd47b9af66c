// What intake needs to know of an appointment, which scheduling owns: read from scheduling with
// the caller's own token (scheduling applies its own checks and audits the read), never from the
// request. A contact that names an appointment must be at its desk and the citizen must have
// been checked in (or the appointment completed).
#ifndef SPORTELLI_SERVICES_INTAKE_APPOINTMENTS_H_
#define SPORTELLI_SERVICES_INTAKE_APPOINTMENTS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"

namespace sportelli::intake {

struct AppointmentFacts {
  std::string desk_id;
  // The citizen came: checked in, or the appointment completed.
  bool attended = false;
  absl::Time start_time;
  // The booking's codice fiscale (personal data: used to find the registered person, never
  // logged), empty when the booking has none or its citizen was erased.
  std::string codice_fiscale;
};

class AppointmentReader {
 public:
  virtual ~AppointmentReader() = default;
  // NOT_FOUND for an unknown appointment; UNAVAILABLE (reason SCHEDULING_UNAVAILABLE) when
  // scheduling does not answer in time.
  virtual absl::StatusOr<AppointmentFacts> Get(const auth::OnBehalfOf& caller,
                                               const std::string& tenant,
                                               const std::string& appointment_id) = 0;
};

class GrpcAppointmentReader final : public AppointmentReader {
 public:
  GrpcAppointmentReader(std::shared_ptr<grpc::Channel> channel, absl::Duration deadline);
  absl::StatusOr<AppointmentFacts> Get(const auth::OnBehalfOf& caller, const std::string& tenant,
                                       const std::string& appointment_id) override;

 private:
  std::unique_ptr<scheduling::v1::SchedulingService::Stub> stub_;
  absl::Duration deadline_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_APPOINTMENTS_H_
