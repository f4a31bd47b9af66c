// Citizens' personal data at rest, through the real service: nothing of a citizen in clear in any
// table (request ids included), fields that do not open once moved, crypto-shredding that erases
// exactly one citizen, rotation that keeps earlier bookings readable, and rows written before
// encryption still read.
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using ::testing::HasSubstr;

class PrivacyTest : public SchedulingTest {
 protected:
  // A booking by a citizen whose every field is distinctive, to be looked for afterwards.
  v1::CreateAppointmentRequest Distinctive(absl::Time start, int n) {
    v1::CreateAppointmentRequest request = Booking("sede", start, n);
    v1::Citizen* c = request.mutable_appointment()->mutable_citizen();
    c->set_given_name(absl::StrCat("Ottavia", Letters(n)));
    c->set_family_name(absl::StrCat("Zanobini", Letters(n)));
    c->set_phone_number(absl::StrCat("+3933398765", 10 + n));
    c->set_email(absl::StrCat("ottavia.zanobini", n, "@example.it"));
    return request;
  }

  static std::string Letters(int n) { return std::string(1, static_cast<char>('a' + n % 26)); }

  v1::Appointment Book(const v1::CreateAppointmentRequest& request) {
    v1::Appointment made;
    const grpc::Status status = Call(&Stub::CreateAppointment, Portal(), request, &made);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return made;
  }

  grpc::Status Get(const std::string& name, v1::Appointment* out) {
    v1::GetAppointmentRequest request;
    request.set_name(name);
    return Call(&Stub::GetAppointment, Operator(), request, out);
  }

  // The tables of the schema whose rows, as text, contain `value` in clear or as the hex of
  // bytes (bytea columns print as hex: a value stored inside a bytea would show that way).
  std::vector<std::string> TablesHolding(const std::string& value) {
    std::vector<std::string> found;
    EXPECT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& table :
           tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'scheduling' ORDER BY 1")) {
        const std::string name = table[0].as<std::string>();
        const int64_t rows =
            tx.exec_params(absl::StrCat("SELECT count(*) FROM scheduling.", name,
                                        " t WHERE position(lower($1) in lower(t::text)) > 0 OR "
                                        "position($2 in t::text) > 0"),
                           value, absl::BytesToHexString(value))[0][0]
                .as<int64_t>();
        if (rows > 0) found.push_back(name);
      }
      return absl::OkStatus();
    }));
    return found;
  }

  void Admin(const std::string& sql, const std::string& appointment_name) {
    ASSERT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      tx.exec_params(sql, tenant_, appointment_name.substr(appointment_name.rfind('/') + 1));
      return absl::OkStatus();
    }));
  }
};

TEST_F(PrivacyTest, NoTableHoldsTheCitizenInClearRequestIdsIncluded) {
  const v1::CreateAppointmentRequest request = Distinctive(SlotStart(3, 0), 1);
  const v1::Appointment made = Book(request);
  v1::Appointment retry = Book(request);  // the recorded reply is replayed
  EXPECT_EQ(retry.SerializeAsString(), made.SerializeAsString());
  v1::RescheduleAppointmentRequest move;
  move.set_name(made.name());
  api::ToTimestamp(SlotStart(3, 2), move.mutable_start_time());
  move.set_request_id(crypto::RandomUuid());
  v1::Appointment moved, moved_again;
  ASSERT_TRUE(Call(&Stub::RescheduleAppointment, Operator(), move, &moved).ok());
  ASSERT_TRUE(Call(&Stub::RescheduleAppointment, Operator(), move, &moved_again).ok());
  EXPECT_EQ(moved_again.SerializeAsString(), moved.SerializeAsString());
  EXPECT_EQ(moved.citizen().family_name(), "Zanobinib");

  const v1::Citizen& c = request.appointment().citizen();
  for (const std::string& value :
       {c.given_name(), c.family_name(), c.codice_fiscale(), c.phone_number(), c.email()}) {
    EXPECT_THAT(TablesHolding(value), ::testing::IsEmpty()) << "found in clear: " << value;
  }
  // The check can fail: a value the rows do hold is found.
  EXPECT_THAT(TablesHolding(made.name().substr(made.name().rfind('/') + 1)),
              ::testing::Contains("appointments"));
}

