// Referrals over gRPC: the comune's catalog of destinations, a case referred with the fields
// chosen and nothing more, the person's consent (or a coordinator's recorded override), the
// partner who sees only its own referrals' snapshots and moves them, the staff who revoke,
// one referral under way per destination even under a race, bad input refused without a trace.
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/intake/seed_destinations.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

using sportelli::testing::IsOkAndHolds;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

constexpr char kMessage[] = "Chiede un sostegno per l'affitto; disponibile il martedì.";

class ReferralTest : public CaseTest {
 protected:
  void SetUp() override {
    CaseTest::SetUp();
    if (HasFatalFailure()) return;
    punto_insieme_ = MakeDestination("Punto Insieme Capannori", v1::DESTINATION_KIND_PUNTO_INSIEME);
    job_centre_ = MakeDestination("Centro per l'impiego", v1::DESTINATION_KIND_JOB_CENTRE);
  }

  std::string Admin() { return Token(tenant_, {"tenant_admin"}, "amministratrice"); }
  std::string Coordinator() { return As("coordinatrice", "coordinator"); }
  // The partner acting for `destination` (a name).
  std::string Partner(const std::string& destination) {
    return identity_.PartnerToken(tenant_, destination.substr(destination.rfind('/') + 1),
                                  "sportello-punto-insieme");
  }

  std::string MakeDestination(const std::string& display_name, v1::DestinationKind kind) {
    v1::CreateDestinationRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.mutable_destination()->set_display_name(display_name);
    request.mutable_destination()->set_kind(kind);
    request.set_request_id(crypto::RandomUuid());
    v1::Destination created;
    const grpc::Status status = Call(&Stub::CreateDestination, Admin(), request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return created.name();
  }

  v1::CreateReferralRequest NewReferral(const std::string& case_name,
                                        const std::string& destination) {
    v1::CreateReferralRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.mutable_referral()->set_case_(case_name);
    request.mutable_referral()->set_destination(destination);
    request.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NAME);
    request.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NEED_AREAS);
    request.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_MESSAGE);
    request.mutable_referral()->set_message(kMessage);
    request.set_request_id(crypto::RandomUuid());
    return request;
  }

  v1::Referral Refer(const std::string& case_name, const std::string& destination) {
    v1::Referral referral;
    const grpc::Status status =
        Call(&Stub::CreateReferral, Operator(), NewReferral(case_name, destination), &referral);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return referral;
  }

  template <typename Request>
  grpc::Status MoveReferral(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                         v1::Referral*),
                            const std::string& token, const std::string& name,
                            const std::string& reason, v1::Referral* out = nullptr) {
    Request request;
    request.set_name(name);
    request.set_reason(reason);
    v1::Referral ignored;
    return Call(method, token, request, out ? out : &ignored);
  }

  grpc::Status Get(const std::string& token, const std::string& name, v1::Referral* out) {
    v1::GetReferralRequest request;
    request.set_name(name);
    return Call(&Stub::GetReferral, token, request, out);
  }

  grpc::Status ListFor(const std::string& token, const std::string& destination,
                       v1::ListReferralsResponse* out) {
    v1::ListReferralsRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.set_destination(destination);
    return Call(&Stub::ListReferrals, token, request, out);
  }

  // A person who refused sharing with referral bodies, and a case of theirs.
  v1::Case OpenForRefusingPerson() {
    v1::CreatePersonRequest person = NewPerson(90);
    person.mutable_person()->mutable_consents(0)->set_granted(false);
    v1::Person created;
    EXPECT_TRUE(Call(&Stub::CreatePerson, Operator(), person, &created).ok());
    return OpenFor(created.name());
  }

  std::string punto_insieme_;
  std::string job_centre_;
};

