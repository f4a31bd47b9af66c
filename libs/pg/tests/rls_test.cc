// Proof that tenant isolation holds in the database itself: with ENABLE + FORCE ROW LEVEL
// SECURITY and a policy on app.tenant_id, a query without any WHERE clause sees only the current
// tenant's rows, and writing another tenant's row is refused, for a role that owns the table but
// is neither superuser nor BYPASSRLS (what the services run as).
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pg_fixture.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::pg {
namespace {

using ::sportelli::testing::IsOkAndHolds;
using ::sportelli::testing::StatusIs;

constexpr char kSchema[] = R"SQL(
  CREATE TABLE cases (
    id        serial PRIMARY KEY,
    tenant_id text NOT NULL,
    subject   text NOT NULL
  );
  ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
  -- Without FORCE the owner (our role) would bypass its own policy.
  ALTER TABLE cases FORCE ROW LEVEL SECURITY;
  CREATE POLICY tenant_isolation ON cases
    USING (tenant_id = current_setting('app.tenant_id', true))
    WITH CHECK (tenant_id = current_setting('app.tenant_id', true));
)SQL";

class RlsTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (HasFatalFailure()) return;
    pool_ = MakePool();
    ASSERT_NE(pool_, nullptr);
    AppExec(*pool_, kSchema);
    for (const auto& [tenant, subject] : std::vector<std::pair<std::string, std::string>>{
             {"tenant-a", "a1"}, {"tenant-a", "a2"}, {"tenant-b", "b1"}}) {
      ASSERT_OK(pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) {
        tx.exec_params("INSERT INTO cases (tenant_id, subject) VALUES ($1, $2)", tenant, subject);
        return absl::OkStatus();
      }));
    }
  }

  // Every (tenant_id, subject) visible to `tenant`, from a query with no WHERE clause.
  absl::StatusOr<std::string> SelectAll(const std::string& tenant) {
    return pool_->RunInTenantTransaction(tenant, [](pqxx::work& tx) -> absl::StatusOr<std::string> {
      std::string out;
      for (const auto& row : tx.exec("SELECT tenant_id, subject FROM cases ORDER BY subject")) {
        out += row[0].as<std::string>() + "/" + row[1].as<std::string>() + " ";
      }
      return out;
    });
  }

  std::unique_ptr<ConnectionPool> pool_;
};

TEST_F(RlsTest, TheApplicationRoleIsSubjectToRowLevelSecurity) {
  absl::StatusOr<std::string> facts =
      pool_->RunInTransaction([](pqxx::work& tx) -> absl::StatusOr<std::string> {
        return tx
            .exec1(
                "SELECT r.rolsuper::text || r.rolbypassrls::text || c.relrowsecurity::text"
                "       || c.relforcerowsecurity::text || (c.relowner = r.oid)::text"
                " FROM pg_roles r, pg_class c"
                " WHERE r.rolname = current_user AND c.oid = 'cases'::regclass")[0]
            .as<std::string>();
      });
  ASSERT_OK(facts);
  // not superuser, no BYPASSRLS, RLS enabled, forced, and the role owns the table
  EXPECT_EQ(*facts, "falsefalsetruetruetrue");
  // All three rows do exist (the superuser bypasses RLS).
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM cases"), "3");
}

TEST_F(RlsTest, ATenantSeesOnlyItsOwnRowsWithoutAnyWhereClause) {
  EXPECT_EQ(*SelectAll("tenant-a"), "tenant-a/a1 tenant-a/a2 ");
  EXPECT_EQ(*SelectAll("tenant-b"), "tenant-b/b1 ");
  EXPECT_EQ(*SelectAll("tenant-c"), "");
}

