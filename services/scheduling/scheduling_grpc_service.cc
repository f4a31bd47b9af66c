#include "services/scheduling/scheduling_grpc_service.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/scheduling/domain/citizen.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/proto_mapping.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {

using auth::Role;
using server::Call;

namespace {

// Longest span one ListAvailableSlots may ask for: two months of days, a portal's calendar.
constexpr int kMaxAvailabilityDays = 62;

// ---- authorization -------------------------------------------------------------------------

bool IsStaff(const Call& call) { return call.caller.HasAnyRole(auth::kOperatorAndAbove); }

absl::Status RequireStaff(const Call& call, const std::string& tenant) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  return call.caller.RequireAnyRole(auth::kOperatorAndAbove);
}

// Portals book for citizens on the web; only staff book on the phone line or at the desk.
absl::Status RequirePortalOrStaff(const Call& call, const std::string& tenant,
                                  std::optional<Channel> channel) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  if (IsStaff(call)) return absl::OkStatus();
  RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kPortal}));
  if (channel && *channel != Channel::kWeb) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         "the portal may only use the web channel", "CHANNEL_NOT_ALLOWED");
  }
  return absl::OkStatus();
}

std::string Credentials(const Call& call) {
  const auto& metadata = call.context->client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

// ---- request helpers -----------------------------------------------------------------------

using server::CheckRequestId;

template <typename Request>
RequestKey KeyOf(const Request& request, const char* method) {
  return RequestKey{request.request_id(), method, server::FingerprintWithoutRequestId(request)};
}

// Parses `name` of `pattern` into `ids`; a violation otherwise.
std::optional<std::vector<std::string>> Parse(const std::string& name, absl::string_view pattern,
                                              const std::string& field,
                                              status::FieldViolations& violations) {
  return api::ParseResourceName(name, pattern, field, violations);
}

// The resource's tenant must be the request's: a desk never offers another comune's service.
void RequireSameTenant(const std::optional<std::vector<std::string>>& ids,
                       const std::string& tenant, const std::string& field,
                       status::FieldViolations& violations) {
  if (ids && (*ids)[0] != tenant) violations.Add(field, "must belong to the same tenant");
}

template <typename Proto>
absl::Status ParseRecorded(const std::string& bytes, Proto* out) {
  if (!out->ParseFromString(bytes)) return status::Internal("recorded response does not parse");
  return absl::OkStatus();
}

bool IsFailure(const absl::Status& status, absl::string_view reason) {
  return status::ReasonOf(status).value_or("") == reason;
}

}  // namespace

struct SchedulingGrpcService::DeskRules {
  DeskInfo desk;
  SlotPolicy policy;
  absl::TimeZone zone;
};

SchedulingGrpcService::SchedulingGrpcService(SchedulingRepository* repository,
                                             DeskDirectory* directory, Availability* availability,
                                             const SecretKey* secret,
                                             const server::RpcHandler* handler, BookingRules rules,
                                             const clock::Clock* clock)
    : repository_(repository),
      directory_(directory),
      availability_(availability),
      secret_(secret),
      handler_(handler),
      rules_(rules),
      clock_(clock) {}

absl::StatusOr<SchedulingGrpcService::DeskRules> SchedulingGrpcService::RulesFor(
    const Call& call, const std::string& tenant, const std::string& desk,
    const std::string& service) {
  const std::string credentials = Credentials(call);
  DeskRules rules;
  ASSIGN_OR_RETURN(rules.desk, directory_->GetDesk(credentials, tenant, desk));
  if (!rules.desk.takes_appointments) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the desk takes walk-ins only, not appointments",
                         "DESK_TAKES_NO_APPOINTMENTS");
  }
  if (std::find(rules.desk.service_ids.begin(), rules.desk.service_ids.end(), service) ==
      rules.desk.service_ids.end()) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the desk does not offer this service", "SERVICE_NOT_OFFERED");
  }
  ASSIGN_OR_RETURN(ServiceInfo info, directory_->GetService(credentials, tenant, service));
  ASSIGN_OR_RETURN(rules.zone, directory_->GetTimeZone(credentials, tenant));
  rules.policy.duration = info.duration;
  rules.policy.capacity = rules.desk.capacity;
  rules.policy.minimum_notice = rules_.minimum_notice;
  rules.policy.booking_window = rules_.booking_window;
  rules.policy.quota = rules_.quota;
  rules.policy.reserve_release_before = rules_.reserve_release_before;
  if (!ValidateSlotPolicy(rules.policy).empty()) {
    return status::Internal("the desk's booking rules are not valid");
  }
  return rules;
}

