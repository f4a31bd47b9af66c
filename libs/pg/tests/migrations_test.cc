// ApplyMigrations against a real PostgreSQL, run as the unprivileged application role.
#include "sportelli/pg/migrations.h"

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/internal/util.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::pg {
namespace {

using ::sportelli::testing::StatusIs;

// Deliberately not idempotent (no IF NOT EXISTS, a plain INSERT): applying one twice fails.
const Migration kV1 = {1, "V001__desks.sql",
                       "CREATE TABLE desks (id int PRIMARY KEY, name text NOT NULL);"};
const Migration kV2 = {2, "V002__slots.sql",
                       "CREATE TABLE slots (id int PRIMARY KEY, desk_id int REFERENCES desks);\n"
                       "INSERT INTO desks VALUES (1, 'Anagrafe');"};
const Migration kV3 = {3, "V003__floor.sql", "ALTER TABLE desks ADD COLUMN floor int;"};

class MigrationsTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = MakePool();
    ASSERT_NE(pool_, nullptr);
  }

  std::string Applied() {
    return AdminQuery(
        "SELECT string_agg(version || ':' || name, ',' ORDER BY version)"
        " FROM desks_svc.schema_migrations");
  }

  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(MigrationsTest, AppliesEveryMigrationToAnEmptyDatabase) {
  ASSERT_OK_AND_ASSIGN(int applied, ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(Applied(), "1:V001__desks.sql,2:V002__slots.sql");
  EXPECT_EQ(AdminQuery("SELECT checksum FROM desks_svc.schema_migrations WHERE version = 2"),
            crypto::Sha256Hex(kV2.sql));
  EXPECT_EQ(AdminQuery("SELECT name FROM desks_svc.desks"), "Anagrafe");
  // Unqualified names in the SQL landed in the service's schema, not in public.
  EXPECT_EQ(AdminQuery("SELECT to_regclass('public.desks')"), "");
  EXPECT_EQ(AdminQuery("SELECT pg_get_userbyid(nspowner) FROM pg_namespace"
                       " WHERE nspname = 'desks_svc'"),
            db_->owner_role());
}

TEST_F(MigrationsTest, ASecondRunAppliesNothing) {
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  ASSERT_OK_AND_ASSIGN(int applied, ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  EXPECT_EQ(applied, 0);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM desks_svc.desks"), "1");
}

TEST_F(MigrationsTest, AppliesOnlyTheNewVersions) {
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  ASSERT_OK_AND_ASSIGN(int applied, ApplyMigrations(*pool_, "desks_svc", {kV1, kV2, kV3}));
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(Applied(), "1:V001__desks.sql,2:V002__slots.sql,3:V003__floor.sql");
}

TEST_F(MigrationsTest, RefusesAMigrationChangedAfterItWasApplied) {
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  const Migration edited = {2, "V002__slots.sql", "CREATE TABLE slots (id bigint PRIMARY KEY);"};
  absl::StatusOr<int> applied = ApplyMigrations(*pool_, "desks_svc", {kV1, edited, kV3});
  EXPECT_THAT(applied,
              StatusIs(absl::StatusCode::kFailedPrecondition, "MIGRATION_CHECKSUM_MISMATCH"));
  EXPECT_NE(applied.status().message().find("V002__slots.sql"), absl::string_view::npos);
  EXPECT_EQ(Applied(), "1:V001__desks.sql,2:V002__slots.sql");  // V003 not applied either
  // The session lock was released: a correct run goes through at once.
  EXPECT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2, kV3}));
}

TEST_F(MigrationsTest, RefusesADatabaseNewerThanTheBinary) {
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2, kV3}));
  EXPECT_THAT(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "MIGRATION_UNKNOWN_VERSION"));
}

TEST_F(MigrationsTest, RefusesAMissingVersionBelowTheHighestApplied) {
  const Migration v3_without_v2 = {3, "V003__other.sql", "CREATE TABLE other (id int);"};
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, v3_without_v2}));
  EXPECT_THAT(ApplyMigrations(*pool_, "desks_svc", {kV1, kV2, v3_without_v2}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "MIGRATION_OUT_OF_ORDER"));
}

