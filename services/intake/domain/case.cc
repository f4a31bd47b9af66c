#include "services/intake/domain/case.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/intake/domain/rules.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {
namespace {

constexpr std::pair<CaseState, const char*> kStates[] = {
    {CaseState::kOpen, "OPEN"},         {CaseState::kAssessment, "ASSESSMENT"},
    {CaseState::kActive, "ACTIVE"},     {CaseState::kClosed, "CLOSED"},
    {CaseState::kReopened, "REOPENED"},
};

constexpr std::pair<CloseReason, const char*> kReasons[] = {
    {CloseReason::kGoalsReached, "GOALS_REACHED"},
    {CloseReason::kReferredElsewhere, "REFERRED_ELSEWHERE"},
    {CloseReason::kMovedAway, "MOVED_AWAY"},
    {CloseReason::kNoLongerInNeed, "NO_LONGER_IN_NEED"},
    {CloseReason::kLostContact, "LOST_CONTACT"},
    {CloseReason::kDeceased, "DECEASED"},
    {CloseReason::kOther, "OTHER"},
};

bool Allowed(CaseState from, CaseState to) {
  switch (to) {
    case CaseState::kAssessment:
      return from == CaseState::kOpen || from == CaseState::kReopened;
    case CaseState::kActive:
      return from == CaseState::kAssessment || from == CaseState::kReopened;
    case CaseState::kClosed:
      return from != CaseState::kClosed;
    case CaseState::kReopened:
      return from == CaseState::kClosed;
    case CaseState::kOpen:
      return false;  // only where a case begins
  }
  return false;
}

}  // namespace

const char* CaseStateName(CaseState state) {
  for (const auto& [value, name] : kStates) {
    if (value == state) return name;
  }
  return "UNKNOWN";
}

std::optional<CaseState> ParseCaseState(absl::string_view name) {
  for (const auto& [value, text] : kStates) {
    if (name == text) return value;
  }
  return std::nullopt;
}

const char* CloseReasonName(CloseReason reason) {
  for (const auto& [value, name] : kReasons) {
    if (value == reason) return name;
  }
  return "UNKNOWN";
}

std::optional<CloseReason> ParseCloseReason(absl::string_view name) {
  for (const auto& [value, text] : kReasons) {
    if (name == text) return value;
  }
  return std::nullopt;
}

absl::Status CheckTransition(CaseState from, CaseState to, std::optional<CloseReason> reason) {
  if (!Allowed(from, to)) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("a case in state ", CaseStateName(from), " cannot move to ",
                                      CaseStateName(to)),
                         "ILLEGAL_TRANSITION");
  }
  status::FieldViolations violations;
  if (to == CaseState::kClosed && !reason) {
    violations.Add("close_reason", "is required to close a case");
  } else if (to != CaseState::kClosed && reason) {
    violations.Add("close_reason", "is only for closing a case");
  }
  return violations.ToStatus();
}

bool MaySee(const CaseViewer& viewer, const CaseVisibility& item) {
  if (viewer.coordinator) return true;
  if (!item.assignee.empty()) return item.assignee == viewer.subject;
  return std::find(viewer.desks.begin(), viewer.desks.end(), item.desk_id) != viewer.desks.end();
}

status::FieldViolations ValidatePact(const InclusionPact& pact) {
  status::FieldViolations violations;
  const auto check_list = [&](const char* name, const std::vector<std::string>& items) {
    const std::string field = absl::StrCat("case.pact.", name);
    if (static_cast<int>(items.size()) > kMaxPactItems) {
      violations.Add(field, absl::StrCat("at most ", kMaxPactItems, " items"));
      return;
    }
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string item_field = absl::StrCat(field, "[", i, "]");
      if (absl::StripAsciiWhitespace(items[i]).empty()) {
        violations.Add(item_field, "must not be empty");
      } else {
        CheckText(item_field, items[i], kMaxPactItemLength, /*multiline=*/true, violations);
      }
    }
  };
  check_list("goals", pact.goals);
  check_list("commitments", pact.commitments);
  check_list("supports", pact.supports);
  if (static_cast<int>(pact.meetings.size()) > kMaxPactMeetings) {
    violations.Add("case.pact.meetings", absl::StrCat("at most ", kMaxPactMeetings, " meetings"));
  } else {
    for (size_t i = 0; i < pact.meetings.size(); ++i) {
      const PactMeeting& m = pact.meetings[i];
      const std::string field = absl::StrCat("case.pact.meetings[", i, "]");
      if (m.start_time == absl::InfinitePast() || m.start_time == absl::UnixEpoch()) {
        violations.Add(absl::StrCat(field, ".start_time"), "is required");
      }
      if (m.duration < kMinMeeting || m.duration > kMaxMeeting ||
          m.duration != absl::Floor(m.duration, absl::Minutes(1))) {
        violations.Add(absl::StrCat(field, ".duration"),
                       "must be whole minutes, from 5 minutes to 8 hours");
      }
    }
  }
  return violations;
}

InclusionPact NormalizedPact(InclusionPact pact) {
  std::stable_sort(
      pact.meetings.begin(), pact.meetings.end(),
      [](const PactMeeting& a, const PactMeeting& b) { return a.start_time < b.start_time; });
  return pact;
}

}  // namespace sportelli::intake
