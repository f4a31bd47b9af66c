#include "services/scheduling/tests/memory_repository.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/scheduling/domain/occupancy.h"
#include "services/scheduling/domain/slots.h"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling::testing {
namespace {

std::string Key(absl::string_view tenant, absl::string_view id) {
  return absl::StrCat(tenant, "/", id);
}

bool TakesASeat(AppointmentState state) {
  return state == AppointmentState::kBooked || state == AppointmentState::kCheckedIn ||
         state == AppointmentState::kCompleted;
}

}  // namespace

absl::StatusOr<std::optional<std::string>> MemoryRepository::Replay(const std::string& tenant,
                                                                    const pg::RequestKey& key) {
  if (key.request_id.empty()) return std::optional<std::string>();
  auto it = requests_.find(Key(tenant, key.request_id));
  if (it == requests_.end()) return std::optional<std::string>();
  if (it->second.method != key.method || it->second.fingerprint != key.fingerprint) {
    return status::Error(absl::StatusCode::kInvalidArgument,
                         "request_id was already used for a different request",
                         "REQUEST_ID_REUSED");
  }
  return std::optional<std::string>(it->second.response);
}

void MemoryRepository::Record(const std::string& tenant, const pg::RequestKey& key,
                              std::string response) {
  if (key.request_id.empty()) return;
  requests_[Key(tenant, key.request_id)] = {key.method, key.fingerprint, std::move(response)};
}

DeskOccupancy MemoryRepository::OccupancyLocked(const std::string& tenant, const std::string& desk,
                                                absl::Time from, absl::Time to, absl::Time now,
                                                const std::string& except_hold,
                                                const std::string& except_appointment) const {
  DeskOccupancy occupancy;
  for (const auto& [key, stored] : appointments_) {
    const Appointment& a = stored.appointment;
    if (a.tenant_id != tenant || a.desk_id != desk || !TakesASeat(a.state) ||
        a.id == except_appointment || a.start >= to || a.end <= from) {
      continue;
    }
    occupancy.taken.push_back({a.start, a.end, a.channel});
  }
  for (const auto& [key, stored] : holds_) {
    const Hold& h = stored.hold;
    if (h.tenant_id != tenant || h.desk_id != desk || stored.used || h.expire_time <= now ||
        h.id == except_hold || h.start >= to || h.end <= from) {
      continue;
    }
    occupancy.taken.push_back({h.start, h.end, h.channel});
    if (!occupancy.first_hold_expiry || h.expire_time < *occupancy.first_hold_expiry) {
      occupancy.first_hold_expiry = h.expire_time;
    }
  }
  return occupancy;
}

absl::Status MemoryRepository::TakeSeat(const std::string& tenant, const std::string& desk,
                                        absl::Time start, absl::Time end, Channel channel,
                                        const SeatRules& rules, const std::string& except_hold,
                                        const std::string& except_appointment) const {
  const DeskOccupancy occupancy =
      OccupancyLocked(tenant, desk, start, end, rules.now, except_hold, except_appointment);
  return CheckBookableOver(rules.open, rules.policy, UsageOver(occupancy.taken, start, end),
                           channel, start, rules.now);
}

absl::StatusOr<DeskOccupancy> MemoryRepository::GetOccupancy(const std::string& tenant_id,
                                                             const std::string& desk_id,
                                                             absl::Time from, absl::Time to,
                                                             absl::Time now) {
  occupancy_reads.fetch_add(1);
  if (occupancy_gate != nullptr) occupancy_gate->WaitForNotification();
  absl::MutexLock lock(&mu_);
  if (occupancy_override) return *occupancy_override;
  return OccupancyLocked(tenant_id, desk_id, from, to, now, "", "");
}

