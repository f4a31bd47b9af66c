// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr, which the abseil of
// Debian 12 (20220623) does not ship. Defined once here; every library and service uses these.
//
//   absl::StatusOr<Desk> LoadDesk(...);
//   absl::Status Touch(...) {
//     ASSIGN_OR_RETURN(Desk desk, LoadDesk(...));
//     RETURN_IF_ERROR(Save(desk));
//     return absl::OkStatus();
//   }
#ifndef SPORTELLI_STATUS_MACROS_H_
#define SPORTELLI_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SPORTELLI_STATUS_CONCAT_INNER(a, b) a##b
#define SPORTELLI_STATUS_CONCAT(a, b) SPORTELLI_STATUS_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define RETURN_IF_ERROR(expr)                                               \
  do {                                                                      \
    if (absl::Status sportelli_status_ = (expr); !sportelli_status_.ok()) { \
      return sportelli_status_;                                             \
    }                                                                       \
  } while (false)

// Evaluates `rexpr` (a StatusOr); on error returns its status, otherwise moves the value
// into `lhs`, which may be a declaration (`ASSIGN_OR_RETURN(auto x, F())`).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                                           \
  SPORTELLI_ASSIGN_OR_RETURN_IMPL(SPORTELLI_STATUS_CONCAT(sportelli_statusor_, __LINE__), lhs, \
                                  rexpr)

#define SPORTELLI_ASSIGN_OR_RETURN_IMPL(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                    \
  if (!statusor.ok()) {                                       \
    return std::move(statusor).status();                      \
  }                                                           \
  lhs = *std::move(statusor)

#endif  // SPORTELLI_STATUS_MACROS_H_
