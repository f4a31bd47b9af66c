// Every intake RPC, as a table: another comune's staff (every role) never reaches anything and
// changes nothing; an empty request is INVALID_ARGUMENT with field violations and changes
// nothing; the portal reaches nothing; a partner reaches only its own destination's referrals.
#include <functional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/seed_destinations.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

using Rpc = std::function<grpc::Status(const std::string& token, bool valid)>;

class RpcTableTest : public CaseTest {
 protected:
  void SetUp() override {
    CaseTest::SetUp();
    if (HasFatalFailure()) return;
    for (Destination d : SeedCatalog(tenant_)) {
      d.create_time = clock_.Now();
      ASSERT_TRUE(repository_->SeedDestination(d).ok());
    }
    destination_ = absl::StrCat("tenants/", tenant_, "/destinations/punto-insieme");
    opened_ = Open();
    v1::CreateNoteRequest note;
    note.set_parent(opened_.name());
    note.mutable_note()->set_kind(v1::NOTE_KIND_LISTENING);
    note.mutable_note()->set_text("ascolto");
    note.set_request_id(crypto::RandomUuid());
    v1::Note written;
    ASSERT_TRUE(Call(&Stub::CreateNote, Operator(), note, &written).ok());
    note_ = written.name();
    v1::CreateAttachmentRequest attach;
    attach.set_parent(opened_.name());
    attach.mutable_attachment()->set_filename("isee.pdf");
    attach.mutable_attachment()->set_media_type("application/pdf");
    attach.mutable_attachment()->set_content("%PDF");
    attach.set_request_id(crypto::RandomUuid());
    v1::Attachment attachment;
    ASSERT_TRUE(Call(&Stub::CreateAttachment, Operator(), attach, &attachment).ok());
    attachment_ = attachment.name();
    v1::Referral referral;
    ASSERT_TRUE(Call(&Stub::CreateReferral, Operator(), NewReferral(), &referral).ok());
    referral_ = referral.name();
    AppointmentFacts facts;
    facts.desk_id = "sede";
    facts.attended = true;
    appointments_.Set(tenant_, "a-visita", facts);
  }

  v1::CreateReferralRequest NewReferral() {
    v1::CreateReferralRequest r;
    r.set_parent(Parent());
    r.mutable_referral()->set_case_(opened_.name());
    r.mutable_referral()->set_destination(destination_);
    r.mutable_referral()->add_shared_fields(v1::SHARED_FIELD_NAME);
    r.set_request_id(crypto::RandomUuid());
    return r;
  }

  std::string Parent() const { return absl::StrCat("tenants/", tenant_); }

  // A call of `method` with `request` when valid, an empty request otherwise.
  template <typename Request, typename Response>
  Rpc Of(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
         Request request) {
    return [this, method, request](const std::string& token, bool valid) {
      Response out;
      return Call(method, token, valid ? request : Request(), &out);
    };
  }

  template <typename Request>
  Request Named(const std::string& name) {
    Request r;
    r.set_name(name);
    return r;
  }

