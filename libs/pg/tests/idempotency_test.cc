// The AIP-155 request-id store against a real PostgreSQL, used as a repository would.
#include "sportelli/pg/idempotency.h"

#include <future>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/status/macros.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::pg {
namespace {

using ::sportelli::testing::IsOkAndHolds;
using ::sportelli::testing::StatusIs;

// The DDL documented in idempotency.h.
constexpr char kDdl[] = R"SQL(
  CREATE TABLE request_ids (
    tenant_id    text        NOT NULL,
    request_id   text        NOT NULL,
    method       text        NOT NULL,
    request_hash text        NOT NULL,
    response     bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, request_id)
  );
  CREATE TABLE desks (id serial PRIMARY KEY, tenant_id text NOT NULL, name text NOT NULL);
)SQL";

// Binary on purpose: serialized protobufs contain NULs and high bytes.
const std::string kResponse(
    "\x08\x01\x00\xff\x12\x03"
    "abc",
    9);

class IdempotencyTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    PoolOptions options;
    options.max_size = 4;
    pool_ = MakePool(options);
    ASSERT_NE(pool_, nullptr);
    AppExec(*pool_, kDdl);
  }

  static idempotency::Key KeyFor(const std::string& tenant, const std::string& request) {
    return {tenant, "3f2c7a1e-request-1", "CreateDesk", idempotency::HashRequest(request)};
  }

  absl::StatusOr<std::optional<std::string>> Lookup(const idempotency::Key& key) {
    return pool_->RunInTenantTransaction(
        key.tenant_id, [&](pqxx::work& tx) { return idempotency::Lookup(tx, "request_ids", key); });
  }

  absl::Status Record(const idempotency::Key& key, const std::string& response) {
    return pool_->RunInTenantTransaction(key.tenant_id, [&](pqxx::work& tx) {
      return idempotency::Record(tx, "request_ids", key, response);
    });
  }

  // A create handler: acts once per request id, answers the first response to retries.
  absl::StatusOr<std::string> CreateDesk(const idempotency::Key& key,
                                         std::promise<void>* looked_up = nullptr) {
    return pool_->RunInTenantTransaction(
        key.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<std::string> {
          absl::StatusOr<std::optional<std::string>> previous =
              idempotency::Lookup(tx, "request_ids", key);
          if (looked_up != nullptr) std::exchange(looked_up, nullptr)->set_value();
          if (!previous.ok()) return previous.status();
          if (previous->has_value()) return **previous;
          const std::string id = tx.exec_params(
                                       "INSERT INTO desks (tenant_id, name) VALUES ($1, 'Anagrafe')"
                                       " RETURNING id::text",
                                       key.tenant_id)[0][0]
                                     .as<std::string>();
          tx.exec("SELECT pg_sleep(0.2)");  // a slow write: room for a concurrent retry
          absl::Status recorded = idempotency::Record(tx, "request_ids", key, id);
          if (!recorded.ok()) return recorded;
          return id;
        });
  }

  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(IdempotencyTest, ANewRequestIdIsNotFoundThenReturnsTheStoredResponse) {
  const idempotency::Key key = KeyFor("tenant-a", "create desk Anagrafe");
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> before, Lookup(key));
  EXPECT_EQ(before, std::nullopt);
  ASSERT_OK(Record(key, kResponse));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> after, Lookup(key));
  EXPECT_EQ(after, kResponse);
}

TEST_F(IdempotencyTest, AReusedIdForADifferentRequestIsRejected) {
  const idempotency::Key key = KeyFor("tenant-a", "create desk Anagrafe");
  ASSERT_OK(Record(key, kResponse));

  idempotency::Key other_request = KeyFor("tenant-a", "create desk Tributi");
  EXPECT_THAT(Lookup(other_request),
              StatusIs(absl::StatusCode::kInvalidArgument, "REQUEST_ID_REUSED"));
  idempotency::Key other_method = key;
  other_method.method = "DeleteDesk";
  EXPECT_THAT(Lookup(other_method),
              StatusIs(absl::StatusCode::kInvalidArgument, "REQUEST_ID_REUSED"));
}

TEST_F(IdempotencyTest, RequestIdsAreScopedByTenant) {
  ASSERT_OK(Record(KeyFor("tenant-a", "same"), kResponse));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> other_tenant, Lookup(KeyFor("tenant-b", "same")));
  EXPECT_EQ(other_tenant, std::nullopt);
}

TEST_F(IdempotencyTest, TheRecordRollsBackWithItsTransaction) {
  const idempotency::Key key = KeyFor("tenant-a", "create desk Anagrafe");
  EXPECT_THAT(pool_->RunInTenantTransaction(
                  "tenant-a",
                  [&](pqxx::work& tx) -> absl::Status {
                    absl::Status recorded = idempotency::Record(tx, "request_ids", key, kResponse);
                    if (!recorded.ok()) return recorded;
                    return absl::UnavailableError("the write it described failed");
                  }),
              StatusIs(absl::StatusCode::kUnavailable));
  ASSERT_OK_AND_ASSIGN(std::optional<std::string> after, Lookup(key));
  EXPECT_EQ(after, std::nullopt);
}

TEST_F(IdempotencyTest, ARetryReturnsTheFirstResponseWithoutActingTwice) {
  const idempotency::Key key = KeyFor("tenant-a", "create desk Anagrafe");
  ASSERT_OK_AND_ASSIGN(std::string first, CreateDesk(key));
  ASSERT_OK_AND_ASSIGN(std::string retry, CreateDesk(key));
  EXPECT_EQ(retry, first);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM desks"), "1");
}

