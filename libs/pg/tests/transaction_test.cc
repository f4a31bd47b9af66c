// RunInTransaction / RunInTenantTransaction against a real PostgreSQL: commit and rollback,
// tenant context, options, retries and status mapping.
#include <atomic>
#include <latch>
#include <stdexcept>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/pg/pool.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::pg {
namespace {

using ::sportelli::testing::StatusIs;

class TransactionTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    PoolOptions options;
    options.max_size = 2;
    pool_ = MakePool(options);
    ASSERT_NE(pool_, nullptr);
    AppExec(*pool_, "CREATE TABLE items (id int PRIMARY KEY, label text NOT NULL)");
  }

  std::string CountItems() { return AdminQuery("SELECT count(*) FROM items"); }

  std::unique_ptr<ConnectionPool> pool_;
};

absl::Status RaiseSerializationFailure(pqxx::work& tx) {
  tx.exec("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$");
  return absl::OkStatus();
}

TEST_F(TransactionTest, CommitsWhenTheCallbackReturnsOk) {
  EXPECT_OK(pool_->RunInTransaction([](pqxx::work& tx) {
    tx.exec("INSERT INTO items VALUES (1, 'one')");
    return absl::OkStatus();
  }));
  EXPECT_EQ(CountItems(), "1");
}

TEST_F(TransactionTest, RollsBackAndReturnsTheCallbacksErrorUnchanged) {
  const absl::Status error =
      status::Error(absl::StatusCode::kFailedPrecondition, "desk is closed", "DESK_CLOSED");
  absl::Status status = pool_->RunInTransaction([&](pqxx::work& tx) {
    tx.exec("INSERT INTO items VALUES (1, 'one')");
    return error;
  });
  EXPECT_EQ(status, error);
  EXPECT_EQ(CountItems(), "0");
  EXPECT_EQ(pool_->in_use(), 0);
  EXPECT_EQ(pool_->size(), 1);  // a rolled-back transaction leaves a reusable connection
}

TEST_F(TransactionTest, RollsBackWhenTheCallbackThrows) {
  absl::Status status = pool_->RunInTransaction([](pqxx::work& tx) -> absl::Status {
    tx.exec("INSERT INTO items VALUES (1, 'one')");
    throw std::out_of_range("index 7 of Mario Rossi's record");
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(status.ToString().find("Rossi"), std::string::npos);
  EXPECT_EQ(CountItems(), "0");
}

TEST_F(TransactionTest, StatusOrCallbacksReturnTheirValue) {
  absl::StatusOr<std::string> label =
      pool_->RunInTransaction([](pqxx::work& tx) -> absl::StatusOr<std::string> {
        tx.exec("INSERT INTO items VALUES (1, 'one')");
        return tx.exec("SELECT label FROM items WHERE id = 1")[0][0].as<std::string>();
      });
  ASSERT_OK(label);
  EXPECT_EQ(*label, "one");

  absl::StatusOr<int> missing = pool_->RunInTransaction([](pqxx::work& tx) -> absl::StatusOr<int> {
    if (tx.exec("SELECT 1 FROM items WHERE id = 2").empty()) return status::NotFound("item");
    return 2;
  });
  EXPECT_THAT(missing, StatusIs(absl::StatusCode::kNotFound, "RESOURCE_NOT_FOUND"));
}

TEST_F(TransactionTest, TenantIdIsSetOnlyForItsOwnTransaction) {
  PoolOptions options;
  options.max_size = 1;  // every transaction below shares one session
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);

  absl::StatusOr<std::string> inside =
      pool->RunInTenantTransaction("tenant-a", [](pqxx::work& tx) -> absl::StatusOr<std::string> {
        return tx.exec("SELECT current_setting('app.tenant_id')")[0][0].as<std::string>();
      });
  ASSERT_OK(inside);
  EXPECT_EQ(*inside, "tenant-a");

  // Also when the tenant transaction fails.
  EXPECT_THAT(pool->RunInTenantTransaction(
                  "tenant-b", [](pqxx::work&) { return absl::AbortedError("changed my mind"); }),
              StatusIs(absl::StatusCode::kAborted));

  absl::StatusOr<std::string> after =
      pool->RunInTransaction([](pqxx::work& tx) -> absl::StatusOr<std::string> {
        return tx.exec("SELECT coalesce(current_setting('app.tenant_id', true), '')")[0][0]
            .as<std::string>();
      });
  ASSERT_OK(after);
  EXPECT_EQ(*after, "");
  EXPECT_EQ(pool->Stats().size, 1);  // really the same session throughout
}

TEST_F(TransactionTest, AnEmptyTenantIsABugAndRunsNothing) {
  bool ran = false;
  EXPECT_THAT(pool_->RunInTenantTransaction("",
                                            [&](pqxx::work&) {
                                              ran = true;
                                              return absl::OkStatus();
                                            }),
              StatusIs(absl::StatusCode::kInternal));
  EXPECT_FALSE(ran);
}

TEST_F(TransactionTest, AppliesSettingsIsolationAndReadOnly) {
  TransactionOptions options;
  options.tenant_id = "tenant-a";
  options.settings = {{"app.federation", "on"}};
  options.isolation = Isolation::kSerializable;
  options.read_only = true;
  absl::StatusOr<std::string> seen =
      pool_->RunInTransaction(options, [](pqxx::work& tx) -> absl::StatusOr<std::string> {
        pqxx::row row = tx.exec1(
            "SELECT current_setting('app.tenant_id') || ',' || current_setting('app.federation')"
            " || ',' || current_setting('transaction_isolation')"
            " || ',' || current_setting('transaction_read_only')");
        return row[0].as<std::string>();
      });
  ASSERT_OK(seen);
  EXPECT_EQ(*seen, "tenant-a,on,serializable,on");

  EXPECT_THAT(pool_->RunInTransaction(options,
                                      [](pqxx::work& tx) {
                                        tx.exec("INSERT INTO items VALUES (1, 'one')");
                                        return absl::OkStatus();
                                      }),
              StatusIs(absl::StatusCode::kInternal));  // 25006 read_only_sql_transaction
  EXPECT_EQ(CountItems(), "0");
}

TEST_F(TransactionTest, RetriesSerializationFailures) {
  int runs = 0;
  EXPECT_OK(pool_->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    tx.exec_params("INSERT INTO items VALUES ($1, 'attempt')", runs);
    if (runs < 3) return RaiseSerializationFailure(tx);
    return absl::OkStatus();
  }));
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(AdminQuery("SELECT string_agg(id::text, ',') FROM items"), "3");
}

