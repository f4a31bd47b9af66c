// Who is calling: the verified claims of a request's token, and the authorization checks every
// handler makes with them. No gRPC here, so domain code may take a Caller.
//
//   RETURN_IF_ERROR(caller.RequireStaffOf(desk.tenant));   // operator, coordinator or admin
//   RETURN_IF_ERROR(caller.RequireAdminOf(desk.tenant));   // tenant_admin
//   RETURN_IF_ERROR(caller.RequireTenant(desk.tenant));    // anyone of that comune
#ifndef SPORTELLI_AUTH_CALLER_H_
#define SPORTELLI_AUTH_CALLER_H_

#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace sportelli::auth {

// The roles of ARCHITECTURE.md §6, as named in the `roles` claim.
// `partner`: a referral body (Punto Insieme, the job centre, ...) of one comune's catalog,
// named by the token's `destination` claim; it sees only the referrals sent to it.
// `notifier`: the notifications service on its own behalf (no person behind the token): it may
// read what a message to a citizen needs (GetAppointmentContact) and nothing else.
enum class Role {
  kPortal,
  kOperator,
  kCoordinator,
  kTenantAdmin,
  kDpo,
  kFederation,
  kPartner,
  kNotifier
};

// "portal", "operator", ...; nullopt for a name this version does not know.
std::optional<Role> ParseRole(absl::string_view name);
const char* RoleName(Role role);

// Staff roles, from the least to the most privileged: "operator and above" means any of them.
inline constexpr std::initializer_list<Role> kOperatorAndAbove = {
    Role::kOperator, Role::kCoordinator, Role::kTenantAdmin};

struct Caller {
  std::string subject;  // `sub`: an opaque id, never a fiscal code in logs
  std::string tenant;   // `tenant`
  std::set<Role> roles;
  // `destination`: for a partner, the id of the destination it acts for (in `tenant`'s
  // catalog); empty for everyone else.
  std::string destination = {};

  bool HasRole(Role role) const { return roles.count(role) > 0; }
  bool HasAnyRole(std::initializer_list<Role> wanted) const;

  // PERMISSION_DENIED unless the caller belongs to `tenant`. The message does not say whether
  // the other tenant's resource exists.
  absl::Status RequireTenant(absl::string_view tenant) const;
  // PERMISSION_DENIED unless the caller has one of `wanted`.
  absl::Status RequireAnyRole(std::initializer_list<Role> wanted) const;

  // The tenant check first (TENANT_MISMATCH, before anything is looked up, so another
  // comune's ids cannot be probed), then the role (ROLE_REQUIRED).
  // Staff: `operator`, `coordinator` or `tenant_admin` of `tenant`.
  absl::Status RequireStaffOf(absl::string_view tenant) const;
  // `tenant_admin` of `tenant`.
  absl::Status RequireAdminOf(absl::string_view tenant) const;
  bool IsStaff() const { return HasAnyRole(kOperatorAndAbove); }
};

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_CALLER_H_