absl::StatusOr<SeatRules> SchedulingGrpcService::SeatRulesFor(const Call& call,
                                                              const DeskRules& rules,
                                                              const std::string& tenant,
                                                              const std::string& desk,
                                                              absl::Time start, absl::Time now) {
  // The day before too: an interval across midnight contains slots of the next day.
  const absl::CivilDay day = LocalDayOf(start, rules.zone);
  ASSIGN_OR_RETURN(OpenHours hours,
                   directory_->GetOpenHours(Credentials(call), tenant, desk, day - 1, day));
  return SeatRules{rules.policy, std::move(hours.intervals), now};
}

absl::Status SchedulingGrpcService::TurnAwayIfKnownFull(
    const std::string& tenant, const std::string& desk, const std::string& service,
    absl::Time start, Channel channel, const DeskRules& rules, const SeatRules& seat,
    const std::string& request_id, bool has_hold) {
  // A hold's own seat makes its slot look full: only the transaction can tell. Outside the
  // notice and the window the transaction answers TOO_LATE / OUTSIDE_BOOKING_WINDOW first.
  if (has_hold || start < seat.now + rules.policy.minimum_notice ||
      start >= seat.now + rules.policy.booking_window) {
    return absl::OkStatus();
  }
  AvailabilityQuery query{tenant,
                          desk,
                          service,
                          LocalDayOf(start, rules.zone),
                          LocalDayOf(start, rules.zone),
                          rules.zone,
                          rules.policy,
                          channel,
                          true};
  const OpenHoursLoader open_hours = [&seat]() -> absl::StatusOr<std::vector<TimeInterval>> {
    return seat.open;
  };
  if (!availability_->KnownFull(query, open_hours, start, seat.now)) return absl::OkStatus();
  // A retry of a booking that took the last seat must get its first reply, not SLOT_FULL.
  if (!request_id.empty()) {
    absl::StatusOr<bool> seen = repository_->RequestIdExists(tenant, request_id);
    if (!seen.ok() || *seen) return absl::OkStatus();
  }
  return status::Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
}

// ---- availability ---------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::ListAvailableSlots(grpc::ServerContext* context,
                                                       const v1::ListAvailableSlotsRequest* request,
                                                       v1::ListAvailableSlotsResponse* response) {
  return handler_->Handle(context, "ListAvailableSlots", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = Parse(request->desk(), kDeskPattern, "desk", violations);
    auto service = Parse(request->service(), kServicePattern, "service", violations);
    if (desk) RequireSameTenant(service, (*desk)[0], "service", violations);
    auto first =
        FromDate(request->has_start_date(), request->start_date(), "start_date", violations);
    auto last = FromDate(request->has_end_date(), request->end_date(), "end_date", violations);
    if (first && last && (*last < *first || *last - *first >= kMaxAvailabilityDays)) {
      violations.Add("end_date", absl::StrCat("must be on or after start_date and at most ",
                                              kMaxAvailabilityDays, " days in all"));
    }
    const std::optional<Channel> channel = FromProto(request->channel());
    if (!channel) violations.Add("channel", "must be WEB, PHONE or DESK");
    if (desk) RETURN_IF_ERROR(RequirePortalOrStaff(call, (*desk)[0], channel));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string& tenant = (*desk)[0];
    ASSIGN_OR_RETURN(DeskRules rules, RulesFor(call, tenant, (*desk)[1], (*service)[1]));
    AvailabilityQuery query{tenant,       (*desk)[1], (*service)[1],
                            *first,       *last,      rules.zone,
                            rules.policy, *channel,   request->include_full()};
    const std::string credentials = Credentials(call);
    ASSIGN_OR_RETURN(std::vector<AvailableSlot> slots,
                     availability_->List(
                         query,
                         [&]() -> absl::StatusOr<std::vector<TimeInterval>> {
                           ASSIGN_OR_RETURN(
                               OpenHours hours,
                               directory_->GetOpenHours(credentials, tenant, (*desk)[1],
                                                        query.first_day - 1, query.last_day));
                           return hours.intervals;
                         },
                         clock_->Now()));
    for (const AvailableSlot& slot : slots) {
      v1::Slot* out = response->add_slots();
      ToTimestamp(slot.start, out->mutable_start_time());
      ToTimestamp(slot.end, out->mutable_end_time());
      out->set_remaining_capacity(slot.remaining);
    }
    return absl::OkStatus();
  });
}