TEST_F(IdempotencyTest, ConcurrentRetriesActOnceAndBothGetTheFirstResponse) {
  const idempotency::Key key = KeyFor("tenant-a", "create desk Anagrafe");
  std::promise<void> first_holds_the_lock;
  std::future<void> locked = first_holds_the_lock.get_future();
  absl::StatusOr<std::string> first, second;
  std::thread a([&] { first = CreateDesk(key, &first_holds_the_lock); });
  // The second starts only once the first has looked up (and holds the key's lock) and is
  // about to spend 200 ms inserting: without the lock it would find nothing and insert too.
  locked.wait();
  std::thread b([&] { second = CreateDesk(key); });
  a.join();
  b.join();
  ASSERT_OK(first);
  ASSERT_OK(second);
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM desks"), "1");
}

TEST_F(IdempotencyTest, ABatchAnswersEachKeyAsLookupWould) {
  const idempotency::Key known = KeyFor("tenant-a", "known");
  idempotency::Key reused{"tenant-a", "reused-id", "CreateDesk", idempotency::HashRequest("a")};
  ASSERT_OK(Record(known, kResponse));
  ASSERT_OK(Record(reused, "first"));
  reused.request_hash = idempotency::HashRequest("something else");
  const idempotency::Key fresh{"tenant-a", "fresh-id", "CreateDesk", idempotency::HashRequest("f")};
  using Answers = std::vector<absl::StatusOr<std::optional<std::string>>>;
  ASSERT_OK_AND_ASSIGN(Answers answers,
                       pool_->RunInTenantTransaction("tenant-a", [&](pqxx::work& tx) {
                         return idempotency::LookupMany(tx, "request_ids", {fresh, known, reused});
                       }));
  ASSERT_EQ(answers.size(), 3u);
  ASSERT_OK(answers[0]);
  EXPECT_EQ(*answers[0], std::nullopt);
  ASSERT_OK(answers[1]);
  EXPECT_EQ(*answers[1], kResponse);
  EXPECT_THAT(answers[2], StatusIs(absl::StatusCode::kInvalidArgument, "REQUEST_ID_REUSED"));

  // Recorded together, then each found by the single lookup.
  const idempotency::Key other{"tenant-a", "other-id", "CreateDesk", idempotency::HashRequest("o")};
  ASSERT_OK(pool_->RunInTenantTransaction("tenant-a", [&](pqxx::work& tx) {
    return idempotency::RecordMany(tx, "request_ids", {fresh, other},
                                   {kResponse, std::string("second\"\\", 9)});
  }));
  EXPECT_THAT(Lookup(fresh), IsOkAndHolds(::testing::Optional(kResponse)));
  EXPECT_THAT(Lookup(other), IsOkAndHolds(::testing::Optional(std::string("second\"\\", 9))));
}

TEST_F(IdempotencyTest, ABatchHoldsItsKeysAgainstASingleRetryUntilItCommits) {
  const idempotency::Key key = KeyFor("tenant-a", "batched");
  std::promise<void> batch_locked;
  std::future<void> locked = batch_locked.get_future();
  std::thread batch([&] {
    ASSERT_OK(pool_->RunInTenantTransaction("tenant-a", [&](pqxx::work& tx) -> absl::Status {
      RETURN_IF_ERROR(idempotency::LookupMany(tx, "request_ids", {key}).status());
      batch_locked.set_value();
      absl::SleepFor(absl::Milliseconds(200));
      return idempotency::RecordMany(tx, "request_ids", {key}, {kResponse});
    }));
  });
  locked.wait();
  // Waits for the batch's lock, then finds what the batch recorded.
  EXPECT_THAT(Lookup(key), IsOkAndHolds(::testing::Optional(kResponse)));
  batch.join();
}

TEST_F(IdempotencyTest, ABatchRefusesRepeatedIdsAndMixedTenants) {
  const idempotency::Key a = KeyFor("tenant-a", "x");
  const idempotency::Key b = KeyFor("tenant-b", "x");
  EXPECT_THAT(
      pool_->RunInTenantTransaction("tenant-a",
                                    [&](pqxx::work& tx) {
                                      return idempotency::LookupMany(tx, "request_ids", {a, a});
                                    }),
      StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(
      pool_->RunInTenantTransaction("tenant-a",
                                    [&](pqxx::work& tx) {
                                      return idempotency::LookupMany(tx, "request_ids", {a, b});
                                    }),
      StatusIs(absl::StatusCode::kInvalidArgument));
}

TEST_F(IdempotencyTest, RejectsUnsafeTableNamesAndIncompleteKeys) {
  const idempotency::Key key = KeyFor("tenant-a", "x");
  EXPECT_THAT(pool_->RunInTenantTransaction("tenant-a",
                                            [&](pqxx::work& tx) {
                                              return idempotency::Lookup(
                                                  tx, "request_ids; DROP TABLE desks", key);
                                            }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  idempotency::Key incomplete = key;
  incomplete.request_id.clear();
  EXPECT_THAT(pool_->RunInTenantTransaction("tenant-a",
                                            [&](pqxx::work& tx) {
                                              return idempotency::Record(tx, "public.request_ids",
                                                                         incomplete, kResponse);
                                            }),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_EQ(AdminQuery("SELECT to_regclass('desks') IS NOT NULL"), "t");
}

}  // namespace
}  // namespace sportelli::pg
