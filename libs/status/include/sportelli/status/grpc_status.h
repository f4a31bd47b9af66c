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

// The answer of another service this one depends on, as this service's own: that service not
// answering (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, CANCELLED) is not the
// caller's mistake, so UNAVAILABLE with `unavailable_reason` ("TENANTS_UNAVAILABLE") and "the
// `service` service did not answer in time"; its failures (INTERNAL, UNKNOWN, UNIMPLEMENTED,
// DATA_LOSS) are INTERNAL; its answers about the request (NOT_FOUND, PERMISSION_DENIED,
// INVALID_ARGUMENT, ...) pass through as FromGrpcStatus gives them.
absl::Status FromDependency(const grpc::Status& status, absl::string_view service,
                            absl::string_view unavailable_reason);

}  // namespace sportelli::status

#endif  // SPORTELLI_STATUS_GRPC_STATUS_H_
