// The gRPC edge of authentication: reads `authorization: Bearer <jwt>` from a call's metadata.
#ifndef SPORTELLI_AUTH_GRPC_AUTH_H_
#define SPORTELLI_AUTH_GRPC_AUTH_H_

#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "sportelli/auth/caller.h"
#include "sportelli/auth/tokens.h"

namespace sportelli::auth {

// UNAUTHENTICATED when the header is missing, malformed or the token does not verify.
absl::StatusOr<Caller> AuthenticateCall(const TokenVerifier& verifier,
                                        const grpc::ServerContextBase& context);

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_GRPC_AUTH_H_
