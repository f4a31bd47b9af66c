#include "sportelli/status/grpc_status.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "sportelli/status/errors.h"

namespace sportelli::status {
namespace {

constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

std::string DefaultReason(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  absl::AsciiStrToUpper(&name);
  for (char& c : name) {
    if (c == ' ') c = '_';
  }
  return name;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain) {
  if (status.ok()) return grpc::Status::OK;

  google::rpc::Status rpc_status;
  rpc_status.set_code(static_cast<int>(status.code()));
  const bool opaque =
      status.code() == absl::StatusCode::kInternal || status.code() == absl::StatusCode::kUnknown;
  rpc_status.set_message(opaque ? "internal error" : std::string(status.message()));

  bool has_error_info = false;
  status.ForEachPayload([&](absl::string_view type_url, const absl::Cord& payload) {
    if (type_url.substr(0, kTypeUrlPrefix.size()) != kTypeUrlPrefix) return;
    std::string value(payload);
    if (type_url == "type.googleapis.com/google.rpc.ErrorInfo") {
      google::rpc::ErrorInfo info;
      if (!info.ParseFromString(value)) return;
      if (info.domain().empty()) info.set_domain(std::string(domain));
      value = info.SerializeAsString();
      has_error_info = true;
    }
    auto* any = rpc_status.add_details();
    any->set_type_url(std::string(type_url));
    any->set_value(std::move(value));
  });
  if (!has_error_info) {
    google::rpc::ErrorInfo info;
    info.set_reason(DefaultReason(status.code()));
    info.set_domain(std::string(domain));
    rpc_status.add_details()->PackFrom(info);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), rpc_status.message(),
                      rpc_status.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  absl::Status out(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  google::rpc::Status rpc_status;
  if (status.error_details().empty() || !rpc_status.ParseFromString(status.error_details())) {
    return out;
  }
  for (const auto& any : rpc_status.details()) {
    out.SetPayload(any.type_url(), absl::Cord(any.value()));
  }
  return out;
}

absl::Status FromDependency(const grpc::Status& status, absl::string_view service,
                            absl::string_view unavailable_reason) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
      return Error(absl::StatusCode::kUnavailable,
                   absl::StrCat("the ", service, " service did not answer in time"),
                   unavailable_reason);
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::DATA_LOSS:
      return Internal(absl::StrCat("the ", service, " service failed"));
    default:
      return FromGrpcStatus(status);
  }
}

}  // namespace sportelli::status
