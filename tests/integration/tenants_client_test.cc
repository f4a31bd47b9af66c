// The tenants client (libs/tenants_client) against the real tenants service, in-process over a
// seeded throwaway database: what another service learns about Marlia's desk, the in-process
// cache and its invalidation, and the deadline when tenants does not answer.

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/tenants/postgres_tenants_repository.h"
#include "services/tenants/seed.h"
#include "services/tenants/tenants_grpc_service.h"
#include "sportelli/auth/keys.h"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/server/server.h"
#include "sportelli/status/errors.h"
#include "sportelli/tenants_client/grpc_directory.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::tenants {
const std::vector<pg::Migration>& Migrations();
}

namespace sportelli::tenants_client {
namespace {

class TenantsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate("tenants", tenants::Migrations(),
                           {pg::RequestIdsComponent(), events::OutboxComponent()}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 4}));
    repository_ = std::make_unique<tenants::PostgresTenantsRepository>(pool_.get(), &clock_);
    ASSERT_OK(tenants::ApplySeed(tenants::PianaDiLuccaSeed(), *repository_).status());
    metrics_ = std::make_unique<server::RpcMetrics>("tenants", *registry_);
    handler_ = std::make_unique<server::RpcHandler>("tenants.sportelli", &identity_.verifier(),
                                                    metrics_.get(), &logger_);
    service_ = std::make_unique<tenants::TenantsGrpcService>(repository_.get(), handler_.get());
    server_ = std::make_unique<server::Server>(
        sportelli::testing::TestServerOptions("sportelli.tenants.v1.TenantsService"), &logger_,
        registry_);
    server_->AddService(service_.get());
    ASSERT_OK(server_->Start());
    directory_ = std::make_unique<GrpcDirectory>(
        sportelli::testing::ChannelTo(*server_),
        DirectoryOptions{.deadline = absl::Seconds(2), .ttl = absl::Minutes(1)}, &clock_);
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<tenants::PostgresTenantsRepository> repository_;
  sportelli::testing::TestIdentity identity_;
  const auth::OnBehalfOf credentials_ =
      auth::OnBehalfOf::Token(identity_.Bearer("capannori", {"portal"}));
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  logging::Logger logger_{"tenants-test", logging::Level::kWarning};
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<tenants::TenantsGrpcService> service_;
  std::unique_ptr<server::Server> server_;
  // Times the directory's cache only; tokens and the tenants service use the system clock.
  clock::FakeClock clock_{
      absl::FromCivil(absl::CivilMinute(2026, 11, 30, 9, 0), absl::UTCTimeZone())};
  std::unique_ptr<GrpcDirectory> directory_;
};

TEST_F(TenantsClientTest, MarliaAsTheTenantsServiceDescribesIt) {
  ASSERT_OK_AND_ASSIGN(DeskInfo desk,
                       directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia"));
  EXPECT_EQ(desk.capacity, 1);
  EXPECT_TRUE(desk.takes_appointments);
  EXPECT_FALSE(desk.takes_walk_ins);
  EXPECT_FALSE(desk.service_ids.empty());
  ASSERT_OK_AND_ASSIGN(absl::TimeZone zone, directory_->GetTimeZone(credentials_, "capannori"));
  EXPECT_EQ(zone.name(), "Europe/Rome");
  // Wednesday 2 December 2026, 09:00-12:00 CET; the Tuesday before is closed.
  ASSERT_OK_AND_ASSIGN(
      OpenHours hours,
      directory_->GetOpenHours(credentials_, "capannori", "casa-salute-marlia",
                               absl::CivilDay(2026, 12, 1), absl::CivilDay(2026, 12, 2)));
  ASSERT_EQ(hours.intervals.size(), 1u);
  EXPECT_EQ(hours.intervals[0].start,
            absl::FromCivil(absl::CivilMinute(2026, 12, 2, 8, 0), absl::UTCTimeZone()));
  EXPECT_EQ(hours.intervals[0].end,
            absl::FromCivil(absl::CivilMinute(2026, 12, 2, 11, 0), absl::UTCTimeZone()));
}

TEST_F(TenantsClientTest, AnswersFromItsCacheWhileTenantsIsDown) {
  ASSERT_OK(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status());
  ASSERT_OK(directory_
                ->GetOpenHours(credentials_, "capannori", "casa-salute-marlia",
                               absl::CivilDay(2026, 12, 2), absl::CivilDay(2026, 12, 2))
                .status());
  server_->Shutdown();
  EXPECT_OK(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status());
  EXPECT_OK(directory_
                ->GetOpenHours(credentials_, "capannori", "casa-salute-marlia",
                               absl::CivilDay(2026, 12, 2), absl::CivilDay(2026, 12, 2))
                .status());
  // Not cached: the dependency's failure, named, within the deadline.
  clock::Stopwatch watch;
  absl::StatusOr<DeskInfo> other = directory_->GetDesk(credentials_, "capannori", "sede-centrale");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(other.status()).value_or(""), "TENANTS_UNAVAILABLE");
  EXPECT_LT(watch.Elapsed(), absl::Seconds(5));
  // The cached answers last their TTL, not forever.
  clock_.Advance(absl::Minutes(1));
  EXPECT_EQ(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status().code(),
            absl::StatusCode::kUnavailable);
}