TEST_F(TransactionTest, GivesUpOnPersistentConflictsWithAborted) {
  PoolOptions options;
  options.max_conflict_retries = 2;
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  int runs = 0;
  absl::Status status = pool->RunInTransaction([&](pqxx::work& tx) {
    ++runs;
    return RaiseSerializationFailure(tx);
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kAborted, "TRANSACTION_CONFLICT"));
  EXPECT_EQ(status.message(), "database error (sqlstate 40001)");
  EXPECT_EQ(runs, 3);
}

// The classic write skew: two clerks each leave a desk if someone else is still on duty. Under
// SERIALIZABLE one of the two must fail with 40001; the retry then sees the other's change.
TEST_F(TransactionTest, SerializableWriteSkewIsDetectedAndRetried) {
  AppExec(*pool_,
          "CREATE TABLE on_duty (clerk text PRIMARY KEY, present bool NOT NULL);"
          "INSERT INTO on_duty VALUES ('anna', true), ('bruno', true)");
  TransactionOptions options;
  options.isolation = Isolation::kSerializable;
  std::latch both_read(2);
  std::atomic<int> runs{0};
  auto leave = [&](const std::string& clerk) {
    bool first_attempt = true;
    return pool_->RunInTransaction(options, [&](pqxx::work& tx) {
      ++runs;
      const int present = tx.exec1("SELECT count(*) FROM on_duty WHERE present")[0].as<int>();
      if (first_attempt) {
        first_attempt = false;
        both_read.arrive_and_wait();  // both have read "2 present" before either writes
      }
      if (present >= 2) {
        tx.exec_params("UPDATE on_duty SET present = false WHERE clerk = $1", clerk);
      }
      return absl::OkStatus();
    });
  };
  absl::Status anna, bruno;
  std::thread a([&] { anna = leave("anna"); });
  std::thread b([&] { bruno = leave("bruno"); });
  a.join();
  b.join();
  EXPECT_OK(anna);
  EXPECT_OK(bruno);
  // At least one retry; SSI may pick a victim more than once while both are in flight.
  EXPECT_GE(runs.load(), 3);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM on_duty WHERE present"), "1");
}

TEST_F(TransactionTest, UniqueViolationIsAlreadyExistsWithoutTheRowValues) {
  AppExec(*pool_, "CREATE TABLE citizens (fiscal_code text PRIMARY KEY)");
  auto insert = [&] {
    return pool_->RunInTransaction([](pqxx::work& tx) {
      tx.exec("INSERT INTO citizens VALUES ('RSSMRA80A01H501U')");
      return absl::OkStatus();
    });
  };
  ASSERT_OK(insert());
  absl::Status duplicate = insert();
  EXPECT_THAT(duplicate, StatusIs(absl::StatusCode::kAlreadyExists, "RESOURCE_ALREADY_EXISTS"));
  EXPECT_EQ(duplicate.message(), "database error (sqlstate 23505)");
  EXPECT_EQ(duplicate.ToString().find("RSSMRA"), std::string::npos);
  EXPECT_EQ(duplicate.ToString().find("citizens"), std::string::npos);
}

