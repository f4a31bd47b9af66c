// Cases over gRPC: opened from a contact, moved along the state machine with an append-only
// history, assigned by coordinators, seen only by whom the rules allow (break-glass counted and
// recorded), never reachable from another comune.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::SizeIs;
TEST_F(CaseTest, ACaseIsOpenedOnceFromAContactThatSaysSo) {
  const std::string person = Register(1);
  v1::Contact contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  v1::OpenCaseRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  request.set_contact(contact.name());
  request.set_request_id(crypto::RandomUuid());
  v1::Case opened;
  ASSERT_TRUE(Call(&Stub::OpenCase, Operator(), request, &opened).ok());
  EXPECT_EQ(opened.state(), v1::CASE_STATE_OPEN);
  EXPECT_EQ(opened.person(), person);
  EXPECT_EQ(opened.desk(), Desk());
  EXPECT_TRUE(opened.assignee().empty());
  ASSERT_THAT(opened.history(), SizeIs(1));
  EXPECT_EQ(opened.history(0).to_state(), v1::CASE_STATE_OPEN);
  EXPECT_EQ(opened.history(0).actor(), "operatrice-1");
  // A retry gets the same case; a new request for the same contact is refused.
  v1::Case retried;
  ASSERT_TRUE(Call(&Stub::OpenCase, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), opened.SerializeAsString());
  request.set_request_id(crypto::RandomUuid());
  const Failure twice = Decode(Call(&Stub::OpenCase, Operator(), request, &retried));
  EXPECT_EQ(twice.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(twice.reason, "CASE_EXISTS");
  // Only a contact whose outcome opened a case opens one.
  v1::CreateContactRequest information = NewContact(person);
  information.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_INFORMATION_ONLY);
  v1::Contact informed;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), information, &informed).ok());
  request.set_contact(informed.name());
  request.set_request_id(crypto::RandomUuid());
  const Failure not_opened = Decode(Call(&Stub::OpenCase, Operator(), request, &retried));
  EXPECT_EQ(not_opened.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(not_opened.reason, "CONTACT_NOT_CASE_OPENED");
  request.set_contact(absl::StrCat("tenants/", tenant_, "/contacts/c-nessuno"));
  EXPECT_EQ(Decode(Call(&Stub::OpenCase, Operator(), request, &retried)).code,
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.cases"), "1");
}

TEST_F(CaseTest, TheStateMachineKeepsEveryMoveInTheHistory) {
  const v1::Case opened = Open();
  const std::string& name = opened.name();
  ASSERT_TRUE(Move(Operator(), name, v1::CASE_STATE_ASSESSMENT).ok());
  clock_.Advance(absl::Hours(24));
  ASSERT_TRUE(Move(Operator(), name, v1::CASE_STATE_ACTIVE).ok());
  // Illegal moves and a close without a reason change nothing.
  const Failure illegal = Decode(Move(Operator(), name, v1::CASE_STATE_OPEN));
  EXPECT_EQ(illegal.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(illegal.reason, "ILLEGAL_TRANSITION");
  EXPECT_EQ(Decode(Move(Operator(), name, v1::CASE_STATE_REOPENED)).code,
            grpc::StatusCode::FAILED_PRECONDITION);
  const Failure no_reason = Decode(Move(Operator(), name, v1::CASE_STATE_CLOSED));
  EXPECT_EQ(no_reason.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(no_reason), ElementsAre("close_reason"));
  v1::Case closed;
  ASSERT_TRUE(
      Move(Operator(), name, v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_GOALS_REACHED, &closed).ok());
  EXPECT_EQ(closed.state(), v1::CASE_STATE_CLOSED);
  EXPECT_EQ(closed.close_reason(), v1::CLOSE_REASON_GOALS_REACHED);
  v1::Case reopened;
  ASSERT_TRUE(
      Move(Operator(), name, v1::CASE_STATE_REOPENED, v1::CLOSE_REASON_UNSPECIFIED, &reopened)
          .ok());
  EXPECT_EQ(reopened.close_reason(), v1::CLOSE_REASON_UNSPECIFIED);
  std::vector<std::string> moves;
  for (const v1::CaseHistoryEntry& e : reopened.history()) {
    moves.push_back(
        absl::StrCat(v1::CaseState_Name(e.from_state()), ">", v1::CaseState_Name(e.to_state())));
  }
  EXPECT_THAT(
      moves,
      ElementsAre("CASE_STATE_UNSPECIFIED>CASE_STATE_OPEN", "CASE_STATE_OPEN>CASE_STATE_ASSESSMENT",
                  "CASE_STATE_ASSESSMENT>CASE_STATE_ACTIVE", "CASE_STATE_ACTIVE>CASE_STATE_CLOSED",
                  "CASE_STATE_CLOSED>CASE_STATE_REOPENED"));
  EXPECT_EQ(reopened.history(3).close_reason(), v1::CLOSE_REASON_GOALS_REACHED);
  EXPECT_EQ(api::FromTimestamp(reopened.history(2).time()), kTestStart + absl::Hours(24));
  // The outbox says what changed, never who the person is.
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.outbox WHERE event_type = 'CaseStateChanged'"),
            "4");
}

TEST_F(CaseTest, TheHistoryCannotBeRewrittenByTheService) {
  const v1::Case opened = Open();
  for (const char* sql : {"UPDATE intake.case_history SET actor = 'someone-else'",
                          "DELETE FROM intake.case_history"}) {
    absl::Status status = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    });
    EXPECT_FALSE(status.ok()) << sql;
  }
  v1::Case read;
  ASSERT_TRUE(Get(Operator(), opened.name(), &read).ok());
  EXPECT_EQ(read.history(0).actor(), "operatrice-1");
}

