// How ConnectionPool::RunInTransaction opens a transaction: the transaction-local settings that
// row-level security policies read (`app.tenant_id`, `app.federation`), the isolation level,
// read-only mode, and which constraint violations a repository wants to turn into its own status.
//
//   TransactionOptions options;
//   options.tenant_id = "comune-bologna";
//   options.isolation = Isolation::kSerializable;  // e.g. booking a slot without double booking
//   options.constraint_errors.push_back(
//       {"appointments_no_overlap",
//        status::Error(absl::StatusCode::kFailedPrecondition, "the slot is taken", "SLOT_TAKEN")});
//   absl::Status s = pool.RunInTransaction(options, [&](pqxx::work& tx) -> absl::Status { ... });
//
//   // Cross-tenant directory read, allowed by a policy that checks app.federation:
//   TransactionOptions federation;
//   federation.settings = {{"app.federation", "on"}};
//   federation.read_only = true;
#ifndef SPORTELLI_PG_TRANSACTION_OPTIONS_H_
#define SPORTELLI_PG_TRANSACTION_OPTIONS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"

namespace sportelli::pg {

enum class Isolation {
  kReadCommitted,  // PostgreSQL's default; enough for single-row writes guarded by constraints
  kRepeatableRead,
  kSerializable,  // serialization failures (40001) are retried by RunInTransaction
};

// Maps a violation of one named constraint (unique, exclusion, foreign key, check) to a status of
// the repository's choosing, e.g. an exclusion constraint on appointment times to SLOT_TAKEN.
// Only the constraint *name* is read from the server's message, never the row values it quotes.
struct ConstraintError {
  std::string constraint;
  absl::Status status;
};

struct TransactionOptions {
  // Sets `app.tenant_id` for this transaction only (set_config(..., true)); row-level security
  // policies compare it with each row's tenant_id. Unset: no tenant context, so tenant-scoped
  // tables show no rows (migrations, seeding, admin tools).
  std::optional<std::string> tenant_id;
  // Further transaction-local settings, applied after tenant_id, e.g. {"app.federation", "on"}.
  std::vector<std::pair<std::string, std::string>> settings;
  Isolation isolation = Isolation::kReadCommitted;
  bool read_only = false;
  // Checked in order when a statement violates a constraint; the first match wins.
  std::vector<ConstraintError> constraint_errors;
};

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_TRANSACTION_OPTIONS_H_