// ---- holds and bookings ---------------------------------------------------------------------

grpc::Status SchedulingGrpcService::HoldSlot(grpc::ServerContext* context,
                                             const v1::HoldSlotRequest* request,
                                             v1::Hold* response) {
  return handler_->Handle(context, "HoldSlot", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = Parse(request->parent(), kTenantPattern, "parent", violations);
    auto desk = Parse(request->desk(), kDeskPattern, "desk", violations);
    auto service = Parse(request->service(), kServicePattern, "service", violations);
    if (parent) {
      RequireSameTenant(desk, (*parent)[0], "desk", violations);
      RequireSameTenant(service, (*parent)[0], "service", violations);
    }
    auto start =
        FromTimestamp(request->has_start_time(), request->start_time(), "start_time", violations);
    const std::optional<Channel> channel = FromProto(request->channel());
    if (!channel) violations.Add("channel", "must be WEB, PHONE or DESK");
    CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequirePortalOrStaff(call, (*parent)[0], channel));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string& tenant = (*parent)[0];
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(DeskRules rules, RulesFor(call, tenant, (*desk)[1], (*service)[1]));
    ASSIGN_OR_RETURN(SeatRules seat, SeatRulesFor(call, rules, tenant, (*desk)[1], *start, now));
    Hold hold{tenant, RandomResourceId("h"),          (*desk)[1], (*service)[1],
              *start, *start + rules.policy.duration, *channel,   now + rules_.hold_ttl};
    absl::StatusOr<Created<Hold>> created =
        repository_->CreateHold(hold, seat, KeyOf(*request, "HoldSlot"),
                                [](const Hold& h) { return ToProto(h).SerializeAsString(); });
    if (!created.ok()) {
      if (IsFailure(created.status(), "SLOT_FULL")) {
        availability_->AfterWrite(tenant, hold.desk_id, hold.start, hold.end, rules.zone);
      }
      return created.status();
    }
    if (created->replayed_response) return ParseRecorded(*created->replayed_response, response);
    availability_->AfterWrite(tenant, hold.desk_id, hold.start, hold.end, rules.zone);
    *response = ToProto(*created->value);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::CreateAppointment(grpc::ServerContext* context,
                                                      const v1::CreateAppointmentRequest* request,
                                                      v1::Appointment* response) {
  return handler_->Handle(context, "CreateAppointment", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = Parse(request->parent(), kTenantPattern, "parent", violations);
    const v1::Appointment& proto = request->appointment();
    if (!request->has_appointment()) violations.Add("appointment", "is required");
    auto desk = Parse(proto.desk(), kDeskPattern, "appointment.desk", violations);
    auto service = Parse(proto.service(), kServicePattern, "appointment.service", violations);
    std::optional<std::vector<std::string>> hold;
    if (!request->hold().empty()) hold = Parse(request->hold(), kHoldPattern, "hold", violations);
    if (parent) {
      RequireSameTenant(desk, (*parent)[0], "appointment.desk", violations);
      RequireSameTenant(service, (*parent)[0], "appointment.service", violations);
      RequireSameTenant(hold, (*parent)[0], "hold", violations);
    }
    auto start = FromTimestamp(proto.has_start_time(), proto.start_time(), "appointment.start_time",
                               violations);
    const std::optional<Channel> channel = FromProto(proto.channel());
    if (!channel) violations.Add("appointment.channel", "must be WEB, PHONE or DESK");
    if (!proto.has_citizen()) {
      violations.Add("appointment.citizen", "is required");
    } else {
      violations.Merge(ValidateCitizen(FromProto(proto.citizen())), "appointment.citizen.");
    }
    CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequirePortalOrStaff(call, (*parent)[0], channel));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string& tenant = (*parent)[0];
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(DeskRules rules, RulesFor(call, tenant, (*desk)[1], (*service)[1]));
    ASSIGN_OR_RETURN(SeatRules seat, SeatRulesFor(call, rules, tenant, (*desk)[1], *start, now));
    RETURN_IF_ERROR(TurnAwayIfKnownFull(tenant, (*desk)[1], (*service)[1], *start, *channel, rules,
                                        seat, request->request_id(), hold.has_value()));

    NewAppointment booking;
    Appointment& a = booking.appointment;
    a.tenant_id = tenant;
    a.id = RandomResourceId("a");
    a.desk_id = (*desk)[1];
    a.service_id = (*service)[1];
    a.start = *start;
    a.end = *start + rules.policy.duration;
    a.local_day = LocalDayOf(a.start, rules.zone);
    a.channel = *channel;
    a.state = AppointmentState::kBooked;
    a.citizen = NormalizedCitizen(FromProto(proto.citizen()));
    a.create_time = now;
    a.update_time = now;
    booking.citizen_index = secret_->CitizenIndex(tenant, a.citizen.codice_fiscale);
    booking.cancel_token_hash = Sha256(secret_->CancelToken(tenant, a.id));
    booking.hold_id = hold ? (*hold)[1] : "";
    booking.max_future_appointments = rules_.max_future_appointments;

    // The recorded reply leaves the cancel token out (the database never holds it); a retry
    // derives it again from the appointment's name.
    absl::StatusOr<Created<Appointment>> created = repository_->CreateAppointment(
        booking, seat, KeyOf(*request, "CreateAppointment"),
        [](const Appointment& made) { return ToProto(made).SerializeAsString(); });
    if (!created.ok()) {
      // The cache said there was a seat and there was none: correct it.
      if (IsFailure(created.status(), "SLOT_FULL")) {
        availability_->AfterWrite(tenant, a.desk_id, a.start, a.end, rules.zone);
      }
      return created.status();
    }
    if (created->replayed_response) {
      RETURN_IF_ERROR(ParseRecorded(*created->replayed_response, response));
      ASSIGN_OR_RETURN(std::vector<std::string> ids,
                       api::ParseResourceName(response->name(), kAppointmentPattern, "name"));
      response->set_cancel_token(secret_->CancelToken(tenant, ids[1]));
      return absl::OkStatus();
    }
    availability_->AfterWrite(tenant, a.desk_id, a.start, a.end, rules.zone);
    *response = ToProto(*created->value);
    response->set_cancel_token(secret_->CancelToken(tenant, a.id));
    return absl::OkStatus();
  });
}

