// TestDatabase against the throwaway cluster: what it creates, and that it cleans up.
#include "sportelli/testing/test_database.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "sportelli/testing/status_matchers.h"

namespace {

using ::sportelli::testing::TestDatabase;

std::string QueryOne(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  return tx.exec1(sql)[0].as<std::string>();
}

TEST(TestDatabaseTest, CreatesAnUnprivilegedRoleOnAFreshDatabase) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> db, TestDatabase::Create());
  EXPECT_EQ(QueryOne(db->owner_dsn(), "SELECT current_database() || ' ' || current_user"),
            db->database() + " " + db->owner_role());
  EXPECT_EQ(QueryOne(db->owner_dsn(),
                     "SELECT rolsuper::text || ' ' || rolbypassrls::text || ' '"
                     " || has_database_privilege(current_database(), 'CREATE')::text || ' '"
                     " || has_schema_privilege('public', 'CREATE')::text"
                     " FROM pg_roles WHERE rolname = current_user"),
            "false false true true");
  EXPECT_EQ(QueryOne(db->admin_dsn(),
                     "SELECT current_database() || ' ' || usesuper::text"
                     " FROM pg_user WHERE usename = current_user"),
            db->database() + " true");
}

TEST(TestDatabaseTest, TwoDatabasesAreDistinct) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> a, TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> b, TestDatabase::Create());
  EXPECT_NE(a->database(), b->database());
  EXPECT_NE(a->owner_role(), b->owner_role());
}

TEST(TestDatabaseTest, DropsTheDatabaseAndRoleEvenWithConnectionsLeftOpen) {
  const std::string admin = sportelli::testing::RequireEnv("SPORTELLI_TEST_PG_ADMIN_DSN");
  ASSERT_FALSE(admin.empty());
  std::string database, role;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<TestDatabase> db, TestDatabase::Create());
    database = db->database();
    role = db->owner_role();
    pqxx::connection leaked(db->owner_dsn());  // still open when the database is dropped
    db.reset();
  }
  EXPECT_EQ(QueryOne(admin, "SELECT count(*) FROM pg_database WHERE datname = '" + database + "'"),
            "0");
  EXPECT_EQ(QueryOne(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + role + "'"), "0");
}

TEST(TestDatabaseTest, AMissingAdminDsnFailsTheTestInsteadOfSkipping) {
  const char* saved = std::getenv("SPORTELLI_TEST_PG_ADMIN_DSN");
  const std::string value = saved == nullptr ? "" : saved;
  ::unsetenv("SPORTELLI_TEST_PG_ADMIN_DSN");
  EXPECT_NONFATAL_FAILURE(
      {
        absl::StatusOr<std::unique_ptr<TestDatabase>> db = TestDatabase::Create();
        EXPECT_FALSE(db.ok());
      },
      "SPORTELLI_TEST_PG_ADMIN_DSN is not set");
  if (!value.empty()) ::setenv("SPORTELLI_TEST_PG_ADMIN_DSN", value.c_str(), 1);
}

}  // namespace
