#include "sportelli/pg/migrations.h"

#include <exception>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "pqxx/transaction"
#include "sportelli/pg/internal/errors.h"
#include "sportelli/pg/internal/util.h"
#include "sportelli/status/errors.h"

namespace sportelli::pg {
namespace {

// Two-key advisory locks live in a key space of their own (a one-bigint lock never conflicts
// with them), so this cannot collide with the idempotency store's per-request locks. The first
// key namespaces "migrations", the second is the schema.
constexpr char kLockSql[] =
    "SELECT pg_advisory_lock(hashtext('sportelli.schema_migrations'), hashtext($1))";
constexpr char kUnlockSql[] =
    "SELECT pg_advisory_unlock(hashtext('sportelli.schema_migrations'), hashtext($1))";

struct AppliedMigration {
  std::string name;
  std::string checksum;
};

// Holds the session lock for its lifetime. If unlocking fails the connection is discarded: the
// server drops a session's locks when it ends, and a pooled connection must never carry one to
// its next borrower.
class SchemaLock final {
 public:
  SchemaLock(PooledConnection& connection, std::string schema)
      : connection_(connection), schema_(std::move(schema)) {
    pqxx::nontransaction tx(*connection_);
    tx.exec_params(kLockSql, schema_);
  }
  SchemaLock(const SchemaLock&) = delete;
  SchemaLock& operator=(const SchemaLock&) = delete;
  ~SchemaLock() {
    try {
      pqxx::nontransaction tx(*connection_);
      tx.exec_params(kUnlockSql, schema_);
    } catch (...) {
      connection_.Discard();
    }
  }

 private:
  PooledConnection& connection_;
  const std::string schema_;
};

// Everything between taking the lock and releasing it; pqxx exceptions escape to the caller,
// which maps them. `current` names the migration being applied, for the error message.
absl::StatusOr<int> ApplyLocked(pqxx::connection& connection, const std::string& schema,
                                const std::string& quoted_schema,
                                const std::vector<Migration>& migrations, std::string& current) {
  const std::string table = absl::StrCat(quoted_schema, ".schema_migrations");
  std::map<int, AppliedMigration> applied;
  {
    pqxx::work tx(connection);
    // CREATE SCHEMA IF NOT EXISTS checks the database-level CREATE privilege even when the
    // schema exists; a migrate role that merely owns its schema would be refused.
    if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).empty()) {
      tx.exec(absl::StrCat("CREATE SCHEMA ", quoted_schema));
    }
    tx.exec(
        absl::StrCat("CREATE TABLE IF NOT EXISTS ", table,
                     " (version integer PRIMARY KEY, name text NOT NULL,"
                     " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
    for (const auto& row : tx.exec(absl::StrCat("SELECT version, name, checksum FROM ", table))) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
    tx.commit();
  }

  std::map<int, const Migration*> known;
  for (const Migration& migration : migrations) known[migration.version] = &migration;
  for (const auto& [version, record] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("schema ", schema, " has migration ", version, " (",
                                        record.name, ") which this binary does not know"),
                           "MIGRATION_UNKNOWN_VERSION");
    }
    if (internal::Sha256Hex(it->second->sql) != record.checksum) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("migration ", it->second->name,
                                        " changed after it was applied to schema ", schema),
                           "MIGRATION_CHECKSUM_MISMATCH");
    }
  }
  const int highest_applied = applied.empty() ? 0 : applied.rbegin()->first;
  for (const Migration& migration : migrations) {
    if (!applied.contains(migration.version) && migration.version < highest_applied) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("migration ", migration.name, " is older than version ",
                                        highest_applied, ", already applied to schema ", schema),
                           "MIGRATION_OUT_OF_ORDER");
    }
  }

  int count = 0;
  for (const Migration& migration : migrations) {
    if (applied.contains(migration.version)) continue;
    current = migration.name;
    pqxx::work tx(connection);
    tx.exec(absl::StrCat("SET LOCAL search_path TO ", quoted_schema, ", public"));
    tx.exec(migration.sql);
    tx.exec_params(
        absl::StrCat("INSERT INTO ", table, " (version, name, checksum) VALUES ($1, $2, $3)"),
        migration.version, std::string(migration.name), internal::Sha256Hex(migration.sql));
    tx.commit();
    ++count;
  }
  current.clear();
  return count;
}

}  // namespace

absl::Status ValidateMigrations(const std::vector<Migration>& migrations) {
  int previous = 0;
  for (const Migration& migration : migrations) {
    if (migration.name == nullptr || migration.sql == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", migration.version, " has no name or no SQL"));
    }
    if (migration.version <= previous) {
      return absl::InvalidArgumentError(absl::StrCat(
          "migration versions must be positive and strictly increasing: ", migration.name,
          " (version ", migration.version, ") follows version ", previous));
    }
    previous = migration.version;
  }
  return absl::OkStatus();
}

absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, absl::string_view schema,
                                    const std::vector<Migration>& migrations) {
  if (absl::Status valid = ValidateMigrations(migrations); !valid.ok()) return valid;
  if (!internal::IsSimpleIdentifier(schema)) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid schema name: ", schema));
  }
  const std::string schema_name(schema);
  const std::string quoted_schema = absl::StrCat("\"", schema, "\"");

  absl::StatusOr<PooledConnection> connection = pool.Acquire();
  if (!connection.ok()) return connection.status();
  std::string current;
  try {
    SchemaLock lock(*connection, schema_name);
    return ApplyLocked(**connection, schema_name, quoted_schema, migrations, current);
  } catch (...) {
    internal::Failure failure = internal::ClassifyException(std::current_exception(), {});
    if (!(*connection)->is_open()) connection->Discard();
    const std::string prefix = current.empty() ? absl::StrCat("migrating schema ", schema, ": ")
                                               : absl::StrCat("migration ", current, " failed: ");
    return internal::Annotate(failure.status, prefix);
  }
}

}  // namespace sportelli::pg
