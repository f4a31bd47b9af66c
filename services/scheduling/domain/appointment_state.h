// The life of an appointment once it is booked: which events may happen in which state, and
// when. Pure functions of the current state, the event, who acts and the clock, so that the
// service decides inside its transaction and the rules are tested without a database.
//
//   ASSIGN_OR_RETURN(Transition transition,
//                    ApplyEvent(appointment.state, AppointmentEvent::kCancel,
//                               EventContext{Actor::kCitizen, clock.Now(), appointment.start,
//                                            appointment.end},
//                               policy));
//   if (!transition.changed) return appointment;  // a retry: write nothing, emit no event
//   appointment.state = transition.state;         // write it and its event in one transaction
//
//   BOOKED --kCheckIn--> CHECKED_IN --kComplete--> COMPLETED
//      |--kCancel-----> CANCELLED
//      '--kMarkNoShow-> NO_SHOW
//
// Every other (state, event) pair fails with FAILED_PRECONDITION, reason
// "ILLEGAL_TRANSITION", and a message naming the state and the event, never the citizen.
//
// Repeats are not errors. Clients retry (a timeout after the commit, a double tap, two
// operators on the same list), and an event sent to the state it produces asked for what is
// already true: kCancel on CANCELLED, kCheckIn on CHECKED_IN, kComplete on COMPLETED,
// kMarkNoShow on NO_SHOW answer OK with `changed == false`, so the caller neither writes nor
// publishes a second event, and the client gets the appointment as it is. Time rules are not
// applied to a repeat: a cancellation retried after the cutoff still succeeds, because the
// first attempt did. Only the state the event produces counts: kCheckIn on COMPLETED is
// ILLEGAL_TRANSITION (what the client asked for is not what happened). Requests that carry a
// request_id are first de-duplicated by sportelli/pg/idempotency.h; this rule covers the
// retries and races that arrive with a new id.
#ifndef SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_STATE_H_
#define SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_STATE_H_

#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sportelli::scheduling {

enum class AppointmentState { kBooked, kCheckedIn, kCompleted, kCancelled, kNoShow };
enum class AppointmentEvent { kCheckIn, kComplete, kCancel, kMarkNoShow };
// Who sends an event (as in sportelli.events.v1.Actor). kSystem is an automatic job (closing
// a desk, marking no-shows) and has an operator's rights.
enum class Actor { kCitizen, kOperator, kSystem };

// Stable names for stored states, events, logs and messages: "BOOKED", "CHECKED_IN",
// "COMPLETED", "CANCELLED", "NO_SHOW"; "CHECK_IN", "COMPLETE", "CANCEL", "MARK_NO_SHOW";
// "CITIZEN", "OPERATOR", "SYSTEM". "UNKNOWN" for a value outside the enumerators.
absl::string_view AppointmentStateName(AppointmentState state);
absl::string_view AppointmentEventName(AppointmentEvent event);
absl::string_view ActorName(Actor actor);
// The inverse of the names above (exact, upper-case); nullopt for anything else.
std::optional<AppointmentState> ParseAppointmentState(absl::string_view name);
std::optional<AppointmentEvent> ParseAppointmentEvent(absl::string_view name);

// COMPLETED, CANCELLED and NO_SHOW: no event changes them any more.
bool IsTerminal(AppointmentState state);

struct Transition {
  AppointmentState state;  // the state after the event
  // False for a repeat of the event that produced `state`: nothing to write or publish.
  bool changed = true;
};

// The state machine alone: the next state, ILLEGAL_TRANSITION (FAILED_PRECONDITION), or INTERNAL
// for a state or event outside the enumerators (a corrupt row or a mapping bug, not a client
// error).
absl::StatusOr<Transition> NextState(AppointmentState current, AppointmentEvent event);

// When events may happen, relative to the slot [slot_start, slot_end). Windows are half-open:
// "from" instants are inclusive, "until" instants exclusive. Durations must not be negative.
struct AppointmentTimePolicy {
  // Check-in opens this long before the start (citizens arrive early; the operator may see
  // them early if the previous appointment ends early) and closes at the slot's end: a citizen
  // who arrives after that is served as a walk-in or books again.
  absl::Duration check_in_opens_before_start = absl::Minutes(60);
  // A citizen may be late this long before the slot can be given up as a no-show.
  absl::Duration no_show_grace = absl::Minutes(15);
  // Citizens may cancel until this long before the start, so the desk can offer the slot to
  // someone else; operators and the system may cancel a BOOKED appointment at any time.
  absl::Duration citizen_cancellation_cutoff = absl::Hours(2);
};

// OK, or FAILED_PRECONDITION with reason "TOO_EARLY_TO_CHECK_IN" before
// slot_start - check_in_opens_before_start, "TOO_LATE_TO_CHECK_IN" from slot_end.
absl::Status CheckCheckInTime(absl::Time now, absl::Time slot_start, absl::Time slot_end,
                              const AppointmentTimePolicy& policy = {});
// OK from slot_start + no_show_grace, otherwise FAILED_PRECONDITION "TOO_EARLY_FOR_NO_SHOW".
absl::Status CheckNoShowTime(absl::Time now, absl::Time slot_start,
                             const AppointmentTimePolicy& policy = {});
// Always OK for an operator or the system; for a citizen (and, failing closed, any value
// outside the enumerators) OK before slot_start - citizen_cancellation_cutoff, otherwise
// FAILED_PRECONDITION "CANCELLATION_CUTOFF_PASSED".
absl::Status CheckCancellationTime(Actor actor, absl::Time now, absl::Time slot_start,
                                   const AppointmentTimePolicy& policy = {});

struct EventContext {
  Actor actor = Actor::kCitizen;
  absl::Time now;
  absl::Time slot_start;
  absl::Time slot_end;
};

// NextState, then, for a change (not a repeat), the time rule of the event: kCheckIn
// CheckCheckInTime, kMarkNoShow CheckNoShowTime, kCancel CheckCancellationTime. kComplete has
// none: the conversation ends when it ends, overrunning the slot or not. Who may send which
// event at all (a citizen does not mark their own no-show) is the service's authorization,
// not decided here.
absl::StatusOr<Transition> ApplyEvent(AppointmentState current, AppointmentEvent event,
                                      const EventContext& context,
                                      const AppointmentTimePolicy& policy = {});

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_STATE_H_
