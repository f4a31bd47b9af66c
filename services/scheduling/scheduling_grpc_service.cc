#include "services/scheduling/scheduling_grpc_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/scheduling/proto_mapping.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/server/audit_actor.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {

using api::ParseName;
using auth::Role;
using server::Call;

namespace {

// Longest span one listing of days may ask for: two months of days, a portal's calendar.
constexpr int kMaxListDays = 62;

v1::Appointment AppointmentProto(const Appointment& a) { return ToProto(a); }
// The reply recorded for a retry (request_ids): the appointment without its citizen, whose
// personal data lives only sealed in the appointment's row. A replay reads it back from there
// (ReplyWithAppointment), so a retry still gets the first reply byte for byte.
v1::Appointment RecordedAppointmentProto(const Appointment& a) {
  v1::Appointment recorded = ToProto(a);
  recorded.clear_citizen();
  return recorded;
}
v1::Hold HoldProto(const Hold& h) { return ToProto(h); }
v1::WalkInTicket TicketProto(const WalkInTicket& t) { return ToProto(t); }

// Portals book for citizens on the web; only staff book on the phone line or at the desk.
absl::Status RequirePortalOrStaff(const Call& call, const std::string& tenant,
                                  std::optional<Channel> channel) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  if (call.caller.IsStaff()) return absl::OkStatus();
  RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kPortal}));
  if (channel && *channel != Channel::kWeb) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         "the portal may only use the web channel", "CHANNEL_NOT_ALLOWED");
  }
  return absl::OkStatus();
}

std::optional<Channel> ChannelOf(v1::Channel proto, const std::string& field,
                                 status::FieldViolations& violations) {
  std::optional<Channel> channel = FromProto(proto);
  if (!channel) violations.Add(field, "must be WEB, PHONE or DESK");
  return channel;
}

// [first, last] from two dates, at most kMaxListDays.
void CheckDayRange(const std::optional<absl::CivilDay>& first,
                   const std::optional<absl::CivilDay>& last, status::FieldViolations& violations) {
  if (first && last && (*last < *first || *last - *first >= kMaxListDays)) {
    violations.Add("end_date", absl::StrCat("must be on or after start_date and at most ",
                                            kMaxListDays, " days in all"));
  }
}

}  // namespace

absl::Status SchedulingGrpcService::ReplyWithAppointment(const pg::Created<Appointment>& created,
                                                         const audit::Actor& who,
                                                         v1::Appointment* response) {
  RETURN_IF_ERROR(server::Reply(created, response, AppointmentProto));
  if (!created.replayed_response) return absl::OkStatus();
  ASSIGN_OR_RETURN(api::AppointmentName name,
                   ParseName<api::AppointmentName>(response->name(), "name"));
  ASSIGN_OR_RETURN(StoredAppointment stored,
                   booking_->GetAppointment(name.tenant, name.appointment, who));
  v1::Appointment current = ToProto(stored.appointment);
  if (current.has_citizen()) response->set_allocated_citizen(current.release_citizen());
  return absl::OkStatus();
}

// ---- availability ---------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::ListAvailableSlots(grpc::ServerContext* context,
                                                       const v1::ListAvailableSlotsRequest* request,
                                                       v1::ListAvailableSlotsResponse* response) {
  return handler_->Handle(context, "ListAvailableSlots", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    auto service = ParseName<api::ServiceName>(request->service(), "service", violations);
    api::RequireSameTenant(desk, service, "service", violations);
    auto first =
        api::ParseDate(request->has_start_date(), request->start_date(), "start_date", violations);
    auto last =
        api::ParseDate(request->has_end_date(), request->end_date(), "end_date", violations);
    CheckDayRange(first, last, violations);
    const std::optional<Channel> channel = ChannelOf(request->channel(), "channel", violations);
    if (desk) RETURN_IF_ERROR(RequirePortalOrStaff(call, desk->tenant, channel));
    RETURN_IF_ERROR(violations.ToStatus());

    ASSIGN_OR_RETURN(std::vector<AvailableSlot> slots,
                     booking_->ListAvailableSlots(call.OnBehalfOfCaller(), desk->tenant, desk->desk,
                                                  service->service, *first, *last, *channel,
                                                  request->include_full()));
    for (const AvailableSlot& slot : slots) {
      v1::Slot* out = response->add_slots();
      api::ToTimestamp(slot.start, out->mutable_start_time());
      api::ToTimestamp(slot.end, out->mutable_end_time());
      out->set_remaining_capacity(slot.remaining);
    }
    return absl::OkStatus();
  });
}