absl::StatusOr<pg::Created<Appointment>> MemoryRepository::CreateAppointment(
    const NewAppointment& request, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Appointment>& encode) {
  if (absl::Notification* gate = booking_gate.load()) {
    ++bookings_held;
    gate->WaitForNotification();
  }
  const Appointment& a = request.appointment;
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> previous, Replay(a.tenant_id, key));
  if (previous) return pg::Created<Appointment>{std::nullopt, std::move(previous)};
  int future = 0;
  for (const auto& [k, stored] : appointments_) {
    if (stored.appointment.tenant_id == a.tenant_id &&
        stored.appointment.state == AppointmentState::kBooked &&
        stored.appointment.start > rules.now && citizen_index_[k] == request.citizen_index) {
      ++future;
    }
  }
  if (future >= request.max_future_appointments) {
    return status::Error(absl::StatusCode::kResourceExhausted,
                         "the citizen has the most future appointments allowed",
                         "TOO_MANY_FUTURE_APPOINTMENTS");
  }
  if (!request.hold_id.empty()) {
    auto hold = holds_.find(Key(a.tenant_id, request.hold_id));
    if (hold == holds_.end()) return status::NotFound("hold");
    const Hold& h = hold->second.hold;
    if (hold->second.used || h.expire_time <= rules.now || h.desk_id != a.desk_id ||
        h.service_id != a.service_id || h.start != a.start || h.channel != a.channel ||
        hold->second.citizen_index != request.citizen_index) {
      return HoldNotUsable();
    }
  }
  RETURN_IF_ERROR(
      TakeSeat(a.tenant_id, a.desk_id, a.start, a.end, a.channel, rules, request.hold_id, ""));
  if (!request.hold_id.empty()) holds_[Key(a.tenant_id, request.hold_id)].used = true;
  appointments_[Key(a.tenant_id, a.id)] = {a, request.cancel_token_hash};
  citizen_index_[Key(a.tenant_id, a.id)] = request.citizen_index;
  Record(a.tenant_id, key, encode(a));
  Audit(request.who, audit::Action::kCreate, a.id);
  return pg::Created<Appointment>{a, std::nullopt};
}

absl::StatusOr<pg::Created<Hold>> MemoryRepository::CreateHold(
    const NewHold& request, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Hold>& encode) {
  const Hold& hold = request.hold;
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> previous, Replay(hold.tenant_id, key));
  if (previous) return pg::Created<Hold>{std::nullopt, std::move(previous)};
  int of_citizen = 0, of_holder = 0;
  for (const auto& [k, stored] : holds_) {
    if (stored.hold.tenant_id != hold.tenant_id || stored.used ||
        stored.hold.expire_time <= rules.now) {
      continue;
    }
    if (stored.citizen_index == request.citizen_index) ++of_citizen;
    if (stored.holder == request.holder) ++of_holder;
  }
  if (of_citizen >= request.max_per_citizen || of_holder >= request.max_per_holder) {
    return TooManyHolds();
  }
  RETURN_IF_ERROR(
      TakeSeat(hold.tenant_id, hold.desk_id, hold.start, hold.end, hold.channel, rules, "", ""));
  holds_[Key(hold.tenant_id, hold.id)] = {hold, false, request.citizen_index, request.holder};
  Record(hold.tenant_id, key, encode(hold));
  return pg::Created<Hold>{hold, std::nullopt};
}

absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>>
MemoryRepository::CreateAppointments(const std::vector<BookingAttempt>& attempts) {
  {
    absl::MutexLock lock(&mu_);
    batch_sizes_.push_back(attempts.size());
    batch_time_left_.push_back(clock::RemainingRequestTime());
  }
  if (fail_batches) return status::Unavailable("database");
  std::vector<absl::StatusOr<pg::Created<Appointment>>> answers;
  for (const BookingAttempt& attempt : attempts) {
    answers.push_back(
        CreateAppointment(attempt.booking, attempt.rules, attempt.key, *attempt.encode));
  }
  return answers;
}

absl::StatusOr<bool> MemoryRepository::RequestIdExists(const std::string& tenant_id,
                                                       const std::string& request_id) {
  absl::MutexLock lock(&mu_);
  return requests_.contains(Key(tenant_id, request_id));
}

absl::StatusOr<StoredAppointment> MemoryRepository::GetAppointment(const std::string& tenant_id,
                                                                   const std::string& id,
                                                                   const audit::Actor* who) {
  absl::MutexLock lock(&mu_);
  auto it = appointments_.find(Key(tenant_id, id));
  if (it == appointments_.end()) return status::NotFound("appointment");
  if (who == nullptr) {  // the booking alone, as PostgreSQL's repository reads it
    StoredAppointment booking = it->second;
    booking.appointment.citizen = Citizen{};
    return booking;
  }
  Audit(*who, audit::Action::kRead, id);
  return it->second;
}