// A statement prepared once per connection (pg::ExecPrepared) keeps its plan across
// transactions; the policy must still be applied with each transaction's tenant. One
// connection, so the second and third transactions reuse the first's prepared statement.
TEST_F(RlsTest, APreparedStatementSeesTheTenantOfEachTransaction) {
  PoolOptions options;
  options.max_size = 1;
  std::unique_ptr<ConnectionPool> pool = MakePool(options);
  ASSERT_NE(pool, nullptr);
  auto subjects = [&](const std::string& tenant) {
    return pool->RunInTenantTransaction(tenant, [](pqxx::work& tx) -> absl::StatusOr<std::string> {
      std::string out;
      // More runs than PostgreSQL's five custom plans before it may switch to a generic one.
      for (int i = 0; i < 7; ++i) {
        out.clear();
        for (const auto& row : ExecPrepared(tx, "SELECT subject FROM cases ORDER BY subject")) {
          out += row[0].as<std::string>() + " ";
        }
      }
      return out;
    });
  };
  EXPECT_THAT(subjects("tenant-a"), IsOkAndHolds(std::string("a1 a2 ")));
  EXPECT_THAT(subjects("tenant-b"), IsOkAndHolds(std::string("b1 ")));
  EXPECT_THAT(subjects("tenant-a"), IsOkAndHolds(std::string("a1 a2 ")));
  EXPECT_THAT(subjects("tenant-c"), IsOkAndHolds(std::string("")));
}

TEST_F(RlsTest, WithoutTenantContextNothingIsVisible) {
  absl::StatusOr<int> count = pool_->RunInTransaction([](pqxx::work& tx) -> absl::StatusOr<int> {
    return tx.exec1("SELECT count(*) FROM cases")[0].as<int>();
  });
  ASSERT_OK(count);
  EXPECT_EQ(*count, 0);
}

TEST_F(RlsTest, WritingAnotherTenantsRowsIsRefused) {
  absl::Status insert = pool_->RunInTenantTransaction("tenant-a", [](pqxx::work& tx) {
    tx.exec("INSERT INTO cases (tenant_id, subject) VALUES ('tenant-b', 'planted')");
    return absl::OkStatus();
  });
  // 42501: new row violates row-level security policy. A bug in the service, hence INTERNAL.
  EXPECT_THAT(insert, StatusIs(absl::StatusCode::kInternal));
  EXPECT_EQ(insert.message(), "database error (sqlstate 42501)");

  absl::StatusOr<int> touched =
      pool_->RunInTenantTransaction("tenant-a", [](pqxx::work& tx) -> absl::StatusOr<int> {
        return static_cast<int>(
            tx.exec("UPDATE cases SET subject = 'hijacked' WHERE tenant_id = 'tenant-b'")
                .affected_rows() +
            tx.exec("DELETE FROM cases WHERE tenant_id = 'tenant-b'").affected_rows());
      });
  ASSERT_OK(touched);
  EXPECT_EQ(*touched, 0);
  EXPECT_EQ(*SelectAll("tenant-b"), "tenant-b/b1 ");
}

}  // namespace
}  // namespace sportelli::pg

namespace sportelli::pg {
namespace {

// The runtime role owns nothing: whatever the code that runs as it does, it cannot switch row-
// level security off, drop the policy, or wipe a table (the statements the code fenced by the
// policy could otherwise run: sportelli/testing/runtime_role.h).
TEST_F(RlsTest, TheRuntimeRoleCannotSwitchOffRowLevelSecurityOrWipeATable) {
  AppExec(*pool_, "GRANT USAGE ON SCHEMA public TO \"" + db_->runtime_role() +
                      "\"; GRANT SELECT, INSERT, UPDATE, DELETE ON cases TO \"" +
                      db_->runtime_role() + "\"");
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, "public");
  // Still enforced: the runtime role sees one tenant's rows.
  absl::StatusOr<std::unique_ptr<ConnectionPool>> runtime =
      ConnectionPool::Create(db_->runtime_dsn());
  ASSERT_OK(runtime.status());
  absl::StatusOr<int> visible =
      (*runtime)->RunInTenantTransaction("tenant-b", [](pqxx::work& tx) -> absl::StatusOr<int> {
        return tx.exec("SELECT count(*) FROM cases")[0][0].as<int>();
      });
  ASSERT_OK(visible.status());
  EXPECT_EQ(*visible, 1);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM cases"), "3");
}

}  // namespace
}  // namespace sportelli::pg