TEST_F(CaseTest, OperatorsSeeTheirOwnAndTheirDesksUnassignedCasesOnly) {
  const v1::Case opened = Open();
  v1::Case read;
  EXPECT_TRUE(Get(As("operatore-2"), opened.name(), &read).ok());  // nobody's, at their desk
  const Failure elsewhere = Decode(Get(As("operatore-3"), opened.name(), &read));
  EXPECT_EQ(elsewhere.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(elsewhere.reason, "CASE_NOT_VISIBLE");
  EXPECT_THAT(Listed(As("operatore-2")), ElementsAre(opened.name()));
  EXPECT_THAT(Listed(As("operatore-3")), ::testing::IsEmpty());

  ASSERT_TRUE(Assign(As("coordinatrice", "coordinator"), opened.name(), "operatore-2").ok());
  EXPECT_TRUE(Get(As("operatore-2"), opened.name(), &read).ok());
  EXPECT_EQ(read.assignee(), "operatore-2");
  EXPECT_TRUE(read.history(1).assigned());
  EXPECT_EQ(Decode(Get(Operator(), opened.name(), &read)).reason, "CASE_NOT_VISIBLE");
  EXPECT_THAT(Listed(Operator()), ::testing::IsEmpty());
  EXPECT_THAT(Listed(As("operatore-2")), ElementsAre(opened.name()));
  EXPECT_THAT(Listed(As("coordinatrice", "coordinator")), ElementsAre(opened.name()));
  EXPECT_EQ(Decode(Move(Operator(), opened.name(), v1::CASE_STATE_ASSESSMENT)).reason,
            "CASE_NOT_VISIBLE");
}

TEST_F(CaseTest, BreakGlassIsAllowedRecordedAndCounted) {
  const v1::Case opened = Open();
  ASSERT_TRUE(Assign(As("coordinatrice", "coordinator"), opened.name(), "operatore-2").ok());
  v1::Case read;
  ASSERT_TRUE(Get(Operator(), opened.name(), &read, v1::ACCESS_REASON_COVERING_COLLEAGUE).ok());
  EXPECT_EQ(read.name(), opened.name());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'case.break_glass' AND subject = 'operatrice-1'"),
            "1");
  const std::string metrics = prometheus::TextSerializer().Serialize(registry_->Collect());
  EXPECT_NE(
      metrics.find(absl::StrCat("sportelli_intake_break_glass_total{tenant=\"", tenant_, "\"} 1")),
      std::string::npos)
      << metrics;
  // The assignee's own reads are ordinary ones, and not counted.
  ASSERT_TRUE(Get(As("operatore-2"), opened.name(), &read, v1::ACCESS_REASON_PERSON_PRESENT).ok());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'case.break_glass'"),
            "1");
}

