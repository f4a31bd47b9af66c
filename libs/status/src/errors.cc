#include "sportelli/status/errors.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/rpc/error_details.pb.h"

namespace sportelli::status {
namespace {

constexpr absl::string_view kErrorInfoUrl = "type.googleapis.com/google.rpc.ErrorInfo";
constexpr absl::string_view kBadRequestUrl = "type.googleapis.com/google.rpc.BadRequest";
constexpr absl::string_view kRetryInfoUrl = "type.googleapis.com/google.rpc.RetryInfo";

}  // namespace

absl::Status Error(absl::StatusCode code, absl::string_view message, absl::string_view reason) {
  absl::Status status(code, message);
  google::rpc::ErrorInfo info;
  info.set_reason(std::string(reason));
  status.SetPayload(kErrorInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<std::string> ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorInfoUrl);
  if (!payload) return std::nullopt;
  google::rpc::ErrorInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return info.reason();
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  const int64_t millis = absl::ToInt64Milliseconds(
      absl::Ceil(std::max(delay, absl::ZeroDuration()), absl::Milliseconds(1)));
  google::rpc::RetryInfo info;
  info.mutable_retry_delay()->set_seconds(millis / 1000);
  info.mutable_retry_delay()->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
  status.SetPayload(kRetryInfoUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryInfoUrl);
  if (!payload) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return absl::Seconds(info.retry_delay().seconds()) +
         absl::Nanoseconds(info.retry_delay().nanos());
}

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  auto payload = status.GetPayload(kBadRequestUrl);
  if (!payload) return out;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return out;
  for (const auto& violation : bad_request.field_violations()) {
    out.emplace_back(violation.field(), violation.description());
  }
  return out;
}

void FieldViolations::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

void FieldViolations::Merge(const FieldViolations& other, absl::string_view prefix) {
  for (const auto& [field, description] : other.violations_) {
    violations_.emplace_back(absl::StrCat(prefix, field), description);
  }
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  std::vector<absl::string_view> fields;
  fields.reserve(violations_.size());
  for (const auto& violation : violations_) fields.push_back(violation.first);
  absl::Status status =
      Error(absl::StatusCode::kInvalidArgument,
            absl::StrCat("invalid request: ", absl::StrJoin(fields, ", ")), "INVALID_FIELDS");
  google::rpc::BadRequest bad_request;
  for (const auto& [field, description] : violations_) {
    auto* violation = bad_request.add_field_violations();
    violation->set_field(field);
    violation->set_description(description);
  }
  status.SetPayload(kBadRequestUrl, absl::Cord(bad_request.SerializeAsString()));
  return status;
}

absl::Status NotFound(absl::string_view what) {
  return Error(absl::StatusCode::kNotFound, absl::StrCat(what, " not found"), "RESOURCE_NOT_FOUND");
}

absl::Status AlreadyExists(absl::string_view what) {
  return Error(absl::StatusCode::kAlreadyExists, absl::StrCat(what, " already exists"),
               "RESOURCE_ALREADY_EXISTS");
}

absl::Status Unavailable(absl::string_view what) {
  return Error(absl::StatusCode::kUnavailable, what, "DEPENDENCY_UNAVAILABLE");
}

absl::Status Internal(absl::string_view what) {
  return Error(absl::StatusCode::kInternal, what, "INTERNAL");
}

}  // namespace sportelli::status
