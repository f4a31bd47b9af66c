// Storage of appointments, holds and walk-in tickets, behind an interface (the gRPC layer and
// the availability code depend on this, the PostgreSQL adapter implements it).
//
// Every read or write of a citizen's data is recorded in the audit trail (libs/audit) in the
// transaction that reads or writes it: if the audit row cannot be written, the call fails.
//
// Every method is scoped to one tenant and must never read or change another tenant's rows
// (the PostgreSQL adapter is also fenced by row-level security). Writes that take a seat check
// capacity inside the transaction that writes, with the desk locked: the answer of the
// availability cache is never trusted for that.
#ifndef SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_REPOSITORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_REPOSITORY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/domain/appointment.h"
#include "services/scheduling/domain/appointment_state.h"
#include "services/scheduling/domain/occupancy.h"
#include "services/scheduling/domain/slot_model.h"
#include "sportelli/api/pagination.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/pg/request_key.h"

namespace sportelli::scheduling {

// What the booking transaction checks a seat against.
struct SeatRules {
  SlotPolicy policy;
  std::vector<TimeInterval> open;  // the desk's open intervals around the slot
  absl::Time now;
};

// The seats taken at a desk over an interval, for availability.
struct DeskOccupancy {
  std::vector<Occupancy> taken;
  // The earliest expiry of a counted hold: the answer is stale from then on.
  std::optional<absl::Time> first_hold_expiry;
};

struct NewAppointment {
  Appointment appointment;        // complete: id, times, local day, citizen, state BOOKED
  audit::Actor who;               // who books: the audit trail's CREATE
  std::string citizen_index;      // SecretKey::CitizenIndex
  std::string cancel_token_hash;  // Sha256 of the cancel token
  std::string hold_id;            // the hold to consume, or empty
  int max_future_appointments = 3;
};

// A hold to keep, with who it is for and who keeps it: neither may keep more than its share of
// seats at once, so one client cannot hold every free seat of a click day.
struct NewHold {
  Hold hold;
  std::string citizen_index;  // SecretKey::CitizenIndex of the citizen it is kept for
  std::string holder;         // a keyed digest of the caller (BookingService::HolderOf)
  int max_per_citizen = 1;    // unexpired, unused holds of one citizen in the comune
  int max_per_holder = 3;     // ... and of one caller
};

struct StoredAppointment {
  Appointment appointment;
  std::string cancel_token_hash;
  std::string citizen_index;  // the blind index of the citizen's codice fiscale
};

// A state change decided on the current row (under lock): the event and who sends it.
struct StateChange {
  AppointmentEvent event;
  Actor actor;
};
using StateDecision = std::function<absl::StatusOr<Transition>(const StoredAppointment&)>;

struct QueueEntry {
  std::optional<Appointment> appointment;
  std::optional<WalkInTicket> ticket;
};

struct Queue {
  std::vector<Appointment> checked_in;  // in calling order
  std::vector<WalkInTicket> waiting;    // by number
};

class SchedulingRepository {
 public:
  virtual ~SchedulingRepository() = default;

  // Bookings (BOOKED, CHECKED_IN, COMPLETED) and holds active at `now` of a desk overlapping
  // [from, to).
  virtual absl::StatusOr<DeskOccupancy> GetOccupancy(const std::string& tenant_id,
                                                     const std::string& desk_id, absl::Time from,
                                                     absl::Time to, absl::Time now) = 0;

  // Books a seat. FAILED_PRECONDITION SLOT_FULL / TOO_LATE / OUTSIDE_BOOKING_WINDOW,
  // INVALID_ARGUMENT NOT_A_SLOT, FAILED_PRECONDITION HOLD_NOT_USABLE for a hold that expired,
  // was used or is for another slot, NOT_FOUND for an unknown hold, RESOURCE_EXHAUSTED
  // TOO_MANY_FUTURE_APPOINTMENTS, INVALID_ARGUMENT REQUEST_ID_REUSED.
  virtual absl::StatusOr<pg::Created<Appointment>> CreateAppointment(
      const NewAppointment& request, const SeatRules& rules, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode) = 0;

