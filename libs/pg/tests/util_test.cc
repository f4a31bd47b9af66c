// Pure parts of sportelli::pg: connection strings, identifiers, hashing, migration lists.
#include "sportelli/pg/internal/util.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/conninfo.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"

namespace sportelli::pg {
namespace {

TEST(OverrideConninfoTest, RewritesKeyValueForm) {
  absl::StatusOr<std::string> out = OverrideConninfo(
      "host=/tmp/sock port=5432 dbname=postgres connect_timeout=30", {{"connect_timeout", "3"}});
  ASSERT_TRUE(out.ok()) << out.status();
  // libpq's keyword order, overrides last.
  EXPECT_EQ(*out, "dbname='postgres' host='/tmp/sock' port='5432' connect_timeout='3'");
}

TEST(OverrideConninfoTest, RewritesUriForm) {
  absl::StatusOr<std::string> out =
      OverrideConninfo("postgresql://app@db:5433/sportelli", {{"dbname", "other"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "user='app' host='db' port='5433' dbname='other'");

  // The example in conninfo.h.
  EXPECT_EQ(*OverrideConninfo("postgresql://app@db:5432/sportelli", {{"connect_timeout", "3"}}),
            "user='app' dbname='sportelli' host='db' port='5432' connect_timeout='3'");
}

TEST(OverrideConninfoTest, QuotesValuesSoTheyCannotInjectKeywords) {
  absl::StatusOr<std::string> out =
      OverrideConninfo("dbname=x", {{"password", "it's a \\ secret host=evil"}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "dbname='x' password='it\\'s a \\\\ secret host=evil'");
  // And libpq reads it back as one value (listed in libpq's keyword order).
  absl::StatusOr<std::string> again = OverrideConninfo(*out, {});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, "password='it\\'s a \\\\ secret host=evil' dbname='x'");
}

TEST(OverrideConninfoTest, RejectsGarbageWithoutEchoingIt) {
  absl::StatusOr<std::string> out = OverrideConninfo("password=hunter2 nonsense", {});
  EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out.status().ToString().find("hunter2"), std::string::npos);

  EXPECT_EQ(OverrideConninfo("dbname=x", {{"no_such_keyword", "1"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConnectionPoolCreateTest, ValidatesOptionsAndConninfoWithoutConnecting) {
  // Port 1 on loopback: nothing listens there, and Create must not try.
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool =
      ConnectionPool::Create("host=127.0.0.1 port=1 dbname=x", {});
  ASSERT_TRUE(pool.ok()) << pool.status();
  EXPECT_EQ((*pool)->size(), 0);

  PoolOptions zero;
  zero.max_size = 0;
  EXPECT_EQ(ConnectionPool::Create("dbname=x", zero).status().code(),
            absl::StatusCode::kInvalidArgument);
  PoolOptions no_connect_timeout;
  no_connect_timeout.connect_timeout = absl::ZeroDuration();
  EXPECT_EQ(ConnectionPool::Create("dbname=x", no_connect_timeout).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConnectionPool::Create("this is = not' valid", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(IdentifierTest, AcceptsOnlySimpleLowerCaseNames) {
  EXPECT_TRUE(internal::IsSimpleIdentifier("tenants"));
  EXPECT_TRUE(internal::IsSimpleIdentifier("_x9"));
  EXPECT_FALSE(internal::IsSimpleIdentifier(""));
  EXPECT_FALSE(internal::IsSimpleIdentifier("9x"));
  EXPECT_FALSE(internal::IsSimpleIdentifier("Tenants"));
  EXPECT_FALSE(internal::IsSimpleIdentifier("t; DROP TABLE x"));
  EXPECT_FALSE(internal::IsSimpleIdentifier("t\""));
  EXPECT_FALSE(internal::IsSimpleIdentifier(std::string(64, 'a')));
  EXPECT_TRUE(internal::IsSimpleIdentifier(std::string(63, 'a')));
}

TEST(IdentifierTest, QuotesQualifiedNames) {
  EXPECT_EQ(*internal::QuoteQualifiedName("request_ids"), "\"request_ids\"");
  EXPECT_EQ(*internal::QuoteQualifiedName("tenants.request_ids"), "\"tenants\".\"request_ids\"");
  EXPECT_FALSE(internal::QuoteQualifiedName("a.b.c").ok());
  EXPECT_FALSE(internal::QuoteQualifiedName("a.").ok());
  EXPECT_FALSE(internal::QuoteQualifiedName("x\"; DROP TABLE y; --").ok());
}

TEST(Sha256Test, MatchesKnownVectors) {
  EXPECT_EQ(crypto::Sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(crypto::Sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(idempotency::HashRequest("abc"), crypto::Sha256Hex("abc"));
}

TEST(ValidateMigrationsTest, AcceptsStrictlyIncreasingVersions) {
  EXPECT_TRUE(ValidateMigrations({}).ok());
  EXPECT_TRUE(
      ValidateMigrations({{1, "V001__a.sql", "SELECT 1"}, {3, "V003__b.sql", "SELECT 1"}}).ok());
}

TEST(ValidateMigrationsTest, RejectsDuplicatesDisorderAndNonPositiveVersions) {
  EXPECT_EQ(ValidateMigrations({{1, "V001__a.sql", ""}, {1, "V001__b.sql", ""}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMigrations({{2, "V002__a.sql", ""}, {1, "V001__b.sql", ""}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMigrations({{0, "V000__a.sql", ""}}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateMigrations({{1, nullptr, ""}}).code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sportelli::pg
