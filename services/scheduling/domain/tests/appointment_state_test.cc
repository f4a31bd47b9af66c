#include "services/scheduling/domain/appointment_state.h"

#include <iterator>
#include <ostream>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/civil_time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {
namespace {

using ::testing::HasSubstr;
using ::testing::Optional;

using State = AppointmentState;
using Event = AppointmentEvent;

constexpr State kAllStates[] = {State::kBooked, State::kCheckedIn, State::kCompleted,
                                State::kCancelled, State::kNoShow};
constexpr Event kAllEvents[] = {Event::kCheckIn, Event::kComplete, Event::kCancel,
                                Event::kMarkNoShow};

// A slot of 09:00-09:30 on a Tuesday in Capannori (UTC+1 in winter: 08:00Z).
const absl::Time kStart =
    absl::FromCivil(absl::CivilMinute(2026, 3, 10, 8, 0), absl::UTCTimeZone());
const absl::Time kEnd = kStart + absl::Minutes(30);
constexpr absl::Duration kTick = absl::Nanoseconds(1);

// "FAILED_PRECONDITION [ILLEGAL_TRANSITION]", for readable expectations.
std::string CodeAndReason(const absl::Status& status) {
  return absl::StatusCodeToString(status.code()) + " [" + status::ReasonOf(status).value_or("") +
         "]";
}

// --- The whole table ---------------------------------------------------------------------

enum class Outcome { kApplied, kRepeat, kIllegal };

struct TransitionCase {
  State from;
  Event event;
  Outcome outcome;
  State to;  // for kApplied and kRepeat
};

void PrintTo(const TransitionCase& c, std::ostream* os) {
  *os << AppointmentStateName(c.from) << " + " << AppointmentEventName(c.event);
}

// Every (state, event) pair, written out rather than derived, so that a change to the machine
// has to change this table too.
const std::vector<TransitionCase>& AllTransitions() {
  static const auto* const cases = new std::vector<TransitionCase>{
      {State::kBooked, Event::kCheckIn, Outcome::kApplied, State::kCheckedIn},
      {State::kBooked, Event::kComplete, Outcome::kIllegal, State::kBooked},
      {State::kBooked, Event::kCancel, Outcome::kApplied, State::kCancelled},
      {State::kBooked, Event::kMarkNoShow, Outcome::kApplied, State::kNoShow},

      {State::kCheckedIn, Event::kCheckIn, Outcome::kRepeat, State::kCheckedIn},
      {State::kCheckedIn, Event::kComplete, Outcome::kApplied, State::kCompleted},
      {State::kCheckedIn, Event::kCancel, Outcome::kIllegal, State::kCheckedIn},
      {State::kCheckedIn, Event::kMarkNoShow, Outcome::kIllegal, State::kCheckedIn},

      {State::kCompleted, Event::kCheckIn, Outcome::kIllegal, State::kCompleted},
      {State::kCompleted, Event::kComplete, Outcome::kRepeat, State::kCompleted},
      {State::kCompleted, Event::kCancel, Outcome::kIllegal, State::kCompleted},
      {State::kCompleted, Event::kMarkNoShow, Outcome::kIllegal, State::kCompleted},

      {State::kCancelled, Event::kCheckIn, Outcome::kIllegal, State::kCancelled},
      {State::kCancelled, Event::kComplete, Outcome::kIllegal, State::kCancelled},
      {State::kCancelled, Event::kCancel, Outcome::kRepeat, State::kCancelled},
      {State::kCancelled, Event::kMarkNoShow, Outcome::kIllegal, State::kCancelled},

      {State::kNoShow, Event::kCheckIn, Outcome::kIllegal, State::kNoShow},
      {State::kNoShow, Event::kComplete, Outcome::kIllegal, State::kNoShow},
      {State::kNoShow, Event::kCancel, Outcome::kIllegal, State::kNoShow},
      {State::kNoShow, Event::kMarkNoShow, Outcome::kRepeat, State::kNoShow},
  };
  return *cases;
}

TEST(TransitionTableTest, CoversEveryPairOnce) {
  std::set<std::pair<State, Event>> pairs;
  for (const TransitionCase& c : AllTransitions()) pairs.emplace(c.from, c.event);
  EXPECT_EQ(AllTransitions().size(), 20u);
  EXPECT_EQ(pairs.size(), std::size(kAllStates) * std::size(kAllEvents));
}

void ExpectOutcome(const TransitionCase& c, const absl::StatusOr<Transition>& result) {
  switch (c.outcome) {
    case Outcome::kApplied:
    case Outcome::kRepeat:
      ASSERT_TRUE(result.ok()) << result.status();
      EXPECT_EQ(result->state, c.to);
      EXPECT_EQ(result->changed, c.outcome == Outcome::kApplied);
      break;
    case Outcome::kIllegal: {
      ASSERT_FALSE(result.ok());
      EXPECT_EQ(CodeAndReason(result.status()), "FAILED_PRECONDITION [ILLEGAL_TRANSITION]");
      const std::string message(result.status().message());
      EXPECT_THAT(message, HasSubstr(std::string(AppointmentStateName(c.from))));
      EXPECT_THAT(message, HasSubstr(std::string(AppointmentEventName(c.event))));
      break;
    }
  }
}

class TransitionTest : public ::testing::TestWithParam<TransitionCase> {};

TEST_P(TransitionTest, NextState) {
  ExpectOutcome(GetParam(), NextState(GetParam().from, GetParam().event));
}

// The same table through ApplyEvent, at a moment when every time rule allows the event (an
// operator, 20 minutes into a 30-minute slot): the time rules never change the table.
TEST_P(TransitionTest, ApplyEventWhenTimeRulesAllow) {
  const EventContext context{Actor::kOperator, kStart + absl::Minutes(20), kStart, kEnd};
  ExpectOutcome(GetParam(), ApplyEvent(GetParam().from, GetParam().event, context));
}

INSTANTIATE_TEST_SUITE_P(AllPairs, TransitionTest, ::testing::ValuesIn(AllTransitions()));

TEST(TransitionTest, IllegalTransitionMessageNamesStateAndEvent) {
  auto result = NextState(State::kCompleted, Event::kCancel);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(), "cannot CANCEL an appointment that is COMPLETED");
}

