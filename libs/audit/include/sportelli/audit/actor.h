// Who accesses personal data and why, for the audit trail: taken from the caller's verified
// token (never from the request) and a purpose from a coded list, stated by the caller in the
// `x-sportelli-purpose` metadata or defaulted from their role.
//
//   ASSIGN_OR_RETURN(audit::Actor who, audit::ActorFor(call.caller, stated, call.request_id));
//
// Purposes a role may state (the first is its default; a caller with several roles defaults to
// the first of operator, coordinator, tenant_admin, dpo, portal that it has):
//   operator      service_delivery
//   coordinator   case_management, service_delivery
//   tenant_admin  administration, service_delivery
//   dpo           data_protection
//   portal        citizen_request
#ifndef SPORTELLI_AUDIT_ACTOR_H_
#define SPORTELLI_AUDIT_ACTOR_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/auth/caller.h"

namespace sportelli::audit {

// The metadata key a caller states its purpose in.
inline constexpr char kPurposeMetadata[] = "x-sportelli-purpose";

// INVALID_ARGUMENT (a violation on "x-sportelli-purpose") for a purpose not in the list;
// PERMISSION_DENIED, reason PURPOSE_NOT_ALLOWED, for one the caller's roles may not state, or
// when the caller has no role with a purpose.
absl::StatusOr<Actor> ActorFor(const auth::Caller& caller, absl::string_view stated_purpose,
                               std::string request_id);

}  // namespace sportelli::audit

#endif  // SPORTELLI_AUDIT_ACTOR_H_
