#include "sportelli/auth/grpc_auth.h"

#include "sportelli/status/errors.h"

namespace sportelli::auth {

absl::StatusOr<Caller> AuthenticateCall(const TokenVerifier& verifier,
                                        const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it == metadata.end()) {
    return status::Error(absl::StatusCode::kUnauthenticated,
                         "missing authorization metadata (Bearer token)", "MISSING_TOKEN");
  }
  absl::string_view value(it->second.data(), it->second.size());
  constexpr absl::string_view kBearer = "Bearer ";
  if (value.size() <= kBearer.size() || value.substr(0, kBearer.size()) != kBearer) {
    return status::Error(absl::StatusCode::kUnauthenticated,
                         "authorization metadata must be 'Bearer <token>'", "MISSING_TOKEN");
  }
  return verifier.Verify(value.substr(kBearer.size()));
}

}  // namespace sportelli::auth