TEST_F(TenantsClientTest, TenantsAnswersAboutOtherComuniPassThrough) {
  absl::StatusOr<DeskInfo> missing = directory_->GetDesk(credentials_, "capannori", "nessuno");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  absl::StatusOr<DeskInfo> foreign = directory_->GetDesk(credentials_, "lucca", "sede");
  EXPECT_EQ(foreign.status().code(), absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sportelli::tenants_client

namespace sportelli::tenants_client {
namespace {

TEST_F(TenantsClientTest, ForgettingAComuneDropsWhatWasCachedOfIt) {
  ASSERT_OK(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status());
  server_->Shutdown();
  EXPECT_OK(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status());
  directory_->Forget("lucca");  // another comune: Capannori's entries stay
  EXPECT_OK(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status());
  directory_->Forget("capannori");
  EXPECT_EQ(directory_->GetDesk(credentials_, "capannori", "casa-salute-marlia").status().code(),
            absl::StatusCode::kUnavailable);  // asked again, and tenants is gone
}

TEST_F(TenantsClientTest, AnOperatorsDesksAsTheComuneRecordsThem) {
  auto stub = tenants::v1::TenantsService::NewStub(sportelli::testing::ChannelTo(*server_));
  tenants::v1::CreateOperatorRequest create;
  create.set_parent("tenants/capannori");
  create.set_operator_id("giulia");
  tenants::v1::Operator* op = create.mutable_operator_();
  op->set_display_name("Giulia");
  op->set_subject("sub-giulia");
  op->add_roles(tenants::v1::OPERATOR_ROLE_OPERATOR);
  op->add_desks("tenants/capannori/desks/sede-centrale");
  op->add_desks("tenants/capannori/desks/casa-salute-marlia");
  tenants::v1::Operator created;
  grpc::ClientContext context;
  context.AddMetadata("authorization", identity_.Bearer("capannori", {"tenant_admin"}));
  const grpc::Status status = stub->CreateOperator(&context, create, &created);
  ASSERT_TRUE(status.ok()) << status.error_message();

  const auth::OnBehalfOf staff =
      auth::OnBehalfOf::Token(identity_.Bearer("capannori", {"operator"}));
  EXPECT_THAT(directory_->GetOperatorDesks(staff, "capannori", "sub-giulia"),
              sportelli::testing::IsOkAndHolds(
                  std::vector<std::string>{"sede-centrale", "casa-salute-marlia"}));
  // Nobody of that subject: no desk.
  EXPECT_THAT(directory_->GetOperatorDesks(staff, "capannori", "sub-nobody"),
              sportelli::testing::IsOkAndHolds(std::vector<std::string>{}));
  // Another comune knows no Giulia.
  const auth::OnBehalfOf lucca = auth::OnBehalfOf::Token(identity_.Bearer("lucca", {"operator"}));
  EXPECT_THAT(directory_->GetOperatorDesks(lucca, "lucca", "sub-giulia"),
              sportelli::testing::IsOkAndHolds(std::vector<std::string>{}));
  // The portal may not list staff.
  directory_->Forget("capannori");
  EXPECT_EQ(directory_->GetOperatorDesks(credentials_, "capannori", "sub-giulia").status().code(),
            absl::StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace sportelli::tenants_client
