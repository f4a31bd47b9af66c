// What a message needs to know when it is planned and when it is sent, asked of the services
// that own it with the notifier's identity: the appointment and its citizen's contact
// (scheduling's GetAppointmentContact, audited there), the comune's name and time zone and the
// desk's address (tenants). Nothing of it is stored here.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_APPOINTMENT_SOURCE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_APPOINTMENT_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grpcpp/channel.h"
#include "services/notifications/service_identity.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"

namespace sportelli::notifications {

enum class PreferredContact { kNone, kSms, kEmail, kPhoneCall };

struct AppointmentNow {
  std::string desk_id;
  bool booked = false;  // BOOKED: not cancelled, not started (checked in, no-show, completed)
  absl::Time start;
  std::string phone_number;  // E.164, or empty
  std::string email;         // or empty
  PreferredContact preferred = PreferredContact::kNone;
  // Scheduling's pseudonym of the citizen in the comune (AppointmentContact.citizen): their
  // opt-outs are kept under it. Empty when the citizen's data was erased.
  std::string citizen{};
};

struct Place {
  std::string comune;   // "Capannori"
  std::string address;  // "Piazza Aldo Moro 1, 55012 Capannori"
  absl::TimeZone zone;
};

class AppointmentSource {
 public:
  virtual ~AppointmentSource() = default;
  // NOT_FOUND when scheduling has no such appointment; UNAVAILABLE when it cannot be asked.
  virtual absl::StatusOr<AppointmentNow> Appointment(const std::string& tenant,
                                                     const std::string& appointment_id) = 0;
  virtual absl::StatusOr<Place> PlaceOf(const std::string& tenant, const std::string& desk_id) = 0;
  // The ids of the BOOKED appointments of a desk in [first, last] whose time it is no longer
  // open for (a closure): scheduling's ListAffectedAppointments.
  virtual absl::StatusOr<std::vector<std::string>> AffectedAppointments(const std::string& tenant,
                                                                        const std::string& desk_id,
                                                                        absl::CivilDay first,
                                                                        absl::CivilDay last) = 0;
};

class GrpcAppointmentSource final : public AppointmentSource {
 public:
  // `identity` must outlive the source.
  GrpcAppointmentSource(std::shared_ptr<grpc::Channel> scheduling,
                        std::shared_ptr<grpc::Channel> tenants, ServiceIdentity* identity,
                        absl::Duration deadline);

  absl::StatusOr<AppointmentNow> Appointment(const std::string& tenant,
                                             const std::string& appointment_id) override;
  absl::StatusOr<Place> PlaceOf(const std::string& tenant, const std::string& desk_id) override;
  absl::StatusOr<std::vector<std::string>> AffectedAppointments(const std::string& tenant,
                                                                const std::string& desk_id,
                                                                absl::CivilDay first,
                                                                absl::CivilDay last) override;

 private:
  std::unique_ptr<scheduling::v1::SchedulingService::Stub> scheduling_;
  std::unique_ptr<tenants::v1::TenantsService::Stub> tenants_;
  ServiceIdentity* const identity_;
  const absl::Duration deadline_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_APPOINTMENT_SOURCE_H_
