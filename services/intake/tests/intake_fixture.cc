#include "services/intake/tests/intake_fixture.h"

#include <random>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/intake/export.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/crypto/random.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::intake {
const std::vector<pg::Migration>& Migrations();
}

namespace sportelli::intake::testing {

using tenants_client::testing::Rome;

const absl::Time kTestStart =
    absl::FromCivil(absl::CivilMinute(2026, 11, 30, 10, 0), tenants_client::testing::Rome());

std::string CodiceFiscale(int n) {
  // RSSMRA80A41E715 + check (a woman born 1 January 1980), surname letters varied by n.
  std::string code = "RSSMRA80A41E715";
  code[0] = static_cast<char>('A' + n % 26);
  code[1] = static_cast<char>('A' + (n / 26) % 26);
  code[2] = static_cast<char>('A' + (n / 676) % 26);
  return code + *citizen::CodiceFiscaleCheckCharacter(code);
}

void IntakeTest::SetUp() {
  ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
  ASSERT_OK(db_->Migrate("intake", Migrations(),
                         {pg::RequestIdsComponent(), events::OutboxComponent(),
                          keyring::KeysComponent(), audit::AuditComponent()}));
  ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 16}));
  ASSERT_OK_AND_ASSIGN(admin_pool_, pg::ConnectionPool::Create(db_->admin_dsn(), {.max_size = 2}));
  std::random_device random;
  const std::string suffix = absl::StrCat(random() % 1000000000);
  tenant_ = "capannori-" + suffix;
  other_tenant_ = "lucca-" + suffix;
  directory_.AddDesk(tenant_, "sede", tenants_client::DeskInfo{3, true, true, {"colloquio"}});
  directory_.AddDesk(other_tenant_, "sede", tenants_client::DeskInfo{3, true, true, {"colloquio"}});

  secret_ = std::make_unique<crypto::SecretKey>(*crypto::SecretKey::Create(std::string(32, 'k')));
  kek_ = *crypto::FileKeyEncryptionKey::Parse(crypto::FileKeyEncryptionKey::GenerateFile());
  keyring_ = std::make_unique<keyring::Keyring>(kek_.get(), kSchema, &clock_);
  audit_ = std::make_unique<audit::AuditLog>(kSchema, &clock_);
  repository_ =
      std::make_unique<PostgresIntakeRepository>(pool_.get(), keyring_.get(), audit_.get());
  registry_ = std::make_shared<prometheus::Registry>();
  intake_ = std::make_unique<Intake>(repository_.get(), &directory_, &appointments_, secret_.get(),
                                     &clock_, *registry_, kTestMaxAttachmentBytes);
  metrics_ = std::make_unique<server::RpcMetrics>("intake", *registry_);
  handler_ = std::make_unique<server::RpcHandler>("intake.sportelli", &identity_.verifier(),
                                                  metrics_.get(), &logger_);
  service_ = std::make_unique<IntakeGrpcService>(intake_.get(), handler_.get());
  audit_service_ = std::make_unique<audit::AuditGrpcService>(
      kSchema, pool_.get(), audit_.get(), secret_.get(), handler_.get(), &clock_,
      CitizenDataExporter(repository_.get()));
  server_ = std::make_unique<server::Server>(
      sportelli::testing::TestServerOptions("sportelli.intake.v1.IntakeService", 32), &logger_,
      registry_);
  server_->AddService(service_.get());
  server_->AddService(audit_service_.get());
  ASSERT_OK(server_->Start());
  auto channel = sportelli::testing::ChannelTo(*server_);
  stub_ = v1::IntakeService::NewStub(channel);
  audit_stub_ = audit::v1::AuditService::NewStub(channel);
}

void IntakeTest::TearDown() {
  if (server_) server_->Shutdown();
}

std::string IntakeTest::Desk(const std::string& desk) const {
  return absl::StrCat("tenants/", tenant_, "/desks/", desk);
}

v1::CreatePersonRequest IntakeTest::NewPerson(int n) {
  v1::CreatePersonRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  v1::Person* p = request.mutable_person();
  p->set_given_name("Maria");
  p->set_family_name("Rossi");
  p->set_codice_fiscale(CodiceFiscale(n));
  *p->mutable_birth_date() = api::ToDate(absl::CivilDay(1980, 1, 1));
  p->set_sex(v1::SEX_FEMALE);
  p->set_citizenship("IT");
  p->mutable_address()->set_street_address("Via del Popolo 12");
  p->mutable_address()->set_postal_code("55012");
  p->mutable_address()->set_locality("Capannori");
  p->mutable_address()->set_province("LU");
  p->set_phone_number("+393331234567");
  p->set_email("maria.rossi@example.org");
  p->set_privacy_notice_version("2026-01");
  v1::Consent* consent = p->add_consents();
  consent->set_kind(v1::CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES);
  consent->set_granted(true);
  request.set_request_id(crypto::RandomUuid());
  return request;
}

std::string IntakeTest::Register(int n) {
  v1::Person person;
  const grpc::Status status =
      Call(&v1::IntakeService::Stub::CreatePerson, Operator(), NewPerson(n), &person);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return person.name();
}

v1::CreateContactRequest IntakeTest::NewContact(const std::string& person) {
  v1::CreateContactRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  v1::Contact* c = request.mutable_contact();
  c->set_person(person);
  c->set_desk(Desk());
  c->set_channel(v1::CONTACT_CHANNEL_WALK_IN);
  api::ToTimestamp(clock_.Now() - absl::Minutes(30), c->mutable_contact_time());
  c->add_need_areas(v1::NEED_AREA_ECONOMIC_HARDSHIP);
  c->add_need_areas(v1::NEED_AREA_HOUSING);
  c->set_information_given("Sfratto annunciato per gennaio; spiegato il fondo morosita.");
  c->set_outcome(person.empty() ? v1::CONTACT_OUTCOME_INFORMATION_ONLY
                                : v1::CONTACT_OUTCOME_CASE_OPENED);
  request.set_request_id(crypto::RandomUuid());
  return request;
}

std::string IntakeTest::AdminQuery(const std::string& sql) {
  absl::StatusOr<std::string> value =
      admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<std::string> {
        return tx.exec(sql)[0][0].as<std::string>("");
      });
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : "";
}

bool IntakeTest::InClear(const std::string& table, const std::string& needle) {
  return AdminQuery(absl::StrCat("SELECT count(*) FROM intake.", table, " t WHERE position('",
                                 needle, "'::bytea IN convert_to(t::text, 'UTF8')) > 0")) != "0";
}

}  // namespace sportelli::intake::testing