  std::vector<std::pair<std::string, Rpc>> Rpcs() {
    std::vector<std::pair<std::string, Rpc>> rpcs;
    const std::string person = opened_.person();
    rpcs.push_back({"CreatePerson", Of(&Stub::CreatePerson, NewPerson(77))});
    rpcs.push_back({"GetPerson", Of(&Stub::GetPerson, Named<v1::GetPersonRequest>(person))});
    v1::SearchPersonsRequest search;
    search.set_parent(Parent());
    search.set_codice_fiscale(CodiceFiscale(1));
    rpcs.push_back({"SearchPersons", Of(&Stub::SearchPersons, search)});
    v1::UpdatePersonRequest update_person;
    update_person.mutable_person()->set_name(person);
    update_person.mutable_update_mask()->add_paths("household");
    rpcs.push_back({"UpdatePerson", Of(&Stub::UpdatePerson, update_person)});
    rpcs.push_back(
        {"RestrictPersonProcessing",
         Of(&Stub::RestrictPersonProcessing, Named<v1::RestrictPersonProcessingRequest>(person))});
    rpcs.push_back({"LiftPersonRestriction", Of(&Stub::LiftPersonRestriction,
                                                Named<v1::LiftPersonRestrictionRequest>(person))});
    rpcs.push_back({"ErasePerson", Of(&Stub::ErasePerson, Named<v1::ErasePersonRequest>(person))});
    rpcs.push_back({"CreateContact", Of(&Stub::CreateContact, NewContact(person))});
    rpcs.push_back(
        {"GetContact", Of(&Stub::GetContact, Named<v1::GetContactRequest>(opened_.contact()))});
    v1::ListContactsRequest list_contacts;
    list_contacts.set_parent(Parent());
    list_contacts.set_person(person);
    rpcs.push_back({"ListContacts", Of(&Stub::ListContacts, list_contacts)});
    v1::PrefillContactRequest prefill;
    prefill.set_parent(Parent());
    prefill.set_appointment(absl::StrCat(Parent(), "/appointments/a-visita"));
    rpcs.push_back({"PrefillContact", Of(&Stub::PrefillContact, prefill)});
    v1::OpenCaseRequest open;
    open.set_parent(Parent());
    open.set_contact(opened_.contact());
    open.set_request_id(crypto::RandomUuid());
    rpcs.push_back({"OpenCase", Of(&Stub::OpenCase, open)});
    rpcs.push_back({"GetCase", Of(&Stub::GetCase, Named<v1::GetCaseRequest>(opened_.name()))});
    v1::ListCasesRequest list_cases;
    list_cases.set_parent(Parent());
    list_cases.set_desk(Desk());
    rpcs.push_back({"ListCases", Of(&Stub::ListCases, list_cases)});
    rpcs.push_back(
        {"AssignCase", Of(&Stub::AssignCase, Named<v1::AssignCaseRequest>(opened_.name()))});
    v1::TransitionCaseRequest move = Named<v1::TransitionCaseRequest>(opened_.name());
    move.set_state(v1::CASE_STATE_ASSESSMENT);
    rpcs.push_back({"TransitionCase", Of(&Stub::TransitionCase, move)});
    v1::UpdateCaseRequest update_case;
    update_case.mutable_case_()->set_name(opened_.name());
    update_case.mutable_case_()->mutable_pact()->add_goals("lavoro");
    rpcs.push_back({"UpdateCase", Of(&Stub::UpdateCase, update_case)});
    v1::CreateNoteRequest note;
    note.set_parent(opened_.name());
    note.mutable_note()->set_kind(v1::NOTE_KIND_INTERVIEW);
    note.mutable_note()->set_text("colloquio");
    note.set_request_id(crypto::RandomUuid());
    rpcs.push_back({"CreateNote", Of(&Stub::CreateNote, note)});
    rpcs.push_back({"GetNote", Of(&Stub::GetNote, Named<v1::GetNoteRequest>(note_))});
    v1::ListNotesRequest list_notes;
    list_notes.set_parent(opened_.name());
    rpcs.push_back({"ListNotes", Of(&Stub::ListNotes, list_notes)});
    v1::UpdateNoteRequest correct;
    correct.mutable_note()->set_name(note_);
    correct.mutable_note()->set_text("corretta");
    correct.mutable_update_mask()->add_paths("text");
    rpcs.push_back({"UpdateNote", Of(&Stub::UpdateNote, correct)});
    v1::CreateAttachmentRequest attach;
    attach.set_parent(opened_.name());
    attach.mutable_attachment()->set_filename("altro.pdf");
    attach.mutable_attachment()->set_media_type("application/pdf");
    attach.mutable_attachment()->set_content("%PDF-2");
    attach.set_request_id(crypto::RandomUuid());
    rpcs.push_back({"CreateAttachment", Of(&Stub::CreateAttachment, attach)});
    rpcs.push_back(
        {"GetAttachment", Of(&Stub::GetAttachment, Named<v1::GetAttachmentRequest>(attachment_))});
    v1::ListAttachmentsRequest list_attachments;
    list_attachments.set_parent(opened_.name());
    rpcs.push_back({"ListAttachments", Of(&Stub::ListAttachments, list_attachments)});
    v1::CreateDestinationRequest destination;
    destination.set_parent(Parent());
    destination.mutable_destination()->set_display_name("Caritas");
    destination.mutable_destination()->set_kind(v1::DESTINATION_KIND_THIRD_SECTOR);
    destination.set_request_id(crypto::RandomUuid());
    rpcs.push_back({"CreateDestination", Of(&Stub::CreateDestination, destination)});
    rpcs.push_back({"GetDestination",
                    Of(&Stub::GetDestination, Named<v1::GetDestinationRequest>(destination_))});
    v1::ListDestinationsRequest list_destinations;
    list_destinations.set_parent(Parent());
    rpcs.push_back({"ListDestinations", Of(&Stub::ListDestinations, list_destinations)});
    v1::UpdateDestinationRequest update_destination;
    update_destination.mutable_destination()->set_name(destination_);
    update_destination.mutable_destination()->set_display_name("Punto Insieme");
    update_destination.mutable_update_mask()->add_paths("display_name");
    rpcs.push_back({"UpdateDestination", Of(&Stub::UpdateDestination, update_destination)});
    rpcs.push_back({"CreateReferral", Of(&Stub::CreateReferral, NewReferral())});
    rpcs.push_back(
        {"GetReferral", Of(&Stub::GetReferral, Named<v1::GetReferralRequest>(referral_))});
    v1::ListReferralsRequest list_referrals;
    list_referrals.set_parent(Parent());
    list_referrals.set_case_(opened_.name());
    rpcs.push_back({"ListReferrals", Of(&Stub::ListReferrals, list_referrals)});
    rpcs.push_back(
        {"AcceptReferral", Of(&Stub::AcceptReferral, Named<v1::AcceptReferralRequest>(referral_))});
    v1::RejectReferralRequest reject = Named<v1::RejectReferralRequest>(referral_);
    reject.set_reason("no");
    rpcs.push_back({"RejectReferral", Of(&Stub::RejectReferral, reject)});
    rpcs.push_back({"CompleteReferral",
                    Of(&Stub::CompleteReferral, Named<v1::CompleteReferralRequest>(referral_))});
    v1::RevokeReferralRequest revoke = Named<v1::RevokeReferralRequest>(referral_);
    revoke.set_reason("no");
    rpcs.push_back({"RevokeReferral", Of(&Stub::RevokeReferral, revoke)});
    return rpcs;
  }