TEST_F(PrivacyTest, TheServiceReadsWhatItSealed) {
  const v1::CreateAppointmentRequest request = Distinctive(SlotStart(3, 0), 2);
  const v1::Appointment made = Book(request);
  v1::Appointment read;
  ASSERT_TRUE(Get(made.name(), &read).ok());
  EXPECT_EQ(read.citizen().SerializeAsString(), made.citizen().SerializeAsString());
  EXPECT_EQ(read.citizen().email(), request.appointment().citizen().email());
  v1::ListAppointmentsRequest list;
  list.set_desk(DeskName("sede"));
  *list.mutable_date() = api::ToDate(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  v1::ListAppointmentsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListAppointments, Operator(), list, &listed).ok());
  ASSERT_EQ(listed.appointments_size(), 1);
  EXPECT_EQ(listed.appointments(0).citizen().codice_fiscale(),
            request.appointment().citizen().codice_fiscale());
}

TEST_F(PrivacyTest, AFieldMovedToAnotherAppointmentOrCitizenDoesNotOpen) {
  // Two bookings of one citizen (one key), and one of another citizen.
  const v1::Appointment first = Book(Distinctive(SlotStart(3, 0), 3));
  const v1::Appointment second = Book(Distinctive(SlotStart(4, 0), 3));
  const v1::Appointment other = Book(Distinctive(SlotStart(5, 0), 4));
  Admin(absl::StrCat("UPDATE scheduling.appointments SET family_name_sealed = (SELECT "
                     "family_name_sealed FROM scheduling.appointments WHERE appointment_id = '",
                     first.name().substr(first.name().rfind('/') + 1),
                     "') WHERE tenant_id = $1 AND appointment_id = $2"),
        second.name());
  Admin(absl::StrCat("UPDATE scheduling.appointments SET email_sealed = (SELECT "
                     "email_sealed FROM scheduling.appointments WHERE appointment_id = '",
                     first.name().substr(first.name().rfind('/') + 1),
                     "') WHERE tenant_id = $1 AND appointment_id = $2"),
        other.name());
  for (const std::string& name : {second.name(), other.name()}) {
    v1::Appointment read;
    const grpc::Status status = Get(name, &read);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS) << name;
    EXPECT_THAT(status.error_message(),
                ::testing::AnyOf(HasSubstr("another row, column, table or comune"),
                                 HasSubstr("sealed under different keys")));
    EXPECT_THAT(status.error_message(), ::testing::Not(HasSubstr("Zanobini")));
  }
  v1::Appointment untouched;
  EXPECT_TRUE(Get(first.name(), &untouched).ok());
}

TEST_F(PrivacyTest, ShreddingACitizensKeyErasesExactlyTheirAppointments) {
  const v1::CreateAppointmentRequest shredded = Distinctive(SlotStart(3, 0), 5);
  const v1::Appointment a1 = Book(shredded);
  const v1::Appointment a2 = Book(Distinctive(SlotStart(4, 0), 5));
  const v1::Appointment kept = Book(Distinctive(SlotStart(3, 1), 6));
  const std::string index =
      citizen::CitizenIndex(*secret_, tenant_, shredded.appointment().citizen().codice_fiscale());
  ASSERT_OK(pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) -> absl::Status {
    return keyring_->ShredSubject(tx, tenant_, index).status();
  }));
  for (const v1::Appointment& gone : {a1, a2}) {
    v1::Appointment read;
    ASSERT_TRUE(Get(gone.name(), &read).ok());
    EXPECT_FALSE(read.has_citizen());
    EXPECT_EQ(read.start_time().seconds(), gone.start_time().seconds());  // the booking remains
  }
  v1::Appointment read;
  ASSERT_TRUE(Get(kept.name(), &read).ok());
  EXPECT_EQ(read.citizen().family_name(), "Zanobinig");
  // Booking again after the erasure: a new key, which reads the new booking only.
  const v1::Appointment again = Book(Distinctive(SlotStart(5, 0), 5));
  ASSERT_TRUE(Get(again.name(), &read).ok());
  EXPECT_EQ(read.citizen().family_name(), "Zanobinif");
  ASSERT_TRUE(Get(a1.name(), &read).ok());
  EXPECT_FALSE(read.has_citizen());
}

