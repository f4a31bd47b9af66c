// ConnectionPool against a real PostgreSQL: bounds, timeouts, reuse, broken connections.
#include "sportelli/pg/pool.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::pg {
namespace {

using ::sportelli::testing::StatusIs;

int BackendPid(PooledConnection& connection) { return connection->backendpid(); }

// Kills `pid` as superuser and waits (up to 5 s) until it is gone.
void TerminateBackend(const std::string& admin_dsn, int pid) {
  pqxx::connection connection(admin_dsn);
  pqxx::nontransaction tx(connection);
  ASSERT_EQ(tx.exec_params("SELECT pg_terminate_backend($1, 5000)", pid)[0][0].as<bool>(), true);
}

class PoolTest : public PgTest {};

TEST_F(PoolTest, OpensConnectionsLazilyAndNeverBeyondMaxSize) {
  PoolOptions options;
  options.max_size = 2;
  options.acquire_timeout = absl::Milliseconds(200);
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  EXPECT_EQ(pool->size(), 0);

  ASSERT_OK_AND_ASSIGN(PooledConnection first, pool->Acquire());
  ASSERT_OK_AND_ASSIGN(PooledConnection second, pool->Acquire());
  EXPECT_EQ(pool->size(), 2);
  EXPECT_EQ(pool->in_use(), 2);
  EXPECT_NE(BackendPid(first), BackendPid(second));

  const clock::Stopwatch watch;
  absl::StatusOr<PooledConnection> third = pool->Acquire();
  const absl::Duration waited = watch.Elapsed();
  EXPECT_THAT(third, StatusIs(absl::StatusCode::kUnavailable, "POOL_EXHAUSTED"));
  EXPECT_GE(waited, absl::Milliseconds(190));
  EXPECT_LT(waited, absl::Seconds(2));
  EXPECT_EQ(pool->Stats().acquire_timeouts, 1u);
  EXPECT_EQ(pool->size(), 2);
}

TEST_F(PoolTest, ReusesReturnedConnections) {
  std::unique_ptr<ConnectionPool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection connection, pool->Acquire());
    pid = BackendPid(connection);
  }
  EXPECT_EQ(pool->in_use(), 0);
  EXPECT_EQ(pool->size(), 1);
  ASSERT_OK_AND_ASSIGN(PooledConnection again, pool->Acquire());
  EXPECT_EQ(BackendPid(again), pid);
  EXPECT_EQ(pool->size(), 1);
}

TEST_F(PoolTest, MoveAssignmentReturnsTheOverwrittenConnection) {
  std::unique_ptr<ConnectionPool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  ASSERT_OK_AND_ASSIGN(PooledConnection a, pool->Acquire());
  ASSERT_OK_AND_ASSIGN(PooledConnection b, pool->Acquire());
  EXPECT_EQ(pool->in_use(), 2);
  a = std::move(b);
  EXPECT_EQ(pool->in_use(), 1);
  PooledConnection c = std::move(a);
  EXPECT_EQ(pool->in_use(), 1);
  c.Discard();
  { PooledConnection gone = std::move(c); }
  EXPECT_EQ(pool->in_use(), 0);
  EXPECT_EQ(pool->size(), 1);  // the discarded one is closed, the returned one stays idle
  EXPECT_EQ(pool->Stats().discarded_connections, 1u);
}

TEST_F(PoolTest, AWaiterGetsTheConnectionReturnedByAnotherThread) {
  PoolOptions options;
  options.max_size = 1;
  options.acquire_timeout = absl::Seconds(5);
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  absl::StatusOr<PooledConnection> held = pool->Acquire();
  ASSERT_OK(held);
  const int pid = BackendPid(*held);

  std::atomic<int> waiter_pid{0};
  absl::Duration waited;
  std::thread waiter([&] {
    const clock::Stopwatch watch;
    absl::StatusOr<PooledConnection> connection = pool->Acquire();
    waited = watch.Elapsed();
    if (connection.ok()) waiter_pid = BackendPid(*connection);
  });
  absl::SleepFor(absl::Milliseconds(100));
  { PooledConnection returned = *std::move(held); }
  waiter.join();
  EXPECT_EQ(waiter_pid.load(), pid);
  EXPECT_GE(waited, absl::Milliseconds(90));
  EXPECT_EQ(pool->size(), 1);
}

TEST_F(PoolTest, ConcurrentTransactionsStayWithinMaxSize) {
  PoolOptions options;
  options.max_size = 3;
  options.acquire_timeout = absl::Seconds(10);
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);

  absl::Mutex mu;
  std::set<int> pids;
  int max_in_use = 0;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 8; ++i) {
        absl::Status status = pool->RunInTransaction([&](pqxx::work& tx) {
          const int pid = tx.exec("SELECT pg_backend_pid() FROM pg_sleep(0.002)")[0][0].as<int>();
          absl::MutexLock lock(&mu);
          pids.insert(pid);
          max_in_use = std::max(max_in_use, pool->in_use());
          return absl::OkStatus();
        });
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(pids.size(), 3u);
  EXPECT_LE(max_in_use, 3);
  EXPECT_LE(pool->size(), 3);
  EXPECT_EQ(pool->in_use(), 0);
  EXPECT_LE(std::stoi(AdminQuery("SELECT count(*) FROM pg_stat_activity WHERE usename = '" +
                                 db_->owner_role() + "'")),
            3);
}

