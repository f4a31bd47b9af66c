// Intake as the desks use it: registering persons, finding them, recording contacts; what a
// retry, a duplicate, a concurrent registration, another comune or a bad request gets; and
// that the database holds no personal data in clear and every access is in the audit trail.
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/intake/tests/intake_fixture.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;
using Stub = v1::IntakeService::Stub;

TEST_F(IntakeTest, ARegisteredPersonReadsBackAsGiven) {
  v1::Person created;
  const v1::CreatePersonRequest request = NewPerson(1);
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), request, &created).ok());
  EXPECT_THAT(created.name(),
              ::testing::StartsWith(absl::StrCat("tenants/", tenant_, "/persons/")));
  v1::GetPersonRequest get;
  get.set_name(created.name());
  v1::Person read;
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(read.family_name(), "Rossi");
  EXPECT_EQ(read.codice_fiscale(), CodiceFiscale(1));
  EXPECT_FALSE(read.codice_fiscale_missing());
  EXPECT_EQ(read.address().locality(), "Capannori");
  EXPECT_EQ(read.privacy_notice_version(), "2026-01");
  EXPECT_EQ(read.privacy_notice_recorded_by(), "operatrice-1");  // from the token
  ASSERT_THAT(read.consents(), SizeIs(1));
  EXPECT_TRUE(read.consents(0).granted());
  EXPECT_EQ(read.consents(0).recorded_by(), "operatrice-1");
  EXPECT_EQ(api::FromTimestamp(read.create_time()), kTestStart);
}

TEST_F(IntakeTest, APersonWithoutCodiceFiscaleIsRegisteredAndFlagged) {
  v1::CreatePersonRequest request = NewPerson(1);
  request.mutable_person()->clear_codice_fiscale();
  v1::Person created;
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), request, &created).ok());
  EXPECT_TRUE(created.codice_fiscale_missing());
  // Two people without a code may share a name and a birth date: both are kept.
  request.set_request_id(crypto::RandomUuid());
  v1::Person second;
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), request, &second).ok());
  EXPECT_NE(second.name(), created.name());
}

TEST_F(IntakeTest, OnePersonPerCodiceFiscaleHoweverItIsTyped) {
  const std::string first = Register(1);
  v1::CreatePersonRequest again = NewPerson(1);
  std::string lower = CodiceFiscale(1);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  again.mutable_person()->set_codice_fiscale(" " + lower + " ");
  v1::Person response;
  const Failure failure = Decode(Call(&Stub::CreatePerson, Operator(), again, &response));
  EXPECT_EQ(failure.code, grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(failure.reason, "PERSON_EXISTS");
  const grpc::Status status = Call(&Stub::CreatePerson, Operator(), again, &response);
  EXPECT_NE(status.error_message().find(first), std::string::npos);  // names the existing one
  EXPECT_EQ(status.error_message().find(CodiceFiscale(1)), std::string::npos);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.persons"), "1");
}

TEST_F(IntakeTest, ConcurrentRegistrationsOfOneCodeMakeOnePerson) {
  constexpr int kCallers = 8;
  std::vector<grpc::StatusCode> codes(kCallers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kCallers; ++i) {
    threads.emplace_back([&, i] {
      v1::Person response;
      codes[i] = Call(&Stub::CreatePerson, Operator(), NewPerson(7), &response).error_code();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), grpc::StatusCode::OK), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), grpc::StatusCode::ALREADY_EXISTS), kCallers - 1);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.persons"), "1");
}

TEST_F(IntakeTest, ARetryGetsTheFirstReplyAndRegistersNobodyTwice) {
  const v1::CreatePersonRequest request = NewPerson(1);
  v1::Person first;
  v1::Person retried;
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), request, &first).ok());
  clock_.Advance(absl::Minutes(1));
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), first.SerializeAsString());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.persons"), "1");
  // The same id for another person is refused.
  v1::CreatePersonRequest other = NewPerson(2);
  other.set_request_id(request.request_id());
  const Failure reused = Decode(Call(&Stub::CreatePerson, Operator(), other, &retried));
  EXPECT_EQ(reused.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(reused.reason, "REQUEST_ID_REUSED");
}