TEST_F(ReferralTest, AReferralSharesTheChosenFieldsAndThePartnerSeesNothingElse) {
  const v1::Case opened = Open();
  v1::CreateReferralRequest request = NewReferral(opened.name(), punto_insieme_);
  v1::Referral sent;
  ASSERT_TRUE(Call(&Stub::CreateReferral, Operator(), request, &sent).ok());
  EXPECT_EQ(sent.state(), v1::REFERRAL_STATE_SENT);
  EXPECT_EQ(sent.case_(), opened.name());
  EXPECT_EQ(sent.person(), opened.person());
  EXPECT_EQ(sent.sent_by(), "operatrice-1");
  EXPECT_EQ(sent.shared().family_name(), "Rossi");
  EXPECT_THAT(sent.shared().need_areas(),
              ElementsAre(v1::NEED_AREA_ECONOMIC_HARDSHIP, v1::NEED_AREA_HOUSING));
  EXPECT_EQ(sent.shared().message(), kMessage);
  // Not chosen, not shared.
  EXPECT_TRUE(sent.shared().codice_fiscale().empty());
  EXPECT_TRUE(sent.shared().phone_number().empty());
  EXPECT_FALSE(sent.shared().has_address());
  EXPECT_FALSE(sent.shared().has_birth_date());
  // A retry gets the same referral back, and there is one.
  v1::Referral retried;
  ASSERT_TRUE(Call(&Stub::CreateReferral, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), sent.SerializeAsString());

  v1::Referral seen;
  ASSERT_TRUE(Get(Partner(punto_insieme_), sent.name(), &seen).ok());
  EXPECT_EQ(seen.shared().SerializeAsString(), sent.shared().SerializeAsString());
  EXPECT_TRUE(seen.case_().empty());
  EXPECT_TRUE(seen.person().empty());
  EXPECT_TRUE(seen.message().empty());
  v1::ListReferralsResponse listed;
  ASSERT_TRUE(ListFor(Partner(punto_insieme_), punto_insieme_, &listed).ok());
  ASSERT_THAT(listed.referrals(), SizeIs(1));
  EXPECT_TRUE(listed.referrals(0).case_().empty());

  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "1");
  EXPECT_FALSE(InClear("referrals", "Rossi"));
  EXPECT_FALSE(InClear("referrals", "affitto"));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.outbox WHERE event_type = 'ReferralSent'"),
            "1");
  // The partner's reads are in the person's trail, as the snapshot shared with it.
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'referral.shared' AND 'partner' = ANY(roles)"),
            "2");
}