TEST_F(TransactionTest, ANamedConstraintCanMapToTheRepositorysOwnStatus) {
  AppExec(*pool_, "CREATE TABLE citizens (fiscal_code text CONSTRAINT citizens_fc UNIQUE)");
  TransactionOptions options;
  options.constraint_errors = {
      {"citizens_fc", status::Error(absl::StatusCode::kAlreadyExists, "citizen already registered",
                                    "CITIZEN_EXISTS")}};
  auto insert = [&] {
    return pool_->RunInTransaction(options, [](pqxx::work& tx) {
      tx.exec("INSERT INTO citizens VALUES ('RSSMRA80A01H501U')");
      return absl::OkStatus();
    });
  };
  ASSERT_OK(insert());
  absl::Status duplicate = insert();
  EXPECT_THAT(duplicate, StatusIs(absl::StatusCode::kAlreadyExists, "CITIZEN_EXISTS"));
  EXPECT_EQ(duplicate.message(), "citizen already registered");
}

TEST_F(TransactionTest, ExclusionViolationIsFailedPrecondition) {
  AppExec(*pool_,
          "CREATE TABLE bookings (during int4range NOT NULL,"
          " CONSTRAINT no_overlap EXCLUDE USING gist (during WITH &&))");
  auto book = [&](const std::string& range) {
    return pool_->RunInTransaction([&](pqxx::work& tx) {
      tx.exec_params("INSERT INTO bookings VALUES ($1::int4range)", range);
      return absl::OkStatus();
    });
  };
  ASSERT_OK(book("[9,10)"));
  ASSERT_OK(book("[10,11)"));
  EXPECT_THAT(book("[9,11)"), StatusIs(absl::StatusCode::kFailedPrecondition, "RESOURCE_CONFLICT"));
}

TEST_F(TransactionTest, OtherSqlErrorsAreInternalWithTheSqlStateOnly) {
  absl::Status status = pool_->RunInTransaction([](pqxx::work& tx) {
    tx.exec("SELEC 'Mario Rossi'");
    return absl::OkStatus();
  });
  EXPECT_THAT(status, StatusIs(absl::StatusCode::kInternal, "INTERNAL"));
  EXPECT_EQ(status.message(), "database error (sqlstate 42601)");
  // The failed transaction left a usable connection behind.
  EXPECT_OK(pool_->Ping());
}

}  // namespace
}  // namespace sportelli::pg

namespace sportelli::pg {
namespace {

TEST_F(TransactionTest, ACallWhoseDeadlinePassedWritesNothing) {
  bool ran = false;
  {
    clock::ScopedRequestDeadline expired(std::chrono::steady_clock::now() -
                                         std::chrono::milliseconds(1));
    EXPECT_THAT(pool_->RunInTransaction([&](pqxx::work& tx) {
      ran = true;
      tx.exec("INSERT INTO items VALUES (1, 'late')");
      return absl::OkStatus();
    }),
                StatusIs(absl::StatusCode::kDeadlineExceeded, "DEADLINE_EXCEEDED"));
  }
  EXPECT_FALSE(ran);
  EXPECT_EQ(CountItems(), "0");
}

TEST_F(TransactionTest, AStatementRunsAtMostTheTimeTheCallerHasLeft) {
  clock::ScopedRequestDeadline soon(std::chrono::steady_clock::now() +
                                    std::chrono::milliseconds(300));
  const clock::Stopwatch watch;
  EXPECT_THAT(pool_->RunInTransaction([](pqxx::work& tx) {
    tx.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  }),
              StatusIs(absl::StatusCode::kDeadlineExceeded, "STATEMENT_TIMEOUT"));
  EXPECT_LT(watch.Elapsed(), absl::Seconds(3));
}

TEST_F(TransactionTest, ThePoolBoundsStatementsAndLockWaits) {
  PoolOptions options;
  options.max_size = 2;
  options.statement_timeout = absl::Milliseconds(200);
  options.lock_timeout = absl::Milliseconds(100);
  std::unique_ptr<ConnectionPool> bounded = MakePool(options);
  ASSERT_NE(bounded, nullptr);
  EXPECT_THAT(bounded->RunInTransaction([](pqxx::work& tx) {
    tx.exec("SELECT pg_sleep(5)");
    return absl::OkStatus();
  }),
              StatusIs(absl::StatusCode::kDeadlineExceeded, "STATEMENT_TIMEOUT"));
  AppExec(*pool_, "INSERT INTO items VALUES (1, 'held')");
  // Another session holds the row; the bounded pool waits 100 ms for it, not forever.
  pqxx::connection holder(db_->owner_dsn());
  pqxx::work hold(holder);
  hold.exec("SELECT * FROM items WHERE id = 1 FOR UPDATE");
  EXPECT_THAT(bounded->RunInTransaction([](pqxx::work& tx) {
    tx.exec("UPDATE items SET label = 'x' WHERE id = 1");
    return absl::OkStatus();
  }),
              StatusIs(absl::StatusCode::kAborted, "LOCK_TIMEOUT"));
}

}  // namespace
}  // namespace sportelli::pg