TEST_F(PrivacyTest, RotationKeepsEarlierBookingsReadableThroughRewrapAndRetirement) {
  const v1::Appointment before = Book(Distinctive(SlotStart(3, 0), 7));
  ASSERT_OK(pool_->RunInTenantTransaction(
      tenant_, [&](pqxx::work& tx) { return keyring_->Rotate(tx, tenant_).status(); }));
  const v1::Appointment after = Book(Distinctive(SlotStart(3, 1), 8));
  ASSERT_OK(pool_->RunInTenantTransaction(
      tenant_, [&](pqxx::work& tx) { return keyring_->Rewrap(tx, tenant_, 100).status(); }));
  ASSERT_OK(pool_->RunInTenantTransaction(
      tenant_, [&](pqxx::work& tx) { return keyring_->Retire(tx, tenant_, 1); }));
  keyring_->Forget();  // as a restarted replica: every key read again from the database
  for (const v1::Appointment& made : {before, after}) {
    v1::Appointment read;
    ASSERT_TRUE(Get(made.name(), &read).ok());
    EXPECT_EQ(read.citizen().SerializeAsString(), made.citizen().SerializeAsString());
  }
}

TEST_F(PrivacyTest, RowsWrittenBeforeEncryptionAreStillRead) {
  const v1::Appointment made = Book(Distinctive(SlotStart(3, 0), 9));
  // How a row booked before migration V004 looks: clear columns, nothing sealed.
  Admin(
      "UPDATE scheduling.appointments SET given_name = 'Ottaviaj', family_name = 'Zanobinij', "
      "codice_fiscale = 'X', phone_number = '+393339876519', email = '', given_name_sealed = "
      "NULL, family_name_sealed = NULL, codice_fiscale_sealed = NULL, phone_number_sealed = NULL, "
      "email_sealed = NULL WHERE tenant_id = $1 AND appointment_id = $2",
      made.name());
  v1::Appointment read;
  ASSERT_TRUE(Get(made.name(), &read).ok());
  EXPECT_EQ(read.citizen().family_name(), "Zanobinij");
  EXPECT_EQ(read.citizen().email(), "");
  EXPECT_THAT(TablesHolding("Zanobinij"), ::testing::ElementsAre("appointments"));

  // seal-existing seals it (in batches) and the service reads the same citizen back.
  const v1::Appointment other = Book(Distinctive(SlotStart(3, 1), 10));
  EXPECT_THAT(repository_->SealClearCitizens(tenant_, 10), sportelli::testing::IsOkAndHolds(1));
  EXPECT_THAT(repository_->SealClearCitizens(tenant_, 10), sportelli::testing::IsOkAndHolds(0));
  EXPECT_THAT(TablesHolding("Zanobinij"), ::testing::IsEmpty());
  v1::Appointment sealed;
  ASSERT_TRUE(Get(made.name(), &sealed).ok());
  EXPECT_EQ(sealed.citizen().SerializeAsString(), read.citizen().SerializeAsString());
  ASSERT_TRUE(Get(other.name(), &sealed).ok());
  EXPECT_EQ(sealed.citizen().family_name(), "Zanobinik");
}

// ---- the audit trail --------------------------------------------------------------------------