TEST_F(ReferralTest, ThePartnerAcceptsRejectsAndCompletesTheStaffRevoke) {
  const v1::Case opened = Open();
  const v1::Referral sent = Refer(opened.name(), punto_insieme_);
  const std::string partner = Partner(punto_insieme_);
  // The staff cannot answer for the destination, nor the partner revoke.
  const Failure staff = Decode(MoveReferral(&Stub::AcceptReferral, Operator(), sent.name(), ""));
  EXPECT_EQ(staff.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(staff.reason, "REFERRAL_MOVE_NOT_YOURS");
  EXPECT_EQ(Decode(MoveReferral(&Stub::RevokeReferral, partner, sent.name(), "no")).reason,
            "REFERRAL_MOVE_NOT_YOURS");
  const Failure early = Decode(MoveReferral(&Stub::CompleteReferral, partner, sent.name(), ""));
  EXPECT_EQ(early.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(early.reason, "ILLEGAL_TRANSITION");

  clock_.Advance(absl::Hours(2));
  ASSERT_TRUE(MoveReferral(&Stub::AcceptReferral, partner, sent.name(), "").ok());
  clock_.Advance(absl::Hours(24 * 30));
  v1::Referral done;
  ASSERT_TRUE(
      MoveReferral(&Stub::CompleteReferral, partner, sent.name(), "Percorso concluso", &done).ok());
  EXPECT_EQ(done.state(), v1::REFERRAL_STATE_COMPLETED);
  ASSERT_THAT(done.history(), SizeIs(3));
  EXPECT_EQ(done.history(1).actor(), "sportello-punto-insieme");
  EXPECT_EQ(done.history(2).reason(), "Percorso concluso");
  EXPECT_TRUE(done.case_().empty());  // the partner's view

  // Another referral: rejecting needs a reason; the staff revoke one under way.
  const v1::Referral second = Refer(opened.name(), punto_insieme_);
  const Failure no_reason = Decode(MoveReferral(&Stub::RejectReferral, partner, second.name(), ""));
  EXPECT_EQ(no_reason.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(no_reason), ElementsAre("reason"));
  ASSERT_TRUE(
      MoveReferral(&Stub::RejectReferral, partner, second.name(), "Fuori dai requisiti ISEE").ok());
  const v1::Referral third = Refer(opened.name(), punto_insieme_);
  EXPECT_EQ(Decode(MoveReferral(&Stub::RevokeReferral, Operator(), third.name(), "")).code,
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::Referral revoked;
  ASSERT_TRUE(MoveReferral(&Stub::RevokeReferral, Operator(), third.name(),
                           "La persona ha rinunciato", &revoked)
                  .ok());
  EXPECT_EQ(revoked.state(), v1::REFERRAL_STATE_REVOKED);
  EXPECT_EQ(revoked.history(1).reason(), "La persona ha rinunciato");
  EXPECT_FALSE(InClear("referral_history", "ISEE"));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.outbox WHERE event_type = "
                       "'ReferralStateChanged'"),
            "4");
}

TEST_F(ReferralTest, APartnerNeverReachesAnotherDestinationOrTheCaseRecords) {
  const v1::Case opened = Open();
  const v1::Referral sent = Refer(opened.name(), punto_insieme_);
  const std::string other = Partner(job_centre_);
  v1::Referral out;
  EXPECT_EQ(Decode(Get(other, sent.name(), &out)).code, grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Decode(MoveReferral(&Stub::AcceptReferral, other, sent.name(), "")).code,
            grpc::StatusCode::NOT_FOUND);
  v1::ListReferralsResponse listed;
  EXPECT_EQ(Decode(ListFor(other, punto_insieme_, &listed)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(ListFor(other, job_centre_, &listed).ok());
  EXPECT_THAT(listed.referrals(), IsEmpty());
  v1::ListReferralsRequest by_case;
  by_case.set_parent(absl::StrCat("tenants/", tenant_));
  by_case.set_case_(opened.name());
  EXPECT_EQ(Decode(Call(&Stub::ListReferrals, Partner(punto_insieme_), by_case, &listed)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  // The same destination id in another comune's token reaches nothing here.
  const std::string elsewhere =
      identity_.PartnerToken(other_tenant_, punto_insieme_.substr(punto_insieme_.rfind('/') + 1));
  EXPECT_EQ(Decode(Get(elsewhere, sent.name(), &out)).code, grpc::StatusCode::PERMISSION_DENIED);
  // Nor any case record: cases, notes, persons, contacts.
  v1::Case read_case;
  v1::GetCaseRequest get_case;
  get_case.set_name(opened.name());
  EXPECT_EQ(Decode(Call(&Stub::GetCase, Partner(punto_insieme_), get_case, &read_case)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  v1::GetPersonRequest get_person;
  get_person.set_name(opened.person());
  v1::Person person;
  EXPECT_EQ(Decode(Call(&Stub::GetPerson, Partner(punto_insieme_), get_person, &person)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListNotesRequest notes;
  notes.set_parent(opened.name());
  v1::ListNotesResponse listed_notes;
  EXPECT_EQ(Decode(Call(&Stub::ListNotes, Partner(punto_insieme_), notes, &listed_notes)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AdminQuery("SELECT state FROM intake.referrals"), "SENT");
}

TEST_F(ReferralTest, WithoutConsentOnlyACoordinatorSendsAndTheOverrideIsRecorded) {
  const v1::Case opened = OpenForRefusingPerson();
  v1::CreateReferralRequest request = NewReferral(opened.name(), punto_insieme_);
  v1::Referral out;
  const Failure missing = Decode(Call(&Stub::CreateReferral, Operator(), request, &out));
  EXPECT_EQ(missing.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(missing.reason, "CONSENT_MISSING");
  request.set_override_consent(true);
  request.set_consent_override_reason("Rischio di sfratto imminente, minori nel nucleo");
  const Failure operator_override = Decode(Call(&Stub::CreateReferral, Operator(), request, &out));
  EXPECT_EQ(operator_override.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(operator_override.reason, "CONSENT_OVERRIDE_COORDINATOR_ONLY");
  request.clear_consent_override_reason();
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateReferral, Coordinator(), request, &out))),
              ElementsAre("consent_override_reason"));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "0");

  request.set_consent_override_reason("Rischio di sfratto imminente, minori nel nucleo");
  v1::Referral sent;
  ASSERT_TRUE(Call(&Stub::CreateReferral, Coordinator(), request, &sent).ok());
  EXPECT_TRUE(sent.consent_overridden());
  EXPECT_EQ(sent.consent_override_reason(), "Rischio di sfratto imminente, minori nel nucleo");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'referral.consent_override' AND subject = 'coordinatrice'"),
            "1");
  EXPECT_FALSE(InClear("referrals", "sfratto"));
  v1::Referral seen;
  ASSERT_TRUE(Get(Partner(punto_insieme_), sent.name(), &seen).ok());
  EXPECT_FALSE(seen.consent_overridden());
  EXPECT_TRUE(seen.consent_override_reason().empty());
}

TEST_F(ReferralTest, OneReferralUnderWayPerDestinationEvenUnderARace) {
  const v1::Case opened = Open();
  std::vector<grpc::Status> statuses(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      v1::Referral out;
      statuses[i] =
          Call(&Stub::CreateReferral, Operator(), NewReferral(opened.name(), punto_insieme_), &out);
    });
  }
  for (std::thread& t : threads) t.join();
  int created = 0;
  for (const grpc::Status& status : statuses) {
    if (status.ok()) {
      ++created;
    } else {
      const Failure failure = Decode(status);
      EXPECT_EQ(failure.code, grpc::StatusCode::ALREADY_EXISTS);
      EXPECT_EQ(failure.reason, "REFERRAL_UNDER_WAY");
    }
  }
  EXPECT_EQ(created, 1);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "1");
  // Another destination is another referral.
  Refer(opened.name(), job_centre_);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "2");
}

TEST_F(ReferralTest, NoReferralFromAClosedCaseOrToAnInactiveDestination) {
  const v1::Case opened = Open();
  v1::UpdateDestinationRequest update;
  update.mutable_destination()->set_name(job_centre_);
  update.mutable_destination()->set_active(false);
  update.mutable_update_mask()->add_paths("active");
  v1::Destination updated;
  EXPECT_EQ(Decode(Call(&Stub::UpdateDestination, Operator(), update, &updated)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Call(&Stub::UpdateDestination, Admin(), update, &updated).ok());
  EXPECT_FALSE(updated.active());
  EXPECT_EQ(updated.display_name(), "Centro per l'impiego");
  v1::Referral out;
  const Failure inactive = Decode(
      Call(&Stub::CreateReferral, Operator(), NewReferral(opened.name(), job_centre_), &out));
  EXPECT_EQ(inactive.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(inactive.reason, "DESTINATION_INACTIVE");
  ASSERT_TRUE(
      Move(Operator(), opened.name(), v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_MOVED_AWAY).ok());
  EXPECT_EQ(Decode(Call(&Stub::CreateReferral, Operator(),
                        NewReferral(opened.name(), punto_insieme_), &out))
                .reason,
            "CASE_CLOSED");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "0");
}

TEST_F(ReferralTest, BadReferralsAreRefusedWithEveryProblemAndLeaveNoTrace) {
  const v1::Case opened = Open();
  v1::Referral out;
  v1::CreateReferralRequest empty;
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateReferral, Operator(), empty, &out))),
              UnorderedElementsAre("parent", "referral", "referral.case", "referral.destination",
                                   "referral.shared_fields"));
  v1::CreateReferralRequest bad = NewReferral(opened.name(), punto_insieme_);
  bad.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NAME);
  bad.mutable_referral()->set_destination(
      absl::StrCat("tenants/", other_tenant_, "/destinations/d-altrove"));
  bad.set_consent_override_reason("senza override");
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateReferral, Operator(), bad, &out))),
              UnorderedElementsAre("referral.destination", "referral.shared_fields[3]",
                                   "consent_override_reason"));
  bad = NewReferral(opened.name(), punto_insieme_);
  bad.mutable_referral()->clear_shared_fields();
  bad.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NAME);
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateReferral, Operator(), bad, &out))),
              ElementsAre("referral.message"));
  bad = NewReferral(opened.name(), absl::StrCat("tenants/", tenant_, "/destinations/d-nessuna"));
  EXPECT_EQ(Decode(Call(&Stub::CreateReferral, Operator(), bad, &out)).code,
            grpc::StatusCode::NOT_FOUND);
  // Another comune's staff and this comune's other roles send nothing.
  for (const std::string& token :
       {Token(other_tenant_, {"operator"}), Token(tenant_, {"tenant_admin"}),
        Token(tenant_, {"dpo"}), Token(tenant_, {"portal"}), Partner(punto_insieme_)}) {
    EXPECT_EQ(
        Decode(Call(&Stub::CreateReferral, token, NewReferral(opened.name(), punto_insieme_), &out))
            .code,
        grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referrals"), "0");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.referral_history"), "0");
}

