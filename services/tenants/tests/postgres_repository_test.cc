// Integration tests of the tenants schema on a real PostgreSQL: migrations from zero, the seed
// applied twice, and row-level security proven against the application role itself.
#include <memory>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/tenants/postgres_tenants_repository.h"
#include "services/tenants/seed.h"
#include "sportelli/clock/clock.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::tenants {
const std::vector<pg::Migration>& Migrations();

namespace {

class PostgresTenantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK_AND_ASSIGN(owner_, pg::ConnectionPool::Create(db_->owner_dsn(), {.max_size = 1}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 2}));
  }

  absl::StatusOr<int> Migrate() {
    return pg::ApplyMigrations(
        *owner_, "tenants", Migrations(),
        {.runtime_role = db_->runtime_role(),
         .components = {pg::RequestIdsComponent(), events::OutboxComponent()}});
  }

  void MigrateAndSeed() {
    ASSERT_OK(Migrate().status());
    PostgresTenantsRepository repository(pool_.get(), &clock_);
    ASSERT_OK(ApplySeed(PianaDiLuccaSeed(), repository).status());
  }

  // Every row of every table, as text, in a stable order: what "the same data" means.
  std::string Dump() {
    pqxx::connection connection(db_->admin_dsn());  // superuser: sees every tenant's rows
    pqxx::work tx(connection);
    std::string out;
    for (const char* table : {"tenants", "services", "desks", "desk_hours", "channels",
                              "channel_hours", "closures", "holidays", "operators"}) {
      pqxx::result rows =
          tx.exec(std::string("SELECT t::text FROM tenants.") + table + " t ORDER BY 1");
      for (const auto& row : rows)
        out += std::string(table) + " " + row[0].as<std::string>() + "\n";
    }
    return out;
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> owner_;  // migrations
  std::unique_ptr<pg::ConnectionPool> pool_;   // the runtime role, as the service runs
  clock::FakeClock clock_{absl::FromUnixSeconds(1780300800)};
};

TEST_F(PostgresTenantsTest, MigratesFromZeroOnceAndRecordsTheVersion) {
  ASSERT_OK_AND_ASSIGN(int applied, Migrate());
  EXPECT_EQ(applied, static_cast<int>(Migrations().size()) + 2);  // + request_ids, outbox
  ASSERT_OK_AND_ASSIGN(int again, Migrate());
  EXPECT_EQ(again, 0);
  pqxx::connection connection(db_->admin_dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.schema_migrations")[0][0].as<int>(),
            static_cast<int>(Migrations().size()));
  // Every table is protected by forced row-level security.
  pqxx::result unprotected = tx.exec(
      "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
      "WHERE n.nspname = 'tenants' AND c.relkind = 'r' "
      "AND relname NOT IN ('schema_migrations', 'kit_migrations') "
      "AND NOT (relrowsecurity AND relforcerowsecurity)");
  EXPECT_EQ(unprotected.size(), 0u) << unprotected[0][0].as<std::string>();
}

TEST_F(PostgresTenantsTest, SeedTwiceGivesTheSameData) {
  MigrateAndSeed();
  const std::string first = Dump();
  EXPECT_THAT(first, ::testing::HasSubstr("Piazza Aldo Moro 1"));
  PostgresTenantsRepository repository(pool_.get(), &clock_);
  ASSERT_OK_AND_ASSIGN(SeedReport report, ApplySeed(PianaDiLuccaSeed(), repository));
  EXPECT_EQ(report.created, 0);
  EXPECT_EQ(Dump(), first);  // update_time included: nothing was touched
}

TEST_F(PostgresTenantsTest, SeedKeepsWhatAnAdministratorChanged) {
  MigrateAndSeed();
  PostgresTenantsRepository repository(pool_.get(), &clock_);
  ASSERT_OK_AND_ASSIGN(Desk desk, repository.GetDesk("capannori", "casa-salute-marlia"));
  desk.capacity = 3;
  desk.opening_hours = {{absl::Weekday::thursday, 14 * 60, 17 * 60}};
  ASSERT_OK(repository.UpdateDesk(desk).status());
  ASSERT_OK(repository.DeleteDesk("porcari", "sportello-sociale"));
  ASSERT_OK_AND_ASSIGN(SeedReport report, ApplySeed(PianaDiLuccaSeed(), repository));
  EXPECT_EQ(report.created, 1);  // the deleted desk: the seed creates what is missing
  ASSERT_OK_AND_ASSIGN(Desk after, repository.GetDesk("capannori", "casa-salute-marlia"));
  EXPECT_EQ(after.capacity, 3);
  EXPECT_EQ(after.opening_hours, desk.opening_hours);
}