  // One booking of a batch: what CreateAppointment takes.
  struct BookingAttempt {
    NewAppointment booking;  // without a hold
    SeatRules rules;
    pg::RequestKey key;
    const pg::ResponseEncoder<Appointment>* encode;
  };
  // Several bookings of one comune, without holds and with distinct request ids, in one
  // transaction and one commit, with a few statements for all of them. Element i is what
  // CreateAppointment would answer for attempts[i] had the attempts before it run first: each
  // is checked against the seats and the citizen's bookings its predecessors took. A failure of
  // the transaction itself (the database, a lock timeout) is the whole call's status: nothing
  // was written, and the caller may try each attempt alone.
  virtual absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>> CreateAppointments(
      const std::vector<BookingAttempt>& attempts) = 0;

  // Keeps a seat until hold.expire_time. Same seat errors as CreateAppointment, and
  // RESOURCE_EXHAUSTED TOO_MANY_HOLDS when its citizen or its holder already keeps as many
  // seats as allowed.
  virtual absl::StatusOr<pg::Created<Hold>> CreateHold(const NewHold& request,
                                                       const SeatRules& rules,
                                                       const pg::RequestKey& key,
                                                       const pg::ResponseEncoder<Hold>& encode) = 0;

  // Whether `request_id` was already used in the tenant (by any method): a cheap read before
  // answering a request without the transaction that would replay it.
  virtual absl::StatusOr<bool> RequestIdExists(const std::string& tenant_id,
                                               const std::string& request_id) = 0;

  // `who`: the caller the citizen is read for, recorded in the audit trail in the same
  // transaction. nullptr reads the booking alone: the citizen is not opened (its fields come
  // back empty) and nothing is audited.
  virtual absl::StatusOr<StoredAppointment> GetAppointment(const std::string& tenant_id,
                                                           const std::string& id,
                                                           const audit::Actor* who) = 0;

  // A desk's appointments of one local day in (start, id) order, optionally only in `states`;
  // the page's key is (start in Unix microseconds, id). Audited (LIST of the desk).
  virtual absl::StatusOr<api::Page<Appointment>> ListAppointments(
      const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
      const std::vector<AppointmentState>& states, const api::PageRequest& page,
      const audit::Actor& who) = 0;

  // The BOOKED appointments of a desk starting in [from, to), in start order. Audited.
  virtual absl::StatusOr<std::vector<Appointment>> ListBooked(const std::string& tenant_id,
                                                              const std::string& desk_id,
                                                              absl::Time from, absl::Time to,
                                                              const audit::Actor& who) = 0;

  // Locks the appointment, asks `decide` for the transition, and when it changes the state
  // writes the new state and the event (AppointmentTransitionEvent) in the same transaction.
  // Audited (UPDATE, or READ for a repeat that changes nothing).
  virtual absl::StatusOr<Appointment> ChangeState(const std::string& tenant_id,
                                                  const std::string& id, const StateChange& change,
                                                  const StateDecision& decide, absl::Time now,
                                                  const audit::Actor& who) = 0;

  // Moves a BOOKED appointment to [start, end) (FAILED_PRECONDITION ILLEGAL_TRANSITION in any
  // other state): the new seat is checked with the old one still taken, and on any failure
  // nothing changes. Audited (UPDATE).
  virtual absl::StatusOr<pg::Created<Appointment>> Reschedule(
      const std::string& tenant_id, const std::string& id, absl::Time start, absl::Time end,
      absl::CivilDay local_day, const SeatRules& rules, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode, const audit::Actor& who) = 0;

  // The desk's next walk-in ticket of `day`.
  virtual absl::StatusOr<pg::Created<WalkInTicket>> CreateTicket(
      const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day, absl::Time now,
      const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode) = 0;

  // Takes the next citizen of the desk's queue of `day` (see docs/api.md for the order), marks
  // them called by the operator `who`, or returns an empty entry when nobody waits. A called
  // appointment is audited (UPDATE).
  virtual absl::StatusOr<QueueEntry> CallNext(const std::string& tenant_id,
                                              const std::string& desk_id, absl::CivilDay day,
                                              absl::Time now, const audit::Actor& who) = 0;

  // Audited (LIST of the desk) when a checked-in appointment is listed.
  virtual absl::StatusOr<Queue> ListQueue(const std::string& tenant_id, const std::string& desk_id,
                                          absl::CivilDay day, const audit::Actor& who) = 0;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_SCHEDULING_REPOSITORY_H_
