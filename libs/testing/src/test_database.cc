#include "sportelli/testing/test_database.h"

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "pqxx/connection"
#include "pqxx/nontransaction"
#include "sportelli/pg/conninfo.h"

namespace sportelli::testing {
namespace {

constexpr char kAdminDsnVariable[] = "SPORTELLI_TEST_PG_ADMIN_DSN";

// Unique across parallel test processes (pid) and across databases within one (random suffix);
// lower-case so it needs no quoting gymnastics, and well under the 63-byte identifier limit.
std::string UniqueName(absl::string_view prefix) {
  absl::BitGen gen;
  return absl::StrCat(prefix, "_", ::getpid(), "_", absl::Uniform<uint32_t>(gen));
}

std::string RandomPassword() {
  absl::BitGen gen;
  return absl::StrCat("pw", absl::Hex(absl::Uniform<uint64_t>(gen)),
                      absl::Hex(absl::Uniform<uint64_t>(gen)));
}

absl::Status Fail(absl::Status status) {
  ADD_FAILURE() << "TestDatabase: " << status;
  return status;
}

// Runs `sql` outside a transaction block (CREATE/DROP DATABASE refuse to run inside one).
void Execute(const std::string& dsn, const std::string& sql) {
  pqxx::connection connection(dsn);
  pqxx::nontransaction tx(connection);
  tx.exec(sql);
}

}  // namespace

std::string RequireEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') {
    ADD_FAILURE() << "environment variable " << name
                  << " is not set: run the tests through scripts/test, which starts a throwaway "
                     "PostgreSQL and Redis and exports it (see docs/contributing.md)";
    return "";
  }
  return value;
}

absl::StatusOr<std::unique_ptr<TestDatabase>> TestDatabase::Create() {
  const std::string server_admin_dsn = RequireEnv(kAdminDsnVariable);
  if (server_admin_dsn.empty()) {
    return absl::FailedPreconditionError(absl::StrCat(kAdminDsnVariable, " is not set"));
  }
  // From here on the destructor cleans up whatever part got created.
  auto db = absl::WrapUnique(new TestDatabase());
  db->server_admin_dsn_ = server_admin_dsn;
  db->database_ = UniqueName("sportelli_test");
  db->owner_role_ = UniqueName("sportelli_owner");
  db->runtime_role_ = UniqueName("sportelli_runtime");
  const std::string owner_password = RandomPassword();
  const std::string runtime_password = RandomPassword();

  absl::StatusOr<std::string> admin_dsn =
      pg::OverrideConninfo(server_admin_dsn, {{"dbname", db->database_}});
  absl::StatusOr<std::string> owner_dsn = pg::OverrideConninfo(
      server_admin_dsn,
      {{"dbname", db->database_}, {"user", db->owner_role_}, {"password", owner_password}});
  absl::StatusOr<std::string> runtime_dsn = pg::OverrideConninfo(
      server_admin_dsn,
      {{"dbname", db->database_}, {"user", db->runtime_role_}, {"password", runtime_password}});
  if (!admin_dsn.ok()) return Fail(admin_dsn.status());
  if (!owner_dsn.ok()) return Fail(owner_dsn.status());
  if (!runtime_dsn.ok()) return Fail(runtime_dsn.status());
  db->admin_dsn_ = *admin_dsn;
  db->owner_dsn_ = *owner_dsn;
  db->runtime_dsn_ = *runtime_dsn;

  try {
    pqxx::connection server(server_admin_dsn);
    pqxx::nontransaction tx(server);
    const std::string database = tx.quote_name(db->database_);
    const std::string owner = tx.quote_name(db->owner_role_);
    const std::string runtime = tx.quote_name(db->runtime_role_);
    // FILE_COPY (PostgreSQL 15+) copies the small template's files instead of WAL-logging
    // every block: several times faster for a throwaway database.
    tx.exec(absl::StrCat("CREATE DATABASE ", database, " STRATEGY = FILE_COPY"));
    constexpr absl::string_view kLogin =
        " LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD ";
    tx.exec(absl::StrCat("CREATE ROLE ", owner, kLogin, tx.quote(owner_password)));
    tx.exec(absl::StrCat("CREATE ROLE ", runtime, kLogin, tx.quote(runtime_password)));
    tx.exec(absl::StrCat("GRANT CONNECT, CREATE, TEMPORARY ON DATABASE ", database, " TO ", owner));
    tx.exec(absl::StrCat("GRANT CONNECT ON DATABASE ", database, " TO ", runtime));
    Execute(*admin_dsn, absl::StrCat("GRANT USAGE, CREATE ON SCHEMA public TO ", owner));
  } catch (const std::exception& e) {
    // Test-only code: the server's message is what the developer needs to see.
    return Fail(absl::UnavailableError(
        absl::StrCat("cannot create the test database via ", kAdminDsnVariable, ": ", e.what())));
  }
  return db;
}

absl::Status TestDatabase::Migrate(absl::string_view schema,
                                   const std::vector<pg::Migration>& migrations,
                                   std::vector<pg::MigrationComponent> components) const {
  absl::StatusOr<std::unique_ptr<pg::ConnectionPool>> owner =
      pg::ConnectionPool::Create(owner_dsn_, {.max_size = 1});
  if (!owner.ok()) return owner.status();
  absl::StatusOr<int> applied = pg::ApplyMigrations(
      **owner, schema, migrations, {.runtime_role = runtime_role_, .components = components});
  return applied.status();
}

TestDatabase::~TestDatabase() {
  try {
    pqxx::connection server(server_admin_dsn_);
    pqxx::nontransaction tx(server);
    // A pool the test forgot to destroy would otherwise block DROP DATABASE. WITH (FORCE) does
    // the same since PostgreSQL 13; terminating first also covers the role's sessions anywhere.
    tx.exec_params(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE (datname = $1 OR usename = $2 OR usename = $3) AND pid <> pg_backend_pid()",
        database_, owner_role_, runtime_role_);
    tx.exec(absl::StrCat("DROP DATABASE IF EXISTS ", tx.quote_name(database_), " WITH (FORCE)"));
    for (const std::string& role : {owner_role_, runtime_role_}) {
      if (!role.empty()) tx.exec(absl::StrCat("DROP ROLE IF EXISTS ", tx.quote_name(role)));
    }
  } catch (const std::exception& e) {
    ADD_FAILURE() << "TestDatabase: cannot drop database " << database_ << " or its roles"
                  << ": " << e.what();
  }
}

}  // namespace sportelli::testing

// LeakSanitizer suppressions (read only in -DSPORTELLI_SANITIZE=ON builds). Defined here, not in
// a file of its own, so that every test binary using TestDatabase links it in: a static
// library's object is only linked when one of its symbols is needed.
//
// libpqxx 6.4 leaks the PGresult of a query that finds its connection dead:
// connection_base::make_result(PQexec(...), ...) evaluates encoding_id(), which throws
// broken_connection once the connection is bad, before wrapping the raw PGresult. One small leak
// per broken-connection event (tests that kill backends or restart the server), inside libpqxx.
// Our code never calls libpq query functions itself, so this hides no leak of ours.
extern "C" const char* __lsan_default_suppressions() { return "leak:PQmakeEmptyPGresult\n"; }