// ---- reading appointments -------------------------------------------------------------------

grpc::Status SchedulingGrpcService::GetAppointment(grpc::ServerContext* context,
                                                   const v1::GetAppointmentRequest* request,
                                                   v1::Appointment* response) {
  return handler_->Handle(context, "GetAppointment", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> ids,
                     api::ParseResourceName(request->name(), kAppointmentPattern, "name"));
    RETURN_IF_ERROR(RequireStaff(call, ids[0]));
    ASSIGN_OR_RETURN(StoredAppointment stored, repository_->GetAppointment(ids[0], ids[1]));
    *response = ToProto(stored.appointment);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::ListAppointments(grpc::ServerContext* context,
                                                     const v1::ListAppointmentsRequest* request,
                                                     v1::ListAppointmentsResponse* response) {
  return handler_->Handle(context, "ListAppointments", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = Parse(request->desk(), kDeskPattern, "desk", violations);
    auto day = FromDate(request->has_date(), request->date(), "date", violations);
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
    if (desk) RETURN_IF_ERROR(RequireStaff(call, (*desk)[0]));
    RETURN_IF_ERROR(violations.ToStatus());

    ASSIGN_OR_RETURN(int limit, api::NormalizePageSize(request->page_size()));
    std::sort(state_names.begin(), state_names.end());
    const std::string fingerprint = absl::StrCat(request->desk(), "\n", absl::FormatCivilTime(*day),
                                                 "\n", absl::StrJoin(state_names, ","));
    ASSIGN_OR_RETURN(std::string after, api::DecodePageToken(request->page_token(), fingerprint));
    std::optional<AppointmentCursor> cursor;
    if (!after.empty()) {
      // "<unix micros>:<appointment id>"; tokens are not signed, so check what comes back.
      const size_t colon = after.find(':');
      int64_t micros = 0;
      if (colon == std::string::npos || !absl::SimpleAtoi(after.substr(0, colon), &micros) ||
          !api::IsValidResourceId(after.substr(colon + 1))) {
        return status::Error(absl::StatusCode::kInvalidArgument, "invalid page token",
                             "INVALID_PAGE_TOKEN");
      }
      cursor = AppointmentCursor{absl::FromUnixMicros(micros), after.substr(colon + 1)};
    }
    ASSIGN_OR_RETURN(
        AppointmentPage page,
        repository_->ListAppointments((*desk)[0], (*desk)[1], *day, states, cursor, limit));
    for (const Appointment& a : page.items) *response->add_appointments() = ToProto(a);
    if (page.more && !page.items.empty()) {
      const Appointment& last = page.items.back();
      response->set_next_page_token(api::EncodePageToken(
          absl::StrCat(absl::ToUnixMicros(last.start), ":", last.id), fingerprint));
    }
    return absl::OkStatus();
  });
}

