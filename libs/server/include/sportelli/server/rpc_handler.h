// The frame every unary handler runs in: authenticate the caller, run the handler, turn its
// absl::Status into a grpc::Status (with ErrorInfo/BadRequest details), and record one access
// log line and the RPC metrics. No exception escapes to gRPC: an unexpected one becomes
// INTERNAL and is logged without its text.
//
//   grpc::Status GetDesk(grpc::ServerContext* context, const GetDeskRequest* request,
//                        Desk* response) override {
//     return handler_.Handle(context, "GetDesk", [&](Call& call) -> absl::Status {
//       ASSIGN_OR_RETURN(auto name, ParseDeskName(request->name()));
//       RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
//       ...
//     });
//   }
#ifndef SPORTELLI_SERVER_RPC_HANDLER_H_
#define SPORTELLI_SERVER_RPC_HANDLER_H_

#include <exception>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "grpcpp/server_context.h"
#include "sportelli/auth/caller.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/logging/logger.h"
#include "sportelli/server/rpc_metrics.h"

namespace sportelli::server {

// What a handler knows about its call.
struct Call {
  grpc::ServerContext* context;
  auth::Caller caller;
  // Set by handlers of methods with a `request_id`, so the access log can correlate retries.
  std::string request_id;
};

class RpcHandler final {
 public:
  // `error_domain` goes into every ErrorInfo (e.g. "tenants.sportelli"). All pointers must
  // outlive the handler.
  RpcHandler(std::string error_domain, const auth::TokenVerifier* verifier, RpcMetrics* metrics,
             logging::Logger* logger);

  template <typename Fn>
  grpc::Status Handle(grpc::ServerContext* context, const char* method, Fn&& fn) const {
    const clock::Stopwatch watch;
    metrics_->Started(method);
    Call call{context, {}, {}};
    absl::Status status = Authenticate(*context, call);
    if (status.ok()) {
      try {
        status = std::forward<Fn>(fn)(call);
      } catch (const std::exception&) {
        status = absl::InternalError("unexpected exception in handler");
      }
    }
    return Finish(method, watch.Elapsed(), call, status);
  }

 private:
  absl::Status Authenticate(const grpc::ServerContext& context, Call& call) const;
  grpc::Status Finish(const char* method, absl::Duration elapsed, const Call& call,
                      const absl::Status& status) const;

  const std::string error_domain_;
  const auth::TokenVerifier* const verifier_;
  RpcMetrics* const metrics_;
  logging::Logger* const logger_;
};

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_RPC_HANDLER_H_
