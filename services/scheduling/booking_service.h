// The scheduling service's use cases, apart from its gRPC edge: listing free slots, holding and
// booking a seat, rescheduling, cancelling, the operators' check-in / no-show / complete, and
// the walk-in queue. A plain class over the repository (storage), the tenants directory (the
// desk's rules and hours, asked on the caller's behalf), the availability cache and the clock,
// so that every rule is tested with fakes and without a server.
//
// The gRPC edge (scheduling_grpc_service.h) parses and checks requests, authorizes the caller,
// calls one method here and maps the result; nothing here knows about protos or callers' roles,
// except who acts (Actor) where a rule depends on it.
//
//   BookingService booking(&repository, &directory, &availability, &secret, rules, &clock);
//   ASSIGN_OR_RETURN(pg::Created<Appointment> booked,
//                    booking.CreateAppointment(call.OnBehalfOfCaller(), request, key, encode));
//
// Writes that may be retried take the request's key and `encode`, the edge's way of recording
// the reply a retry gets (only the edge knows its protos).
#ifndef SPORTELLI_SERVICES_SCHEDULING_BOOKING_SERVICE_H_
#define SPORTELLI_SERVICES_SCHEDULING_BOOKING_SERVICE_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/availability.h"
#include "services/scheduling/booking_combiner.h"
#include "services/scheduling/domain/appointment.h"
#include "services/scheduling/domain/appointment_state.h"
#include "services/scheduling/scheduling_repository.h"
#include "services/scheduling/waiting_room.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::scheduling {

// The booking rules of every comune (per-comune rules would live in the tenants service).
struct BookingRules {
  absl::Duration minimum_notice = absl::Hours(2);
  absl::Duration booking_window = absl::Hours(24 * 60);
  ChannelQuota quota{.phone_share = 0.2, .desk_share = 0.2};
  absl::Duration reserve_release_before = absl::Hours(24);
  absl::Duration hold_ttl = absl::Minutes(5);
  int max_future_appointments = 3;
  // Seats one citizen, and one caller (a member of staff, or a portal's visitor), may keep at
  // once with HoldSlot.
  int max_holds_per_citizen = 1;
  int max_holds_per_caller = 3;
  AppointmentTimePolicy time_policy;
  // How bookings that arrive together share a transaction (booking_combiner.h).
  BookingCombiner::Options batching;
  // Comuni whose web bookings go through the waiting room (waiting_room.h), and its pace.
  std::set<std::string> waiting_room_comuni;
  WaitingRoom::Options waiting_room;
};

// INVALID_ARGUMENT naming the settings when the rules cannot work together (a notice longer
// than the window, shares above 1).
absl::Status ValidateBookingRules(const BookingRules& rules);

// A seat at a desk for a service: what a hold or a booking asks for.
struct SeatRequest {
  std::string tenant_id;
  std::string desk_id;
  std::string service_id;
  absl::Time start;
  Channel channel = Channel::kWeb;
};

struct HoldRequest {
  SeatRequest seat;
  std::string codice_fiscale;  // the citizen the seat is kept for: valid and normalized
  // Who keeps it: the token's subject, and for a portal its visitor's address.
  std::string subject;
  std::string client_address;
  std::string admission = "";  // the waiting room's, where the comune has one
};

struct BookingRequest {
  SeatRequest seat;
  Citizen citizen;             // valid (ValidateCitizen) and normalized
  std::string hold_id;         // a hold of this tenant to consume, or empty
  audit::Actor who;            // who books, for the audit trail
  std::string admission = "";  // the waiting room's, where the comune has one
};

class BookingService {
 public:
  // Pointers must outlive the service.
  // With `registry`, the booking combiner's metrics are exported (booking_combiner.h). The
  // comuni of rules.waiting_room_comuni need `waiting_room`.
  BookingService(SchedulingRepository* repository, tenants_client::Directory* directory,
                 Availability* availability, const crypto::SecretKey* secret, BookingRules rules,
                 const clock::Clock* clock, prometheus::Registry* registry = nullptr,
                 WaitingRoom* waiting_room = nullptr);

  // The citizen's place in the comune's waiting room; nullopt when the comune's bookings do not
  // go through one. UNAVAILABLE when Redis does not answer.
  absl::StatusOr<std::optional<QueuePlace>> EnterQueue(const std::string& tenant_id,
                                                       const std::string& codice_fiscale);

  // The slots of [first, last] (local days) bookable now through `channel`, with the seats left
  // for it; full ones too when `include_full`.
  absl::StatusOr<std::vector<AvailableSlot>> ListAvailableSlots(
      const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
      const std::string& service_id, absl::CivilDay first, absl::CivilDay last, Channel channel,
      bool include_full);

  // A seat kept for `hold_ttl` for a citizen. FAILED_PRECONDITION SLOT_FULL, TOO_LATE,
  // OUTSIDE_BOOKING_WINDOW, DESK_TAKES_NO_APPOINTMENTS, SERVICE_NOT_OFFERED; INVALID_ARGUMENT
  // NOT_A_SLOT; RESOURCE_EXHAUSTED TOO_MANY_HOLDS. A time outside the notice and the window is
  // refused first, before the desk is looked up.
  absl::StatusOr<pg::Created<Hold>> HoldSlot(const auth::OnBehalfOf& caller,
                                             const HoldRequest& request, const pg::RequestKey& key,
                                             const pg::ResponseEncoder<Hold>& encode);