TEST(TransitionTest, ValuesOutsideTheEnumsAreInternalErrors) {
  EXPECT_EQ(CodeAndReason(NextState(static_cast<State>(42), Event::kCancel).status()),
            "INTERNAL [INTERNAL]");
  EXPECT_EQ(CodeAndReason(NextState(State::kBooked, static_cast<Event>(-1)).status()),
            "INTERNAL [INTERNAL]");
  const EventContext context{Actor::kOperator, kStart, kStart, kEnd};
  EXPECT_EQ(CodeAndReason(ApplyEvent(static_cast<State>(42), Event::kCancel, context).status()),
            "INTERNAL [INTERNAL]");
}

// --- Names -------------------------------------------------------------------------------

TEST(NamesTest, StatesAndEventsRoundTrip) {
  std::vector<std::string> names;
  for (State state : kAllStates) {
    names.emplace_back(AppointmentStateName(state));
    EXPECT_THAT(ParseAppointmentState(AppointmentStateName(state)), Optional(state));
  }
  EXPECT_THAT(names,
              ::testing::ElementsAre("BOOKED", "CHECKED_IN", "COMPLETED", "CANCELLED", "NO_SHOW"));
  names.clear();
  for (Event event : kAllEvents) {
    names.emplace_back(AppointmentEventName(event));
    EXPECT_THAT(ParseAppointmentEvent(AppointmentEventName(event)), Optional(event));
  }
  EXPECT_THAT(names, ::testing::ElementsAre("CHECK_IN", "COMPLETE", "CANCEL", "MARK_NO_SHOW"));
  EXPECT_EQ(ActorName(Actor::kCitizen), "CITIZEN");
  EXPECT_EQ(ActorName(Actor::kOperator), "OPERATOR");
  EXPECT_EQ(ActorName(Actor::kSystem), "SYSTEM");
}

TEST(NamesTest, UnknownValuesAndNames) {
  EXPECT_EQ(AppointmentStateName(static_cast<State>(42)), "UNKNOWN");
  EXPECT_EQ(AppointmentEventName(static_cast<Event>(42)), "UNKNOWN");
  EXPECT_EQ(ActorName(static_cast<Actor>(42)), "UNKNOWN");
  for (const char* name : {"", "booked", "UNKNOWN", "BOOKED ", "CHECKEDIN"}) {
    EXPECT_EQ(ParseAppointmentState(name), std::nullopt) << name;
  }
  for (const char* name : {"", "cancel", "UNKNOWN", "NO_SHOW"}) {
    EXPECT_EQ(ParseAppointmentEvent(name), std::nullopt) << name;
  }
}

TEST(NamesTest, TerminalStates) {
  EXPECT_FALSE(IsTerminal(State::kBooked));
  EXPECT_FALSE(IsTerminal(State::kCheckedIn));
  EXPECT_TRUE(IsTerminal(State::kCompleted));
  EXPECT_TRUE(IsTerminal(State::kCancelled));
  EXPECT_TRUE(IsTerminal(State::kNoShow));
  // A terminal state accepts no change: every event is a repeat or illegal.
  for (State state : kAllStates) {
    if (!IsTerminal(state)) continue;
    for (Event event : kAllEvents) {
      auto result = NextState(state, event);
      EXPECT_TRUE(!result.ok() || !result->changed)
          << AppointmentStateName(state) << " + " << AppointmentEventName(event);
    }
  }
}