// ---- state changes --------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::CancelAppointment(grpc::ServerContext* context,
                                                      const v1::CancelAppointmentRequest* request,
                                                      v1::Appointment* response) {
  return handler_->Handle(context, "CancelAppointment", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> ids,
                     api::ParseResourceName(request->name(), kAppointmentPattern, "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    const bool staff = IsStaff(call);
    if (!staff) {
      RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kPortal}));
      if (request->cancel_token().empty()) {
        status::FieldViolations violations;
        violations.Add("cancel_token", "is required to cancel on the citizen's behalf");
        return violations.ToStatus();
      }
    }
    const Actor actor = staff ? Actor::kOperator : Actor::kCitizen;
    const absl::Time now = clock_->Now();
    const std::string token_hash = Sha256(request->cancel_token());
    ASSIGN_OR_RETURN(
        Appointment changed,
        repository_->ChangeState(
            ids[0], ids[1], StateChange{AppointmentEvent::kCancel, actor},
            [&](const StoredAppointment& stored) -> absl::StatusOr<Transition> {
              if (!staff && !ConstantTimeEquals(token_hash, stored.cancel_token_hash)) {
                // The same answer as for a name that does not exist: a portal cannot probe
                // for appointments with made-up tokens.
                return status::NotFound("appointment");
              }
              const Appointment& a = stored.appointment;
              return ApplyEvent(a.state, AppointmentEvent::kCancel,
                                EventContext{actor, now, a.start, a.end}, rules_.time_policy);
            },
            now));
    if (changed.state == AppointmentState::kCancelled) {
      absl::StatusOr<absl::TimeZone> zone = directory_->GetTimeZone(Credentials(call), ids[0]);
      availability_->AfterWrite(ids[0], changed.desk_id, changed.start, changed.end,
                                zone.ok() ? *zone : absl::UTCTimeZone());
    }
    *response = ToProto(changed);
    return absl::OkStatus();
  });
}