TEST_F(PostgresTenantsTest, DeletingADeskRemovesItFromOperators) {
  MigrateAndSeed();
  PostgresTenantsRepository repository(pool_.get(), &clock_);
  Operator op;
  op.tenant_id = "capannori";
  op.id = "anna";
  op.display_name = "Anna";
  op.subject = "idp|anna";
  op.roles = {OperatorRole::kOperator};
  op.desk_ids = {"casa-salute-marlia", "sede-centrale"};
  ASSERT_OK(repository.CreateOperator(op, {}, nullptr).status());
  ASSERT_OK(repository.DeleteDesk("capannori", "casa-salute-marlia"));
  ASSERT_OK_AND_ASSIGN(Operator after, repository.GetOperator("capannori", "anna"));
  EXPECT_THAT(after.desk_ids, ::testing::ElementsAre("sede-centrale"));
  after.display_name = "Anna B.";  // still updatable: no dangling reference left
  EXPECT_OK(repository.UpdateOperator(after).status());
}

TEST_F(PostgresTenantsTest, SeedHasTheSevenComuniAndCapannorisDesks) {
  MigrateAndSeed();
  pqxx::connection connection(db_->admin_dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.tenants")[0][0].as<int>(), 7);
  EXPECT_EQ(tx.exec("SELECT tenant_id FROM tenants.tenants WHERE lead")[0][0].as<std::string>(),
            "capannori");
  EXPECT_EQ(
      tx.exec("SELECT count(*) FROM tenants.desks WHERE tenant_id = 'capannori'")[0][0].as<int>(),
      3);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.desks")[0][0].as<int>(), 9);
}

TEST_F(PostgresTenantsTest, AnotherTenantsRowsAreInvisibleEvenWithoutATenantFilter) {
  MigrateAndSeed();
  // The application role, as the service connects; no WHERE tenant_id anywhere below.
  pqxx::connection connection(db_->owner_dsn());
  pqxx::work tx(connection);
  tx.exec("SELECT set_config('app.tenant_id', 'lucca', true)");
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.desks")[0][0].as<int>(), 1);
  EXPECT_EQ(
      tx.exec("SELECT count(*) FROM tenants.desks WHERE tenant_id = 'capannori'")[0][0].as<int>(),
      0);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.tenants")[0][0].as<int>(), 1);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.channels")[0][0].as<int>(),
            0);  // Capannori's line
  EXPECT_EQ(
      tx.exec("SELECT count(*) FROM tenants.desk_hours WHERE tenant_id <> 'lucca'")[0][0].as<int>(),
      0);
  // Writes into another tenant are refused by the policy's WITH CHECK, and updates find nothing.
  EXPECT_EQ(tx.exec("UPDATE tenants.desks SET capacity = 50 WHERE desk_id = 'sede-centrale'")
                .affected_rows(),
            0u);
  EXPECT_THROW(
      tx.exec(
          "INSERT INTO tenants.services (tenant_id, service_id, display_name, duration_minutes) "
          "VALUES ('capannori', 'intrusa', 'x', 30)"),
      pqxx::sql_error);  // the last statement: it aborts the transaction
}

TEST_F(PostgresTenantsTest, WithoutTenantContextNothingIsVisible) {
  MigrateAndSeed();
  pqxx::connection connection(db_->owner_dsn());
  pqxx::work tx(connection);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.desks")[0][0].as<int>(), 0);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.tenants")[0][0].as<int>(), 0);
  // The role cannot switch row-level security off for itself.
  EXPECT_THROW(tx.exec("SET LOCAL row_security = off; SELECT count(*) FROM tenants.desks"),
               pqxx::sql_error);
}