// --- Time rules at their edges -----------------------------------------------------------

TEST(CheckInTimeTest, FromAnHourBeforeStartUntilTheEnd) {
  EXPECT_EQ(CodeAndReason(CheckCheckInTime(kStart - absl::Hours(1) - kTick, kStart, kEnd)),
            "FAILED_PRECONDITION [TOO_EARLY_TO_CHECK_IN]");
  EXPECT_TRUE(CheckCheckInTime(kStart - absl::Hours(1), kStart, kEnd).ok());
  EXPECT_TRUE(CheckCheckInTime(kStart, kStart, kEnd).ok());
  EXPECT_TRUE(CheckCheckInTime(kEnd - kTick, kStart, kEnd).ok());
  EXPECT_EQ(CodeAndReason(CheckCheckInTime(kEnd, kStart, kEnd)),
            "FAILED_PRECONDITION [TOO_LATE_TO_CHECK_IN]");
  EXPECT_EQ(CodeAndReason(CheckCheckInTime(kEnd + absl::Hours(3), kStart, kEnd)),
            "FAILED_PRECONDITION [TOO_LATE_TO_CHECK_IN]");
}

TEST(CheckInTimeTest, ConfigurableWindowAndMessage) {
  AppointmentTimePolicy policy;
  policy.check_in_opens_before_start = absl::Minutes(30);
  EXPECT_FALSE(CheckCheckInTime(kStart - absl::Minutes(31), kStart, kEnd, policy).ok());
  EXPECT_TRUE(CheckCheckInTime(kStart - absl::Minutes(30), kStart, kEnd, policy).ok());
  EXPECT_EQ(CheckCheckInTime(kStart - absl::Minutes(31), kStart, kEnd, policy).message(),
            "check-in opens 30m before the appointment starts");
  policy.check_in_opens_before_start = absl::ZeroDuration();
  EXPECT_FALSE(CheckCheckInTime(kStart - kTick, kStart, kEnd, policy).ok());
  EXPECT_TRUE(CheckCheckInTime(kStart, kStart, kEnd, policy).ok());
}

TEST(NoShowTimeTest, OnlyAfterTheGracePeriod) {
  EXPECT_EQ(CodeAndReason(CheckNoShowTime(kStart - absl::Minutes(5), kStart)),
            "FAILED_PRECONDITION [TOO_EARLY_FOR_NO_SHOW]");
  EXPECT_EQ(CodeAndReason(CheckNoShowTime(kStart + absl::Minutes(15) - kTick, kStart)),
            "FAILED_PRECONDITION [TOO_EARLY_FOR_NO_SHOW]");
  EXPECT_TRUE(CheckNoShowTime(kStart + absl::Minutes(15), kStart).ok());
  EXPECT_TRUE(CheckNoShowTime(kEnd + absl::Hours(24), kStart).ok());
  EXPECT_EQ(CheckNoShowTime(kStart, kStart).message(),
            "a no-show can be marked from 15m after the appointment starts");

  AppointmentTimePolicy policy;
  policy.no_show_grace = absl::Minutes(5);
  EXPECT_TRUE(CheckNoShowTime(kStart + absl::Minutes(5), kStart, policy).ok());
}

TEST(CancellationTimeTest, CitizensUntilTheCutoff) {
  EXPECT_TRUE(CheckCancellationTime(Actor::kCitizen, kStart - absl::Hours(48), kStart).ok());
  EXPECT_TRUE(CheckCancellationTime(Actor::kCitizen, kStart - absl::Hours(2) - kTick, kStart).ok());
  EXPECT_EQ(CodeAndReason(CheckCancellationTime(Actor::kCitizen, kStart - absl::Hours(2), kStart)),
            "FAILED_PRECONDITION [CANCELLATION_CUTOFF_PASSED]");
  EXPECT_EQ(CodeAndReason(CheckCancellationTime(Actor::kCitizen, kEnd, kStart)),
            "FAILED_PRECONDITION [CANCELLATION_CUTOFF_PASSED]");
  EXPECT_THAT(std::string(CheckCancellationTime(Actor::kCitizen, kStart, kStart).message()),
              HasSubstr("until 2h before the appointment starts"));
}

TEST(CancellationTimeTest, OperatorsAndTheSystemAtAnyTime) {
  for (Actor actor : {Actor::kOperator, Actor::kSystem}) {
    for (absl::Time now :
         {kStart - absl::Hours(48), kStart - absl::Hours(2), kStart, kEnd + absl::Hours(24)}) {
      EXPECT_TRUE(CheckCancellationTime(actor, now, kStart).ok()) << ActorName(actor);
    }
  }
}

