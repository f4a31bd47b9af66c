// A case (*presa in carico*): the desk takes a person in charge after a contact. Its state
// machine, its history and who may see it, as pure rules; the repository stores them.
//
//   OPEN ──► ASSESSMENT ──► ACTIVE ──► CLOSED (with a reason) ──► REOPENED ──► ASSESSMENT | ACTIVE
//     └──────────┴─────────────┴───────────► CLOSED ◄──────────────────┘
//
// A case may be closed from any state but CLOSED (a person moves away during the assessment);
// a closed case is only reopened, never edited back. Every move and every assignment is kept
// as an append-only history entry.
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

enum class CaseState { kOpen, kAssessment, kActive, kClosed, kReopened };
const char* CaseStateName(CaseState state);  // "OPEN", ...
std::optional<CaseState> ParseCaseState(absl::string_view name);

// Why a case was closed: a coded list (free text could carry personal data into statistics).
enum class CloseReason {
  kGoalsReached,
  kReferredElsewhere,
  kMovedAway,
  kNoLongerInNeed,
  kLostContact,
  kDeceased,
  kOther,
};
const char* CloseReasonName(CloseReason reason);  // "GOALS_REACHED", ...
std::optional<CloseReason> ParseCloseReason(absl::string_view name);

// OK when a case in `from` may move to `to`: FAILED_PRECONDITION, reason ILLEGAL_TRANSITION,
// otherwise (including a move to the same state). Closing needs a reason and nothing else
// takes one: INVALID_ARGUMENT on "close_reason".
absl::Status CheckTransition(CaseState from, CaseState to, std::optional<CloseReason> reason);

// One entry of a case's history, never changed once written: a state change (from_state
// empty for the opening) or an assignment (assignee empty: to nobody).
struct CaseHistoryEntry {
  absl::Time time;
  std::string actor;  // the token subject
  std::optional<CaseState> from_state;
  std::optional<CaseState> to_state;
  std::optional<CloseReason> close_reason;
  bool assigned = false;
  std::string assignee;
};

// The inclusion pact (*patto per l'inclusione*) agreed with the person: what they aim at, what
// each side commits to, the supports given and the follow-up meetings. Free text about the
// person: sealed at rest under their key.
struct PactMeeting {
  absl::Time start_time;
  absl::Duration duration;
};
struct InclusionPact {
  std::vector<std::string> goals;
  std::vector<std::string> commitments;
  std::vector<std::string> supports;
  std::vector<PactMeeting> meetings;  // in time order
};

inline constexpr int kMaxPactItems = 20;        // per list
inline constexpr int kMaxPactItemLength = 500;  // code points
inline constexpr int kMaxPactMeetings = 50;
inline constexpr absl::Duration kMinMeeting = absl::Minutes(5);
inline constexpr absl::Duration kMaxMeeting = absl::Hours(8);

// Every problem of a pact ("case.pact.goals[0]", ...): at most kMaxPactItems items per list,
// each 1..kMaxPactItemLength code points of text (newlines allowed); at most kMaxPactMeetings
// meetings, each with a start time and a duration of whole minutes from kMinMeeting to
// kMaxMeeting. Meetings are returned sorted by start time by NormalizedPact.
status::FieldViolations ValidatePact(const InclusionPact& pact);
InclusionPact NormalizedPact(InclusionPact pact);

// A case holds ids, states and staff subjects: the person's data stays in the person's records,
// but for its inclusion pact, sealed under the person's key.
struct Case {
  std::string tenant_id;
  std::string id;
  std::string person_id;
  std::string contact_id;  // the contact it was opened from
  std::string desk_id;     // the contact's desk
  CaseState state = CaseState::kOpen;
  std::optional<CloseReason> close_reason;  // while CLOSED
  std::string assignee;                     // empty: nobody yet
  std::vector<CaseHistoryEntry> history;    // oldest first
  std::optional<InclusionPact> pact;        // when read with its details and one was agreed
  bool pact_erased = false;                 // the person's key was shredded
  absl::Time create_time;
  absl::Time update_time;
};

// Who is looking at a case, as far as visibility goes.
struct CaseViewer {
  std::string subject;             // the token's subject
  bool coordinator = false;        // coordinators see and assign every case of the comune
  std::vector<std::string> desks;  // the desks the operator serves (the tenants directory)
};

struct CaseVisibility {
  std::string desk_id;
  std::string assignee;  // empty: nobody yet
};

// An operator sees a case assigned to them, or assigned to nobody at a desk they serve; a
// coordinator sees every case. Anyone else needs to state a reason (break-glass), which is
// audited and counted.
bool MaySee(const CaseViewer& viewer, const CaseVisibility& item);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_H_
