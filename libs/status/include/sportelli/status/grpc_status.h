// The one place where absl::Status becomes grpc::Status (servers) and back (clients).
//
// The gRPC status carries a serialized google.rpc.Status in its binary details, with a
// google.rpc.ErrorInfo (reason, domain) for every error and a google.rpc.BadRequest for
// invalid input, as described at https://google.aip.dev/193.
#ifndef SPORTELLI_STATUS_GRPC_STATUS_H_
#define SPORTELLI_STATUS_GRPC_STATUS_H_

#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace sportelli::status {

// `domain` names the service answering, e.g. "tenants.sportelli".
// INTERNAL and UNKNOWN messages are replaced by a generic text: their detail is for the logs of
// the component that produced them, never for clients.
grpc::Status ToGrpcStatus(const absl::Status& status, absl::string_view domain);

// The inverse, for clients calling another service: code, message, ErrorInfo reason and
// field violations survive the round trip.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace sportelli::status

#endif  // SPORTELLI_STATUS_GRPC_STATUS_H_
