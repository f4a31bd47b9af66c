#include "sportelli/server/audit_actor.h"

#include <string>

namespace sportelli::server {

absl::StatusOr<audit::Actor> AuditActorOf(const Call& call) {
  std::string stated;
  const auto& metadata = call.context->client_metadata();
  if (auto found = metadata.find(audit::kPurposeMetadata); found != metadata.end()) {
    stated.assign(found->second.data(), found->second.size());
  }
  return audit::ActorFor(call.caller, stated, call.request_id);
}

}  // namespace sportelli::server
