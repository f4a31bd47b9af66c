// GoogleTest assertions and matchers for absl::Status and absl::StatusOr<T>, which the abseil
// of Debian 12 does not ship. Failure messages show the code, the message and the ErrorInfo
// reason (sportelli/status/errors.h).
//
//   ASSERT_OK(pool->Ping());
//   EXPECT_OK(repository.Save(desk)) << "while saving";
//   ASSERT_OK_AND_ASSIGN(Desk desk, repository.Get("t1", 42));
//   EXPECT_THAT(repository.Get("t1", 7), StatusIs(absl::StatusCode::kNotFound));
//   EXPECT_THAT(status, StatusIs(absl::StatusCode::kUnavailable, "POOL_EXHAUSTED"));
//   EXPECT_THAT(repository.Count("t1"), IsOkAndHolds(3));
#ifndef SPORTELLI_TESTING_STATUS_MATCHERS_H_
#define SPORTELLI_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::testing {
namespace internal {

inline const absl::Status& GetStatus(const absl::Status& status) { return status; }
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

// "UNAVAILABLE: no connection [reason POOL_EXHAUSTED]"
inline std::string Describe(const absl::Status& status) {
  std::string out(absl::StatusCodeToString(status.code()));
  if (!status.message().empty()) {
    out += ": ";
    out += std::string(status.message());
  }
  if (auto reason = status::ReasonOf(status)) out += " [reason " + *reason + "]";
  return out;
}

template <typename T>
::testing::AssertionResult IsOkPredicate(const char* expression, const T& value) {
  const absl::Status& status = GetStatus(value);
  if (status.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << expression << " is " << Describe(status);
}

}  // namespace internal

// Matches an OK Status or StatusOr.
MATCHER(IsOk, "is OK") {
  const absl::Status& status = ::sportelli::testing::internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "status is " << internal::Describe(status);
  return status.ok();
}

// Matches a Status or StatusOr with the given code.
MATCHER_P(StatusIs, code,
          std::string("has status code ") + std::string(absl::StatusCodeToString(code))) {
  const absl::Status& status = ::sportelli::testing::internal::GetStatus(arg);
  *result_listener << "status is " << internal::Describe(status);
  return status.code() == code;
}

// Matches a Status or StatusOr with the given code and ErrorInfo reason.
MATCHER_P2(StatusIs, code, reason,
           std::string("has status code ") + std::string(absl::StatusCodeToString(code)) +
               " and reason " + std::string(reason)) {
  const absl::Status& status = ::sportelli::testing::internal::GetStatus(arg);
  *result_listener << "status is " << internal::Describe(status);
  return status.code() == code && status::ReasonOf(status) == std::string(reason);
}

// Matches an OK StatusOr whose value matches `inner` (a value or a matcher).
MATCHER_P(IsOkAndHolds, inner, "is OK and holds a value that matches") {
  if (!arg.ok()) {
    *result_listener << "status is " << internal::Describe(arg.status());
    return false;
  }
  return ::testing::ExplainMatchResult(inner, *arg, result_listener);
}

}  // namespace sportelli::testing

#define EXPECT_OK(expr) EXPECT_PRED_FORMAT1(::sportelli::testing::internal::IsOkPredicate, expr)
#define ASSERT_OK(expr) ASSERT_PRED_FORMAT1(::sportelli::testing::internal::IsOkPredicate, expr)

// Evaluates `rexpr` (a StatusOr) once; fails the test (returning from it) when not OK, otherwise
// moves the value into `lhs`, which may be a declaration.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr)                                                           \
  SPORTELLI_ASSERT_OK_AND_ASSIGN_IMPL(SPORTELLI_STATUS_CONCAT(sportelli_statusor_, __LINE__), lhs, \
                                      rexpr)

#define SPORTELLI_ASSERT_OK_AND_ASSIGN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                        \
  ASSERT_OK(statusor);                                            \
  lhs = *std::move(statusor)

#endif  // SPORTELLI_TESTING_STATUS_MATCHERS_H_
