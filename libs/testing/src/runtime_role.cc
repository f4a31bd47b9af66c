#include "sportelli/testing/runtime_role.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"

namespace sportelli::testing {

void ExpectRuntimeRoleIsFenced(const TestDatabase& db, const std::string& schema) {
  // Each table with one of its policies (empty for a table without any).
  std::vector<std::pair<std::string, std::string>> tables;
  {
    pqxx::connection admin(db.admin_dsn());
    pqxx::work tx(admin);
    for (const auto& row :
         tx.exec_params("SELECT t.tablename, coalesce(min(p.policyname), '') FROM pg_tables t "
                        "LEFT JOIN pg_policies p ON p.schemaname = t.schemaname AND p.tablename = "
                        "t.tablename WHERE t.schemaname = $1 GROUP BY t.tablename",
                        schema)) {
      tables.emplace_back(row[0].as<std::string>(), row[1].as<std::string>());
    }
  }
  EXPECT_FALSE(tables.empty()) << "schema " << schema << " has no table to check";
  for (const auto& [table, policy] : tables) {
    pqxx::connection probe(db.runtime_dsn());
    const std::string name = absl::StrCat(probe.quote_name(schema), ".", probe.quote_name(table));
    std::vector<std::string> statements = {
        absl::StrCat("ALTER TABLE ", name, " DISABLE ROW LEVEL SECURITY"),
        absl::StrCat("ALTER TABLE ", name, " NO FORCE ROW LEVEL SECURITY"),
        absl::StrCat("CREATE POLICY everything ON ", name, " USING (true)"),
        absl::StrCat("TRUNCATE ", name),
        absl::StrCat("DROP TABLE ", name),
        absl::StrCat("ALTER TABLE ", name, " OWNER TO CURRENT_USER"),
        "SET ROLE postgres",  // nor become someone who could
    };
    if (!policy.empty()) {
      statements.push_back(absl::StrCat("DROP POLICY ", probe.quote_name(policy), " ON ", name));
    }
    for (const std::string& statement : statements) {
      SCOPED_TRACE(statement);
      pqxx::work tx(probe);
      try {
        tx.exec(statement);
        ADD_FAILURE() << "the runtime role was allowed to run it";
      } catch (const pqxx::sql_error& e) {
        // libpqxx 6.4 leaves the sqlstate of insufficient_privilege empty; the class is enough.
        const bool refused = dynamic_cast<const pqxx::insufficient_privilege*>(&e) != nullptr ||
                             e.sqlstate() == "42501";
        EXPECT_TRUE(refused) << e.what();
      }
    }
  }
}

}  // namespace sportelli::testing