TEST_F(CaseTest, OnlyCoordinatorsAssignAndOnlyToStaffOfTheDesk) {
  const v1::Case opened = Open();
  EXPECT_EQ(Decode(Assign(Operator(), opened.name(), "operatrice-1")).code,
            grpc::StatusCode::PERMISSION_DENIED);
  const Failure elsewhere =
      Decode(Assign(As("coordinatrice", "coordinator"), opened.name(), "operatore-3"));
  EXPECT_EQ(elsewhere.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(elsewhere.reason, "ASSIGNEE_NOT_AT_DESK");
  ASSERT_TRUE(Assign(As("coordinatrice", "coordinator"), opened.name(), "operatrice-1").ok());
  ASSERT_TRUE(Assign(As("coordinatrice", "coordinator"), opened.name(), "").ok());
  v1::Case read;
  ASSERT_TRUE(Get(As("coordinatrice", "coordinator"), opened.name(), &read).ok());
  EXPECT_TRUE(read.assignee().empty());
  EXPECT_THAT(read.history(), SizeIs(3));
}

TEST_F(CaseTest, TheInclusionPactIsSealedKeptInOrderAndNotEditedOnceClosed) {
  const v1::Case opened = Open();
  v1::UpdateCaseRequest request;
  request.mutable_case_()->set_name(opened.name());
  v1::InclusionPact* pact = request.mutable_case_()->mutable_pact();
  pact->add_goals("Trovare un lavoro part-time entro giugno");
  pact->add_commitments("Iscrizione al centro per l'impiego");
  pact->add_supports("Contributo affitto per tre mesi");
  v1::PactMeeting* later = pact->add_meetings();
  later->mutable_start_time()->set_seconds(absl::ToUnixSeconds(kTestStart + absl::Hours(24 * 30)));
  later->mutable_duration()->set_seconds(3600);
  v1::PactMeeting* sooner = pact->add_meetings();
  sooner->mutable_start_time()->set_seconds(absl::ToUnixSeconds(kTestStart + absl::Hours(24 * 7)));
  sooner->mutable_duration()->set_seconds(1800);
  request.mutable_update_mask()->add_paths("pact");
  clock_.Advance(absl::Minutes(10));
  v1::Case updated;
  ASSERT_TRUE(Call(&Stub::UpdateCase, Operator(), request, &updated).ok());
  ASSERT_EQ(updated.pact().meetings_size(), 2);
  EXPECT_EQ(updated.pact().meetings(0).duration().seconds(), 1800);  // in time order
  EXPECT_EQ(api::FromTimestamp(updated.update_time()), kTestStart + absl::Minutes(10));
  v1::Case read;
  ASSERT_TRUE(Get(Operator(), opened.name(), &read).ok());
  EXPECT_EQ(read.pact().SerializeAsString(), updated.pact().SerializeAsString());
  EXPECT_FALSE(InClear("cases", "centro per"));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = 'case.pact'"),
            "1");

  // Bad pacts change nothing; a colleague elsewhere and a closed case are refused.
  v1::UpdateCaseRequest bad = request;
  bad.mutable_case_()->mutable_pact()->add_goals("");
  bad.mutable_case_()->mutable_pact()->mutable_meetings(0)->mutable_duration()->set_seconds(90);
  v1::Case out;
  EXPECT_THAT(
      Fields(Decode(Call(&Stub::UpdateCase, Operator(), bad, &out))),
      ::testing::UnorderedElementsAre("case.pact.goals[1]", "case.pact.meetings[0].duration"));
  bad = request;
  bad.mutable_update_mask()->set_paths(0, "state");
  EXPECT_EQ(Decode(Call(&Stub::UpdateCase, Operator(), bad, &out)).code,
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Decode(Call(&Stub::UpdateCase, As("operatore-3"), request, &out)).reason,
            "CASE_NOT_VISIBLE");
  ASSERT_TRUE(
      Move(Operator(), opened.name(), v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_GOALS_REACHED).ok());
  EXPECT_EQ(Decode(Call(&Stub::UpdateCase, Operator(), request, &out)).reason, "CASE_CLOSED");
  // Lists carry no pact.
  v1::ListCasesRequest list;
  list.set_parent(absl::StrCat("tenants/", tenant_));
  list.set_desk(Desk());
  list.add_states(v1::CASE_STATE_CLOSED);
  v1::ListCasesResponse listed;
  ASSERT_TRUE(Call(&Stub::ListCases, Operator(), list, &listed).ok());
  ASSERT_EQ(listed.cases_size(), 1);
  EXPECT_FALSE(listed.cases(0).has_pact());
}

TEST_F(CaseTest, AnotherComunesStaffNeverReachesACase) {
  const v1::Case opened = Open();
  directory_.SetOperatorDesks(other_tenant_, "operatrice-1", {"sede"});
  for (const std::string& token :
       {Token(other_tenant_, {"operator"}), Token(other_tenant_, {"coordinator"}),
        Token(tenant_, {"tenant_admin"}), Token(tenant_, {"dpo"}), Token(tenant_, {"portal"})}) {
    v1::Case read;
    EXPECT_EQ(Decode(Get(token, opened.name(), &read, v1::ACCESS_REASON_URGENT_SAFEGUARDING)).code,
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Decode(Move(token, opened.name(), v1::CASE_STATE_ASSESSMENT)).code,
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Decode(Assign(token, opened.name(), "")).code, grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::Case read;
  ASSERT_TRUE(Get(Operator(), opened.name(), &read).ok());
  EXPECT_EQ(read.state(), v1::CASE_STATE_OPEN);
  EXPECT_THAT(read.history(), SizeIs(1));
}

}  // namespace
}  // namespace sportelli::intake::testing