TEST_F(ReferralTest, TheDposExportHoldsTheCaseItsNotesAndTheReferrals) {
  const v1::Case opened = Open();
  v1::CreateNoteRequest note;
  note.set_parent(opened.name());
  note.mutable_note()->set_kind(v1::NOTE_KIND_INTERVIEW);
  note.mutable_note()->set_text("Primo colloquio");
  note.set_request_id(crypto::RandomUuid());
  v1::Note written;
  ASSERT_TRUE(Call(&Stub::CreateNote, Operator(), note, &written).ok());
  v1::UpdateNoteRequest correct;
  correct.mutable_note()->set_name(written.name());
  correct.mutable_note()->set_text("Primo colloquio, con la figlia");
  correct.mutable_update_mask()->add_paths("text");
  ASSERT_TRUE(Call(&Stub::UpdateNote, Operator(), correct, &written).ok());
  const v1::Referral sent = Refer(opened.name(), punto_insieme_);

  audit::v1::ExportCitizenDataRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  request.set_codice_fiscale(CodiceFiscale(1));
  audit::v1::ExportCitizenDataResponse response;
  ASSERT_TRUE(Call(audit_stub_.get(), &audit::v1::AuditService::Stub::ExportCitizenData,
                   Token(tenant_, {"dpo"}), request, &response)
                  .ok());
  const nlohmann::json person = nlohmann::json::parse(response.json())["data"]["persons"][0];
  ASSERT_EQ(person["cases"].size(), 1u);
  const nlohmann::json& exported_case = person["cases"][0];
  EXPECT_EQ(exported_case["name"], opened.name());
  // Every version of a note: the person may see what was first written, and the correction.
  ASSERT_EQ(exported_case["notes"].size(), 2u);
  EXPECT_EQ(exported_case["notes"][0]["text"], "Primo colloquio");
  EXPECT_EQ(exported_case["notes"][1]["text"], "Primo colloquio, con la figlia");
  ASSERT_EQ(person["referrals"].size(), 1u);
  EXPECT_EQ(person["referrals"][0]["name"], sent.name());
  EXPECT_EQ(person["referrals"][0]["shared"]["message"], kMessage);
}

