#include "services/scheduling/booking_service.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "services/scheduling/cancel_token.h"
#include "services/scheduling/domain/slots.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {

absl::Status ValidateBookingRules(const BookingRules& rules) {
  SlotPolicy check;
  check.minimum_notice = rules.minimum_notice;
  check.booking_window = rules.booking_window;
  check.quota = rules.quota;
  check.reserve_release_before = std::min(rules.reserve_release_before, rules.booking_window);
  if (!ValidateSlotPolicy(check).empty()) {
    return absl::InvalidArgumentError(
        "SPORTELLI_MIN_NOTICE must be shorter than SPORTELLI_BOOKING_WINDOW, and "
        "SPORTELLI_PHONE_SHARE + SPORTELLI_DESK_SHARE at most 1");
  }
  return absl::OkStatus();
}

struct BookingService::DeskRules {
  tenants_client::DeskInfo desk;
  SlotPolicy policy;
  absl::TimeZone zone;
};

BookingService::BookingService(SchedulingRepository* repository,
                               tenants_client::Directory* directory, Availability* availability,
                               const crypto::SecretKey* secret, BookingRules rules,
                               const clock::Clock* clock, prometheus::Registry* registry,
                               WaitingRoom* waiting_room)
    : repository_(repository),
      directory_(directory),
      availability_(availability),
      secret_(secret),
      rules_(rules),
      clock_(clock),
      combiner_(repository, rules.batching, registry),
      waiting_room_(waiting_room) {}

bool BookingService::MayBeRecordedRetry(const std::string& tenant, const pg::RequestKey& key) {
  if (key.request_id.empty()) return false;
  // One read of the request ids, no transaction.
  absl::StatusOr<bool> seen = repository_->RequestIdExists(tenant, key.request_id);
  return !seen.ok() || *seen;
}

bool BookingService::NeedsAdmission(const SeatRequest& seat) const {
  return seat.channel == Channel::kWeb && rules_.waiting_room_comuni.count(seat.tenant_id) > 0;
}

absl::Status BookingService::RequireAdmission(const SeatRequest& seat,
                                              const std::string& citizen_index,
                                              const std::string& admission,
                                              const pg::RequestKey& key) {
  if (!NeedsAdmission(seat)) return absl::OkStatus();
  if (waiting_room_ == nullptr) return status::Internal("the comune's waiting room is missing");
  absl::Status admitted = waiting_room_->Check(seat.tenant_id, citizen_index, admission);
  // A retry of a booking made with an admission (used since) gets its first reply.
  if (absl::IsFailedPrecondition(admitted) && MayBeRecordedRetry(seat.tenant_id, key)) {
    return absl::OkStatus();
  }
  return admitted;
}

absl::StatusOr<std::optional<QueuePlace>> BookingService::EnterQueue(
    const std::string& tenant_id, const std::string& codice_fiscale) {
  if (rules_.waiting_room_comuni.count(tenant_id) == 0) return std::nullopt;
  if (waiting_room_ == nullptr) return status::Internal("the comune's waiting room is missing");
  return waiting_room_->Enter(tenant_id,
                              citizen::CitizenIndex(*secret_, tenant_id, codice_fiscale));
}

absl::StatusOr<BookingService::DeskRules> BookingService::RulesFor(const auth::OnBehalfOf& caller,
                                                                   const std::string& tenant,
                                                                   const std::string& desk,
                                                                   const std::string& service) {
  DeskRules rules;
  ASSIGN_OR_RETURN(rules.desk, directory_->GetDesk(caller, tenant, desk));
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
  ASSIGN_OR_RETURN(tenants_client::ServiceInfo info,
                   directory_->GetService(caller, tenant, service));
  ASSIGN_OR_RETURN(rules.zone, directory_->GetTimeZone(caller, tenant));
  rules.policy.duration = info.duration;
  rules.policy.capacity = rules.desk.capacity;
  rules.policy.minimum_notice = rules_.minimum_notice;
  rules.policy.booking_window = rules_.booking_window;
  rules.policy.quota = rules_.quota;
  rules.policy.reserve_release_before =
      std::min(rules_.reserve_release_before, rules_.booking_window);
  if (!ValidateSlotPolicy(rules.policy).empty()) {
    return status::Internal("the desk's booking rules are not valid");
  }
  return rules;
}

