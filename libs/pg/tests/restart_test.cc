// Disruptive: restarts the shared PostgreSQL (SPORTELLI_TEST_PG_RESTART), so CTest runs it alone
// (SERIAL). Proves that a pool created before the restart keeps working after it, without being
// recreated: every idle connection is dead, and each transaction recovers within its one
// built-in retry on a fresh connection.
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::pg {
namespace {

class RestartTest : public PgTest {};

TEST_F(RestartTest, ThePoolRecoversAfterTheServerRestarts) {
  const std::string restart = sportelli::testing::RequireEnv("SPORTELLI_TEST_PG_RESTART");
  ASSERT_FALSE(restart.empty());

  PoolOptions options;
  options.max_size = 3;
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  AppExec(*pool, "CREATE TABLE visits (n int)");
  {
    // Fill the pool: after the restart all three idle connections are stale.
    std::vector<PooledConnection> warm;
    for (int i = 0; i < options.max_size; ++i) {
      ASSERT_OK_AND_ASSIGN(PooledConnection connection, pool->Acquire());
      warm.push_back(std::move(connection));
    }
  }
  ASSERT_EQ(pool->size(), 3);

  ASSERT_EQ(std::system(restart.c_str()), 0) << "restart command failed: " << restart;

  // Each transaction may land on a stale connection; none may fail.
  for (int n = 1; n <= 5; ++n) {
    int runs = 0;
    EXPECT_OK(pool->RunInTransaction([&](pqxx::work& tx) {
      ++runs;
      tx.exec_params("INSERT INTO visits VALUES ($1)", n);
      return absl::OkStatus();
    })) << "transaction "
        << n;
    EXPECT_LE(runs, 2);
  }
  // Concurrent ones too, which also reach the stale connections sequential use left idle.
  std::vector<std::thread> threads;
  std::vector<absl::Status> results(3);
  for (int i = 0; i < 3; ++i) {
    threads.emplace_back([&, i] {
      results[i] = pool->RunInTransaction([&](pqxx::work& tx) {
        tx.exec_params("INSERT INTO visits SELECT $1 FROM pg_sleep(0.1)", 6 + i);
        return absl::OkStatus();
      });
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (const absl::Status& result : results) EXPECT_OK(result);
  EXPECT_OK(pool->Ping());
  EXPECT_EQ(AdminQuery("SELECT string_agg(n::text, ',' ORDER BY n) FROM visits"),
            "1,2,3,4,5,6,7,8");
  EXPECT_LE(pool->size(), 3);
  EXPECT_EQ(pool->in_use(), 0);
}

}  // namespace
}  // namespace sportelli::pg