TEST_F(PostgresTenantsTest, FederationSeesTheDirectoryButNoDesks) {
  MigrateAndSeed();
  pqxx::connection connection(db_->owner_dsn());
  pqxx::work tx(connection);
  tx.exec(
      "SELECT set_config('app.tenant_id', 'capannori', true), set_config('app.federation', 'on', "
      "true)");
  EXPECT_EQ(tx.exec("SELECT count(*) FROM tenants.tenants")[0][0].as<int>(), 7);
  EXPECT_EQ(tx.exec("SELECT count(DISTINCT tenant_id) FROM tenants.desks")[0][0].as<int>(), 1);
}

TEST_F(PostgresTenantsTest, TheRuntimeRoleCannotSwitchOffRowLevelSecurity) {
  ASSERT_OK(Migrate().status());
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, "tenants");
}

}  // namespace
}  // namespace sportelli::tenants

namespace sportelli::tenants {
namespace {

TEST_F(PostgresTenantsTest, EveryConfigurationChangeWritesItsEventInTheSameTransaction) {
  MigrateAndSeed();
  pqxx::connection admin(db_->admin_dsn());
  auto outbox = [&admin]() {
    pqxx::work tx(admin);
    std::vector<std::string> types;
    for (const auto& row : tx.exec("SELECT event_type FROM tenants.outbox WHERE tenant_id = "
                                   "'capannori' ORDER BY sequence")) {
      types.push_back(row[0].as<std::string>());
    }
    return types;
  };
  const size_t seeded = outbox().size();
  PostgresTenantsRepository repository(pool_.get(), &clock_);
  Closure closure;
  closure.tenant_id = "capannori";
  closure.desk_id = "sede-centrale";
  closure.id = "agosto";
  closure.start_date = absl::CivilDay(2026, 8, 10);
  closure.end_date = absl::CivilDay(2026, 8, 14);
  closure.citizen_notice = ClosureNotice::kMoved;
  ASSERT_OK_AND_ASSIGN(auto created, repository.CreateClosure(closure, {}, nullptr));
  ASSERT_TRUE(created.value.has_value());
  EXPECT_EQ(created.value->citizen_notice, ClosureNotice::kMoved);
  {
    // The new closure's event tells the notifications service what the citizens are told.
    pqxx::work read(admin);
    const pqxx::result newest = read.exec(
        "SELECT encode(payload, 'hex') FROM tenants.outbox ORDER BY sequence DESC LIMIT 1");
    events::v1::Event made;
    ASSERT_TRUE(made.ParseFromString(absl::HexStringToBytes(newest[0][0].as<std::string>())));
    EXPECT_EQ(made.closure_changed().change(), events::v1::CHANGE_UPSERTED);
    EXPECT_EQ(made.closure_changed().citizen_notice(), events::v1::CITIZEN_NOTICE_MOVED);
  }
  ASSERT_OK(repository.DeleteClosure("capannori", "sede-centrale", "agosto"));
  // A change that fails writes no event.
  EXPECT_FALSE(repository.DeleteClosure("capannori", "sede-centrale", "agosto").ok());
  std::vector<std::string> types = outbox();
  ASSERT_EQ(types.size(), seeded + 2);
  EXPECT_EQ(types[seeded], "ClosureChanged");
  EXPECT_EQ(types[seeded + 1], "ClosureChanged");
  pqxx::work tx(admin);
  const pqxx::result last =
      tx.exec("SELECT encode(payload, 'hex') FROM tenants.outbox ORDER BY sequence DESC LIMIT 1");
  events::v1::Event event;
  ASSERT_TRUE(event.ParseFromString(absl::HexStringToBytes(last[0][0].as<std::string>())));
  EXPECT_EQ(event.tenant(), "capannori");
  EXPECT_EQ(event.resource(), "tenants/capannori/desks/sede-centrale/closures/agosto");
  EXPECT_EQ(event.closure_changed().change(), events::v1::CHANGE_DELETED);
  EXPECT_EQ(event.closure_changed().desk(), "tenants/capannori/desks/sede-centrale");
  EXPECT_EQ(event.closure_changed().start_date().day(), 10);
  EXPECT_EQ(event.closure_changed().end_date().day(), 14);
}

}  // namespace
}  // namespace sportelli::tenants
