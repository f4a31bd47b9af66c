// The gRPC edge of the scheduling service: checks each request (every problem reported at
// once, as field violations), authorizes the caller, asks the tenants service (through
// DeskDirectory) for the desk's rules, and maps domain results and statuses to protos.
//
// Roles: `portal` may list availability, hold and book through the web channel, and cancel
// with the citizen's cancel token; staff (`operator`, `coordinator`, `tenant_admin`) do
// everything within their tenant. Every resource is checked against the caller's tenant before
// any read.
#ifndef SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_

#include "services/scheduling/availability.h"
#include "services/scheduling/desk_directory.h"
#include "services/scheduling/domain/appointment_state.h"
#include "services/scheduling/scheduling_repository.h"
#include "services/scheduling/secrets.h"
#include "sportelli/clock/clock.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::scheduling {

// The booking rules of every comune (per-comune rules would live in the tenants service).
struct BookingRules {
  absl::Duration minimum_notice = absl::Hours(2);
  absl::Duration booking_window = absl::Hours(24 * 60);
  ChannelQuota quota{.phone_share = 0.2, .desk_share = 0.2};
  absl::Duration reserve_release_before = absl::Hours(24);
  absl::Duration hold_ttl = absl::Minutes(5);
  int max_future_appointments = 3;
  AppointmentTimePolicy time_policy;
};

class SchedulingGrpcService final : public v1::SchedulingService::Service {
 public:
  // Pointers must outlive the service. Every "now" of a request is read once from `clock`.
  SchedulingGrpcService(SchedulingRepository* repository, DeskDirectory* directory,
                        Availability* availability, const SecretKey* secret,
                        const server::RpcHandler* handler, BookingRules rules,
                        const clock::Clock* clock);

  grpc::Status ListAvailableSlots(grpc::ServerContext* context,
                                  const v1::ListAvailableSlotsRequest* request,
                                  v1::ListAvailableSlotsResponse* response) override;
  grpc::Status HoldSlot(grpc::ServerContext* context, const v1::HoldSlotRequest* request,
                        v1::Hold* response) override;
  grpc::Status CreateAppointment(grpc::ServerContext* context,
                                 const v1::CreateAppointmentRequest* request,
                                 v1::Appointment* response) override;
  grpc::Status GetAppointment(grpc::ServerContext* context,
                              const v1::GetAppointmentRequest* request,
                              v1::Appointment* response) override;
  grpc::Status ListAppointments(grpc::ServerContext* context,
                                const v1::ListAppointmentsRequest* request,
                                v1::ListAppointmentsResponse* response) override;
  grpc::Status CancelAppointment(grpc::ServerContext* context,
                                 const v1::CancelAppointmentRequest* request,
                                 v1::Appointment* response) override;
  grpc::Status RescheduleAppointment(grpc::ServerContext* context,
                                     const v1::RescheduleAppointmentRequest* request,
                                     v1::Appointment* response) override;
  grpc::Status CheckInAppointment(grpc::ServerContext* context,
                                  const v1::CheckInAppointmentRequest* request,
                                  v1::Appointment* response) override;
  grpc::Status MarkNoShow(grpc::ServerContext* context, const v1::MarkNoShowRequest* request,
                          v1::Appointment* response) override;
  grpc::Status CompleteAppointment(grpc::ServerContext* context,
                                   const v1::CompleteAppointmentRequest* request,
                                   v1::Appointment* response) override;
  grpc::Status CreateWalkInTicket(grpc::ServerContext* context,
                                  const v1::CreateWalkInTicketRequest* request,
                                  v1::WalkInTicket* response) override;
  grpc::Status CallNext(grpc::ServerContext* context, const v1::CallNextRequest* request,
                        v1::CallNextResponse* response) override;
  grpc::Status ListQueue(grpc::ServerContext* context, const v1::ListQueueRequest* request,
                         v1::ListQueueResponse* response) override;

 private:
  struct DeskRules;
  absl::StatusOr<DeskRules> RulesFor(const server::Call& call, const std::string& tenant,
                                     const std::string& desk, const std::string& service);
  absl::StatusOr<SeatRules> SeatRulesFor(const server::Call& call, const DeskRules& rules,
                                         const std::string& tenant, const std::string& desk,
                                         absl::Time start, absl::Time now);
  // SLOT_FULL without a transaction when the availability cache knows the slot is full (see
  // Availability::KnownFull); OK when unsure, and the booking transaction decides.
  absl::Status TurnAwayIfKnownFull(const std::string& tenant, const std::string& desk,
                                   const std::string& service, absl::Time start, Channel channel,
                                   const DeskRules& rules, const SeatRules& seat,
                                   const std::string& request_id, bool has_hold);
  absl::Status ApplyStaffEvent(server::Call& call, const std::string& name, AppointmentEvent event,
                               v1::Appointment* response);

  SchedulingRepository* const repository_;
  DeskDirectory* const directory_;
  Availability* const availability_;
  const SecretKey* const secret_;
  const server::RpcHandler* const handler_;
  const BookingRules rules_;
  const clock::Clock* const clock_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