// ---- holds and bookings ---------------------------------------------------------------------

grpc::Status SchedulingGrpcService::EnterQueue(grpc::ServerContext* context,
                                               const v1::EnterQueueRequest* request,
                                               v1::QueuePlace* response) {
  return handler_->Handle(context, "EnterQueue", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    citizen::CheckCodiceFiscale("codice_fiscale", request->codice_fiscale(), violations);
    if (parent) {
      RETURN_IF_ERROR(call.caller.RequireTenant(parent->tenant));
      RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kPortal}));
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(std::string codice_fiscale,
                     citizen::NormalizeCodiceFiscale(request->codice_fiscale()));
    ASSIGN_OR_RETURN(std::optional<QueuePlace> place,
                     booking_->EnterQueue(parent->tenant, codice_fiscale));
    response->set_queue_open(place.has_value());
    if (!place) return absl::OkStatus();
    response->set_ahead(place->ahead);
    const int64_t wait_ms = absl::ToInt64Milliseconds(place->estimated_wait);
    response->mutable_estimated_wait()->set_seconds(wait_ms / 1000);
    response->mutable_estimated_wait()->set_nanos(static_cast<int32_t>(wait_ms % 1000) * 1000000);
    response->set_admitted(place->admitted);
    if (place->admitted) {
      response->set_admission(place->admission);
      api::ToTimestamp(place->admission_expire_time, response->mutable_admission_expire_time());
    }
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::HoldSlot(grpc::ServerContext* context,
                                             const v1::HoldSlotRequest* request,
                                             v1::Hold* response) {
  return handler_->Handle(context, "HoldSlot", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    auto service = ParseName<api::ServiceName>(request->service(), "service", violations);
    api::RequireSameTenant(parent, desk, "desk", violations);
    api::RequireSameTenant(parent, service, "service", violations);
    auto start = api::ParseTimestamp(request->has_start_time(), request->start_time(), "start_time",
                                     violations);
    const std::optional<Channel> channel = ChannelOf(request->channel(), "channel", violations);
    citizen::CheckCodiceFiscale("codice_fiscale", request->codice_fiscale(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequirePortalOrStaff(call, parent->tenant, channel));
    RETURN_IF_ERROR(violations.ToStatus());

    ASSIGN_OR_RETURN(std::string codice_fiscale,
                     citizen::NormalizeCodiceFiscale(request->codice_fiscale()));
    // Staff keep seats as themselves; a portal's seats are counted per visitor.
    const bool portal = call.caller.HasRole(auth::Role::kPortal);
    const HoldRequest hold{
        .seat = {parent->tenant, desk->desk, service->service, *start, *channel},
        .codice_fiscale = std::move(codice_fiscale),
        .subject = call.caller.subject,
        .client_address =
            portal ? server::RpcHandler::ClientAddressOf(*call.context, call.caller) : "",
        .admission = request->admission()};
    ASSIGN_OR_RETURN(
        pg::Created<Hold> created,
        booking_->HoldSlot(call.OnBehalfOfCaller(), hold, server::KeyOf(*request, "HoldSlot"),
                           server::ProtoEncoder<Hold>(HoldProto)));
    return server::Reply(created, response, HoldProto);
  });
}

