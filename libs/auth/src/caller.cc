#include "sportelli/auth/caller.h"

#include "sportelli/status/errors.h"

namespace sportelli::auth {
namespace {

struct RoleEntry {
  Role role;
  const char* name;
};

constexpr RoleEntry kRoles[] = {
    {Role::kPortal, "portal"},
    {Role::kOperator, "operator"},
    {Role::kCoordinator, "coordinator"},
    {Role::kTenantAdmin, "tenant_admin"},
    {Role::kDpo, "dpo"},
    {Role::kFederation, "federation"},
    {Role::kPartner, "partner"},
    {Role::kNotifier, "notifier"},
};

}  // namespace

std::optional<Role> ParseRole(absl::string_view name) {
  for (const RoleEntry& entry : kRoles) {
    if (name == entry.name) return entry.role;
  }
  return std::nullopt;
}

const char* RoleName(Role role) {
  for (const RoleEntry& entry : kRoles) {
    if (entry.role == role) return entry.name;
  }
  return "unknown";
}

bool Caller::HasAnyRole(std::initializer_list<Role> wanted) const {
  for (Role role : wanted) {
    if (HasRole(role)) return true;
  }
  return false;
}

absl::Status Caller::RequireTenant(absl::string_view wanted) const {
  if (tenant == wanted) return absl::OkStatus();
  return status::Error(absl::StatusCode::kPermissionDenied,
                       "the caller may not access this tenant's resources", "TENANT_MISMATCH");
}

absl::Status Caller::RequireAnyRole(std::initializer_list<Role> wanted) const {
  if (HasAnyRole(wanted)) return absl::OkStatus();
  return status::Error(absl::StatusCode::kPermissionDenied,
                       "the caller's roles do not allow this operation", "ROLE_REQUIRED");
}

absl::Status Caller::RequireStaffOf(absl::string_view wanted) const {
  if (absl::Status status = RequireTenant(wanted); !status.ok()) return status;
  return RequireAnyRole(kOperatorAndAbove);
}

absl::Status Caller::RequireAdminOf(absl::string_view wanted) const {
  if (absl::Status status = RequireTenant(wanted); !status.ok()) return status;
  return RequireAnyRole({Role::kTenantAdmin});
}

}  // namespace sportelli::auth