TEST_F(IntakeTest, SearchesAreExactOnCodeOrOnFamilyNameAndBirthDate) {
  const std::string maria = Register(1);
  Register(2);  // another Rossi born the same day
  v1::CreatePersonRequest other_day = NewPerson(3);
  other_day.mutable_person()->clear_codice_fiscale();
  *other_day.mutable_person()->mutable_birth_date() = api::ToDate(absl::CivilDay(1980, 1, 2));
  v1::Person ignored;
  ASSERT_TRUE(Call(&Stub::CreatePerson, Operator(), other_day, &ignored).ok());

  v1::SearchPersonsRequest by_code;
  by_code.set_parent(absl::StrCat("tenants/", tenant_));
  by_code.set_codice_fiscale(CodiceFiscale(1));
  v1::SearchPersonsResponse found;
  ASSERT_TRUE(Call(&Stub::SearchPersons, Operator(), by_code, &found).ok());
  ASSERT_THAT(found.persons(), SizeIs(1));
  EXPECT_EQ(found.persons(0).name(), maria);

  v1::SearchPersonsRequest by_name;
  by_name.set_parent(absl::StrCat("tenants/", tenant_));
  by_name.set_family_name("  ROSSÌ ");  // case, accents and spaces do not matter
  *by_name.mutable_birth_date() = api::ToDate(absl::CivilDay(1980, 1, 1));
  by_name.set_page_size(1);
  std::vector<std::string> names;
  for (int page = 0; page < 3; ++page) {
    v1::SearchPersonsResponse response;
    ASSERT_TRUE(Call(&Stub::SearchPersons, Operator(), by_name, &response).ok());
    for (const v1::Person& p : response.persons()) names.push_back(p.name());
    if (response.next_page_token().empty()) break;
    by_name.set_page_token(response.next_page_token());
  }
  EXPECT_THAT(names, SizeIs(2));  // both born on 1 January, not the one born on the 2nd

  by_name.set_family_name("Ross");  // never partial
  by_name.clear_page_token();
  v1::SearchPersonsResponse none;
  ASSERT_TRUE(Call(&Stub::SearchPersons, Operator(), by_name, &none).ok());
  EXPECT_THAT(none.persons(), IsEmpty());
}

TEST_F(IntakeTest, AContactIsRecordedWithTheOperatorFromTheToken) {
  const std::string person = Register(1);
  v1::CreateContactRequest request = NewContact(person);
  request.mutable_contact()->set_operator_("someone-else");  // output only: ignored
  v1::Contact created;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), request, &created).ok());
  EXPECT_EQ(created.operator_(), "operatrice-1");
  EXPECT_EQ(created.person(), person);
  EXPECT_THAT(created.need_areas(),
              ElementsAre(v1::NEED_AREA_ECONOMIC_HARDSHIP, v1::NEED_AREA_HOUSING));
  v1::GetContactRequest get;
  get.set_name(created.name());
  v1::Contact read;
  ASSERT_TRUE(Call(&Stub::GetContact, Operator(), get, &read).ok());
  EXPECT_EQ(read.SerializeAsString(), created.SerializeAsString());
  // A retry gets the same contact, information included.
  v1::Contact retried;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.contacts"), "1");
  // Its event says where and when, not who or what.
  const std::string outbox =
      AdminQuery("SELECT string_agg(encode(payload, 'escape'), '') FROM intake.outbox");
  EXPECT_NE(outbox.find(created.name()), std::string::npos);
  EXPECT_EQ(outbox.find("Sfratto"), std::string::npos);
}

