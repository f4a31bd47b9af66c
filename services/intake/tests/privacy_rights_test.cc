// The DPO's acts on a person over gRPC: a restriction of processing (GDPR art. 18) stops every
// access to their records but storage and the export, and is lifted as set; an erasure (art.
// 17) shreds their key, so every sealed record of theirs reads back erased, and is refused
// while a case of theirs is under way. Only the comune's dpo does either.
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "prometheus/text_serializer.h"
#include "services/intake/seed_destinations.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

class PrivacyRightsTest : public CaseTest {
 protected:
  std::string Dpo() { return Token(tenant_, {"dpo"}, "dpo-capannori"); }
  std::string Coordinator() { return As("coordinatrice", "coordinator"); }

  grpc::Status Restrict(const std::string& token, const std::string& person, bool restricted,
                        v1::Person* out) {
    if (restricted) {
      v1::RestrictPersonProcessingRequest request;
      request.set_name(person);
      return Call(&Stub::RestrictPersonProcessing, token, request, out);
    }
    v1::LiftPersonRestrictionRequest request;
    request.set_name(person);
    return Call(&Stub::LiftPersonRestriction, token, request, out);
  }

  grpc::Status Erase(const std::string& token, const std::string& person, v1::Person* out) {
    v1::ErasePersonRequest request;
    request.set_name(person);
    return Call(&Stub::ErasePerson, token, request, out);
  }

  std::string AddNote(const std::string& case_name, const std::string& text) {
    v1::CreateNoteRequest request;
    request.set_parent(case_name);
    request.mutable_note()->set_kind(v1::NOTE_KIND_INTERVIEW);
    request.mutable_note()->set_text(text);
    request.set_request_id(crypto::RandomUuid());
    v1::Note note;
    EXPECT_TRUE(Call(&Stub::CreateNote, Operator(), request, &note).ok());
    return note.name();
  }
};

TEST_F(PrivacyRightsTest, ARestrictionStopsEveryAccessButStorageAndTheExport) {
  const v1::Case opened = Open();
  AddNote(opened.name(), "Colloquio");
  const std::string& person = opened.person();
  v1::Person restricted;
  ASSERT_TRUE(Restrict(Dpo(), person, true, &restricted).ok());
  EXPECT_TRUE(restricted.processing_restricted());
  EXPECT_TRUE(restricted.family_name().empty());

  const auto expect_restricted = [](const grpc::Status& status, const char* what) {
    const Failure failure = Decode(status);
    EXPECT_EQ(failure.code, grpc::StatusCode::FAILED_PRECONDITION) << what;
    EXPECT_EQ(failure.reason, "PROCESSING_RESTRICTED") << what;
  };
  v1::GetPersonRequest get_person;
  get_person.set_name(person);
  v1::Person read_person;
  expect_restricted(Call(&Stub::GetPerson, Operator(), get_person, &read_person), "GetPerson");
  v1::ListContactsRequest list_contacts;
  list_contacts.set_parent(absl::StrCat("tenants/", tenant_));
  list_contacts.set_person(person);
  v1::ListContactsResponse contacts;
  expect_restricted(Call(&Stub::ListContacts, Operator(), list_contacts, &contacts),
                    "ListContacts");
  v1::GetContactRequest get_contact;
  get_contact.set_name(opened.contact());
  v1::Contact contact;
  expect_restricted(Call(&Stub::GetContact, Operator(), get_contact, &contact), "GetContact");
  expect_restricted(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact),
                    "CreateContact");
  v1::Case read_case;
  expect_restricted(Get(Coordinator(), opened.name(), &read_case), "GetCase");
  // Staff who may not see the case learn only that; with a stated reason they meet the
  // restriction, and that refused break-glass is neither audited nor counted.
  EXPECT_EQ(Decode(Get(As("operatore-3"), opened.name(), &read_case)).reason, "CASE_NOT_VISIBLE");
  expect_restricted(
      Get(As("operatore-3"), opened.name(), &read_case, v1::ACCESS_REASON_COVERING_COLLEAGUE),
      "GetCase with a reason");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'case.break_glass'"),
            "0");
  const std::string metrics = prometheus::TextSerializer().Serialize(registry_->Collect());
  EXPECT_NE(
      metrics.find(absl::StrCat("sportelli_intake_break_glass_total{tenant=\"", tenant_, "\"} 0")),
      std::string::npos)
      << metrics;
  expect_restricted(Move(Coordinator(), opened.name(), v1::CASE_STATE_ASSESSMENT), "move");
  v1::ListNotesRequest list_notes;
  list_notes.set_parent(opened.name());
  v1::ListNotesResponse notes;
  expect_restricted(Call(&Stub::ListNotes, Coordinator(), list_notes, &notes), "ListNotes");
  // A search still finds them, so nobody registers them twice, without their identity.
  v1::SearchPersonsRequest search;
  search.set_parent(absl::StrCat("tenants/", tenant_));
  search.set_codice_fiscale(CodiceFiscale(1));
  v1::SearchPersonsResponse found;
  ASSERT_TRUE(Call(&Stub::SearchPersons, Operator(), search, &found).ok());
  ASSERT_EQ(found.persons_size(), 1);
  EXPECT_TRUE(found.persons(0).processing_restricted());
  EXPECT_TRUE(found.persons(0).family_name().empty());
  // The person's right of access still answers, whole.
  audit::v1::ExportCitizenDataRequest export_request;
  export_request.set_parent(absl::StrCat("tenants/", tenant_));
  export_request.set_codice_fiscale(CodiceFiscale(1));
  audit::v1::ExportCitizenDataResponse exported;
  ASSERT_TRUE(Call(audit_stub_.get(), &audit::v1::AuditService::Stub::ExportCitizenData, Dpo(),
                   export_request, &exported)
                  .ok());
  const nlohmann::json held = nlohmann::json::parse(exported.json())["data"]["persons"][0];
  EXPECT_EQ(held["family_name"], "Rossi");
  EXPECT_EQ(held["cases"][0]["notes"][0]["text"], "Colloquio");

  // Only the comune's dpo sets or lifts it.
  for (const std::string& token : {Operator(), Coordinator(), Token(tenant_, {"tenant_admin"}),
                                   Token(other_tenant_, {"dpo"})}) {
    EXPECT_EQ(Decode(Restrict(token, person, false, &restricted)).code,
              grpc::StatusCode::PERMISSION_DENIED);
  }
  ASSERT_TRUE(Restrict(Dpo(), person, false, &restricted).ok());
  EXPECT_FALSE(restricted.processing_restricted());
  EXPECT_TRUE(Call(&Stub::GetPerson, Operator(), get_person, &read_person).ok());
  EXPECT_TRUE(Get(Coordinator(), opened.name(), &read_case).ok());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'person.restriction' AND subject = 'dpo-capannori'"),
            "2");
}