absl::Status SchedulingGrpcService::ApplyStaffEvent(Call& call, const std::string& name,
                                                    AppointmentEvent event,
                                                    v1::Appointment* response) {
  ASSIGN_OR_RETURN(std::vector<std::string> ids,
                   api::ParseResourceName(name, kAppointmentPattern, "name"));
  RETURN_IF_ERROR(RequireStaff(call, ids[0]));
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(Appointment changed,
                   repository_->ChangeState(
                       ids[0], ids[1], StateChange{event, Actor::kOperator},
                       [&](const StoredAppointment& stored) -> absl::StatusOr<Transition> {
                         const Appointment& a = stored.appointment;
                         return ApplyEvent(a.state, event,
                                           EventContext{Actor::kOperator, now, a.start, a.end},
                                           rules_.time_policy);
                       },
                       now));
  if (event == AppointmentEvent::kMarkNoShow) {  // the seat is free again
    absl::StatusOr<absl::TimeZone> zone = directory_->GetTimeZone(Credentials(call), ids[0]);
    availability_->AfterWrite(ids[0], changed.desk_id, changed.start, changed.end,
                              zone.ok() ? *zone : absl::UTCTimeZone());
  }
  *response = ToProto(changed);
  return absl::OkStatus();
}

grpc::Status SchedulingGrpcService::CheckInAppointment(grpc::ServerContext* context,
                                                       const v1::CheckInAppointmentRequest* request,
                                                       v1::Appointment* response) {
  return handler_->Handle(context, "CheckInAppointment", [&](Call& call) {
    return ApplyStaffEvent(call, request->name(), AppointmentEvent::kCheckIn, response);
  });
}

grpc::Status SchedulingGrpcService::MarkNoShow(grpc::ServerContext* context,
                                               const v1::MarkNoShowRequest* request,
                                               v1::Appointment* response) {
  return handler_->Handle(context, "MarkNoShow", [&](Call& call) {
    return ApplyStaffEvent(call, request->name(), AppointmentEvent::kMarkNoShow, response);
  });
}

grpc::Status SchedulingGrpcService::CompleteAppointment(
    grpc::ServerContext* context, const v1::CompleteAppointmentRequest* request,
    v1::Appointment* response) {
  return handler_->Handle(context, "CompleteAppointment", [&](Call& call) {
    return ApplyStaffEvent(call, request->name(), AppointmentEvent::kComplete, response);
  });
}

grpc::Status SchedulingGrpcService::RescheduleAppointment(
    grpc::ServerContext* context, const v1::RescheduleAppointmentRequest* request,
    v1::Appointment* response) {
  return handler_->Handle(context, "RescheduleAppointment", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto ids = Parse(request->name(), kAppointmentPattern, "name", violations);
    auto start =
        FromTimestamp(request->has_start_time(), request->start_time(), "start_time", violations);
    CheckRequestId(request->request_id(), call, violations);
    if (ids) RETURN_IF_ERROR(RequireStaff(call, (*ids)[0]));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string& tenant = (*ids)[0];
    const absl::Time now = clock_->Now();
    // Desk and service never change, so they can be read before the locking transaction.
    ASSIGN_OR_RETURN(StoredAppointment current, repository_->GetAppointment(tenant, (*ids)[1]));
    const Appointment& old = current.appointment;
    ASSIGN_OR_RETURN(DeskRules rules, RulesFor(call, tenant, old.desk_id, old.service_id));
    ASSIGN_OR_RETURN(SeatRules seat, SeatRulesFor(call, rules, tenant, old.desk_id, *start, now));
    absl::StatusOr<Created<Appointment>> moved = repository_->Reschedule(
        tenant, old.id, *start, *start + rules.policy.duration, LocalDayOf(*start, rules.zone),
        seat, KeyOf(*request, "RescheduleAppointment"),
        [](const Appointment& a) { return ToProto(a).SerializeAsString(); });
    if (!moved.ok()) {
      if (IsFailure(moved.status(), "SLOT_FULL")) {
        availability_->AfterWrite(tenant, old.desk_id, *start, *start + rules.policy.duration,
                                  rules.zone);
      }
      return moved.status();
    }
    if (moved->replayed_response) return ParseRecorded(*moved->replayed_response, response);
    availability_->AfterWrite(tenant, old.desk_id, old.start, old.end, rules.zone);
    availability_->AfterWrite(tenant, old.desk_id, moved->value->start, moved->value->end,
                              rules.zone);
    *response = ToProto(*moved->value);
    return absl::OkStatus();
  });
}

