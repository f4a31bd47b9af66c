#include "sportelli/pg/migrations.h"

#include <exception>
#include <map>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "pqxx/nontransaction"
#include "pqxx/result"
#include "pqxx/transaction"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/internal/errors.h"
#include "sportelli/pg/internal/util.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

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

// Where a set of migrations is recorded: the service's own in <schema>.schema_migrations, a
// component's in <schema>.kit_migrations under its name.
struct Ledger {
  std::string table;      // quoted, schema-qualified
  std::string component;  // empty for the service's own migrations
  std::string Label(const Migration& migration) const {
    return component.empty() ? std::string(migration.name)
                             : absl::StrCat(component, "/", migration.name);
  }
};

constexpr absl::string_view kRuntimeRole = "{{runtime_role}}";

// The SQL to run: {{runtime_role}} replaced by the quoted role.
absl::StatusOr<std::string> Expand(pqxx::work& tx, const Migration& migration, const Ledger& ledger,
                                   const std::string& runtime_role) {
  const std::string sql(migration.sql);
  if (!absl::StrContains(sql, kRuntimeRole)) return sql;
  if (runtime_role.empty()) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("migration ", ledger.Label(migration),
                                      " grants privileges to the runtime role, and none was "
                                      "given (SPORTELLI_PG_RUNTIME_ROLE)"),
                         "MIGRATION_NEEDS_RUNTIME_ROLE");
  }
  return absl::StrReplaceAll(sql, {{kRuntimeRole, tx.quote_name(runtime_role)}});
}

// Everything between taking the lock and releasing it, for one ledger; pqxx exceptions escape
// to the caller, which maps them. `current` names the migration being applied, for the error
// message.
absl::StatusOr<int> ApplySet(pqxx::connection& connection, const std::string& schema,
                             const std::string& quoted_schema, const Ledger& ledger,
                             const std::vector<Migration>& migrations,
                             const std::string& runtime_role, std::string& current) {
  std::map<int, AppliedMigration> applied;
  {
    pqxx::work tx(connection);
    const pqxx::result rows =
        ledger.component.empty()
            ? tx.exec(absl::StrCat("SELECT version, name, checksum FROM ", ledger.table))
            : tx.exec_params(absl::StrCat("SELECT version, name, checksum FROM ", ledger.table,
                                          " WHERE component = $1"),
                             ledger.component);
    for (const auto& row : rows) {
      applied[row[0].as<int>()] = {row[1].as<std::string>(), row[2].as<std::string>()};
    }
    tx.commit();
  }
  const std::string where = ledger.component.empty() ? absl::StrCat("schema ", schema)
                                                     : absl::StrCat("component ", ledger.component,
                                                                    " of schema ", schema);

  std::map<int, const Migration*> known;
  for (const Migration& migration : migrations) known[migration.version] = &migration;
  for (const auto& [version, record] : applied) {
    auto it = known.find(version);
    if (it == known.end()) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat(where, " has migration ", version, " (", record.name,
                                        ") which this binary does not know"),
                           "MIGRATION_UNKNOWN_VERSION");
    }
    if (crypto::Sha256Hex(it->second->sql) != record.checksum) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           absl::StrCat("migration ", ledger.Label(*it->second),
                                        " changed after it was applied to ", where),
                           "MIGRATION_CHECKSUM_MISMATCH");
    }
  }
  const int highest_applied = applied.empty() ? 0 : applied.rbegin()->first;
  for (const Migration& migration : migrations) {
    if (!applied.contains(migration.version) && migration.version < highest_applied) {
      return status::Error(
          absl::StatusCode::kFailedPrecondition,
          absl::StrCat("migration ", ledger.Label(migration), " is older than version ",
                       highest_applied, ", already applied to ", where),
          "MIGRATION_OUT_OF_ORDER");
    }
  }

  int count = 0;
  for (const Migration& migration : migrations) {
    if (applied.contains(migration.version)) continue;
    current = ledger.Label(migration);
    pqxx::work tx(connection);
    ASSIGN_OR_RETURN(const std::string sql, Expand(tx, migration, ledger, runtime_role));
    tx.exec(absl::StrCat("SET LOCAL search_path TO ", quoted_schema, ", public"));
    tx.exec(sql);
    if (ledger.component.empty()) {
      tx.exec_params(absl::StrCat("INSERT INTO ", ledger.table,
                                  " (version, name, checksum) VALUES ($1, $2, $3)"),
                     migration.version, std::string(migration.name),
                     crypto::Sha256Hex(migration.sql));
    } else {
      tx.exec_params(absl::StrCat("INSERT INTO ", ledger.table,
                                  " (component, version, name, checksum) VALUES ($1, $2, $3, $4)"),
                     ledger.component, migration.version, std::string(migration.name),
                     crypto::Sha256Hex(migration.sql));
    }
    tx.commit();
    ++count;
  }
  current.clear();
  return count;
}