absl::StatusOr<SeatRules> BookingService::SeatRulesFor(const auth::OnBehalfOf& caller,
                                                       const DeskRules& rules,
                                                       const std::string& tenant,
                                                       const std::string& desk, absl::Time start,
                                                       absl::Time now) {
  // The day before too: an interval across midnight contains slots of the next day.
  const absl::CivilDay day = LocalDayOf(start, rules.zone);
  ASSIGN_OR_RETURN(tenants_client::OpenHours hours,
                   directory_->GetOpenHours(caller, tenant, desk, day - 1, day));
  return SeatRules{rules.policy, std::move(hours.intervals), now};
}

template <typename T>
void BookingService::AfterWrite(const absl::StatusOr<pg::Created<T>>& result,
                                const std::string& tenant, const std::string& desk,
                                absl::Time start, absl::Time end, const absl::TimeZone& zone) {
  const bool changed =
      result.ok() ? result->value.has_value() : status::ReasonOf(result.status()) == "SLOT_FULL";
  if (changed) availability_->AfterWrite(tenant, desk, start, end, zone);
}

std::string BookingService::CancelTokenFor(const std::string& tenant_id,
                                           const std::string& appointment_id) const {
  return CancelToken(*secret_, tenant_id, appointment_id);
}

std::string BookingService::NotificationPseudonym(const std::string& tenant_id,
                                                  const std::string& citizen_index) const {
  if (citizen_index.empty()) return "";
  return absl::BytesToHexString(secret_->Hmac("notification-pseudonym", tenant_id, citizen_index));
}

void BookingService::ConfigurationChanged(const std::string& tenant_id) {
  availability_->ConfigurationChanged(tenant_id);
}

absl::Status BookingService::RefuseTimeNobodyMayBook(const std::string& tenant, absl::Time start,
                                                     absl::Time now, const pg::RequestKey& key) {
  absl::Status time = CheckBookingTime(rules_.minimum_notice, rules_.booking_window, start, now);
  // A retry of a request that was in time when first sent gets its first reply (from the
  // transaction), not TOO_LATE; still no call to tenants.
  if (time.ok() || MayBeRecordedRetry(tenant, key)) return absl::OkStatus();
  return time;
}

absl::Status BookingService::TurnAwayIfKnownFull(const SeatRequest& seat, const DeskRules& rules,
                                                 const SeatRules& seat_rules,
                                                 const pg::RequestKey& key, bool has_hold) {
  // A hold's own seat makes its slot look full: only the transaction can tell. Outside the
  // notice and the window the transaction answers TOO_LATE / OUTSIDE_BOOKING_WINDOW first.
  if (has_hold || seat.start < seat_rules.now + rules.policy.minimum_notice ||
      seat.start >= seat_rules.now + rules.policy.booking_window) {
    return absl::OkStatus();
  }
  const absl::CivilDay day = LocalDayOf(seat.start, rules.zone);
  AvailabilityQuery query{seat.tenant_id, seat.desk_id, seat.service_id, day, day,
                          rules.zone,     rules.policy, seat.channel,    true};
  const OpenHoursLoader open_hours = [&seat_rules]() -> absl::StatusOr<std::vector<TimeInterval>> {
    return seat_rules.open;
  };
  if (!availability_->KnownFull(query, open_hours, seat.start, seat_rules.now)) {
    return absl::OkStatus();
  }
  // A retry of a booking that took the last seat must get its first reply, not SLOT_FULL.
  if (MayBeRecordedRetry(seat.tenant_id, key)) return absl::OkStatus();
  return status::Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
}