// ---- walk-ins -------------------------------------------------------------------------------

grpc::Status SchedulingGrpcService::CreateWalkInTicket(grpc::ServerContext* context,
                                                       const v1::CreateWalkInTicketRequest* request,
                                                       v1::WalkInTicket* response) {
  return handler_->Handle(context, "CreateWalkInTicket", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = Parse(request->desk(), kDeskPattern, "desk", violations);
    CheckRequestId(request->request_id(), call, violations);
    if (desk) RETURN_IF_ERROR(RequireStaff(call, (*desk)[0]));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string credentials = Credentials(call);
    ASSIGN_OR_RETURN(DeskInfo info, directory_->GetDesk(credentials, (*desk)[0], (*desk)[1]));
    if (!info.takes_walk_ins) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           "the desk sees citizens by appointment only", "DESK_TAKES_NO_WALK_INS");
    }
    ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(credentials, (*desk)[0]));
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(Created<WalkInTicket> created,
                     repository_->CreateTicket(
                         (*desk)[0], (*desk)[1], LocalDayOf(now, zone), now,
                         KeyOf(*request, "CreateWalkInTicket"),
                         [](const WalkInTicket& t) { return ToProto(t).SerializeAsString(); }));
    if (created.replayed_response) return ParseRecorded(*created.replayed_response, response);
    *response = ToProto(*created.value);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::CallNext(grpc::ServerContext* context,
                                             const v1::CallNextRequest* request,
                                             v1::CallNextResponse* response) {
  return handler_->Handle(context, "CallNext", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto desk = Parse(request->desk(), kDeskPattern, "desk", violations);
    auto op = Parse(request->operator_(), kOperatorPattern, "operator", violations);
    if (desk) RequireSameTenant(op, (*desk)[0], "operator", violations);
    if (desk) RETURN_IF_ERROR(RequireStaff(call, (*desk)[0]));
    RETURN_IF_ERROR(violations.ToStatus());

    const std::string credentials = Credentials(call);
    ASSIGN_OR_RETURN(DeskInfo info, directory_->GetDesk(credentials, (*desk)[0], (*desk)[1]));
    (void)info;  // NOT_FOUND for a desk that does not exist
    ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(credentials, (*desk)[0]));
    const absl::Time now = clock_->Now();
    ASSIGN_OR_RETURN(QueueEntry next, repository_->CallNext((*desk)[0], (*desk)[1],
                                                            LocalDayOf(now, zone), (*op)[1], now));
    if (next.appointment) *response->mutable_appointment() = ToProto(*next.appointment);
    if (next.ticket) *response->mutable_ticket() = ToProto(*next.ticket);
    return absl::OkStatus();
  });
}

grpc::Status SchedulingGrpcService::ListQueue(grpc::ServerContext* context,
                                              const v1::ListQueueRequest* request,
                                              v1::ListQueueResponse* response) {
  return handler_->Handle(context, "ListQueue", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<std::string> desk,
                     api::ParseResourceName(request->desk(), kDeskPattern, "desk"));
    RETURN_IF_ERROR(RequireStaff(call, desk[0]));
    const std::string credentials = Credentials(call);
    ASSIGN_OR_RETURN(DeskInfo info, directory_->GetDesk(credentials, desk[0], desk[1]));
    (void)info;
    ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(credentials, desk[0]));
    ASSIGN_OR_RETURN(Queue queue,
                     repository_->ListQueue(desk[0], desk[1], LocalDayOf(clock_->Now(), zone)));
    for (const Appointment& a : queue.checked_in) *response->add_checked_in() = ToProto(a);
    for (const WalkInTicket& t : queue.waiting) *response->add_waiting() = ToProto(t);
    return absl::OkStatus();
  });
}

}  // namespace sportelli::scheduling
