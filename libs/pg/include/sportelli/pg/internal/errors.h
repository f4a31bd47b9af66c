// Internal to sportelli::pg (exposed for its unit tests): turning libpqxx exceptions and
// SQLSTATE codes into absl::Status values, and deciding which failures are worth a retry.
//
//   try { ... } catch (...) {
//     internal::Failure failure = internal::ClassifyException(std::current_exception(), {});
//     if (failure.kind == internal::FailureKind::kConflict) ...retry...
//     return failure.status;
//   }
//
// libpqxx 6.4 quirks handled here: serialization failures, deadlocks and other 40xxx errors are
// NOT pqxx::sql_error (no sqlstate() accessor); 08xxx errors and 53300 (too many connections)
// arrive as pqxx::broken_connection; insufficient_privilege (42501, e.g. a row-level security
// WITH CHECK failure) is thrown with an empty sqlstate().
#ifndef SPORTELLI_PG_INTERNAL_ERRORS_H_
#define SPORTELLI_PG_INTERNAL_ERRORS_H_

#include <exception>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sportelli/pg/transaction_options.h"

namespace sportelli::pg::internal {

enum class FailureKind {
  kFinal,             // report as is
  kBrokenConnection,  // the connection died before COMMIT was sent: safe to retry elsewhere
  kConflict,          // serialization failure or deadlock: rerun the whole transaction
  kCommitInDoubt,     // the connection died during COMMIT: the outcome is unknown, never retry
};

struct Failure {
  FailureKind kind;
  absl::Status status;
};

// The status for a server error code; "database error (sqlstate XXXXX)" as message.
absl::Status StatusForSqlState(absl::string_view sqlstate);

// Classifies an exception thrown by libpqxx or by a transaction callback. Never rethrows. The
// status message never includes the exception's text. `constraint_errors` applies to integrity
// violations (class 23) naming one of the constraints.
Failure ClassifyException(std::exception_ptr error,
                          absl::Span<const ConstraintError> constraint_errors) noexcept;

// The constraint named in the primary line of a PostgreSQL error message, e.g. `desks_pkey` in
// `ERROR:  duplicate key value violates unique constraint "desks_pkey"`. Only the first line is
// read: the DETAIL line quotes row values, which must not be interpreted or echoed.
std::optional<std::string> ViolatedConstraint(absl::string_view error_message);

// `status` with `prefix` prepended to its message; code and payloads (ErrorInfo reason) kept.
absl::Status Annotate(const absl::Status& status, absl::string_view prefix);

}  // namespace sportelli::pg::internal

#endif  // SPORTELLI_PG_INTERNAL_ERRORS_H_