absl::StatusOr<api::Page<Appointment>> MemoryRepository::ListAppointments(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
    const std::vector<AppointmentState>& states, const api::PageRequest& page,
    const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  Audit(who, audit::Action::kList, desk_id);
  std::vector<Appointment> rows;
  for (const auto& [k, stored] : appointments_) {
    const Appointment& a = stored.appointment;
    if (a.tenant_id != tenant_id || a.desk_id != desk_id || a.local_day != day) continue;
    if (!states.empty() && std::find(states.begin(), states.end(), a.state) == states.end()) {
      continue;
    }
    rows.push_back(a);
  }
  std::sort(rows.begin(), rows.end(), [](const Appointment& x, const Appointment& y) {
    return std::tie(x.start, x.id) < std::tie(y.start, y.id);
  });
  if (!page.first_page()) {
    int64_t micros = 0;
    (void)absl::SimpleAtoi(page.after[0], &micros);
    const absl::Time after = absl::FromUnixMicros(micros);
    std::erase_if(rows, [&](const Appointment& a) {
      return std::tie(a.start, a.id) <= std::tie(after, page.after[1]);
    });
  }
  if (static_cast<int>(rows.size()) > page.limit + 1) rows.resize(page.limit + 1);
  return api::TakePage(std::move(rows), page.limit);
}

absl::StatusOr<std::vector<Appointment>> MemoryRepository::ListBooked(const std::string& tenant_id,
                                                                      const std::string& desk_id,
                                                                      absl::Time from,
                                                                      absl::Time to,
                                                                      const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  Audit(who, audit::Action::kList, desk_id);
  std::vector<Appointment> booked;
  for (const auto& [k, stored] : appointments_) {
    const Appointment& a = stored.appointment;
    if (a.tenant_id == tenant_id && a.desk_id == desk_id && a.state == AppointmentState::kBooked &&
        a.start >= from && a.start < to) {
      booked.push_back(a);
    }
  }
  std::sort(booked.begin(), booked.end(),
            [](const Appointment& x, const Appointment& y) { return x.start < y.start; });
  return booked;
}

absl::StatusOr<Appointment> MemoryRepository::ChangeState(const std::string& tenant_id,
                                                          const std::string& id,
                                                          const StateChange& change,
                                                          const StateDecision& decide,
                                                          absl::Time now, const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  auto it = appointments_.find(Key(tenant_id, id));
  if (it == appointments_.end()) return status::NotFound("appointment");
  ASSIGN_OR_RETURN(Transition transition, decide(it->second));
  (void)change;
  Audit(who, transition.changed ? audit::Action::kUpdate : audit::Action::kRead, id);
  if (transition.changed) {
    it->second.appointment.state = transition.state;
    it->second.appointment.update_time = now;
    if (transition.state == AppointmentState::kCheckedIn) called_.erase(it->first);
  }
  return it->second.appointment;
}

absl::StatusOr<pg::Created<Appointment>> MemoryRepository::Reschedule(
    const std::string& tenant_id, const std::string& id, absl::Time start, absl::Time end,
    absl::CivilDay local_day, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Appointment>& encode, const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> previous, Replay(tenant_id, key));
  if (previous) return pg::Created<Appointment>{std::nullopt, std::move(previous)};
  auto it = appointments_.find(Key(tenant_id, id));
  if (it == appointments_.end()) return status::NotFound("appointment");
  Appointment& a = it->second.appointment;
  if (a.state != AppointmentState::kBooked) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "only a booked appointment can be rescheduled", "ILLEGAL_TRANSITION");
  }
  RETURN_IF_ERROR(TakeSeat(tenant_id, a.desk_id, start, end, a.channel, rules, "", a.id));
  a.start = start;
  a.end = end;
  a.local_day = local_day;
  a.update_time = rules.now;
  Record(tenant_id, key, encode(a));
  Audit(who, audit::Action::kUpdate, id);
  return pg::Created<Appointment>{a, std::nullopt};
}