grpc::Status SchedulingGrpcService::CreateAppointment(grpc::ServerContext* context,
                                                      const v1::CreateAppointmentRequest* request,
                                                      v1::Appointment* response) {
  return handler_->Handle(context, "CreateAppointment", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    const v1::Appointment& proto = request->appointment();
    if (!request->has_appointment()) violations.Add("appointment", "is required");
    auto desk = ParseName<api::DeskName>(proto.desk(), "appointment.desk", violations);
    auto service = ParseName<api::ServiceName>(proto.service(), "appointment.service", violations);
    std::optional<api::HoldName> hold;
    if (!request->hold().empty())
      hold = ParseName<api::HoldName>(request->hold(), "hold", violations);
    api::RequireSameTenant(parent, desk, "appointment.desk", violations);
    api::RequireSameTenant(parent, service, "appointment.service", violations);
    api::RequireSameTenant(parent, hold, "hold", violations);
    auto start = api::ParseTimestamp(proto.has_start_time(), proto.start_time(),
                                     "appointment.start_time", violations);
    const std::optional<Channel> channel =
        ChannelOf(proto.channel(), "appointment.channel", violations);
    if (!proto.has_citizen()) {
      violations.Add("appointment.citizen", "is required");
    } else {
      violations.Merge(citizen::ValidateCitizen(FromProto(proto.citizen())),
                       "appointment.citizen.");
    }
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequirePortalOrStaff(call, parent->tenant, channel));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));

    BookingRequest booking{{parent->tenant, desk->desk, service->service, *start, *channel},
                           citizen::NormalizedCitizen(FromProto(proto.citizen())),
                           hold ? hold->hold : "",
                           std::move(who),
                           request->admission()};
    // The recorded reply leaves the cancel token out (the database never holds it); a retry
    // derives it again from the appointment's name.
    ASSIGN_OR_RETURN(
        pg::Created<Appointment> created,
        booking_->CreateAppointment(call.OnBehalfOfCaller(), booking,
                                    server::KeyOf(*request, "CreateAppointment"),
                                    server::ProtoEncoder<Appointment>(RecordedAppointmentProto)));
    RETURN_IF_ERROR(ReplyWithAppointment(created, booking.who, response));
    ASSIGN_OR_RETURN(api::AppointmentName name,
                     ParseName<api::AppointmentName>(response->name(), "name"));
    response->set_cancel_token(booking_->CancelTokenFor(name.tenant, name.appointment));
    return absl::OkStatus();
  });
}

// ---- reading appointments -------------------------------------------------------------------