TEST(CancellationTimeTest, UnknownActorIsTreatedAsACitizen) {
  EXPECT_FALSE(CheckCancellationTime(static_cast<Actor>(9), kStart, kStart).ok());
  EXPECT_TRUE(CheckCancellationTime(static_cast<Actor>(9), kStart - absl::Hours(3), kStart).ok());
}

TEST(CancellationTimeTest, ConfigurableCutoff) {
  AppointmentTimePolicy policy;
  policy.citizen_cancellation_cutoff = absl::Hours(24);
  EXPECT_FALSE(
      CheckCancellationTime(Actor::kCitizen, kStart - absl::Hours(3), kStart, policy).ok());
  EXPECT_TRUE(
      CheckCancellationTime(Actor::kCitizen, kStart - absl::Hours(25), kStart, policy).ok());
}

// --- ApplyEvent: state first, then time ---------------------------------------------------

EventContext At(Actor actor, absl::Time now) { return EventContext{actor, now, kStart, kEnd}; }

TEST(ApplyEventTest, TimeRulesApplyToChanges) {
  EXPECT_EQ(CodeAndReason(ApplyEvent(State::kBooked, Event::kCheckIn,
                                     At(Actor::kOperator, kStart - absl::Hours(2)))
                              .status()),
            "FAILED_PRECONDITION [TOO_EARLY_TO_CHECK_IN]");
  EXPECT_EQ(CodeAndReason(
                ApplyEvent(State::kBooked, Event::kCheckIn, At(Actor::kOperator, kEnd)).status()),
            "FAILED_PRECONDITION [TOO_LATE_TO_CHECK_IN]");
  EXPECT_EQ(CodeAndReason(ApplyEvent(State::kBooked, Event::kMarkNoShow,
                                     At(Actor::kSystem, kStart + absl::Minutes(10)))
                              .status()),
            "FAILED_PRECONDITION [TOO_EARLY_FOR_NO_SHOW]");
  EXPECT_EQ(CodeAndReason(ApplyEvent(State::kBooked, Event::kCancel,
                                     At(Actor::kCitizen, kStart - absl::Hours(1)))
                              .status()),
            "FAILED_PRECONDITION [CANCELLATION_CUTOFF_PASSED]");

  auto cancelled =
      ApplyEvent(State::kBooked, Event::kCancel, At(Actor::kCitizen, kStart - absl::Hours(3)));
  ASSERT_TRUE(cancelled.ok());
  EXPECT_EQ(cancelled->state, State::kCancelled);
  EXPECT_TRUE(cancelled->changed);
  auto by_operator =
      ApplyEvent(State::kBooked, Event::kCancel, At(Actor::kOperator, kStart - absl::Hours(1)));
  ASSERT_TRUE(by_operator.ok());
  EXPECT_TRUE(by_operator->changed);
}

TEST(ApplyEventTest, RepeatsSkipTimeRules) {
  // The first cancellation was in time; its retry after the cutoff still answers OK.
  auto cancel = ApplyEvent(State::kCancelled, Event::kCancel, At(Actor::kCitizen, kEnd));
  ASSERT_TRUE(cancel.ok());
  EXPECT_EQ(cancel->state, State::kCancelled);
  EXPECT_FALSE(cancel->changed);

  auto check_in = ApplyEvent(State::kCheckedIn, Event::kCheckIn, At(Actor::kOperator, kEnd));
  ASSERT_TRUE(check_in.ok());
  EXPECT_FALSE(check_in->changed);

  auto no_show = ApplyEvent(State::kNoShow, Event::kMarkNoShow, At(Actor::kSystem, kStart));
  ASSERT_TRUE(no_show.ok());
  EXPECT_FALSE(no_show->changed);
}

TEST(ApplyEventTest, IllegalTransitionWinsOverTimeRules) {
  EXPECT_EQ(CodeAndReason(
                ApplyEvent(State::kCompleted, Event::kCancel, At(Actor::kCitizen, kEnd)).status()),
            "FAILED_PRECONDITION [ILLEGAL_TRANSITION]");
  EXPECT_EQ(CodeAndReason(ApplyEvent(State::kNoShow, Event::kCheckIn,
                                     At(Actor::kOperator, kStart - absl::Hours(5)))
                              .status()),
            "FAILED_PRECONDITION [ILLEGAL_TRANSITION]");
}

TEST(ApplyEventTest, CompletionHasNoTimeRule) {
  for (absl::Time now : {kStart - absl::Minutes(30), kStart, kEnd, kEnd + absl::Hours(4)}) {
    auto completed = ApplyEvent(State::kCheckedIn, Event::kComplete, At(Actor::kOperator, now));
    ASSERT_TRUE(completed.ok());
    EXPECT_EQ(completed->state, State::kCompleted);
    EXPECT_TRUE(completed->changed);
  }
}

}  // namespace
}  // namespace sportelli::scheduling