absl::StatusOr<pg::Created<WalkInTicket>> MemoryRepository::CreateTicket(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day, absl::Time now,
    const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode) {
  absl::MutexLock lock(&mu_);
  ASSIGN_OR_RETURN(std::optional<std::string> previous, Replay(tenant_id, key));
  if (previous) return pg::Created<WalkInTicket>{std::nullopt, std::move(previous)};
  std::vector<Ticket>& day_tickets =
      tickets_[absl::StrCat(tenant_id, "/", desk_id, "/", absl::FormatCivilTime(day))];
  WalkInTicket ticket{
      tenant_id, desk_id, day, static_cast<int>(day_tickets.size()) + 1, TicketState::kWaiting,
      now};
  day_tickets.push_back({ticket, false});
  Record(tenant_id, key, encode(ticket));
  return pg::Created<WalkInTicket>{ticket, std::nullopt};
}

absl::StatusOr<QueueEntry> MemoryRepository::CallNext(const std::string& tenant_id,
                                                      const std::string& desk_id,
                                                      absl::CivilDay day, absl::Time now,
                                                      const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  // Whoever has been entitled to be seen for longest; ties go to the appointment.
  std::optional<std::pair<absl::Time, std::string>> next_appointment;
  for (const auto& [k, stored] : appointments_) {
    const Appointment& a = stored.appointment;
    if (a.tenant_id != tenant_id || a.desk_id != desk_id || a.local_day != day ||
        a.state != AppointmentState::kCheckedIn || called_.contains(k)) {
      continue;
    }
    const absl::Time due = std::max(a.start, a.update_time);
    if (!next_appointment || due < next_appointment->first) next_appointment = {due, k};
  }
  Ticket* next_ticket = nullptr;
  for (Ticket& ticket :
       tickets_[absl::StrCat(tenant_id, "/", desk_id, "/", absl::FormatCivilTime(day))]) {
    if (!ticket.called) {
      next_ticket = &ticket;
      break;
    }
  }
  QueueEntry entry;
  if (next_appointment &&
      (next_ticket == nullptr || next_appointment->first <= next_ticket->ticket.create_time)) {
    called_[next_appointment->second] = now;
    entry.appointment = appointments_[next_appointment->second].appointment;
    Audit(who, audit::Action::kUpdate, entry.appointment->id);
  } else if (next_ticket != nullptr) {
    next_ticket->called = true;
    next_ticket->ticket.state = TicketState::kCalled;
    entry.ticket = next_ticket->ticket;
  }
  return entry;
}

absl::StatusOr<Queue> MemoryRepository::ListQueue(const std::string& tenant_id,
                                                  const std::string& desk_id, absl::CivilDay day,
                                                  const audit::Actor& who) {
  absl::MutexLock lock(&mu_);
  Queue queue;
  for (const auto& [k, stored] : appointments_) {
    const Appointment& a = stored.appointment;
    if (a.tenant_id == tenant_id && a.desk_id == desk_id && a.local_day == day &&
        a.state == AppointmentState::kCheckedIn && !called_.contains(k)) {
      queue.checked_in.push_back(a);
    }
  }
  for (const Ticket& ticket :
       tickets_[absl::StrCat(tenant_id, "/", desk_id, "/", absl::FormatCivilTime(day))]) {
    if (!ticket.called) queue.waiting.push_back(ticket.ticket);
  }
  if (!queue.checked_in.empty()) Audit(who, audit::Action::kList, desk_id);
  return queue;
}

void MemoryRepository::Audit(const audit::Actor& who, audit::Action action, std::string resource) {
  accesses_.push_back({action, std::move(resource), who.subject});
}

std::vector<MemoryRepository::Audited> MemoryRepository::Accesses() const {
  absl::MutexLock lock(&mu_);
  return accesses_;
}

std::vector<Appointment> MemoryRepository::Appointments() const {
  absl::MutexLock lock(&mu_);
  std::vector<Appointment> out;
  for (const auto& [k, stored] : appointments_) out.push_back(stored.appointment);
  return out;
}

}  // namespace sportelli::scheduling::testing