  // Everything a call could have changed, as one string.
  std::string Snapshot() {
    std::string out;
    for (const char* table : {"persons", "person_consents", "contacts", "cases", "case_history",
                              "notes", "note_versions", "attachments", "destinations", "referrals",
                              "referral_history", "outbox", "subject_keys"}) {
      out += absl::StrCat(table, "=",
                          AdminQuery(absl::StrCat("SELECT count(*) || ':' || "
                                                  "coalesce(max(xmin::text), '') FROM intake.",
                                                  table)),
                          ";");
    }
    return out;
  }

  v1::Case opened_;
  std::string destination_;
  std::string note_;
  std::string attachment_;
  std::string referral_;
};

TEST_F(RpcTableTest, EveryRpcDeniesAnotherComuneWhateverTheRoleAndChangesNothing) {
  const std::string before = Snapshot();
  directory_.SetOperatorDesks(other_tenant_, "operatrice-1", {"sede"});
  const std::vector<std::string> tokens = {Token(other_tenant_, {"operator"}),
                                           Token(other_tenant_, {"coordinator"}),
                                           Token(other_tenant_, {"tenant_admin"}),
                                           Token(other_tenant_, {"dpo"}),
                                           Token(other_tenant_, {"portal"}),
                                           identity_.PartnerToken(other_tenant_, "punto-insieme")};
  const std::vector<std::pair<std::string, Rpc>> rpcs = Rpcs();
  // Every RPC of IntakeService is in the table: a new one must be added to it.
  const google::protobuf::ServiceDescriptor* service =
      v1::CreatePersonRequest::descriptor()->file()->FindServiceByName("IntakeService");
  std::set<std::string> declared, tabled;
  for (int i = 0; i < service->method_count(); ++i) declared.insert(service->method(i)->name());
  for (const auto& [method, call] : rpcs) tabled.insert(method);
  ASSERT_EQ(tabled, declared);
  for (const auto& [method, call] : rpcs) {
    for (size_t i = 0; i < tokens.size(); ++i) {
      const grpc::Status status = call(tokens[i], true);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method << " with token " << i << " of another comune: " << status.error_message();
    }
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RpcTableTest, EveryRpcRefusesAnEmptyRequestWithFieldViolationsAndChangesNothing) {
  const std::string before = Snapshot();
  for (const auto& [method, call] : Rpcs()) {
    const Failure failure = Decode(call(Operator(), false));
    EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_FALSE(failure.violations.empty()) << method;
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RpcTableTest, ThePortalReachesNothingAndAPartnerOnlyItsOwnReferrals) {
  const std::set<std::string> partners = {"GetDestination", "GetReferral", "AcceptReferral",
                                          "RejectReferral", "CompleteReferral"};
  const std::string partner = identity_.PartnerToken(tenant_, "punto-insieme");
  const std::string other_partner = identity_.PartnerToken(tenant_, "centro-impiego");
  for (const auto& [method, call] : Rpcs()) {
    EXPECT_EQ(call(Token(tenant_, {"portal"}), true).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << method << " as the portal";
    const grpc::Status own = call(partner, true);
    const grpc::Status others = call(other_partner, true);
    if (partners.count(method)) {
      EXPECT_NE(own.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
      // Another destination's partner does not even learn it exists.
      EXPECT_EQ(others.error_code(), grpc::StatusCode::NOT_FOUND) << method;
    } else {
      EXPECT_EQ(own.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
      EXPECT_EQ(others.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method;
    }
  }
}

}  // namespace
}  // namespace sportelli::intake::testing
