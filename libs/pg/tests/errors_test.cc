#include "sportelli/pg/internal/errors.h"

#include <stdexcept>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "pqxx/except"
#include "sportelli/status/errors.h"

namespace sportelli::pg::internal {
namespace {

// A message shaped like the server's, with personal data in the DETAIL line.
constexpr char kUniqueMessage[] =
    "ERROR:  duplicate key value violates unique constraint \"citizens_fiscal_code_key\"\n"
    "DETAIL:  Key (fiscal_code)=(RSSMRA80A01H501U) already exists.\n";

struct SqlStateCase {
  const char* sqlstate;
  absl::StatusCode code;
  const char* reason;
};

TEST(StatusForSqlStateTest, MapsEachClassToItsCodeAndReason) {
  const std::vector<SqlStateCase> cases = {
      {"23505", absl::StatusCode::kAlreadyExists, "RESOURCE_ALREADY_EXISTS"},
      {"23P01", absl::StatusCode::kFailedPrecondition, "RESOURCE_CONFLICT"},
      {"40001", absl::StatusCode::kAborted, "TRANSACTION_CONFLICT"},
      {"40P01", absl::StatusCode::kAborted, "TRANSACTION_CONFLICT"},
      {"40003", absl::StatusCode::kAborted, "TRANSACTION_CONFLICT"},
      {"57P01", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"57P02", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"57P03", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"08006", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"08001", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"53300", absl::StatusCode::kUnavailable, "DEPENDENCY_UNAVAILABLE"},
      {"23503", absl::StatusCode::kInternal, "INTERNAL"},
      {"42601", absl::StatusCode::kInternal, "INTERNAL"},
      {"57014", absl::StatusCode::kDeadlineExceeded, "STATEMENT_TIMEOUT"},
      {"55P03", absl::StatusCode::kAborted, "LOCK_TIMEOUT"},
      {"", absl::StatusCode::kInternal, "INTERNAL"},
  };
  for (const SqlStateCase& c : cases) {
    SCOPED_TRACE(c.sqlstate);
    absl::Status status = StatusForSqlState(c.sqlstate);
    EXPECT_EQ(status.code(), c.code);
    EXPECT_EQ(status::ReasonOf(status), c.reason);
  }
}

TEST(StatusForSqlStateTest, MessageCarriesTheSqlState) {
  EXPECT_EQ(StatusForSqlState("23505").message(), "database error (sqlstate 23505)");
  EXPECT_EQ(StatusForSqlState("").message(), "database error (sqlstate unknown)");
}

TEST(ClassifyExceptionTest, UniqueViolationIsFinalAlreadyExistsWithoutServerText) {
  Failure failure = ClassifyException(
      std::make_exception_ptr(pqxx::unique_violation(kUniqueMessage, "INSERT ...", "23505")), {});
  EXPECT_EQ(failure.kind, FailureKind::kFinal);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(failure.status.message(), "database error (sqlstate 23505)");
  EXPECT_EQ(std::string(failure.status.message()).find("RSSMRA"), std::string::npos);
  EXPECT_EQ(failure.status.ToString().find("citizens"), std::string::npos);
}

TEST(ClassifyExceptionTest, SerializationFailureAndDeadlockAreConflicts) {
  // libpqxx 6.4 throws these without a sqlstate (they are not sql_error).
  Failure serialization = ClassifyException(
      std::make_exception_ptr(pqxx::serialization_failure("could not serialize access")), {});
  EXPECT_EQ(serialization.kind, FailureKind::kConflict);
  EXPECT_EQ(serialization.status.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(serialization.status.message(), "database error (sqlstate 40001)");

  Failure deadlock =
      ClassifyException(std::make_exception_ptr(pqxx::deadlock_detected("deadlock detected")), {});
  EXPECT_EQ(deadlock.kind, FailureKind::kConflict);
  EXPECT_EQ(deadlock.status.message(), "database error (sqlstate 40P01)");

  // Should a future libpqxx report 40001 as a plain sql_error, it is still a conflict.
  Failure as_sql_error = ClassifyException(
      std::make_exception_ptr(pqxx::sql_error("could not serialize", "", "40001")), {});
  EXPECT_EQ(as_sql_error.kind, FailureKind::kConflict);
}

TEST(ClassifyExceptionTest, OtherRollbacksAreAbortedButNotRetried) {
  Failure failure =
      ClassifyException(std::make_exception_ptr(pqxx::statement_completion_unknown("unknown")), {});
  EXPECT_EQ(failure.kind, FailureKind::kFinal);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kAborted);
}

TEST(ClassifyExceptionTest, BrokenConnectionIsRetryableUnavailable) {
  Failure failure = ClassifyException(
      std::make_exception_ptr(pqxx::broken_connection("server closed the connection")), {});
  EXPECT_EQ(failure.kind, FailureKind::kBrokenConnection);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(failure.status), "DEPENDENCY_UNAVAILABLE");