TEST_F(ReferralTest, TheSeededCatalogIsAddedOnceAndKeepsTheAdminsEdits) {
  for (Destination d : SeedCatalog(tenant_)) {
    d.create_time = clock_.Now();
    d.update_time = d.create_time;
    ASSERT_THAT(repository_->SeedDestination(d), IsOkAndHolds(true));
  }
  const std::string seeded = absl::StrCat("tenants/", tenant_, "/destinations/punto-insieme");
  v1::UpdateDestinationRequest update;
  update.mutable_destination()->set_name(seeded);
  update.mutable_destination()->set_display_name("Punto Insieme di Capannori, via Carlo Piaggia");
  update.mutable_update_mask()->add_paths("display_name");
  v1::Destination edited;
  ASSERT_TRUE(Call(&Stub::UpdateDestination, Admin(), update, &edited).ok());
  for (Destination d : SeedCatalog(tenant_)) {
    d.create_time = clock_.Now();
    ASSERT_THAT(repository_->SeedDestination(d), IsOkAndHolds(false));
  }
  v1::GetDestinationRequest get;
  get.set_name(seeded);
  v1::Destination read;
  ASSERT_TRUE(Call(&Stub::GetDestination, Operator(), get, &read).ok());
  EXPECT_EQ(read.display_name(), "Punto Insieme di Capannori, via Carlo Piaggia");
  EXPECT_EQ(read.kind(), v1::DESTINATION_KIND_PUNTO_INSIEME);
  EXPECT_FALSE(read.example());  // the sources name it; the others are examples
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM intake.destinations WHERE tenant_id = '",
                                    tenant_, "' AND example")),
            "2");
  // A referral to the seeded Punto Insieme, as the README's walk-through makes.
  const v1::Case opened = Open();
  EXPECT_EQ(Refer(opened.name(), seeded).destination(), seeded);
}