absl::StatusOr<int> ApplyLocked(pqxx::connection& connection, const std::string& schema,
                                const std::string& quoted_schema,
                                const std::vector<Migration>& migrations,
                                const MigrationOptions& options, std::string& current) {
  const Ledger own{absl::StrCat(quoted_schema, ".schema_migrations"), ""};
  const std::string kit_table = absl::StrCat(quoted_schema, ".kit_migrations");
  {
    pqxx::work tx(connection);
    // CREATE SCHEMA IF NOT EXISTS checks the database-level CREATE privilege even when the
    // schema exists; a migrate role that merely owns its schema would be refused.
    if (tx.exec_params("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema).empty()) {
      tx.exec(absl::StrCat("CREATE SCHEMA ", quoted_schema));
    }
    tx.exec(
        absl::StrCat("CREATE TABLE IF NOT EXISTS ", own.table,
                     " (version integer PRIMARY KEY, name text NOT NULL,"
                     " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
    if (!options.components.empty()) {
      tx.exec(
          absl::StrCat("CREATE TABLE IF NOT EXISTS ", kit_table,
                       " (component text NOT NULL, version integer NOT NULL, name text NOT NULL,"
                       " checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(),"
                       " PRIMARY KEY (component, version))"));
    }
    // The runtime role reaches the schema; what it may do with each table, migrations say.
    if (!options.runtime_role.empty()) {
      tx.exec(absl::StrCat("GRANT USAGE ON SCHEMA ", quoted_schema, " TO ",
                           tx.quote_name(options.runtime_role)));
    }
    tx.commit();
  }
  ASSIGN_OR_RETURN(int count, ApplySet(connection, schema, quoted_schema, own, migrations,
                                       options.runtime_role, current));
  for (const MigrationComponent& component : options.components) {
    ASSIGN_OR_RETURN(int applied,
                     ApplySet(connection, schema, quoted_schema, Ledger{kit_table, component.name},
                              *component.migrations, options.runtime_role, current));
    count += applied;
  }
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
                                    const std::vector<Migration>& migrations,
                                    const MigrationOptions& options) {
  if (absl::Status valid = ValidateMigrations(migrations); !valid.ok()) return valid;
  for (const MigrationComponent& component : options.components) {
    if (!internal::IsSimpleIdentifier(component.name) || component.migrations == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("not a valid migration component: ", component.name));
    }
    if (absl::Status valid = ValidateMigrations(*component.migrations); !valid.ok()) {
      return valid;
    }
  }
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
    return ApplyLocked(**connection, schema_name, quoted_schema, migrations, options, current);
  } catch (...) {
    internal::Failure failure = internal::ClassifyException(std::current_exception(), {});
    if (!(*connection)->is_open()) connection->Discard();
    const std::string prefix = current.empty() ? absl::StrCat("migrating schema ", schema, ": ")
                                               : absl::StrCat("migration ", current, " failed: ");
    return internal::Annotate(failure.status, prefix);
  }
}

}  // namespace sportelli::pg