  Failure too_many = ClassifyException(
      std::make_exception_ptr(pqxx::too_many_connections("too many clients")), {});
  EXPECT_EQ(too_many.kind, FailureKind::kBrokenConnection);
}

TEST(ClassifyExceptionTest, InDoubtCommitIsNeverRetried) {
  Failure failure =
      ClassifyException(std::make_exception_ptr(pqxx::in_doubt_error("lost during commit")), {});
  EXPECT_EQ(failure.kind, FailureKind::kCommitInDoubt);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(failure.status), "COMMIT_IN_DOUBT");
}

TEST(ClassifyExceptionTest, AdminShutdownIsUnavailable) {
  Failure failure = ClassifyException(
      std::make_exception_ptr(pqxx::sql_error("terminating connection", "", "57P01")), {});
  EXPECT_EQ(failure.kind, FailureKind::kFinal);
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kUnavailable);
}

TEST(ClassifyExceptionTest, InsufficientPrivilegeGetsItsSqlStateBack) {
  Failure failure = ClassifyException(
      std::make_exception_ptr(pqxx::insufficient_privilege(
          "ERROR:  new row violates row-level security policy for table \"t\"\n")),
      {});
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(failure.status.message(), "database error (sqlstate 42501)");
}

TEST(ClassifyExceptionTest, NonDatabaseExceptionsAreInternalWithoutTheirText) {
  Failure failure =
      ClassifyException(std::make_exception_ptr(std::runtime_error("Mario Rossi, via Roma 1")), {});
  EXPECT_EQ(failure.status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(failure.status.ToString().find("Rossi"), std::string::npos);

  Failure conversion = ClassifyException(
      std::make_exception_ptr(pqxx::conversion_error("Could not convert 'Rossi' to int")), {});
  EXPECT_EQ(conversion.status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(conversion.status.ToString().find("Rossi"), std::string::npos);

  Failure unknown = ClassifyException(std::make_exception_ptr(42), {});
  EXPECT_EQ(unknown.status.code(), absl::StatusCode::kInternal);
}

TEST(ClassifyExceptionTest, ConstraintErrorsOverrideTheGenericMapping) {
  const std::vector<ConstraintError> mappings = {
      {"other_constraint", absl::NotFoundError("unused")},
      {"citizens_fiscal_code_key", status::Error(absl::StatusCode::kAlreadyExists,
                                                 "citizen already registered", "CITIZEN_EXISTS")},
  };
  Failure failure = ClassifyException(
      std::make_exception_ptr(pqxx::unique_violation(kUniqueMessage, "", "23505")), mappings);
  EXPECT_EQ(failure.kind, FailureKind::kFinal);
  EXPECT_EQ(failure.status.message(), "citizen already registered");
  EXPECT_EQ(status::ReasonOf(failure.status), "CITIZEN_EXISTS");

  // Only integrity violations are eligible, whatever their text says.
  Failure syntax = ClassifyException(
      std::make_exception_ptr(pqxx::sql_error(kUniqueMessage, "", "42601")), mappings);
  EXPECT_EQ(syntax.status.code(), absl::StatusCode::kInternal);
}

TEST(ViolatedConstraintTest, ReadsTheNameFromThePrimaryLineOnly) {
  EXPECT_EQ(ViolatedConstraint(kUniqueMessage), "citizens_fiscal_code_key");
  EXPECT_EQ(ViolatedConstraint("ERROR:  conflicting key value violates exclusion constraint "
                               "\"no_overlap\"\nDETAIL:  Key (during)=([1,5)) conflicts.\n"),
            "no_overlap");
  EXPECT_EQ(ViolatedConstraint("ERROR:  insert or update on table \"a\" violates foreign key "
                               "constraint \"a_b_fkey\"\n"),
            "a_b_fkey");
  EXPECT_EQ(ViolatedConstraint("ERROR:  null value in column \"x\" of relation \"t\" violates "
                               "not-null constraint\nDETAIL:  constraint \"fake\" in a value\n"),
            std::nullopt);
  EXPECT_EQ(ViolatedConstraint(""), std::nullopt);
  EXPECT_EQ(ViolatedConstraint("constraint \"unterminated"), std::nullopt);
}

TEST(AnnotateTest, PrefixesTheMessageAndKeepsTheReason) {
  absl::Status annotated =
      Annotate(StatusForSqlState("42601"), "migration V002__desks.sql failed: ");
  EXPECT_EQ(annotated.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(annotated.message(),
            "migration V002__desks.sql failed: database error (sqlstate 42601)");
  EXPECT_EQ(status::ReasonOf(annotated), "INTERNAL");
  EXPECT_TRUE(Annotate(absl::OkStatus(), "x").ok());
}

}  // namespace
}  // namespace sportelli::pg::internal
