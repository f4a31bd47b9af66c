#include "sportelli/auth/on_behalf_of.h"

#include <cstdint>

#include "grpc/support/time.h"

namespace sportelli::auth {

OnBehalfOf OnBehalfOf::CallerOf(const grpc::ServerContextBase& context) {
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  std::string authorization =
      it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
  // Several values of the header are one list, in order.
  std::string forwarded_for;
  for (auto [entry, end] = metadata.equal_range("x-forwarded-for"); entry != end; ++entry) {
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for.append(entry->second.data(), entry->second.size());
  }
  return OnBehalfOf(std::move(authorization), std::move(forwarded_for), &context);
}

OnBehalfOf OnBehalfOf::Token(std::string authorization) {
  return OnBehalfOf(std::move(authorization), "", nullptr);
}

std::unique_ptr<grpc::ClientContext> OnBehalfOf::NewContext(absl::Duration timeout) const {
  // gRPC keeps the sooner of the parent's deadline and the one set here when the call starts.
  std::unique_ptr<grpc::ClientContext> context =
      parent_ != nullptr ? grpc::ClientContext::FromServerContext(*parent_)
                         : std::make_unique<grpc::ClientContext>();
  const int64_t micros = absl::ToInt64Microseconds(timeout);
  context->set_deadline(gpr_time_from_micros(micros > 0 ? micros : 0, GPR_TIMESPAN));
  if (!authorization_.empty()) context->AddMetadata("authorization", authorization_);
  if (!forwarded_for_.empty()) context->AddMetadata("x-forwarded-for", forwarded_for_);
  return context;
}

}  // namespace sportelli::auth
