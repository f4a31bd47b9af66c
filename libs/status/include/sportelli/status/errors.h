// Building absl::Status values that carry what a client needs to react: a machine-readable
// reason (google.rpc.ErrorInfo) and, for invalid input, one violation per bad field
// (google.rpc.BadRequest). Domain code and repositories use these; only the gRPC edge turns
// them into grpc::Status (see grpc_status.h).
//
//   FieldViolations violations;
//   if (desk.capacity() < 1) violations.Add("desk.capacity", "must be between 1 and 100");
//   RETURN_IF_ERROR(violations.ToStatus());
//   ...
//   return Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
//
// Messages and descriptions must never contain personal data (names, fiscal codes, phone
// numbers): they reach logs and clients.
#ifndef SPORTELLI_STATUS_ERRORS_H_
#define SPORTELLI_STATUS_ERRORS_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sportelli::status {

// A status with a reason in UPPER_SNAKE_CASE (e.g. "SLOT_FULL", "REQUEST_ID_REUSED").
absl::Status Error(absl::StatusCode code, absl::string_view message, absl::string_view reason);

// The ErrorInfo reason carried by `status`, or nullopt when it has none.
std::optional<std::string> ReasonOf(const absl::Status& status);

// `status` with a google.rpc.RetryInfo asking the client to wait `delay` before sending the
// same request again (overload, rate limits). Rounded up to whole milliseconds.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// The RetryInfo delay carried by `status`, or nullopt when it has none.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// The (field, description) pairs carried by an INVALID_ARGUMENT status.
std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status);

// Collects every problem of a request before answering, so the caller fixes them in one go.
class FieldViolations final {
 public:
  // `field` is the request path (e.g. "desk.opening_hours[2].end_time").
  void Add(std::string field, std::string description);
  // Adds every violation of `other`, each field prefixed with `prefix` (e.g. "desk.").
  void Merge(const FieldViolations& other, absl::string_view prefix = "");

  bool empty() const { return violations_.empty(); }
  size_t size() const { return violations_.size(); }
  const std::vector<std::pair<std::string, std::string>>& violations() const { return violations_; }

  // OK when empty, otherwise INVALID_ARGUMENT with reason "INVALID_FIELDS" and the violations.
  absl::Status ToStatus() const;

 private:
  std::vector<std::pair<std::string, std::string>> violations_;
};

// Shorthands for the common cases, each with a reason clients can switch on.
absl::Status NotFound(absl::string_view what);       // reason RESOURCE_NOT_FOUND
absl::Status AlreadyExists(absl::string_view what);  // reason RESOURCE_ALREADY_EXISTS
absl::Status Unavailable(absl::string_view what);    // reason DEPENDENCY_UNAVAILABLE
absl::Status Internal(absl::string_view what);       // reason INTERNAL

}  // namespace sportelli::status

#endif  // SPORTELLI_STATUS_ERRORS_H_