absl::StatusOr<std::vector<AvailableSlot>> BookingService::ListAvailableSlots(
    const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
    const std::string& service_id, absl::CivilDay first, absl::CivilDay last, Channel channel,
    bool include_full) {
  ASSIGN_OR_RETURN(DeskRules rules, RulesFor(caller, tenant_id, desk_id, service_id));
  AvailabilityQuery query{tenant_id,  desk_id,      service_id, first,       last,
                          rules.zone, rules.policy, channel,    include_full};
  return availability_->List(
      query,
      [&]() -> absl::StatusOr<std::vector<TimeInterval>> {
        ASSIGN_OR_RETURN(tenants_client::OpenHours hours,
                         directory_->GetOpenHours(caller, tenant_id, desk_id, query.first_day - 1,
                                                  query.last_day));
        return hours.intervals;
      },
      clock_->Now());
}

absl::StatusOr<pg::Created<Hold>> BookingService::HoldSlot(
    const auth::OnBehalfOf& caller, const HoldRequest& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Hold>& encode) {
  const SeatRequest& seat = request.seat;
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(RefuseTimeNobodyMayBook(seat.tenant_id, seat.start, now, key));
  const std::string citizen_index =
      citizen::CitizenIndex(*secret_, seat.tenant_id, request.codice_fiscale);
  RETURN_IF_ERROR(RequireAdmission(seat, citizen_index, request.admission, key));
  ASSIGN_OR_RETURN(DeskRules rules,
                   RulesFor(caller, seat.tenant_id, seat.desk_id, seat.service_id));
  ASSIGN_OR_RETURN(SeatRules seat_rules,
                   SeatRulesFor(caller, rules, seat.tenant_id, seat.desk_id, seat.start, now));
  const Hold hold{
      seat.tenant_id, crypto::RandomResourceId("h"),      seat.desk_id, seat.service_id,
      seat.start,     seat.start + rules.policy.duration, seat.channel, now + rules_.hold_ttl};
  // Who the hold is for and who keeps it, as keyed digests: the caller's subject and a
  // visitor's address are never stored.
  const NewHold held{
      .hold = hold,
      .citizen_index = citizen_index,
      .holder = secret_->Hmac("hold-holder", seat.tenant_id,
                              absl::StrCat(request.subject, "\n", request.client_address)),
      .max_per_citizen = rules_.max_holds_per_citizen,
      .max_per_holder = rules_.max_holds_per_caller};
  // The fingerprint binds a retry to the same citizen.
  absl::StatusOr<pg::Created<Hold>> created = repository_->CreateHold(
      held, seat_rules, server::WithKeyedFingerprint(key, *secret_, seat.tenant_id), encode);
  AfterWrite(created, hold.tenant_id, hold.desk_id, hold.start, hold.end, rules.zone);
  return created;
}

absl::StatusOr<pg::Created<Appointment>> BookingService::CreateAppointment(
    const auth::OnBehalfOf& caller, const BookingRequest& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Appointment>& encode) {
  const SeatRequest& seat = request.seat;
  const absl::Time now = clock_->Now();
  // A time nobody may book costs no call to tenants and no transaction (a client trying dates
  // at random must not make the service do more than answer).
  RETURN_IF_ERROR(RefuseTimeNobodyMayBook(seat.tenant_id, seat.start, now, key));
  const std::string citizen_index =
      citizen::CitizenIndex(*secret_, seat.tenant_id, request.citizen.codice_fiscale);
  RETURN_IF_ERROR(RequireAdmission(seat, citizen_index, request.admission, key));
  ASSIGN_OR_RETURN(DeskRules rules,
                   RulesFor(caller, seat.tenant_id, seat.desk_id, seat.service_id));
  ASSIGN_OR_RETURN(SeatRules seat_rules,
                   SeatRulesFor(caller, rules, seat.tenant_id, seat.desk_id, seat.start, now));
  RETURN_IF_ERROR(TurnAwayIfKnownFull(seat, rules, seat_rules, key, !request.hold_id.empty()));

  NewAppointment booking;
  Appointment& a = booking.appointment;
  a.tenant_id = seat.tenant_id;
  a.id = crypto::RandomResourceId("a");
  a.desk_id = seat.desk_id;
  a.service_id = seat.service_id;
  a.start = seat.start;
  a.end = seat.start + rules.policy.duration;
  a.local_day = LocalDayOf(a.start, rules.zone);
  a.channel = seat.channel;
  a.state = AppointmentState::kBooked;
  a.citizen = request.citizen;
  a.create_time = now;
  a.update_time = now;
  booking.citizen_index = citizen_index;
  booking.cancel_token_hash = crypto::Sha256(CancelTokenFor(a.tenant_id, a.id));
  booking.hold_id = request.hold_id;
  booking.who = request.who;
  booking.max_future_appointments = rules_.max_future_appointments;
  // The request's fingerprint carries the citizen's data.
  // Bookings arriving together are written together (BookingCombiner).
  absl::StatusOr<pg::Created<Appointment>> created = combiner_.Book(
      {booking, seat_rules, server::WithKeyedFingerprint(key, *secret_, a.tenant_id), &encode});
  AfterWrite(created, a.tenant_id, a.desk_id, a.start, a.end, rules.zone);
  if (created.ok() && created->value && NeedsAdmission(seat)) {
    // The admission served: its place leaves the line. If Redis does not answer, it stays valid
    // until it expires, and the citizen's own limits still bound what it can book.
    waiting_room_->Consume(seat.tenant_id, citizen_index, request.admission).IgnoreError();
  }
  return created;
}

