// The audit trail's "who and why" of a call (sportelli/audit/actor.h): the verified caller, the
// purpose stated in the `x-sportelli-purpose` metadata or their role's default, and the request
// id the handler recorded. Handlers that read or write personal data take it first:
//
//   ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
#ifndef SPORTELLI_SERVER_AUDIT_ACTOR_H_
#define SPORTELLI_SERVER_AUDIT_ACTOR_H_

#include "absl/status/statusor.h"
#include "sportelli/audit/actor.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::server {

absl::StatusOr<audit::Actor> AuditActorOf(const Call& call);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_AUDIT_ACTOR_H_
