#include "sportelli/testing/grpc_failure.h"

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace sportelli::testing {

Failure Decode(const grpc::Status& status) {
  Failure failure{status.error_code(), "", {}};
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return failure;
  for (const auto& any : details.details()) {
    google::rpc::ErrorInfo info;
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&info)) failure.reason = info.reason();
    if (any.UnpackTo(&bad_request)) {
      for (const auto& violation : bad_request.field_violations()) {
        failure.violations.emplace_back(violation.field(), violation.description());
      }
    }
  }
  return failure;
}

std::vector<std::string> Fields(const Failure& failure) {
  std::vector<std::string> fields;
  for (const auto& violation : failure.violations) fields.push_back(violation.first);
  return fields;
}

}  // namespace sportelli::testing