TEST_F(IntakeTest, AnAnonymousContactOnlyGivesInformation) {
  v1::CreateContactRequest request = NewContact("");
  v1::Contact created;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), request, &created).ok());
  EXPECT_TRUE(created.person().empty());
  EXPECT_EQ(created.information_given(), request.contact().information_given());
  request.set_request_id(crypto::RandomUuid());
  request.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_CASE_OPENED);
  const Failure failure = Decode(Call(&Stub::CreateContact, Operator(), request, &created));
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(failure), ElementsAre("contact.outcome"));
}

TEST_F(IntakeTest, AContactNeedsAKnownDeskAndPerson) {
  const std::string person = Register(1);
  v1::CreateContactRequest unknown_desk = NewContact(person);
  unknown_desk.mutable_contact()->set_desk(Desk("chiuso"));
  v1::Contact response;
  EXPECT_EQ(Decode(Call(&Stub::CreateContact, Operator(), unknown_desk, &response)).code,
            grpc::StatusCode::NOT_FOUND);
  v1::CreateContactRequest unknown_person =
      NewContact(absl::StrCat("tenants/", tenant_, "/persons/p-nobody"));
  EXPECT_EQ(Decode(Call(&Stub::CreateContact, Operator(), unknown_person, &response)).code,
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.contacts"), "0");
}

TEST_F(IntakeTest, APersonsContactsAreListedNewestFirstPageByPage) {
  const std::string person = Register(1);
  std::vector<std::string> created;
  for (int i = 0; i < 5; ++i) {
    v1::CreateContactRequest request = NewContact(person);
    api::ToTimestamp(clock_.Now() - absl::Hours(24 * (5 - i)),
                     request.mutable_contact()->mutable_contact_time());
    v1::Contact contact;
    ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), request, &contact).ok());
    created.insert(created.begin(), contact.name());
  }
  v1::ListContactsRequest list;
  list.set_parent(absl::StrCat("tenants/", tenant_));
  list.set_person(person);
  list.set_page_size(2);
  std::vector<std::string> listed;
  for (int page = 0; page < 5; ++page) {
    v1::ListContactsResponse response;
    ASSERT_TRUE(Call(&Stub::ListContacts, Operator(), list, &response).ok());
    for (const v1::Contact& c : response.contacts()) listed.push_back(c.name());
    if (response.next_page_token().empty()) break;
    list.set_page_token(response.next_page_token());
  }
  EXPECT_EQ(listed, created);
}

TEST_F(IntakeTest, BadRequestsAreRefusedWithEveryProblemAndChangeNothing) {
  v1::Person person;
  const Failure empty =
      Decode(Call(&Stub::CreatePerson, Operator(), v1::CreatePersonRequest(), &person));
  EXPECT_EQ(empty.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(empty),
              ::testing::IsSupersetOf({"parent", "person", "person.birth_date", "person.sex"}));
  v1::CreatePersonRequest bad = NewPerson(1);
  bad.mutable_person()->set_codice_fiscale("RSSMRA80A41E715X");
  bad.mutable_person()->set_email("not an address");
  bad.set_request_id("not-a-uuid");
  const Failure fields = Decode(Call(&Stub::CreatePerson, Operator(), bad, &person));
  EXPECT_THAT(Fields(fields), ElementsAre("person.codice_fiscale", "person.email", "request_id"));
  v1::Contact contact;
  const Failure empty_contact =
      Decode(Call(&Stub::CreateContact, Operator(), v1::CreateContactRequest(), &contact));
  EXPECT_EQ(empty_contact.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(empty_contact),
              ::testing::IsSupersetOf({"parent", "contact", "contact.desk", "contact.channel",
                                       "contact.contact_time", "contact.outcome"}));
  v1::SearchPersonsResponse found;
  v1::SearchPersonsRequest search;
  search.set_parent(absl::StrCat("tenants/", tenant_));
  EXPECT_THAT(Fields(Decode(Call(&Stub::SearchPersons, Operator(), search, &found))),
              ElementsAre("codice_fiscale"));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.persons"), "0");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.contacts"), "0");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events"), "0");
}