grpc::Status SchedulingGrpcService::GetAppointment(grpc::ServerContext* context,
                                                   const v1::GetAppointmentRequest* request,
                                                   v1::Appointment* response) {
  return handler_->Handle(context, "GetAppointment", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::AppointmentName name,
                     ParseName<api::AppointmentName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireStaffOf(name.tenant));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(StoredAppointment stored,
                     booking_->GetAppointment(name.tenant, name.appointment, who));
    *response = ToProto(stored.appointment);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::GetAppointmentContact(
    grpc::ServerContext* context, const v1::GetAppointmentContactRequest* request,
    v1::AppointmentContact* response) {
  return handler_->Handle(context, "GetAppointmentContact", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::AppointmentName name,
                     ParseName<api::AppointmentName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    RETURN_IF_ERROR(call.caller.RequireAnyRole({auth::Role::kNotifier}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(StoredAppointment stored,
                     booking_->GetAppointment(name.tenant, name.appointment, who));
    *response = ToContactProto(stored.appointment);
    if (!stored.appointment.citizen_erased) {
      response->set_citizen(booking_->NotificationPseudonym(name.tenant, stored.citizen_index));
    }
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::ListAppointments(grpc::ServerContext* context,
                                                     const v1::ListAppointmentsRequest* request,
                                                     v1::ListAppointmentsResponse* response) {
  return handler_->Handle(context, "ListAppointments", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    auto day = api::ParseDate(request->has_date(), request->date(), "date", violations);
    std::vector<AppointmentState> states;
    std::vector<std::string> state_names;
    for (int i = 0; i < request->states_size(); ++i) {
      std::optional<AppointmentState> state =
          FromProto(static_cast<v1::AppointmentState>(request->states(i)));
      if (!state) {
        violations.Add(absl::StrCat("states[", i, "]"), "must be a specified state");
        continue;
      }
      states.push_back(*state);
      state_names.emplace_back(AppointmentStateName(*state));
    }
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    if (desk) RETURN_IF_ERROR(call.caller.RequireStaffOf(desk->tenant));
    RETURN_IF_ERROR(violations.ToStatus());

    std::sort(state_names.begin(), state_names.end());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             absl::StrCat(request->desk(), "\n", absl::FormatCivilTime(*day), "\n",
                                          absl::StrJoin(state_names, ",")),
                             {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Appointment> appointments,
                     booking_->ListAppointments(desk->tenant, desk->desk, *day, states, page, who));
    for (const Appointment& a : appointments.items) *response->add_appointments() = ToProto(a);
    response->set_next_page_token(api::NextPageToken(appointments, page, [](const Appointment& a) {
      return api::PageKey{absl::StrCat(absl::ToUnixMicros(a.start)), a.id};
    }));
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::ListAffectedAppointments(
    grpc::ServerContext* context, const v1::ListAffectedAppointmentsRequest* request,
    v1::ListAffectedAppointmentsResponse* response) {
  return handler_->Handle(context, "ListAffectedAppointments", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    auto first =
        api::ParseDate(request->has_start_date(), request->start_date(), "start_date", violations);
    auto last =
        api::ParseDate(request->has_end_date(), request->end_date(), "end_date", violations);
    CheckDayRange(first, last, violations);
    // The notifications service (role notifier) asks too, to write to them about a closure:
    // it gets the appointments without their citizens, whose contact it reads one by one.
    bool notifier = false;
    if (desk) {
      notifier = !call.caller.IsStaff() && call.caller.RequireTenant(desk->tenant).ok() &&
                 call.caller.RequireAnyRole({Role::kNotifier}).ok();
      if (!notifier) RETURN_IF_ERROR(call.caller.RequireStaffOf(desk->tenant));
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(std::vector<Appointment> affected,
                     booking_->ListAffectedAppointments(call.OnBehalfOfCaller(), desk->tenant,
                                                        desk->desk, *first, *last, who));
    for (const Appointment& a : affected) {
      v1::Appointment* out = response->add_appointments();
      *out = ToProto(a);
      if (notifier) out->clear_citizen();
    }
    return absl::OkStatus();
  });
}

// ---- state changes --------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::CancelAppointment(grpc::ServerContext* context,
                                                      const v1::CancelAppointmentRequest* request,
                                                      v1::Appointment* response) {
  return handler_->Handle(context, "CancelAppointment", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::AppointmentName name,
                     ParseName<api::AppointmentName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    const bool staff = call.caller.IsStaff();
    if (!staff) {
      RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kPortal}));
      if (request->cancel_token().empty()) {
        status::FieldViolations violations;
        violations.Add("cancel_token", "is required to cancel on the citizen's behalf");
        return violations.ToStatus();
      }
    }
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        Appointment changed,
        booking_->Cancel(call.OnBehalfOfCaller(), name.tenant, name.appointment,
                         staff ? Actor::kOperator : Actor::kCitizen, request->cancel_token(), who));
    *response = ToProto(changed);
    return absl::OkStatus();
  });
}

absl::Status SchedulingGrpcService::OperatorEvent(Call& call, const std::string& name,
                                                  AppointmentEvent event,
                                                  v1::Appointment* response) {
  ASSIGN_OR_RETURN(api::AppointmentName appointment, ParseName<api::AppointmentName>(name, "name"));
  RETURN_IF_ERROR(call.caller.RequireStaffOf(appointment.tenant));
  ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
  ASSIGN_OR_RETURN(Appointment changed,
                   booking_->ApplyOperatorEvent(call.OnBehalfOfCaller(), appointment.tenant,
                                                appointment.appointment, event, who));
  *response = ToProto(changed);
  return absl::OkStatus();
}

grpc::Status SchedulingGrpcService::CheckInAppointment(grpc::ServerContext* context,
                                                       const v1::CheckInAppointmentRequest* request,
                                                       v1::Appointment* response) {
  return handler_->Handle(context, "CheckInAppointment", [&](Call& call) {
    return OperatorEvent(call, request->name(), AppointmentEvent::kCheckIn, response);
  });
}

grpc::Status SchedulingGrpcService::MarkNoShow(grpc::ServerContext* context,
                                               const v1::MarkNoShowRequest* request,
                                               v1::Appointment* response) {
  return handler_->Handle(context, "MarkNoShow", [&](Call& call) {
    return OperatorEvent(call, request->name(), AppointmentEvent::kMarkNoShow, response);
  });
}

grpc::Status SchedulingGrpcService::CompleteAppointment(
    grpc::ServerContext* context, const v1::CompleteAppointmentRequest* request,
    v1::Appointment* response) {
  return handler_->Handle(context, "CompleteAppointment", [&](Call& call) {
    return OperatorEvent(call, request->name(), AppointmentEvent::kComplete, response);
  });
}

grpc::Status SchedulingGrpcService::RescheduleAppointment(
    grpc::ServerContext* context, const v1::RescheduleAppointmentRequest* request,
    v1::Appointment* response) {
  return handler_->Handle(context, "RescheduleAppointment", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::AppointmentName>(request->name(), "name", violations);
    auto start = api::ParseTimestamp(request->has_start_time(), request->start_time(), "start_time",
                                     violations);
    server::CheckRequestId(request->request_id(), call, violations);
    if (name) RETURN_IF_ERROR(call.caller.RequireStaffOf(name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        pg::Created<Appointment> moved,
        booking_->Reschedule(call.OnBehalfOfCaller(), name->tenant, name->appointment, *start,
                             server::KeyOf(*request, "RescheduleAppointment"),
                             server::ProtoEncoder<Appointment>(RecordedAppointmentProto), who));
    return ReplyWithAppointment(moved, who, response);
  });
}

// ---- walk-ins -------------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::CreateWalkInTicket(grpc::ServerContext* context,
                                                       const v1::CreateWalkInTicketRequest* request,
                                                       v1::WalkInTicket* response) {
  return handler_->Handle(context, "CreateWalkInTicket", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    server::CheckRequestId(request->request_id(), call, violations);
    if (desk) RETURN_IF_ERROR(call.caller.RequireStaffOf(desk->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(pg::Created<WalkInTicket> created,
                     booking_->CreateWalkInTicket(call.OnBehalfOfCaller(), desk->tenant, desk->desk,
                                                  server::KeyOf(*request, "CreateWalkInTicket"),
                                                  server::ProtoEncoder<WalkInTicket>(TicketProto)));
    return server::Reply(created, response, TicketProto);
  });
}

grpc::Status SchedulingGrpcService::CallNext(grpc::ServerContext* context,
                                             const v1::CallNextRequest* request,
                                             v1::CallNextResponse* response) {
  return handler_->Handle(context, "CallNext", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    auto op = ParseName<api::OperatorName>(request->operator_(), "operator", violations);
    api::RequireSameTenant(desk, op, "operator", violations);
    if (desk) RETURN_IF_ERROR(call.caller.RequireStaffOf(desk->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    // The operator who calls is the caller (ARCHITECTURE.md §6): `operator` names the counter's
    // operator record, but who called is taken from the token, never from the request.
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(QueueEntry next,
                     booking_->CallNext(call.OnBehalfOfCaller(), desk->tenant, desk->desk, who));
    if (next.appointment) *response->mutable_appointment() = ToProto(*next.appointment);
    if (next.ticket) *response->mutable_ticket() = ToProto(*next.ticket);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::ListQueue(grpc::ServerContext* context,
                                              const v1::ListQueueRequest* request,
                                              v1::ListQueueResponse* response) {
  return handler_->Handle(context, "ListQueue", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DeskName desk, ParseName<api::DeskName>(request->desk(), "desk"));
    RETURN_IF_ERROR(call.caller.RequireStaffOf(desk.tenant));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Queue queue,
                     booking_->ListQueue(call.OnBehalfOfCaller(), desk.tenant, desk.desk, who));
    for (const Appointment& a : queue.checked_in) *response->add_checked_in() = ToProto(a);
    for (const WalkInTicket& t : queue.waiting) *response->add_waiting() = ToProto(t);
    return absl::OkStatus();
  });
}

}  // namespace sportelli::scheduling
