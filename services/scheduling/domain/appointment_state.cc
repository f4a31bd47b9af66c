#include "services/scheduling/domain/appointment_state.h"

#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {
namespace {

constexpr absl::string_view kUnknown = "UNKNOWN";

constexpr std::array kStates = {AppointmentState::kBooked, AppointmentState::kCheckedIn,
                                AppointmentState::kCompleted, AppointmentState::kCancelled,
                                AppointmentState::kNoShow};
constexpr std::array kEvents = {AppointmentEvent::kCheckIn, AppointmentEvent::kComplete,
                                AppointmentEvent::kCancel, AppointmentEvent::kMarkNoShow};

bool IsKnownState(AppointmentState state) { return AppointmentStateName(state) != kUnknown; }
bool IsKnownEvent(AppointmentEvent event) { return AppointmentEventName(event) != kUnknown; }

// The state an event leads to, and the only state it may start from. One table for both the
// legal transition and its idempotent repeat, so the two cannot drift apart.
struct Rule {
  AppointmentState from;
  AppointmentState to;
};

Rule RuleOf(AppointmentEvent event) {
  switch (event) {
    case AppointmentEvent::kCheckIn:
      return {AppointmentState::kBooked, AppointmentState::kCheckedIn};
    case AppointmentEvent::kComplete:
      return {AppointmentState::kCheckedIn, AppointmentState::kCompleted};
    case AppointmentEvent::kCancel:
      return {AppointmentState::kBooked, AppointmentState::kCancelled};
    case AppointmentEvent::kMarkNoShow:
      return {AppointmentState::kBooked, AppointmentState::kNoShow};
  }
  // Unreachable: callers check IsKnownEvent first.
  return {AppointmentState::kBooked, AppointmentState::kBooked};
}

absl::Status TooSoonOrLate(absl::string_view message, absl::string_view reason) {
  return status::Error(absl::StatusCode::kFailedPrecondition, message, reason);
}

}  // namespace

absl::string_view AppointmentStateName(AppointmentState state) {
  switch (state) {
    case AppointmentState::kBooked:
      return "BOOKED";
    case AppointmentState::kCheckedIn:
      return "CHECKED_IN";
    case AppointmentState::kCompleted:
      return "COMPLETED";
    case AppointmentState::kCancelled:
      return "CANCELLED";
    case AppointmentState::kNoShow:
      return "NO_SHOW";
  }
  return kUnknown;
}

absl::string_view AppointmentEventName(AppointmentEvent event) {
  switch (event) {
    case AppointmentEvent::kCheckIn:
      return "CHECK_IN";
    case AppointmentEvent::kComplete:
      return "COMPLETE";
    case AppointmentEvent::kCancel:
      return "CANCEL";
    case AppointmentEvent::kMarkNoShow:
      return "MARK_NO_SHOW";
  }
  return kUnknown;
}

absl::string_view ActorName(Actor actor) {
  switch (actor) {
    case Actor::kCitizen:
      return "CITIZEN";
    case Actor::kOperator:
      return "OPERATOR";
    case Actor::kSystem:
      return "SYSTEM";
  }
  return kUnknown;
}

std::optional<AppointmentState> ParseAppointmentState(absl::string_view name) {
  for (AppointmentState state : kStates) {
    if (AppointmentStateName(state) == name) return state;
  }
  return std::nullopt;
}

std::optional<AppointmentEvent> ParseAppointmentEvent(absl::string_view name) {
  for (AppointmentEvent event : kEvents) {
    if (AppointmentEventName(event) == name) return event;
  }
  return std::nullopt;
}

bool IsTerminal(AppointmentState state) {
  return state == AppointmentState::kCompleted || state == AppointmentState::kCancelled ||
         state == AppointmentState::kNoShow;
}

absl::StatusOr<Transition> NextState(AppointmentState current, AppointmentEvent event) {
  if (!IsKnownState(current)) return status::Internal("unknown appointment state");
  if (!IsKnownEvent(event)) return status::Internal("unknown appointment event");
  const Rule rule = RuleOf(event);
  if (current == rule.from) return Transition{rule.to, true};
  if (current == rule.to) return Transition{rule.to, false};
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat("cannot ", AppointmentEventName(event),
                                    " an appointment that is ", AppointmentStateName(current)),
                       "ILLEGAL_TRANSITION");
}

absl::Status CheckCheckInTime(absl::Time now, absl::Time slot_start, absl::Time slot_end,
                              const AppointmentTimePolicy& policy) {
  if (now < slot_start - policy.check_in_opens_before_start) {
    return TooSoonOrLate(
        absl::StrCat("check-in opens ", absl::FormatDuration(policy.check_in_opens_before_start),
                     " before the appointment starts"),
        "TOO_EARLY_TO_CHECK_IN");
  }
  if (now >= slot_end) {
    return TooSoonOrLate("check-in closes when the appointment ends", "TOO_LATE_TO_CHECK_IN");
  }
  return absl::OkStatus();
}

absl::Status CheckNoShowTime(absl::Time now, absl::Time slot_start,
                             const AppointmentTimePolicy& policy) {
  if (now < slot_start + policy.no_show_grace) {
    return TooSoonOrLate(
        absl::StrCat("a no-show can be marked from ", absl::FormatDuration(policy.no_show_grace),
                     " after the appointment starts"),
        "TOO_EARLY_FOR_NO_SHOW");
  }
  return absl::OkStatus();
}

absl::Status CheckCancellationTime(Actor actor, absl::Time now, absl::Time slot_start,
                                   const AppointmentTimePolicy& policy) {
  if (actor == Actor::kOperator || actor == Actor::kSystem) return absl::OkStatus();
  if (now >= slot_start - policy.citizen_cancellation_cutoff) {
    return TooSoonOrLate(absl::StrCat("citizens can cancel until ",
                                      absl::FormatDuration(policy.citizen_cancellation_cutoff),
                                      " before the appointment starts; after that, the desk can"),
                         "CANCELLATION_CUTOFF_PASSED");
  }
  return absl::OkStatus();
}

absl::StatusOr<Transition> ApplyEvent(AppointmentState current, AppointmentEvent event,
                                      const EventContext& context,
                                      const AppointmentTimePolicy& policy) {
  absl::StatusOr<Transition> transition = NextState(current, event);
  if (!transition.ok() || !transition->changed) return transition;
  absl::Status timing = absl::OkStatus();
  switch (event) {
    case AppointmentEvent::kCheckIn:
      timing = CheckCheckInTime(context.now, context.slot_start, context.slot_end, policy);
      break;
    case AppointmentEvent::kMarkNoShow:
      timing = CheckNoShowTime(context.now, context.slot_start, policy);
      break;
    case AppointmentEvent::kCancel:
      timing = CheckCancellationTime(context.actor, context.now, context.slot_start, policy);
      break;
    case AppointmentEvent::kComplete:
      break;
  }
  if (!timing.ok()) return timing;
  return transition;
}

}  // namespace sportelli::scheduling