// Every RPC, called by anyone but the comune's operators and coordinators, is refused before
// anything is read or written.
TEST_F(IntakeTest, OnlyTheComunesCaseWorkersReachItsRecords) {
  const std::string person = Register(1);
  v1::Contact contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  const std::string audit_rows = AdminQuery("SELECT count(*) FROM intake.audit_events");
  const std::vector<std::string> outsiders = {Token(other_tenant_, {"operator"}),
                                              Token(other_tenant_, {"coordinator"}),
                                              Token(tenant_, {"portal"}),
                                              Token(tenant_, {"tenant_admin"}),
                                              Token(tenant_, {"dpo"}),
                                              ""};
  const std::vector<std::function<grpc::Status(const std::string&)>> rpcs = {
      [&](const std::string& token) {
        v1::Person out;
        return Call(&Stub::CreatePerson, token, NewPerson(2), &out);
      },
      [&](const std::string& token) {
        v1::GetPersonRequest request;
        request.set_name(person);
        v1::Person out;
        return Call(&Stub::GetPerson, token, request, &out);
      },
      [&](const std::string& token) {
        v1::SearchPersonsRequest request;
        request.set_parent(absl::StrCat("tenants/", tenant_));
        request.set_codice_fiscale(CodiceFiscale(1));
        v1::SearchPersonsResponse out;
        return Call(&Stub::SearchPersons, token, request, &out);
      },
      [&](const std::string& token) {
        v1::Contact out;
        return Call(&Stub::CreateContact, token, NewContact(person), &out);
      },
      [&](const std::string& token) {
        v1::GetContactRequest request;
        request.set_name(contact.name());
        v1::Contact out;
        return Call(&Stub::GetContact, token, request, &out);
      },
      [&](const std::string& token) {
        v1::ListContactsRequest request;
        request.set_parent(absl::StrCat("tenants/", tenant_));
        request.set_person(person);
        v1::ListContactsResponse out;
        return Call(&Stub::ListContacts, token, request, &out);
      },
  };
  for (size_t rpc = 0; rpc < rpcs.size(); ++rpc) {
    for (size_t who = 0; who < outsiders.size(); ++who) {
      const grpc::StatusCode code = rpcs[rpc](outsiders[who]).error_code();
      EXPECT_TRUE(code == grpc::StatusCode::PERMISSION_DENIED ||
                  code == grpc::StatusCode::UNAUTHENTICATED)
          << "rpc " << rpc << " caller " << who << " got " << code;
    }
  }
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.persons"), "1");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.contacts"), "1");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events"), audit_rows);
  // A coordinator of the comune is a case worker too.
  v1::GetPersonRequest get;
  get.set_name(person);
  v1::Person read;
  EXPECT_TRUE(Call(&Stub::GetPerson, Token(tenant_, {"coordinator"}), get, &read).ok());
}

TEST_F(IntakeTest, TheDatabaseHoldsNoPersonalDataInClear) {
  const std::string person = Register(1);
  v1::Contact contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  // Every column of every row of the schema, as text.
  const std::string everything = AdminQuery(
      "SELECT string_agg(t::text, ' ') FROM (SELECT row_to_json(p)::text AS t FROM intake.persons "
      "p UNION ALL SELECT row_to_json(c)::text FROM intake.contacts c UNION ALL SELECT "
      "row_to_json(r)::text FROM intake.request_ids r UNION ALL SELECT row_to_json(o)::text FROM "
      "intake.outbox o UNION ALL SELECT row_to_json(a)::text FROM intake.audit_events a UNION ALL "
      "SELECT row_to_json(k)::text FROM intake.person_consents k) rows");
  ASSERT_FALSE(everything.empty());
  for (const std::string& secret :
       {std::string("Rossi"), std::string("Maria"), CodiceFiscale(1), std::string("3331234567"),
        std::string("maria.rossi"), std::string("Via del Popolo"), std::string("Sfratto")}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret;
    // bytea columns read back as hex: a value stored in clear there would show so.
    EXPECT_EQ(everything.find(absl::BytesToHexString(secret)), std::string::npos) << secret;
  }
}