absl::StatusOr<StoredAppointment> BookingService::GetAppointment(const std::string& tenant_id,
                                                                 const std::string& appointment_id,
                                                                 const audit::Actor& who) {
  return repository_->GetAppointment(tenant_id, appointment_id, &who);
}

absl::StatusOr<api::Page<Appointment>> BookingService::ListAppointments(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
    const std::vector<AppointmentState>& states, const api::PageRequest& page,
    const audit::Actor& who) {
  return repository_->ListAppointments(tenant_id, desk_id, day, states, page, who);
}

absl::StatusOr<std::vector<Appointment>> BookingService::ListAffectedAppointments(
    const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
    absl::CivilDay first, absl::CivilDay last, const audit::Actor& who) {
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant_id));
  ASSIGN_OR_RETURN(tenants_client::OpenHours hours,
                   directory_->GetOpenHours(caller, tenant_id, desk_id, first - 1, last));
  ASSIGN_OR_RETURN(std::vector<Appointment> booked,
                   repository_->ListBooked(tenant_id, desk_id, absl::FromCivil(first, zone),
                                           absl::FromCivil(last + 1, zone), who));
  std::vector<Appointment> affected;
  for (Appointment& appointment : booked) {
    const bool open = std::any_of(
        hours.intervals.begin(), hours.intervals.end(), [&](const TimeInterval& interval) {
          return interval.start <= appointment.start && appointment.end <= interval.end;
        });
    if (!open) affected.push_back(std::move(appointment));
  }
  return affected;
}

absl::StatusOr<pg::Created<Appointment>> BookingService::Reschedule(
    const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& appointment_id,
    absl::Time start, const pg::RequestKey& key, const pg::ResponseEncoder<Appointment>& encode,
    const audit::Actor& who) {
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(RefuseTimeNobodyMayBook(tenant_id, start, now, key));
  // Desk and service never change, so they can be read before the locking transaction (the
  // booking alone: its citizen is not opened).
  ASSIGN_OR_RETURN(StoredAppointment current,
                   repository_->GetAppointment(tenant_id, appointment_id, nullptr));
  const Appointment& old = current.appointment;
  ASSIGN_OR_RETURN(DeskRules rules, RulesFor(caller, tenant_id, old.desk_id, old.service_id));
  ASSIGN_OR_RETURN(SeatRules seat_rules,
                   SeatRulesFor(caller, rules, tenant_id, old.desk_id, start, now));
  const absl::Time end = start + rules.policy.duration;
  absl::StatusOr<pg::Created<Appointment>> moved = repository_->Reschedule(
      tenant_id, old.id, start, end, LocalDayOf(start, rules.zone), seat_rules, key, encode, who);
  AfterWrite(moved, tenant_id, old.desk_id, start, end, rules.zone);
  if (moved.ok() && moved->value) {
    availability_->AfterWrite(tenant_id, old.desk_id, old.start, old.end, rules.zone);
  }
  return moved;
}

