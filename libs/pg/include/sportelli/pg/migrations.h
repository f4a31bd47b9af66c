// Versioned schema migrations, compiled into each service binary (see
// sportelli_embed_migrations() in cmake/sportelli.cmake, which generates
// `const std::vector<sportelli::pg::Migration>& <namespace>::Migrations()` from
// services/<svc>/migrations/V<version>__<description>.sql) and applied by its `migrate`
// subcommand, typically a Kubernetes Job run before the new pods.
//
//   absl::StatusOr<int> applied =
//       pg::ApplyMigrations(*pool, "tenants", sportelli::tenants::Migrations());
//   if (!applied.ok()) return applied.status();   // process exits non-zero, the Job retries
//
// Guarantees:
// - Two processes migrating the same schema at once serialise on a session advisory lock keyed
//   on the schema name; the second one finds everything applied and applies nothing.
// - Each pending migration runs in its own transaction, in ascending version order, and is
//   recorded in <schema>.schema_migrations (version, name, SHA-256 checksum of the SQL,
//   applied_at) in that same transaction: a failing migration leaves no trace and no record.
// - Running again applies nothing (returns 0).
// - An applied migration whose SQL has since changed is refused with FAILED_PRECONDITION,
//   reason MIGRATION_CHECKSUM_MISMATCH: fix forward with a new version instead of editing
//   history. Likewise, reason MIGRATION_UNKNOWN_VERSION when the database has a version this
//   binary does not know (an older binary against a newer schema), and MIGRATION_OUT_OF_ORDER
//   when a missing version is lower than the highest applied one.
// - Versions must be positive and strictly increasing in the list (INVALID_ARGUMENT otherwise,
//   before touching the database).
//
// Each migration runs with `SET LOCAL search_path TO <schema>, public`, so its SQL may use
// unqualified names for the service's own objects.
//
// Two roles. `migrate` runs as the schema's owner; `serve` logs in as a runtime role with data
// privileges only (not the owner, no BYPASSRLS), so the code that row-level security fences
// cannot switch it off. Migrations grant the runtime role what it needs, naming it
// `{{runtime_role}}`, which the runner replaces by MigrationOptions::runtime_role (quoted):
//
//   GRANT USAGE ON SCHEMA tenants TO {{runtime_role}};
//   GRANT SELECT, INSERT, UPDATE, DELETE ON desks TO {{runtime_role}};
//
// The checksum is of the SQL as written, so a deployment may name its runtime role as it likes.
// The runner itself grants the runtime role USAGE on the schema at every run.
//
// Components. Tables that belong to a library rather than to one service (the request ids of
// idempotent writes, the event outbox) come with their own migrations, listed by each service
// that uses them (MigrationOptions::components). They are applied after the service's own
// migrations and tracked apart, per component, in <schema>.kit_migrations, with the same
// guarantees. A migration cannot contain statements that
// refuse to run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM). The schema is
// created when missing (needs CREATE on the database; an existing schema needs only ownership).
#ifndef SPORTELLI_PG_MIGRATIONS_H_
#define SPORTELLI_PG_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/pg/pool.h"

namespace sportelli::pg {

// Generated code builds these with aggregate initialisation: keep the layout as it is.
struct Migration {
  int version;
  const char* name;  // file name, e.g. "V001__init.sql"
  const char* sql;
};

// A library's migrations (see "Components" above).
struct MigrationComponent {
  std::string name;  // e.g. "request_ids"; lower case
  const std::vector<Migration>* migrations;
};

struct MigrationOptions {
  // The role `serve` uses, substituted for {{runtime_role}}. Empty: a migration that names it
  // fails with FAILED_PRECONDITION, reason MIGRATION_NEEDS_RUNTIME_ROLE, and nothing of it is
  // applied.
  std::string runtime_role;
  std::vector<MigrationComponent> components;
};

// Checks what ApplyMigrations checks before connecting: versions positive and strictly
// increasing, name and SQL present. Cheap enough for a unit test of every service's list.
absl::Status ValidateMigrations(const std::vector<Migration>& migrations);

// Applies the missing migrations to `schema` (a simple lower-case identifier), then those of
// each component, and returns how many it applied in all. Uses one connection of `pool` for the
// whole run.
absl::StatusOr<int> ApplyMigrations(ConnectionPool& pool, absl::string_view schema,
                                    const std::vector<Migration>& migrations,
                                    const MigrationOptions& options = {});

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_MIGRATIONS_H_
