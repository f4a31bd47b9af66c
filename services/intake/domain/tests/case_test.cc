#include "services/intake/domain/case.h"

#include <optional>
#include <vector>

#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {
namespace {

constexpr CaseState kAll[] = {CaseState::kOpen, CaseState::kAssessment, CaseState::kActive,
                              CaseState::kClosed, CaseState::kReopened};

std::optional<CloseReason> ReasonFor(CaseState to) {
  return to == CaseState::kClosed ? std::optional<CloseReason>(CloseReason::kMovedAway)
                                  : std::nullopt;
}

// The whole table: exactly these moves are allowed, every other one is FAILED_PRECONDITION.
TEST(CaseTransitionTest, ExactlyTheDrawnMovesAreAllowed) {
  const std::vector<std::pair<CaseState, CaseState>> allowed = {
      {CaseState::kOpen, CaseState::kAssessment}, {CaseState::kAssessment, CaseState::kActive},
      {CaseState::kOpen, CaseState::kClosed},     {CaseState::kAssessment, CaseState::kClosed},
      {CaseState::kActive, CaseState::kClosed},   {CaseState::kReopened, CaseState::kClosed},
      {CaseState::kClosed, CaseState::kReopened}, {CaseState::kReopened, CaseState::kAssessment},
      {CaseState::kReopened, CaseState::kActive},
  };
  for (CaseState from : kAll) {
    for (CaseState to : kAll) {
      const bool expected =
          std::find(allowed.begin(), allowed.end(), std::make_pair(from, to)) != allowed.end();
      const absl::Status status = CheckTransition(from, to, ReasonFor(to));
      if (expected) {
        EXPECT_TRUE(status.ok()) << CaseStateName(from) << " -> " << CaseStateName(to) << ": "
                                 << status;
      } else {
        EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition)
            << CaseStateName(from) << " -> " << CaseStateName(to);
        EXPECT_EQ(status::ReasonOf(status), "ILLEGAL_TRANSITION");
      }
    }
  }
}

TEST(CaseTransitionTest, OnlyClosingTakesAReasonAndClosingNeedsOne) {
  const absl::Status without =
      CheckTransition(CaseState::kActive, CaseState::kClosed, std::nullopt);
  EXPECT_EQ(without.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::FieldViolationsOf(without).at(0).first, "close_reason");
  EXPECT_EQ(CheckTransition(CaseState::kOpen, CaseState::kAssessment, CloseReason::kOther).code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(CaseVisibilityTest, OperatorsSeeTheirOwnAndTheirDesksUnassignedCases) {
  const CaseViewer operatrice{"op-1", false, {"sede-centrale"}};
  EXPECT_TRUE(MaySee(operatrice, {"sede-centrale", ""}));       // nobody's yet, at her desk
  EXPECT_TRUE(MaySee(operatrice, {"marlia", "op-1"}));          // hers, at another desk
  EXPECT_FALSE(MaySee(operatrice, {"sede-centrale", "op-2"}));  // a colleague's
  EXPECT_FALSE(MaySee(operatrice, {"marlia", ""}));             // another desk's
  const CaseViewer coordinatrice{"co-1", true, {}};
  EXPECT_TRUE(MaySee(coordinatrice, {"marlia", "op-2"}));
}

TEST(CaseNamesTest, RoundTrip) {
  for (CaseState state : kAll) EXPECT_EQ(ParseCaseState(CaseStateName(state)), state);
  EXPECT_EQ(ParseCloseReason(CloseReasonName(CloseReason::kDeceased)), CloseReason::kDeceased);
  EXPECT_EQ(ParseCaseState("CHIUSO"), std::nullopt);
}

TEST(PactTest, ListsMeetingsAndTheirLimits) {
  InclusionPact pact;
  pact.goals = {"Trovare lavoro"};
  pact.meetings = {{absl::FromUnixSeconds(2000000000), absl::Minutes(45)},
                   {absl::FromUnixSeconds(1900000000), absl::Minutes(30)}};
  EXPECT_TRUE(ValidatePact(pact).empty());
  EXPECT_EQ(NormalizedPact(pact).meetings[0].duration, absl::Minutes(30));
  InclusionPact bad = pact;
  bad.goals.push_back(" ");
  bad.supports.push_back(std::string(kMaxPactItemLength + 1, 'a'));
  bad.meetings.push_back({absl::FromUnixSeconds(1900000000), absl::Seconds(90)});
  bad.meetings.push_back({absl::FromUnixSeconds(1900000000), kMaxMeeting + absl::Minutes(1)});
  EXPECT_EQ(ValidatePact(bad).violations().size(), 4u);
  InclusionPact many;
  many.commitments.assign(kMaxPactItems + 1, "x");
  EXPECT_FALSE(ValidatePact(many).empty());
}

}  // namespace
}  // namespace sportelli::intake
