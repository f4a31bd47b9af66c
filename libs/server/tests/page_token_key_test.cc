// The page token key kit component on a real PostgreSQL: `migrate` makes one key, keeps it on
// every later run, lets the runtime role read it and not change it; `serve` refuses to start on
// a schema without one.
#include "sportelli/server/page_token_key.h"

#include "gtest/gtest.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::server {
namespace {

constexpr char kSchema[] = "pagekeytest";

TEST(PageTokenKeyTest, MigrateMakesOneKeyTheRuntimeRoleReadsAndCannotChange) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sportelli::testing::TestDatabase> db,
                       sportelli::testing::TestDatabase::Create());
  ASSERT_OK(db->Migrate(kSchema, {}, {PageTokenKeyComponent()}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pg::ConnectionPool> pool,
                       pg::ConnectionPool::Create(db->runtime_dsn()));
  ASSERT_OK_AND_ASSIGN(std::string key, ReadPageTokenKey(*pool, kSchema));
  EXPECT_EQ(key.size(), 32);
  EXPECT_NE(key, std::string(32, '\0'));

  // Another run of migrate (a new release) keeps it: tokens in flight stay valid.
  ASSERT_OK(db->Migrate(kSchema, {}, {PageTokenKeyComponent()}));
  ASSERT_OK_AND_ASSIGN(std::string again, ReadPageTokenKey(*pool, kSchema));
  EXPECT_EQ(again, key);

  // The code `serve` runs cannot replace it.
  absl::Status replaced = pool->RunInTransaction([](pqxx::work& tx) -> absl::Status {
    tx.exec(absl::StrCat("UPDATE ", kSchema, ".page_token_key SET key = '\\x00'::bytea"));
    return absl::OkStatus();
  });
  EXPECT_FALSE(replaced.ok());

  // Another database (another deployment) has a key of its own.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sportelli::testing::TestDatabase> other,
                       sportelli::testing::TestDatabase::Create());
  ASSERT_OK(other->Migrate(kSchema, {}, {PageTokenKeyComponent()}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pg::ConnectionPool> other_pool,
                       pg::ConnectionPool::Create(other->runtime_dsn()));
  ASSERT_OK_AND_ASSIGN(std::string other_key, ReadPageTokenKey(*other_pool, kSchema));
  EXPECT_NE(other_key, key);
}

TEST(PageTokenKeyTest, ASchemaWithoutAKeyIsNotMigrated) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sportelli::testing::TestDatabase> db,
                       sportelli::testing::TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pg::ConnectionPool> pool,
                       pg::ConnectionPool::Create(db->runtime_dsn()));
  const absl::StatusOr<std::string> key = ReadPageTokenKey(*pool, kSchema);
  EXPECT_EQ(key.status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace sportelli::server