class AuditTrailTest : public PrivacyTest {
 protected:
  // (subject, roles, action, resource, purpose, request_id, citizens) of the trail, oldest first.
  std::vector<std::vector<std::string>> Trail() {
    std::vector<std::vector<std::string>> rows;
    EXPECT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& row : tx.exec_params(
               "SELECT subject, array_to_string(roles, ','), action, resource, purpose, "
               "request_id, cardinality(citizen_indexes)::text FROM scheduling.audit_events "
               "WHERE tenant_id = $1 ORDER BY event_time, lane, sequence",
               tenant_)) {
        std::vector<std::string> fields;
        for (const auto& field : row) fields.push_back(field.as<std::string>());
        rows.push_back(std::move(fields));
      }
      return absl::OkStatus();
    }));
    return rows;
  }

  grpc::Status GetWithPurpose(const std::string& name, const std::string& token,
                              const std::string& purpose) {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(30)));
    context.AddMetadata("authorization", "Bearer " + token);
    context.AddMetadata("x-sportelli-purpose", purpose);
    v1::GetAppointmentRequest request;
    request.set_name(name);
    v1::Appointment out;
    return stub_->GetAppointment(&context, request, &out);
  }
};

TEST_F(AuditTrailTest, EachReadAndWriteOfACitizenLeavesOneRowNamingWhoWhatAndWhy) {
  const v1::CreateAppointmentRequest request = Distinctive(SlotStart(3, 0), 11);
  const v1::Appointment made = Book(request);
  clock_.Advance(absl::Seconds(1));  // the trail is read in time order
  ASSERT_EQ(Trail().size(), 1u);
  EXPECT_THAT(Trail()[0], ::testing::ElementsAre("test-user", "portal", "CREATE", made.name(),
                                                 "citizen_request", request.request_id(), "1"));
  v1::Appointment read;
  ASSERT_TRUE(Get(made.name(), &read).ok());
  ASSERT_EQ(Trail().size(), 2u);
  EXPECT_THAT(Trail()[1], ::testing::ElementsAre("test-user", "operator", "READ", made.name(),
                                                 "service_delivery", "", "1"));
  // A listing is one row naming the desk and every citizen it showed.
  clock_.Advance(absl::Seconds(1));
  Book(Distinctive(SlotStart(3, 1), 12));
  clock_.Advance(absl::Seconds(1));
  v1::ListAppointmentsRequest list;
  list.set_desk(DeskName("sede"));
  *list.mutable_date() = api::ToDate(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  v1::ListAppointmentsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListAppointments, Operator(), list, &listed).ok());
  ASSERT_EQ(Trail().size(), 4u);
  EXPECT_THAT(Trail()[3], ::testing::ElementsAre("test-user", "operator", "LIST", DeskName("sede"),
                                                 "service_delivery", "", "2"));
  // Reading slots touches no personal data and leaves no row.
  Seats("sede", SlotStart(3, 0), v1::CHANNEL_WEB);
  EXPECT_EQ(Trail().size(), 4u);
}

