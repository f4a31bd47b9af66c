// A throwaway PostgreSQL database and its two roles per test, so test binaries (and the tests
// inside them, which ctest runs as separate processes) run in parallel without seeing each
// other's rows, and so row-level security is exercised by the roles production uses: an owner
// (what `migrate` logs in as) and a runtime role (what `serve` logs in as: data privileges
// only, granted by the migrations).
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
//       ASSERT_OK(db_->Migrate("desks", desks::Migrations(), {pg::RequestIdsComponent()}));
//       ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn()));
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
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/pg/migrations.h"

namespace sportelli::testing {

// The value of environment variable `name`. When it is unset or empty, records a test failure
// naming the variable (ADD_FAILURE) and returns "".
std::string RequireEnv(const char* name);

class TestDatabase final {
 public:
  // Creates a database and two roles, all uniquely named (process id and random suffix). Both
  // roles are LOGIN, NOSUPERUSER, NOBYPASSRLS, with a random password (works with trust and
  // with password authentication). The owner has CONNECT/CREATE/TEMPORARY on the database and
  // USAGE/CREATE on its public schema (PostgreSQL 15 no longer grants CREATE there to
  // everyone); the runtime role has CONNECT only: what it may touch, migrations grant it.
  // On failure (variable missing, server unreachable) records a test failure and returns the
  // error too: `ASSERT_OK_AND_ASSIGN(db, TestDatabase::Create())` stops the test there.
  static absl::StatusOr<std::unique_ptr<TestDatabase>> Create();

  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;
  // Terminates leftover sessions, then drops the database and the role. Failures are recorded
  // as test failures: a leak means some test kept a connection it should have closed.
  ~TestDatabase();

  const std::string& database() const { return database_; }
  const std::string& owner_role() const { return owner_role_; }
  const std::string& runtime_role() const { return runtime_role_; }
  // Superuser on the new database: set-up that needs privileges (extensions, other roles).
  const std::string& admin_dsn() const { return admin_dsn_; }
  // The owner: migrations, and tests of libraries that create their own tables.
  const std::string& owner_dsn() const { return owner_dsn_; }
  // The runtime role: what a service under test should use.
  const std::string& runtime_dsn() const { return runtime_dsn_; }

  // Applies `migrations` and `components` to `schema` as the owner, granting the runtime role,
  // as a service's `migrate` does.
  absl::Status Migrate(absl::string_view schema, const std::vector<pg::Migration>& migrations,
                       std::vector<pg::MigrationComponent> components = {}) const;

 private:
  TestDatabase() = default;

  std::string server_admin_dsn_;  // dbname=postgres: where CREATE/DROP DATABASE run
  std::string database_;
  std::string owner_role_;
  std::string runtime_role_;
  std::string admin_dsn_;
  std::string owner_dsn_;
  std::string runtime_dsn_;
};

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_DATABASE_H_