TEST_F(PrivacyRightsTest, AnErasureShredsEverythingSealedButNotWhileACaseIsUnderWay) {
  for (Destination d : SeedCatalog(tenant_)) {
    d.create_time = clock_.Now();
    ASSERT_TRUE(repository_->SeedDestination(d).ok());
  }
  const v1::Case opened = Open();
  const std::string note = AddNote(opened.name(), "Colloquio riservato");
  v1::CreateReferralRequest refer;
  refer.set_parent(absl::StrCat("tenants/", tenant_));
  refer.mutable_referral()->set_case_(opened.name());
  refer.mutable_referral()->set_destination(
      absl::StrCat("tenants/", tenant_, "/destinations/punto-insieme"));
  refer.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NAME);
  refer.set_request_id(crypto::RandomUuid());
  v1::Referral referral;
  ASSERT_TRUE(Call(&Stub::CreateReferral, Operator(), refer, &referral).ok());

  v1::Person erased;
  const Failure open_case = Decode(Erase(Dpo(), opened.person(), &erased));
  EXPECT_EQ(open_case.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(open_case.reason, "PERSON_HAS_OPEN_CASES");
  EXPECT_EQ(Decode(Erase(Coordinator(), opened.person(), &erased)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(
      Move(Coordinator(), opened.name(), v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_MOVED_AWAY).ok());
  ASSERT_TRUE(Erase(Dpo(), opened.person(), &erased).ok());
  EXPECT_TRUE(erased.erased());
  EXPECT_TRUE(erased.family_name().empty());

  v1::GetNoteRequest get_note;
  get_note.set_name(note);
  v1::Note read_note;
  ASSERT_TRUE(Call(&Stub::GetNote, Coordinator(), get_note, &read_note).ok());
  EXPECT_TRUE(read_note.erased());
  EXPECT_TRUE(read_note.text().empty());
  v1::GetReferralRequest get_referral;
  get_referral.set_name(referral.name());
  v1::Referral read_referral;
  ASSERT_TRUE(Call(&Stub::GetReferral, Coordinator(), get_referral, &read_referral).ok());
  EXPECT_TRUE(read_referral.shared_erased());
  EXPECT_TRUE(read_referral.shared().family_name().empty());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'person.erasure'"),
            "1");
  // The records stay, as ids, states and times.
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.note_versions"), "1");
}

}  // namespace
}  // namespace sportelli::intake::testing