TEST_F(IntakeTest, EveryAccessIsInTheAuditTrailWithItsOperator) {
  const std::string person = Register(1);
  v1::GetPersonRequest get;
  get.set_name(person);
  v1::Person read;
  clock_.Advance(absl::Seconds(1));  // the trail is compared in time order
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &read).ok());
  v1::Contact contact;
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  EXPECT_EQ(AdminQuery("SELECT string_agg(action || ' ' || resource || ' ' || subject || ' ' || "
                       "data_class, '; ' ORDER BY event_time, lane, sequence) FROM "
                       "intake.audit_events"),
            absl::StrCat("CREATE ", person, " operatrice-1 person.identity; READ ", person,
                         " operatrice-1 person.identity; CREATE ", contact.name(),
                         " operatrice-1 contact.information"));
  // "Who looked at my data", by the person's codice fiscale, through the DPO's API.
  audit::v1::ListAuditEventsRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  request.set_codice_fiscale(CodiceFiscale(1));
  audit::v1::ListAuditEventsResponse events;
  ASSERT_TRUE(Call(audit_stub_.get(), &audit::v1::AuditService::Stub::ListAuditEvents,
                   Token(tenant_, {"dpo"}), request, &events)
                  .ok());
  EXPECT_THAT(events.audit_events(), SizeIs(3));
}

TEST_F(IntakeTest, TheDpoExportHoldsThePersonAndTheirContacts) {
  const std::string person = Register(1);
  Register(2);
  v1::Contact contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  audit::v1::ExportCitizenDataRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  request.set_codice_fiscale(CodiceFiscale(1));
  audit::v1::ExportCitizenDataResponse response;
  ASSERT_TRUE(Call(audit_stub_.get(), &audit::v1::AuditService::Stub::ExportCitizenData,
                   Token(tenant_, {"dpo"}), request, &response)
                  .ok());
  const nlohmann::json document = nlohmann::json::parse(response.json());
  EXPECT_EQ(document["service"], "intake");
  const nlohmann::json& persons = document["data"]["persons"];
  ASSERT_EQ(persons.size(), 1u);
  EXPECT_EQ(persons[0]["name"], person);
  EXPECT_EQ(persons[0]["codice_fiscale"], CodiceFiscale(1));
  ASSERT_EQ(persons[0]["contacts"].size(), 1u);
  EXPECT_EQ(persons[0]["contacts"][0]["information_given"],
            NewContact(person).contact().information_given());
  EXPECT_EQ(response.json().find(CodiceFiscale(2)), std::string::npos);
}

TEST_F(IntakeTest, ShreddingAPersonsKeyErasesTheirIdentityAndWhatTheySaid) {
  const std::string person = Register(1);
  const std::string other = Register(2);
  v1::Contact contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
  ASSERT_OK(pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) -> absl::Status {
    return keyring_
        ->ShredSubject(tx, tenant_, citizen::CitizenIndex(*secret_, tenant_, CodiceFiscale(1)))
        .status();
  }));
  v1::GetPersonRequest get;
  get.set_name(person);
  v1::Person read;
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &read).ok());
  EXPECT_TRUE(read.erased());
  EXPECT_TRUE(read.family_name().empty());
  EXPECT_TRUE(read.codice_fiscale().empty());
  v1::GetContactRequest get_contact;
  get_contact.set_name(contact.name());
  v1::Contact contact_read;
  ASSERT_TRUE(Call(&Stub::GetContact, Operator(), get_contact, &contact_read).ok());
  EXPECT_TRUE(contact_read.information_given().empty());
  EXPECT_EQ(contact_read.desk(), contact.desk());  // the fact of the contact stays
  get.set_name(other);
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &read).ok());
  EXPECT_EQ(read.family_name(), "Rossi");  // only that person
}

TEST_F(IntakeTest, TheRuntimeRoleIsFenced) {
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, "intake");
}