TEST_F(PoolTest, FailedConnectIsUnavailableAndReleasesTheSlot) {
  PoolOptions options;
  options.max_size = 1;
  // Port 1 on loopback: nothing listens, the connect is refused at once.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<ConnectionPool> pool,
                       ConnectionPool::Create("host=127.0.0.1 port=1 dbname=x user=x", options));
  absl::StatusOr<PooledConnection> connection = pool->Acquire();
  EXPECT_THAT(connection, StatusIs(absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"));
  EXPECT_EQ(connection.status().message(), "cannot connect to the database");
  EXPECT_EQ(pool->size(), 0);
  EXPECT_EQ(pool->in_use(), 0);
  // The slot was given back: a second attempt fails the same way rather than POOL_EXHAUSTED.
  EXPECT_THAT(pool->RunInTransaction([](pqxx::work&) { return absl::OkStatus(); }),
              StatusIs(absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"));
  EXPECT_THAT(pool->Ping(), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(pool->Stats().connect_failures, 3u);
}

TEST_F(PoolTest, PingAnswersFromAPooledConnection) {
  std::unique_ptr<ConnectionPool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  EXPECT_OK(pool->Ping());
  EXPECT_OK(pool->Ping());
  EXPECT_EQ(pool->size(), 1);
  EXPECT_EQ(pool->in_use(), 0);
}

TEST_F(PoolTest, AConnectionKilledWhileIdleIsReplacedTransparently) {
  PoolOptions options;
  options.max_size = 1;
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  int old_pid = 0;
  {
    ASSERT_OK_AND_ASSIGN(PooledConnection connection, pool->Acquire());
    old_pid = BackendPid(connection);
  }
  TerminateBackend(db_->admin_dsn(), old_pid);

  int runs = 0;
  int new_pid = 0;
  EXPECT_OK(pool->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    new_pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    return absl::OkStatus();
  }));
  EXPECT_EQ(runs, 1);  // BEGIN failed on the dead connection, before the callback ran
  EXPECT_NE(new_pid, old_pid);
  EXPECT_EQ(pool->size(), 1);

  // Same for Ping, the readiness probe.
  TerminateBackend(db_->admin_dsn(), new_pid);
  EXPECT_OK(pool->Ping());
}

TEST_F(PoolTest, ASessionLeftInsideAnAbortedTransactionIsReplacedNotReused) {
  PoolOptions options;
  options.max_size = 1;
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  int poisoned_pid = 0;
  {
    // What a COMMIT refused before the server ended the transaction leaves behind: a session
    // inside an aborted transaction, where BEGIN itself fails (25P02).
    ASSERT_OK_AND_ASSIGN(PooledConnection connection, pool->Acquire());
    poisoned_pid = BackendPid(connection);
    pqxx::nontransaction raw(*connection);
    raw.exec("BEGIN");
    EXPECT_THROW(raw.exec("SELECT 1 / 0"), pqxx::sql_error);
  }
  ASSERT_EQ(pool->size(), 1);

  int runs = 0;
  int pid = 0;
  EXPECT_OK(pool->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
    return absl::OkStatus();
  }));
  EXPECT_EQ(runs, 1);
  EXPECT_NE(pid, poisoned_pid);
  EXPECT_EQ(pool->Stats().discarded_connections, 1);
  EXPECT_EQ(pool->size(), 1);
  EXPECT_OK(pool->RunInTransaction([&](pqxx::work& tx) {
    EXPECT_EQ(tx.exec("SELECT pg_backend_pid()")[0][0].as<int>(), pid);  // the new one is kept
    return absl::OkStatus();
  }));
}

TEST_F(PoolTest, ATransactionWhoseConnectionDiesIsRetriedOnceOnANewOne) {
  std::unique_ptr<ConnectionPool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  AppExec(*pool, "CREATE TABLE attempts (attempt int)");

  int runs = 0;
  EXPECT_OK(pool->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    tx.exec_params("INSERT INTO attempts VALUES ($1)", runs);
    if (runs == 1) tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    return absl::OkStatus();
  }));
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(AdminQuery("SELECT string_agg(attempt::text, ',') FROM attempts"), "2");
}

TEST_F(PoolTest, AConnectionThatKeepsDyingIsReportedUnavailableAfterOneRetry) {
  std::unique_ptr<ConnectionPool> pool = MakePool();
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  absl::Status status = pool->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    tx.exec("SELECT pg_terminate_backend(pg_backend_pid())");
    return absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"));
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(pool->in_use(), 0);
  EXPECT_EQ(pool->size(), 0);
}

}  // namespace
}  // namespace sportelli::pg
