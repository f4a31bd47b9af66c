#include "sportelli/server/rpc_handler.h"

#include "absl/strings/ascii.h"
#include "absl/strings/strip.h"
#include "grpc/support/time.h"
#include "sportelli/auth/grpc_auth.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"

namespace sportelli::server {

RpcHandler::RpcHandler(std::string error_domain, const auth::TokenVerifier* verifier,
                       RpcMetrics* metrics, logging::Logger* logger, CallAdmission* admission,
                       RateLimiter* limiter)
    : error_domain_(std::move(error_domain)),
      verifier_(verifier),
      metrics_(metrics),
      logger_(logger),
      admission_(admission),
      limiter_(limiter) {}

std::string RpcHandler::ClientAddressOf(const grpc::ServerContextBase& context,
                                        const auth::Caller& caller) {
  if (caller.HasRole(auth::Role::kPortal)) {
    const auto& metadata = context.client_metadata();
    // Several values of the key, and several entries in a value, are one list in order: the
    // last is what the portal (the nearest hop that may be trusted) saw.
    std::string last;
    for (auto [it, end] = metadata.equal_range("x-forwarded-for"); it != end; ++it) {
      const absl::string_view value(it->second.data(), it->second.size());
      const absl::string_view entry =
          absl::StripAsciiWhitespace(value.substr(value.rfind(',') + 1));
      if (!entry.empty()) last = std::string(entry);
    }
    if (!last.empty()) return last;
  }
  // "ipv4:10.0.0.7:53211", "ipv6:[fd00::7]:53211": the host part only.
  const std::string peer_text = context.peer();  // a copy: peer() returns by value
  absl::string_view peer = peer_text;
  if (const size_t colon = peer.find(':'); colon != absl::string_view::npos) {
    peer.remove_prefix(colon + 1);
  }
  if (absl::ConsumePrefix(&peer, "[")) return std::string(peer.substr(0, peer.find(']')));
  return std::string(peer.substr(0, peer.rfind(':')));
}

std::optional<std::chrono::steady_clock::time_point> RpcHandler::DeadlineOf(
    const grpc::ServerContextBase& context) {
  const gpr_timespec raw = context.raw_deadline();
  if (gpr_time_cmp(raw, gpr_inf_future(raw.clock_type)) >= 0) return std::nullopt;
  // gRPC's own clocks: what is left of the caller's deadline, placed on the steady clock.
  const gpr_timespec left =
      gpr_time_sub(gpr_convert_clock_type(raw, GPR_CLOCK_MONOTONIC), gpr_now(GPR_CLOCK_MONOTONIC));
  return std::chrono::steady_clock::now() + std::chrono::seconds(left.tv_sec) +
         std::chrono::nanoseconds(left.tv_nsec);
}

absl::Status RpcHandler::Admit(const grpc::ServerContextBase& context, Call& call) const {
  if (std::optional<std::chrono::steady_clock::time_point> deadline = DeadlineOf(context);
      deadline && *deadline <= std::chrono::steady_clock::now()) {
    return status::Error(absl::StatusCode::kDeadlineExceeded,
                         "the caller's deadline passed before the call was handled",
                         "DEADLINE_EXCEEDED");
  }
  absl::StatusOr<auth::Caller> caller = auth::AuthenticateCall(*verifier_, context);
  if (!caller.ok()) return caller.status();
  call.caller = *std::move(caller);
  if (limiter_ != nullptr)
    return limiter_->Check(call.caller, ClientAddressOf(context, call.caller));
  return absl::OkStatus();
}

grpc::Status RpcHandler::Finish(const char* method, absl::Duration elapsed, const Call& call,
                                const absl::Status& status) const {
  grpc::Status grpc_status = status::ToGrpcStatus(status, error_domain_);
  const double seconds = absl::ToDoubleSeconds(elapsed);
  metrics_->Finished(method, grpc_status.error_code(), seconds);
  std::optional<std::string> reason = status::ReasonOf(status);
  // Overload is the server's limit, not a failure: a warning, counted apart from UNAVAILABLE
  // for a dependency, and without the message (it is always the same).
  const bool overloaded = reason == "OVERLOADED";
  if (overloaded) metrics_->Overloaded(method);
  if (reason == "RATE_LIMITED") metrics_->RateLimited(method);

  const bool server_fault = !overloaded && (status.code() == absl::StatusCode::kInternal ||
                                            status.code() == absl::StatusCode::kUnknown ||
                                            status.code() == absl::StatusCode::kUnavailable ||
                                            status.code() == absl::StatusCode::kDataLoss);
  const logging::Level level = server_fault ? logging::Level::kError
                               : overloaded ? logging::Level::kWarning
                                            : logging::Level::kInfo;
  if (logger_->Enabled(level)) {
    nlohmann::json fields = {
        {"method", method},
        {"code", GrpcCodeName(grpc_status.error_code())},
        {"latency_ms", seconds * 1000.0},
    };
    if (!call.caller.tenant.empty()) fields["tenant"] = call.caller.tenant;
    if (!call.request_id.empty()) fields["request_id"] = call.request_id;
    if (reason) fields["reason"] = *reason;
    // Server-side failures keep their (personal-data-free, by construction) detail in the log;
    // clients only see a generic message for INTERNAL.
    if (server_fault) fields["error"] = std::string(status.message());
    logger_->Log(level, "rpc", fields);
  }
  return grpc_status;
}

}  // namespace sportelli::server