TEST_F(IntakeTest, AHouseholdIsSealedWithThePersonAndConsentsAreRecordedAnew) {
  const std::string person = Register(1);
  const std::string child = Register(2);
  clock_.Advance(absl::Hours(1));
  v1::UpdatePersonRequest request;
  request.mutable_person()->set_name(person);
  v1::HouseholdMember* linked = request.mutable_person()->add_household();
  linked->set_person(child);
  linked->set_relation(v1::HOUSEHOLD_RELATION_CHILD);
  v1::HouseholdMember* administrator = request.mutable_person()->add_household();
  administrator->set_given_name("  Luca ");
  administrator->set_family_name("Bianchi");
  administrator->set_relation(v1::HOUSEHOLD_RELATION_NOT_RELATED);
  administrator->set_legal_role(v1::LEGAL_ROLE_SUPPORT_ADMINISTRATOR);
  v1::Consent* withdrawn = request.mutable_person()->add_consents();
  withdrawn->set_kind(v1::CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES);
  withdrawn->set_granted(false);
  v1::Consent* sms = request.mutable_person()->add_consents();
  sms->set_kind(v1::CONSENT_KIND_CONTACT_BY_SMS);
  sms->set_granted(true);
  v1::Person updated;
  ASSERT_TRUE(
      Call(&Stub::UpdatePerson, Token(tenant_, {"operator"}, "operatore-2"), request, &updated)
          .ok());
  ASSERT_EQ(updated.household_size(), 2);
  EXPECT_EQ(updated.household(0).person(), child);
  EXPECT_EQ(updated.household(1).given_name(), "Luca");  // trimmed as names are
  EXPECT_EQ(updated.household(1).legal_role(), v1::LEGAL_ROLE_SUPPORT_ADMINISTRATOR);
  ASSERT_EQ(updated.consents_size(), 2);
  for (const v1::Consent& c : updated.consents()) {
    // Sharing withdrawn and SMS granted, each with who and when.
    EXPECT_EQ(c.granted(), c.kind() == v1::CONSENT_KIND_CONTACT_BY_SMS);
    EXPECT_EQ(c.recorded_by(), "operatore-2");
    EXPECT_EQ(api::FromTimestamp(c.record_time()), kTestStart + absl::Hours(1));
  }
  EXPECT_EQ(updated.family_name(), "Rossi");  // the identity is untouched
  v1::GetPersonRequest get;
  get.set_name(person);
  v1::Person read;
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &read).ok());
  EXPECT_EQ(read.household_size(), 2);
  EXPECT_FALSE(InClear("persons", "Bianchi"));
  // Only the household: consents stay as they are.
  request.clear_update_mask();
  request.mutable_update_mask()->add_paths("household");
  request.mutable_person()->clear_consents();
  request.mutable_person()->mutable_household()->RemoveLast();
  ASSERT_TRUE(Call(&Stub::UpdatePerson, Operator(), request, &updated).ok());
  EXPECT_EQ(updated.household_size(), 1);
  EXPECT_EQ(updated.consents_size(), 2);
}

TEST_F(IntakeTest, ABadHouseholdIsRefusedAndChangesNothing) {
  const std::string person = Register(1);
  v1::UpdatePersonRequest request;
  request.mutable_person()->set_name(person);
  request.mutable_update_mask()->add_paths("household");
  v1::HouseholdMember* self = request.mutable_person()->add_household();
  self->set_person(person);
  self->set_relation(v1::HOUSEHOLD_RELATION_SIBLING);
  v1::Person out;
  EXPECT_THAT(Fields(Decode(Call(&Stub::UpdatePerson, Operator(), request, &out))),
              ElementsAre("person.household[0].person"));
  self->set_person(absl::StrCat("tenants/", tenant_, "/persons/p-nessuno"));
  EXPECT_EQ(Decode(Call(&Stub::UpdatePerson, Operator(), request, &out)).code,
            grpc::StatusCode::NOT_FOUND);
  self->set_person(absl::StrCat("tenants/", other_tenant_, "/persons/p-altrove"));
  self->set_given_name("Anna");
  self->set_relation(v1::HOUSEHOLD_RELATION_UNSPECIFIED);
  v1::HouseholdMember* unnamed = request.mutable_person()->add_household();
  unnamed->set_relation(v1::HOUSEHOLD_RELATION_CHILD);
  EXPECT_THAT(
      Fields(Decode(Call(&Stub::UpdatePerson, Operator(), request, &out))),
      UnorderedElementsAre("person.household[0].person", "person.household[0].relation",
                           "person.household[1].given_name", "person.household[1].family_name"));
  request.mutable_update_mask()->set_paths(0, "codice_fiscale");
  EXPECT_EQ(Decode(Call(&Stub::UpdatePerson, Operator(), request, &out)).code,
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      Decode(Call(&Stub::UpdatePerson, Token(other_tenant_, {"operator"}), request, &out)).code,
      grpc::StatusCode::PERMISSION_DENIED);
  v1::GetPersonRequest get;
  get.set_name(person);
  ASSERT_TRUE(Call(&Stub::GetPerson, Operator(), get, &out).ok());
  EXPECT_EQ(out.household_size(), 0);
}

