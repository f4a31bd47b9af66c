// A throwaway PostgreSQL database and application role per test, so test binaries (and the
// tests inside them, which ctest runs as separate processes) run in parallel without seeing
// each other's rows, and so row-level security is exercised by a role it actually applies to.
//
// Environment contract (set by scripts/test, documented in docs/contributing.md):
//   SPORTELLI_TEST_PG_ADMIN_DSN  libpq conninfo of a superuser on the throwaway cluster,
//                                dbname=postgres
//   SPORTELLI_TEST_PG_RESTART    shell command restarting that cluster; returns once it accepts
//                                connections (used only by tests labelled `disruptive`)
// A test that needs one of them and does not find it FAILS with a message saying so; it never
// skips, so a misconfigured CI run cannot pass by testing nothing.
//
//   class DeskRepositoryTest : public ::testing::Test {
//    protected:
//     void SetUp() override {
//       ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
//       ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->app_dsn()));
//       ASSERT_OK(pg::ApplyMigrations(*pool_, "desks", desks::Migrations()).status());
//     }
//     std::unique_ptr<sportelli::testing::TestDatabase> db_;  // declared first: dropped last
//     std::unique_ptr<pg::ConnectionPool> pool_;
//   };
//
// Note the leading `::` in `::testing::Test`: inside namespace sportelli, plain `testing` names
// this namespace, not GoogleTest's.
#ifndef SPORTELLI_TESTING_TEST_DATABASE_H_
#define SPORTELLI_TESTING_TEST_DATABASE_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace sportelli::testing {

// The value of environment variable `name`. When it is unset or empty, records a test failure
// naming the variable (ADD_FAILURE) and returns "".
std::string RequireEnv(const char* name);

class TestDatabase final {
 public:
  // Creates a database and a role, both uniquely named (process id and random suffix). The role
  // is LOGIN, NOSUPERUSER, NOBYPASSRLS, with a random password (works with trust and with
  // password authentication), CONNECT/CREATE/TEMPORARY on the database, and USAGE/CREATE on its
  // public schema (PostgreSQL 15 no longer grants CREATE there to everyone).
  // On failure (variable missing, server unreachable) records a test failure and returns the
  // error too: `ASSERT_OK_AND_ASSIGN(db, TestDatabase::Create())` stops the test there.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Terminates leftover sessions, then drops the database and the role. Failures are recorded
  // as test failures: a leak means some test kept a connection it should have closed.
  ~TestDatabase();

  const std::string& database() const { return database_; }
  const std::string& app_role() const { return app_role_; }
  // Superuser on the new database: set-up that needs privileges (extensions, other roles).
  const std::string& admin_dsn() const { return admin_dsn_; }
  // The unprivileged role on the new database: what the code under test should use.
  const std::string& app_dsn() const { return app_dsn_; }

 private:
  TestDatabase(std::string server_admin_dsn, std::string database, std::string app_role,
               std::string admin_dsn, std::string app_dsn);

  std::string server_admin_dsn_;  // dbname=postgres: where CREATE/DROP DATABASE run
  std::string database_;
  std::string app_role_;
  std::string admin_dsn_;
  std::string app_dsn_;
};

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_DATABASE_H_
