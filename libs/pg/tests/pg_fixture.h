// Shared set-up of the sportelli::pg integration tests: a fresh database and unprivileged role
// per test (sportelli::testing::TestDatabase), pools on it, and superuser helpers for checks the
// application role must not be able to do itself.
#ifndef SPORTELLI_PG_TESTS_PG_FIXTURE_H_
#define SPORTELLI_PG_TESTS_PG_FIXTURE_H_

#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "sportelli/pg/pool.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::pg {

class PgTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create()); }

  // A pool on the test database as the application role; fails the test on error.
  std::unique_ptr<ConnectionPool> MakePool(PoolOptions options = {}) {
    absl::StatusOr<std::unique_ptr<ConnectionPool>> pool =
        ConnectionPool::Create(db_->owner_dsn(), options);
    EXPECT_OK(pool);
    return pool.ok() ? *std::move(pool) : nullptr;
  }

  // Runs `sql` as superuser on the test database and returns the first column of the first row
  // ("" when there is none or it is NULL).
  std::string AdminQuery(const std::string& sql) {
    pqxx::connection connection(db_->admin_dsn());
    pqxx::nontransaction tx(connection);
    pqxx::result result = tx.exec(sql);
    if (result.empty() || result[0][0].is_null()) return "";
    return result[0][0].as<std::string>();
  }

  // Runs DDL or other set-up as the application role, outside the code under test's options.
  void AppExec(ConnectionPool& pool, const std::string& sql) {
    ASSERT_OK(pool.RunInTransaction([&](pqxx::work& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    }));
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
};

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_TESTS_PG_FIXTURE_H_