TEST_F(MigrationsTest, RejectsBadInputBeforeTouchingTheDatabase) {
  EXPECT_THAT(ApplyMigrations(*pool_, "desks_svc", {kV2, kV1}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyMigrations(*pool_, "desks_svc", {kV1, kV1}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ApplyMigrations(*pool_, "Desks; DROP", {kV1}),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM pg_namespace WHERE nspname = 'desks_svc'"), "0");
  EXPECT_EQ(pool_->size(), 0);
}

TEST_F(MigrationsTest, AFailingMigrationLeavesNoTraceAndCanBeFixed) {
  const Migration broken = {2, "V002__slots.sql",
                            "CREATE TABLE slots (id int PRIMARY KEY);\nSELEC 'typo';"};
  absl::StatusOr<int> applied = ApplyMigrations(*pool_, "desks_svc", {kV1, broken});
  EXPECT_THAT(applied, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(applied.status().message(),
            "migration V002__slots.sql failed: database error (sqlstate 42601)");
  EXPECT_EQ(Applied(), "1:V001__desks.sql");  // V001 committed on its own
  EXPECT_EQ(AdminQuery("SELECT to_regclass('desks_svc.slots')"), "");

  ASSERT_OK_AND_ASSIGN(int fixed, ApplyMigrations(*pool_, "desks_svc", {kV1, kV2}));
  EXPECT_EQ(fixed, 1);
}

TEST_F(MigrationsTest, ConcurrentRunsSerialiseAndApplyEachVersionOnce) {
  // Slow enough that without the lock both runs would find the schema empty.
  const Migration slow_v1 = {1, "V001__desks.sql",
                             "SELECT pg_sleep(0.3);\n"
                             "CREATE TABLE desks (id int PRIMARY KEY, name text NOT NULL);"};
  // Two pools: two processes, as two migrate Jobs would be.
  std::unique_ptr<ConnectionPool> other_pool = MakePool();
  ASSERT_NE(other_pool, nullptr);
  std::latch start(2);
  absl::StatusOr<int> first, second;
  std::thread a([&] {
    start.arrive_and_wait();
    first = ApplyMigrations(*pool_, "desks_svc", {slow_v1, kV2});
  });
  std::thread b([&] {
    start.arrive_and_wait();
    second = ApplyMigrations(*other_pool, "desks_svc", {slow_v1, kV2});
  });
  a.join();
  b.join();
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(*first + *second, 2);
  EXPECT_TRUE(*first == 0 || *second == 0);
  EXPECT_EQ(Applied(), "1:V001__desks.sql,2:V002__slots.sql");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM desks_svc.desks"), "1");
  // No advisory lock left behind on the pooled connections (pg_locks is cluster-wide: other
  // test processes run in parallel).
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database ="
                       " (SELECT oid FROM pg_database WHERE datname = current_database())"),
            "0");
}

}  // namespace
}  // namespace sportelli::pg

namespace sportelli::pg {
namespace {

const std::vector<Migration> kKit = {{1, "V001__things.sql",
                                      "CREATE TABLE IF NOT EXISTS things (id int PRIMARY KEY);\n"
                                      "GRANT SELECT, INSERT ON things TO {{runtime_role}};"}};

TEST_F(MigrationsTest, ComponentsComeAfterTheServicesOwnAndAreTrackedApart) {
  ASSERT_OK_AND_ASSIGN(int applied, ApplyMigrations(*pool_, "desks_svc", {kV1},
                                                    {.runtime_role = db_->runtime_role(),
                                                     .components = {{"things", &kKit}}}));
  EXPECT_EQ(applied, 2);
  EXPECT_EQ(Applied(), "1:V001__desks.sql");
  EXPECT_EQ(AdminQuery("SELECT string_agg(component || ':' || version, ',') "
                       "FROM desks_svc.kit_migrations"),
            "things:1");
  ASSERT_OK_AND_ASSIGN(applied, ApplyMigrations(*pool_, "desks_svc", {kV1},
                                                {.runtime_role = db_->runtime_role(),
                                                 .components = {{"things", &kKit}}}));
  EXPECT_EQ(applied, 0);
}

TEST_F(MigrationsTest, GrantsGoToTheRuntimeRoleNamedAtMigrationTime) {
  const Migration grant = {2, "V002__grant.sql", "GRANT SELECT ON desks TO {{runtime_role}};"};
  // Without a runtime role the migration cannot say whom it grants to: nothing of it applies.
  EXPECT_THAT(ApplyMigrations(*pool_, "desks_svc", {kV1, grant}),
              StatusIs(absl::StatusCode::kFailedPrecondition, "MIGRATION_NEEDS_RUNTIME_ROLE"));
  EXPECT_EQ(Applied(), "1:V001__desks.sql");
  ASSERT_OK(ApplyMigrations(*pool_, "desks_svc", {kV1, grant},
                            {.runtime_role = db_->runtime_role(), .components = {}})
                .status());
  // The runtime role reads (USAGE on the schema comes from the runner), and nothing more.
  pqxx::connection runtime(db_->runtime_dsn());
  pqxx::work tx(runtime);
  EXPECT_NO_THROW(tx.exec("SELECT count(*) FROM desks_svc.desks"));
  EXPECT_THROW(tx.exec("INSERT INTO desks_svc.desks VALUES (2, 'Tributi')"),
               pqxx::insufficient_privilege);
}

}  // namespace
}  // namespace sportelli::pg