TEST_F(IntakeTest, AContactFromAnAppointmentNeedsTheCitizenCheckedInAtThatDesk) {
  directory_.AddDesk(tenant_, "altrove", tenants_client::DeskInfo{3, true, true, {"colloquio"}});
  const std::string person = Register(1);
  AppointmentFacts booked;
  booked.desk_id = "sede";
  booked.start_time = kTestStart - absl::Minutes(20);
  booked.codice_fiscale = CodiceFiscale(1);
  appointments_.Set(tenant_, "a-prenotata", booked);
  const std::string appointment = absl::StrCat("tenants/", tenant_, "/appointments/a-prenotata");
  v1::PrefillContactRequest prefill;
  prefill.set_parent(absl::StrCat("tenants/", tenant_));
  prefill.set_appointment(appointment);
  v1::Contact draft;
  const Failure early = Decode(Call(&Stub::PrefillContact, Operator(), prefill, &draft));
  EXPECT_EQ(early.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(early.reason, "APPOINTMENT_NOT_ATTENDED");
  v1::CreateContactRequest request = NewContact(person);
  request.mutable_contact()->set_channel(v1::CONTACT_CHANNEL_APPOINTMENT);
  request.mutable_contact()->set_appointment(appointment);
  v1::Contact contact;
  EXPECT_EQ(Decode(Call(&Stub::CreateContact, Operator(), request, &contact)).reason,
            "APPOINTMENT_NOT_ATTENDED");

  booked.attended = true;  // checked in
  appointments_.Set(tenant_, "a-prenotata", booked);
  ASSERT_TRUE(Call(&Stub::PrefillContact, Operator(), prefill, &draft).ok());
  EXPECT_TRUE(draft.name().empty());  // a draft: nothing stored
  EXPECT_EQ(draft.desk(), Desk());
  EXPECT_EQ(draft.channel(), v1::CONTACT_CHANNEL_APPOINTMENT);
  EXPECT_EQ(draft.appointment(), appointment);
  EXPECT_EQ(draft.person(), person);  // found by the booking's codice fiscale
  EXPECT_EQ(draft.operator_(), "operatrice-1");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.contacts"), "0");

  request.mutable_contact()->set_desk(Desk("altrove"));
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateContact, Operator(), request, &contact))),
              ElementsAre("contact.desk"));
  request.mutable_contact()->set_desk(Desk());
  request.mutable_contact()->set_appointment(
      absl::StrCat("tenants/", tenant_, "/appointments/a-nessuna"));
  EXPECT_EQ(Decode(Call(&Stub::CreateContact, Operator(), request, &contact)).code,
            grpc::StatusCode::NOT_FOUND);
  request.mutable_contact()->set_appointment(appointment);
  request.set_request_id(crypto::RandomUuid());
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), request, &contact).ok());
  EXPECT_EQ(contact.appointment(), appointment);
}

}  // namespace
}  // namespace sportelli::intake::testing