TEST_F(ReferralTest, TheCatalogIsTheAdminsAndEachComunesOwn) {
  v1::CreateDestinationRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  request.mutable_destination()->set_display_name("Comune di Lucca");
  request.mutable_destination()->set_kind(v1::DESTINATION_KIND_OTHER_COMUNE);
  request.set_request_id(crypto::RandomUuid());
  v1::Destination out;
  EXPECT_EQ(Decode(Call(&Stub::CreateDestination, Operator(), request, &out)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateDestination, Admin(), request, &out))),
              ElementsAre("destination.transfer_comune"));
  request.mutable_destination()->set_transfer_comune(absl::StrCat("tenants/", other_tenant_));
  ASSERT_TRUE(Call(&Stub::CreateDestination, Admin(), request, &out).ok());
  EXPECT_TRUE(out.active());
  EXPECT_EQ(out.transfer_comune(), absl::StrCat("tenants/", other_tenant_));

  v1::ListDestinationsRequest list;
  list.set_parent(absl::StrCat("tenants/", tenant_));
  list.set_page_size(2);
  std::vector<std::string> names;
  do {
    v1::ListDestinationsResponse page;
    ASSERT_TRUE(Call(&Stub::ListDestinations, Operator(), list, &page).ok());
    for (const v1::Destination& d : page.destinations()) names.push_back(d.display_name());
    list.set_page_token(page.next_page_token());
  } while (!list.page_token().empty());
  EXPECT_THAT(names, UnorderedElementsAre("Punto Insieme Capannori", "Centro per l'impiego",
                                          "Comune di Lucca"));
  v1::GetDestinationRequest get;
  get.set_name(punto_insieme_);
  EXPECT_TRUE(Call(&Stub::GetDestination, Partner(punto_insieme_), get, &out).ok());
  EXPECT_EQ(Decode(Call(&Stub::GetDestination, Partner(job_centre_), get, &out)).code,
            grpc::StatusCode::NOT_FOUND);
  list.set_parent(absl::StrCat("tenants/", other_tenant_));
  v1::ListDestinationsResponse page;
  EXPECT_EQ(Decode(Call(&Stub::ListDestinations, Operator(), list, &page)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(
      Decode(Call(&Stub::GetDestination, Token(other_tenant_, {"tenant_admin"}), get, &out)).code,
      grpc::StatusCode::PERMISSION_DENIED);
}

}  // namespace
}  // namespace sportelli::intake::testing