TEST_F(PrivacyTest, TheNotifierListsTheAppointmentsOfAClosedDayWithoutTheirCitizens) {
  const v1::CreateAppointmentRequest request = Distinctive(SlotStart(3, 0), 15);
  const v1::Appointment made = Book(request);
  directory_.CloseDay(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  v1::ListAffectedAppointmentsRequest list;
  list.set_desk(DeskName("sede"));
  *list.mutable_start_date() = api::ToDate(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  *list.mutable_end_date() = api::ToDate(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  v1::ListAffectedAppointmentsResponse affected;
  ASSERT_TRUE(
      Call(&Stub::ListAffectedAppointments, Token(tenant_, {"notifier"}), list, &affected).ok());
  ASSERT_EQ(affected.appointments_size(), 1);
  EXPECT_EQ(affected.appointments(0).name(), made.name());
  EXPECT_FALSE(affected.appointments(0).has_citizen());
  const std::string wire = affected.SerializeAsString();
  EXPECT_EQ(wire.find(request.appointment().citizen().family_name()), std::string::npos);
  EXPECT_EQ(wire.find(request.appointment().citizen().codice_fiscale()), std::string::npos);
  // Operators still get the citizens, to call them; another comune's notifier nothing.
  ASSERT_TRUE(Call(&Stub::ListAffectedAppointments, Operator(), list, &affected).ok());
  EXPECT_TRUE(affected.appointments(0).has_citizen());
  EXPECT_EQ(
      Call(&Stub::ListAffectedAppointments, Token(other_tenant_, {"notifier"}), list, &affected)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(AuditTrailTest, TheNotifierReadsOnlyTheContactAndIsRecordedDoingSo) {
  const v1::CreateAppointmentRequest request = Distinctive(SlotStart(3, 0), 15);
  const v1::Appointment made = Book(request);
  clock_.Advance(absl::Seconds(1));
  v1::GetAppointmentContactRequest get;
  get.set_name(made.name());
  v1::AppointmentContact contact;
  const std::string notifier = Token(tenant_, {"notifier"});
  ASSERT_TRUE(Call(&Stub::GetAppointmentContact, notifier, get, &contact).ok());
  EXPECT_EQ(contact.name(), made.name());
  EXPECT_EQ(contact.desk(), made.desk());
  EXPECT_EQ(contact.state(), v1::APPOINTMENT_STATE_BOOKED);
  EXPECT_EQ(contact.start_time().seconds(), made.start_time().seconds());
  EXPECT_EQ(contact.phone_number(), request.appointment().citizen().phone_number());
  EXPECT_EQ(contact.email(), request.appointment().citizen().email());
  EXPECT_EQ(contact.preferred_contact(), request.appointment().citizen().preferred_contact());
  // A pseudonym to key their opt-outs on: hex, not the codice fiscale nor its blind index.
  EXPECT_EQ(contact.citizen().size(), 64u);
  EXPECT_EQ(contact.citizen().find_first_not_of("0123456789abcdef"), std::string::npos);
  // Nothing else of the citizen travels: not the name, not the codice fiscale.
  const std::string wire = contact.SerializeAsString();
  EXPECT_EQ(wire.find(request.appointment().citizen().family_name()), std::string::npos);
  EXPECT_EQ(wire.find(request.appointment().citizen().codice_fiscale()), std::string::npos);
  ASSERT_EQ(Trail().size(), 2u);
  EXPECT_THAT(Trail()[1], ::testing::ElementsAre("test-user", "notifier", "READ", made.name(),
                                                 "notification", "", "1"));
  // Staff, the portal and another comune's notifier may not call it; the notifier may not read
  // the whole appointment.
  for (const std::string& token : {Operator(), Portal(), Token(tenant_, {"tenant_admin"}),
                                   Token(other_tenant_, {"notifier"})}) {
    EXPECT_EQ(Call(&Stub::GetAppointmentContact, token, get, &contact).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }
  v1::Appointment whole;
  v1::GetAppointmentRequest get_whole;
  get_whole.set_name(made.name());
  EXPECT_EQ(Call(&Stub::GetAppointment, notifier, get_whole, &whole).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Trail().size(), 2u);

  // The pseudonym is the citizen's: the same on their other appointment, another's elsewhere.
  const auto pseudonym_of = [&](const v1::Appointment& appointment) {
    v1::GetAppointmentContactRequest read;
    read.set_name(appointment.name());
    v1::AppointmentContact found;
    EXPECT_TRUE(Call(&Stub::GetAppointmentContact, notifier, read, &found).ok());
    return found.citizen();
  };
  EXPECT_EQ(pseudonym_of(Book(Distinctive(SlotStart(4, 0), 15))), contact.citizen());
  EXPECT_NE(pseudonym_of(Book(Distinctive(SlotStart(4, 0), 16))), contact.citizen());
}

TEST_F(AuditTrailTest, AReadWhoseAuditRowCannotBeWrittenFailsAndShowsNothing) {
  const v1::Appointment made = Book(Distinctive(SlotStart(3, 0), 13));
  ASSERT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec(
        "ALTER TABLE scheduling.audit_events ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
    return absl::OkStatus();
  }));
  v1::Appointment read;
  const grpc::Status status = Get(made.name(), &read);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_FALSE(read.has_citizen());
  EXPECT_FALSE(
      Call(&Stub::CreateAppointment, Portal(), Distinctive(SlotStart(3, 1), 14), &read).ok());
  EXPECT_EQ(BookedAt("sede", SlotStart(3, 1)), 0);  // a booking that cannot be audited is not made
}

TEST_F(AuditTrailTest, APurposeIsStatedFromTheCodedListThatTheRoleAllows) {
  const v1::Appointment made = Book(Distinctive(SlotStart(3, 0), 15));
  clock_.Advance(absl::Seconds(1));  // the trail is read in time order
  EXPECT_TRUE(
      GetWithPurpose(made.name(), Token(tenant_, {"coordinator"}), "service_delivery").ok());
  EXPECT_EQ(Trail().back()[4], "service_delivery");
  const Failure denied =
      Decode(GetWithPurpose(made.name(), Token(tenant_, {"operator"}), "data_protection"));
  EXPECT_EQ(denied.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(denied.reason, "PURPOSE_NOT_ALLOWED");
  const Failure unknown =
      Decode(GetWithPurpose(made.name(), Token(tenant_, {"operator"}), "Mario Rossi"));
  EXPECT_EQ(unknown.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(unknown), ::testing::ElementsAre("x-sportelli-purpose"));
  EXPECT_EQ(Trail().size(), 2u);  // the refused reads left nothing
}

// ---- the DPO's API (sportelli.audit.v1)
// ----------------------------------------------------------

class DpoTest : public AuditTrailTest {
 protected:
  std::string Dpo() { return Token(tenant_, {"dpo"}); }

  template <typename Request, typename Response>
  grpc::Status AuditCall(grpc::Status (audit::v1::AuditService::Stub::*method)(grpc::ClientContext*,
                                                                               const Request&,
                                                                               Response*),
                         const std::string& token, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(30)));
    context.AddMetadata("authorization", "Bearer " + token);
    return (audit_stub_.get()->*method)(&context, request, response);
  }

  audit::v1::VerifyAuditChainResponse Verify() {
    audit::v1::VerifyAuditChainRequest request;
    request.set_parent("tenants/" + tenant_);
    audit::v1::VerifyAuditChainResponse response;
    const grpc::Status status =
        AuditCall(&audit::v1::AuditService::Stub::VerifyAuditChain, Dpo(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
};

TEST_F(DpoTest, TheChainIsSoundUntilARowIsChangedBehindTheServicesBack) {
  const v1::Appointment made = Book(Distinctive(SlotStart(3, 0), 21));
  v1::Appointment read;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Get(made.name(), &read).ok());
  audit::v1::VerifyAuditChainResponse sound = Verify();
  EXPECT_EQ(sound.rows(), 6);
  EXPECT_FALSE(sound.has_first_break());
  ASSERT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(
        "UPDATE scheduling.audit_events SET subject = 'nessuno' WHERE tenant_id = $1 AND "
        "action = 'READ' AND sequence = (SELECT min(sequence) FROM scheduling.audit_events WHERE "
        "tenant_id = $1 AND action = 'READ' AND lane = (SELECT min(lane) FROM "
        "scheduling.audit_events WHERE tenant_id = $1 AND action = 'READ')) AND lane = (SELECT "
        "min(lane) FROM scheduling.audit_events WHERE tenant_id = $1 AND action = 'READ')",
        tenant_);
    return absl::OkStatus();
  }));
  audit::v1::VerifyAuditChainResponse broken = Verify();
  ASSERT_TRUE(broken.has_first_break());
  EXPECT_THAT(broken.first_break().problem(), HasSubstr("was changed"));
}

TEST_F(DpoTest, WhoLookedAtMyDataListsOnlyThatCitizensAccessesAndIsRecordedItself) {
  const v1::CreateAppointmentRequest mine = Distinctive(SlotStart(3, 0), 22);
  const v1::Appointment made = Book(mine);
  const v1::Appointment other = Book(Distinctive(SlotStart(3, 1), 23));
  v1::Appointment read;
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Get(made.name(), &read).ok());
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(Get(other.name(), &read).ok());
  clock_.Advance(absl::Seconds(1));

  audit::v1::ListAuditEventsRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_codice_fiscale(absl::AsciiStrToLower(mine.appointment().citizen().codice_fiscale()));
  audit::v1::ListAuditEventsResponse response;
  ASSERT_TRUE(
      AuditCall(&audit::v1::AuditService::Stub::ListAuditEvents, Dpo(), request, &response).ok());
  ASSERT_EQ(response.audit_events_size(), 2);  // the read, then the booking: newest first
  EXPECT_EQ(response.audit_events(0).action(), audit::v1::AUDIT_ACTION_READ);
  EXPECT_EQ(response.audit_events(0).resource(), made.name());
  EXPECT_EQ(response.audit_events(0).subject(), "test-user");
  EXPECT_EQ(response.audit_events(1).action(), audit::v1::AUDIT_ACTION_CREATE);
  // The DPO's own listing is in the trail now, under their purpose.
  clock_.Advance(absl::Seconds(1));
  ASSERT_TRUE(
      AuditCall(&audit::v1::AuditService::Stub::ListAuditEvents, Dpo(), request, &response).ok());
  EXPECT_EQ(response.audit_events(0).action(), audit::v1::AUDIT_ACTION_LIST);
  EXPECT_EQ(response.audit_events(0).purpose(), "data_protection");
  EXPECT_THAT(response.audit_events(0).roles(), ::testing::ElementsAre("dpo"));
}

TEST_F(DpoTest, TheExportHoldsEveryAppointmentOfTheCitizenAndNothingOfOthers) {
  const v1::CreateAppointmentRequest mine = Distinctive(SlotStart(3, 0), 24);
  const v1::Appointment first = Book(mine);
  const v1::Appointment second = Book(Distinctive(SlotStart(4, 0), 24));
  Book(Distinctive(SlotStart(3, 1), 25));
  v1::CancelAppointmentRequest cancel;
  cancel.set_name(second.name());
  v1::Appointment cancelled;
  ASSERT_TRUE(Call(&Stub::CancelAppointment, Operator(), cancel, &cancelled).ok());
  clock_.Advance(absl::Seconds(1));  // the trail is read in time order

  audit::v1::ExportCitizenDataRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_codice_fiscale(mine.appointment().citizen().codice_fiscale());
  audit::v1::ExportCitizenDataResponse response;
  ASSERT_TRUE(
      AuditCall(&audit::v1::AuditService::Stub::ExportCitizenData, Dpo(), request, &response).ok());
  const nlohmann::json document = nlohmann::json::parse(response.json());
  EXPECT_EQ(document["service"], "scheduling");
  EXPECT_EQ(document["comune"], tenant_);
  const nlohmann::json& held = document["data"]["appointments"];
  ASSERT_EQ(held.size(), 2u);
  EXPECT_EQ(held[0]["name"], first.name());
  EXPECT_EQ(held[0]["citizen"]["family_name"], "Zanobiniy");
  EXPECT_EQ(held[1]["state"], "APPOINTMENT_STATE_CANCELLED");
  EXPECT_EQ(response.json().find("Zanobiniz"), std::string::npos);  // citizen 25
  EXPECT_EQ(Trail().back()[2], "EXPORT");
}

TEST_F(DpoTest, OnlyTheComunesDpoAndOnlyWithAValidCode) {
  audit::v1::ExportCitizenDataRequest request;
  request.set_parent("tenants/" + tenant_);
  request.set_codice_fiscale(CodiceFiscale(1));
  audit::v1::ExportCitizenDataResponse response;
  for (const std::string& token : {Operator(), Token(tenant_, {"tenant_admin", "coordinator"}),
                                   Token(other_tenant_, {"dpo"})}) {
    const Failure denied = Decode(
        AuditCall(&audit::v1::AuditService::Stub::ExportCitizenData, token, request, &response));
    EXPECT_EQ(denied.code, grpc::StatusCode::PERMISSION_DENIED);
  }
  request.set_codice_fiscale("RSSMRA80A01H501Q");  // wrong check letter
  const grpc::Status bad =
      AuditCall(&audit::v1::AuditService::Stub::ExportCitizenData, Dpo(), request, &response);
  const Failure failure = Decode(bad);
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(failure), ::testing::ElementsAre("codice_fiscale"));
  EXPECT_THAT(bad.error_message(), ::testing::Not(HasSubstr("RSSMRA80A01H501Q")));
  EXPECT_TRUE(Trail().empty());
}

}  // namespace
}  // namespace sportelli::scheduling::testing