  // A booking, as CreateAppointment documents (docs/api.md): the seat errors of HoldSlot,
  // HOLD_NOT_USABLE, TOO_MANY_FUTURE_APPOINTMENTS, REQUEST_ID_REUSED. A slot the availability
  // cache knows is full is turned away without a write transaction, except for a retry of a
  // recorded request id (which gets its first reply).
  absl::StatusOr<pg::Created<Appointment>> CreateAppointment(
      const auth::OnBehalfOf& caller, const BookingRequest& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode);

  // The citizen's cancel token of an appointment (43 URL-safe characters): never stored, so a
  // retried booking's reply gets it derived again.
  std::string CancelTokenFor(const std::string& tenant_id, const std::string& appointment_id) const;
  // AppointmentContact.citizen: a pseudonym of the citizen with blind index `citizen_index`
  // for the notifications service (hex); empty for an empty index (the citizen was erased).
  std::string NotificationPseudonym(const std::string& tenant_id,
                                    const std::string& citizen_index) const;

  // Reads and lists of appointments with their citizens, audited as `who`'s.
  absl::StatusOr<StoredAppointment> GetAppointment(const std::string& tenant_id,
                                                   const std::string& appointment_id,
                                                   const audit::Actor& who);
  absl::StatusOr<api::Page<Appointment>> ListAppointments(
      const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
      const std::vector<AppointmentState>& states, const api::PageRequest& page,
      const audit::Actor& who);

  // The BOOKED appointments of a desk in [first, last] whose time the desk is no longer open
  // for (a closure, a holiday, changed hours made after they were booked): the citizens an
  // operator must call.
  absl::StatusOr<std::vector<Appointment>> ListAffectedAppointments(
      const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
      absl::CivilDay first, absl::CivilDay last, const audit::Actor& who);

  // Moves a BOOKED appointment to `start` (same desk and service), checked as a new booking with
  // its own seat given up.
  absl::StatusOr<pg::Created<Appointment>> Reschedule(
      const auth::OnBehalfOf& caller, const std::string& tenant_id,
      const std::string& appointment_id, absl::Time start, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode, const audit::Actor& who);

  // Cancels for an operator, or for the citizen presenting `cancel_token` (a wrong token is
  // NOT_FOUND, as for a name that does not exist).
  absl::StatusOr<Appointment> Cancel(const auth::OnBehalfOf& caller, const std::string& tenant_id,
                                     const std::string& appointment_id, Actor actor,
                                     const std::string& cancel_token, const audit::Actor& who);

  // Check-in, no-show, completion: the operator's events, with their time rules.
  absl::StatusOr<Appointment> ApplyOperatorEvent(const auth::OnBehalfOf& caller,
                                                 const std::string& tenant_id,
                                                 const std::string& appointment_id,
                                                 AppointmentEvent event, const audit::Actor& who);

  absl::StatusOr<pg::Created<WalkInTicket>> CreateWalkInTicket(
      const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& desk_id,
      const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode);
  // The operator calling is `who`.
  absl::StatusOr<QueueEntry> CallNext(const auth::OnBehalfOf& caller, const std::string& tenant_id,
                                      const std::string& desk_id, const audit::Actor& who);
  absl::StatusOr<Queue> ListQueue(const auth::OnBehalfOf& caller, const std::string& tenant_id,
                                  const std::string& desk_id, const audit::Actor& who);

  const BookingCombiner& combiner() const { return combiner_; }

  // The comune's configuration changed (a tenants event): cached availability of its desks is
  // stale.
  void ConfigurationChanged(const std::string& tenant_id);

 private:
  struct DeskRules;
  absl::StatusOr<DeskRules> RulesFor(const auth::OnBehalfOf& caller, const std::string& tenant,
                                     const std::string& desk, const std::string& service);
  absl::StatusOr<SeatRules> SeatRulesFor(const auth::OnBehalfOf& caller, const DeskRules& rules,
                                         const std::string& tenant, const std::string& desk,
                                         absl::Time start, absl::Time now);
  // TOO_LATE / OUTSIDE_BOOKING_WINDOW before any call to tenants or write transaction, unless
  // `key` names a request already recorded (its retry gets the first reply).
  absl::Status RefuseTimeNobodyMayBook(const std::string& tenant, absl::Time start, absl::Time now,
                                       const pg::RequestKey& key);
  absl::Status TurnAwayIfKnownFull(const SeatRequest& seat, const DeskRules& rules,
                                   const SeatRules& seat_rules, const pg::RequestKey& key,
                                   bool has_hold);
  // Whether `key` names a request already recorded, whose retry gets its first reply (from the
  // transaction) whatever else changed since. True too when that cannot be read: the
  // transaction decides.
  bool MayBeRecordedRetry(const std::string& tenant, const pg::RequestKey& key);
  // The waiting room's seat on a web booking of a comune that has one: FAILED_PRECONDITION
  // ADMISSION_REQUIRED without this citizen's valid admission, unless a recorded retry.
  bool NeedsAdmission(const SeatRequest& seat) const;
  absl::Status RequireAdmission(const SeatRequest& seat, const std::string& citizen_index,
                                const std::string& admission, const pg::RequestKey& key);
  // Tells the availability cache that seats changed after a write that made something, or
  // failed with SLOT_FULL (the cache said there was a seat and there was none: correct it).
  template <typename T>
  void AfterWrite(const absl::StatusOr<pg::Created<T>>& result, const std::string& tenant,
                  const std::string& desk, absl::Time start, absl::Time end,
                  const absl::TimeZone& zone);

  SchedulingRepository* const repository_;
  tenants_client::Directory* const directory_;
  Availability* const availability_;
  const crypto::SecretKey* const secret_;
  const BookingRules rules_;
  const clock::Clock* const clock_;
  BookingCombiner combiner_;
  WaitingRoom* const waiting_room_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_BOOKING_SERVICE_H_
