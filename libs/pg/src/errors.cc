#include "sportelli/pg/internal/errors.h"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "pqxx/except"
#include "sportelli/status/errors.h"

namespace sportelli::pg::internal {
namespace {

absl::Status DatabaseError(absl::StatusCode code, absl::string_view sqlstate,
                           absl::string_view reason) {
  return status::Error(
      code, absl::StrCat("database error (sqlstate ", sqlstate.empty() ? "unknown" : sqlstate, ")"),
      reason);
}

bool IsConflict(absl::string_view sqlstate) { return sqlstate == "40001" || sqlstate == "40P01"; }

Failure FromSqlState(absl::string_view sqlstate, absl::string_view message,
                     absl::Span<const ConstraintError> constraint_errors) {
  if (absl::StartsWith(sqlstate, "23") && !constraint_errors.empty()) {
    if (std::optional<std::string> constraint = ViolatedConstraint(message)) {
      for (const ConstraintError& mapping : constraint_errors) {
        if (mapping.constraint == *constraint) return {FailureKind::kFinal, mapping.status};
      }
    }
  }
  return {IsConflict(sqlstate) ? FailureKind::kConflict : FailureKind::kFinal,
          StatusForSqlState(sqlstate)};
}

}  // namespace

absl::Status StatusForSqlState(absl::string_view sqlstate) {
  if (sqlstate == "23505") {
    return DatabaseError(absl::StatusCode::kAlreadyExists, sqlstate, "RESOURCE_ALREADY_EXISTS");
  }
  if (sqlstate == "23P01") {
    return DatabaseError(absl::StatusCode::kFailedPrecondition, sqlstate, "RESOURCE_CONFLICT");
  }
  // statement_timeout (set from the pool's bound or the caller's deadline) cancelled a
  // statement: the caller's time is up, or the database is too slow for the bound.
  if (sqlstate == "57014") {
    return DatabaseError(absl::StatusCode::kDeadlineExceeded, sqlstate, "STATEMENT_TIMEOUT");
  }
  // lock_timeout: another transaction held a row this one needed for too long.
  if (sqlstate == "55P03") {
    return DatabaseError(absl::StatusCode::kAborted, sqlstate, "LOCK_TIMEOUT");
  }
  // Class 40: the server rolled the transaction back; rerunning it may well succeed.
  if (absl::StartsWith(sqlstate, "40")) {
    return DatabaseError(absl::StatusCode::kAborted, sqlstate, "TRANSACTION_CONFLICT");
  }
  // Connection exceptions, server shutting down or restarting, connection slots exhausted:
  // transient conditions a client may retry with backoff.
  if (absl::StartsWith(sqlstate, "08") || sqlstate == "57P01" || sqlstate == "57P02" ||
      sqlstate == "57P03" || sqlstate == "53300") {
    return DatabaseError(absl::StatusCode::kUnavailable, sqlstate, "DEPENDENCY_UNAVAILABLE");
  }
  return DatabaseError(absl::StatusCode::kInternal, sqlstate, "INTERNAL");
}

Failure ClassifyException(std::exception_ptr error,
                          absl::Span<const ConstraintError> constraint_errors) noexcept {
  try {
    try {
      std::rethrow_exception(error);
    } catch (const pqxx::in_doubt_error&) {
      return {FailureKind::kCommitInDoubt,
              status::Error(absl::StatusCode::kUnavailable,
                            "database connection lost during COMMIT: outcome unknown",
                            "COMMIT_IN_DOUBT")};
    } catch (const pqxx::broken_connection&) {
      // Also too_many_connections (53300) and every 08xxx error: libpqxx 6.4 throws this class.
      return {FailureKind::kBrokenConnection, status::Unavailable("database connection lost")};
    } catch (const pqxx::serialization_failure& e) {
      return FromSqlState("40001", e.what(), constraint_errors);
    } catch (const pqxx::deadlock_detected& e) {
      return FromSqlState("40P01", e.what(), constraint_errors);
    } catch (const pqxx::statement_completion_unknown& e) {
      return FromSqlState("40003", e.what(), constraint_errors);
    } catch (const pqxx::transaction_rollback& e) {
      return FromSqlState("40000", e.what(), constraint_errors);
    } catch (const pqxx::insufficient_privilege& e) {
      // libpqxx 6.4 drops the code for this class only.
      return FromSqlState(e.sqlstate().empty() ? "42501" : e.sqlstate(), e.what(),
                          constraint_errors);
    } catch (const pqxx::sql_error& e) {
      return FromSqlState(e.sqlstate(), e.what(), constraint_errors);
    } catch (const pqxx::pqxx_exception&) {
      // Usage, conversion, range errors: bugs in the calling code. Their text can quote values.
      return {FailureKind::kFinal, status::Internal("database client error")};
    } catch (const std::exception&) {
      return {FailureKind::kFinal, status::Internal("unexpected exception in database code")};
    } catch (...) {
      return {FailureKind::kFinal, status::Internal("unexpected exception in database code")};
    }
  } catch (...) {
    // Building a status failed (out of memory): a plain status needs no allocation for payloads.
    return {FailureKind::kFinal, absl::InternalError("database error")};
  }
}

std::optional<std::string> ViolatedConstraint(absl::string_view error_message) {
  const absl::string_view first_line = error_message.substr(0, error_message.find('\n'));
  constexpr absl::string_view kMarker = "constraint \"";
  const size_t start = first_line.rfind(kMarker);
  if (start == absl::string_view::npos) return std::nullopt;
  const absl::string_view rest = first_line.substr(start + kMarker.size());
  const size_t end = rest.find('"');
  if (end == absl::string_view::npos || end == 0) return std::nullopt;
  return std::string(rest.substr(0, end));
}

absl::Status Annotate(const absl::Status& status, absl::string_view prefix) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(), absl::StrCat(prefix, status.message()));
  status.ForEachPayload([&annotated](absl::string_view type_url, const absl::Cord& payload) {
    annotated.SetPayload(type_url, payload);
  });
  return annotated;
}

}  // namespace sportelli::pg::internal