absl::StatusOr<Appointment> BookingService::Cancel(const auth::OnBehalfOf& caller,
                                                   const std::string& tenant_id,
                                                   const std::string& appointment_id, Actor actor,
                                                   const std::string& cancel_token,
                                                   const audit::Actor& who) {
  const absl::Time now = clock_->Now();
  const std::string token_hash = crypto::Sha256(cancel_token);
  ASSIGN_OR_RETURN(Appointment changed,
                   repository_->ChangeState(
                       tenant_id, appointment_id, StateChange{AppointmentEvent::kCancel, actor},
                       [&](const StoredAppointment& stored) -> absl::StatusOr<Transition> {
                         if (actor == Actor::kCitizen &&
                             !crypto::ConstantTimeEquals(token_hash, stored.cancel_token_hash)) {
                           // The same answer as for a name that does not exist: a portal cannot
                           // probe for appointments with made-up tokens.
                           return status::NotFound("appointment");
                         }
                         const Appointment& a = stored.appointment;
                         return ApplyEvent(a.state, AppointmentEvent::kCancel,
                                           EventContext{actor, now, a.start, a.end},
                                           rules_.time_policy);
                       },
                       now, who));
  if (changed.state == AppointmentState::kCancelled) {
    absl::StatusOr<absl::TimeZone> zone = directory_->GetTimeZone(caller, tenant_id);
    availability_->AfterWrite(tenant_id, changed.desk_id, changed.start, changed.end,
                              zone.ok() ? *zone : absl::UTCTimeZone());
  }
  return changed;
}

absl::StatusOr<Appointment> BookingService::ApplyOperatorEvent(const auth::OnBehalfOf& caller,
                                                               const std::string& tenant_id,
                                                               const std::string& appointment_id,
                                                               AppointmentEvent event,
                                                               const audit::Actor& who) {
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(Appointment changed,
                   repository_->ChangeState(
                       tenant_id, appointment_id, StateChange{event, Actor::kOperator},
                       [&](const StoredAppointment& stored) -> absl::StatusOr<Transition> {
                         const Appointment& a = stored.appointment;
                         return ApplyEvent(a.state, event,
                                           EventContext{Actor::kOperator, now, a.start, a.end},
                                           rules_.time_policy);
                       },
                       now, who));
  if (event == AppointmentEvent::kMarkNoShow) {  // the seat is free again
    absl::StatusOr<absl::TimeZone> zone = directory_->GetTimeZone(caller, tenant_id);
    availability_->AfterWrite(tenant_id, changed.desk_id, changed.start, changed.end,
                              zone.ok() ? *zone : absl::UTCTimeZone());
  }
  return changed;
}

absl::StatusOr<pg::Created<WalkInTicket>> BookingService::CreateWalkInTicket(
    const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
    const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode) {
  ASSIGN_OR_RETURN(tenants_client::DeskInfo desk, directory_->GetDesk(caller, tenant_id, desk_id));
  if (!desk.takes_walk_ins) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the desk sees citizens by appointment only", "DESK_TAKES_NO_WALK_INS");
  }
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant_id));
  const absl::Time now = clock_->Now();
  return repository_->CreateTicket(tenant_id, desk_id, LocalDayOf(now, zone), now, key, encode);
}

absl::StatusOr<QueueEntry> BookingService::CallNext(const auth::OnBehalfOf& caller,
                                                    const std::string& tenant_id,
                                                    const std::string& desk_id,
                                                    const audit::Actor& who) {
  // NOT_FOUND for a desk that does not exist.
  RETURN_IF_ERROR(directory_->GetDesk(caller, tenant_id, desk_id).status());
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant_id));
  const absl::Time now = clock_->Now();
  return repository_->CallNext(tenant_id, desk_id, LocalDayOf(now, zone), now, who);
}

absl::StatusOr<Queue> BookingService::ListQueue(const auth::OnBehalfOf& caller,
                                                const std::string& tenant_id,
                                                const std::string& desk_id,
                                                const audit::Actor& who) {
  RETURN_IF_ERROR(directory_->GetDesk(caller, tenant_id, desk_id).status());
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant_id));
  return repository_->ListQueue(tenant_id, desk_id, LocalDayOf(clock_->Now(), zone), who);
}

}  // namespace sportelli::scheduling
