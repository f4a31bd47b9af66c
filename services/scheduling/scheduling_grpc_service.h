// The gRPC edge of the scheduling service: checks each request (every problem reported at
// once, as field violations), authorizes the caller, calls one use case of BookingService and
// maps the result to protos. No rule lives here.
//
// Roles: `portal` may list availability, hold and book through the web channel, and cancel
// with the citizen's cancel token; staff (`operator`, `coordinator`, `tenant_admin`) do
// everything within their tenant. Every resource is checked against the caller's tenant before
// any read.
#ifndef SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_

#include "services/scheduling/booking_service.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::scheduling {

class SchedulingGrpcService final : public v1::SchedulingService::Service {
 public:
  // Pointers must outlive the service.
  SchedulingGrpcService(BookingService* booking, const server::RpcHandler* handler)
      : booking_(booking), handler_(handler) {}

  grpc::Status ListAvailableSlots(grpc::ServerContext* context,
                                  const v1::ListAvailableSlotsRequest* request,
                                  v1::ListAvailableSlotsResponse* response) override;
  grpc::Status EnterQueue(grpc::ServerContext* context, const v1::EnterQueueRequest* request,
                          v1::QueuePlace* response) override;
  grpc::Status HoldSlot(grpc::ServerContext* context, const v1::HoldSlotRequest* request,
                        v1::Hold* response) override;
  grpc::Status CreateAppointment(grpc::ServerContext* context,
                                 const v1::CreateAppointmentRequest* request,
                                 v1::Appointment* response) override;
  grpc::Status GetAppointmentContact(grpc::ServerContext* context,
                                     const v1::GetAppointmentContactRequest* request,
                                     v1::AppointmentContact* response) override;
  grpc::Status GetAppointment(grpc::ServerContext* context,
                              const v1::GetAppointmentRequest* request,
                              v1::Appointment* response) override;
  grpc::Status ListAppointments(grpc::ServerContext* context,
                                const v1::ListAppointmentsRequest* request,
                                v1::ListAppointmentsResponse* response) override;
  grpc::Status ListAffectedAppointments(grpc::ServerContext* context,
                                        const v1::ListAffectedAppointmentsRequest* request,
                                        v1::ListAffectedAppointmentsResponse* response) override;
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
  absl::Status OperatorEvent(server::Call& call, const std::string& name, AppointmentEvent event,
                             v1::Appointment* response);
  // The reply to a write that made or moved an appointment: the new one, or for a retry the
  // recorded reply with the citizen read back from the appointment.
  absl::Status ReplyWithAppointment(const pg::Created<Appointment>& created,
                                    const audit::Actor& who, v1::Appointment* response);

  BookingService* const booking_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_GRPC_SERVICE_H_
