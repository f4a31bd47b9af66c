// Calling another service on behalf of the caller of a request. The caller's own token travels
// along, so the other service applies its own checks to the same caller (scheduling never
// sees more of tenants than its caller could); from inside a handler, the caller's deadline
// and cancellation propagate too, so a caller who gave up stops the work it started. The
// `x-forwarded-for` a portal set travels too: its visitor is the same one for the next service's
// rate limits.
//
//   grpc::Status GetDesk(grpc::ServerContext* context, ...) {
//     auth::OnBehalfOf caller = auth::OnBehalfOf::CallerOf(*context);
//     std::unique_ptr<grpc::ClientContext> call = caller.NewContext(absl::Seconds(1));
//     stub->GetDesk(call.get(), request, &desk);   // at most 1 s, less if the caller has less
//   }
#ifndef SPORTELLI_AUTH_ON_BEHALF_OF_H_
#define SPORTELLI_AUTH_ON_BEHALF_OF_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"

namespace sportelli::auth {

class OnBehalfOf final {
 public:
  // The caller of the call `context` serves; `context` must outlive every context made here.
  static OnBehalfOf CallerOf(const grpc::ServerContextBase& context);
  // A token of its own, "Bearer ..." (tools and tests); nothing propagates.
  static OnBehalfOf Token(std::string authorization);

  // A context for one outbound call: the `authorization` and `x-forwarded-for` metadata, a
  // deadline `timeout` from now, or the caller's own when sooner, and the caller's cancellation.
  std::unique_ptr<grpc::ClientContext> NewContext(absl::Duration timeout) const;

  const std::string& authorization() const { return authorization_; }

 private:
  OnBehalfOf(std::string authorization, std::string forwarded_for,
             const grpc::ServerContextBase* parent)
      : authorization_(std::move(authorization)),
        forwarded_for_(std::move(forwarded_for)),
        parent_(parent) {}

  std::string authorization_;
  std::string forwarded_for_;
  const grpc::ServerContextBase* parent_;
};

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_ON_BEHALF_OF_H_
