#include "sportelli/auth/caller.h"

#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::auth {
namespace {

TEST(CallerTest, TenantMismatchIsPermissionDenied) {
  Caller caller{"op", "capannori", {Role::kTenantAdmin}};
  EXPECT_TRUE(caller.RequireTenant("capannori").ok());
  absl::Status denied = caller.RequireTenant("lucca");
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(status::ReasonOf(denied), "TENANT_MISMATCH");
}

TEST(CallerTest, RoleChecks) {
  Caller portal{"portal-1", "capannori", {Role::kPortal}};
  EXPECT_FALSE(portal.HasAnyRole(kOperatorAndAbove));
  EXPECT_EQ(portal.RequireAnyRole({Role::kTenantAdmin}).code(),
            absl::StatusCode::kPermissionDenied);
  Caller coordinator{"c", "capannori", {Role::kCoordinator}};
  EXPECT_TRUE(coordinator.RequireAnyRole(kOperatorAndAbove).ok());
}

TEST(RoleTest, NamesRoundTrip) {
  for (Role role : {Role::kPortal, Role::kOperator, Role::kCoordinator, Role::kTenantAdmin,
                    Role::kDpo, Role::kFederation}) {
    EXPECT_EQ(ParseRole(RoleName(role)), role);
  }
  EXPECT_EQ(ParseRole("root"), std::nullopt);
}

}  // namespace
}  // namespace sportelli::auth

namespace sportelli::auth {
namespace {

TEST(CallerTest, StaffAndAdminChecksLookAtTheTenantFirst) {
  Caller admin{"a", "capannori", {Role::kTenantAdmin}};
  Caller op{"o", "capannori", {Role::kOperator}};
  Caller portal{"p", "capannori", {Role::kPortal}};
  EXPECT_TRUE(admin.RequireStaffOf("capannori").ok());
  EXPECT_TRUE(admin.RequireAdminOf("capannori").ok());
  EXPECT_TRUE(op.RequireStaffOf("capannori").ok());
  EXPECT_EQ(status::ReasonOf(op.RequireAdminOf("capannori")), "ROLE_REQUIRED");
  EXPECT_EQ(status::ReasonOf(portal.RequireStaffOf("capannori")), "ROLE_REQUIRED");
  // Another comune: the tenant answer, whatever the roles.
  EXPECT_EQ(status::ReasonOf(admin.RequireAdminOf("lucca")), "TENANT_MISMATCH");
  EXPECT_EQ(status::ReasonOf(portal.RequireStaffOf("lucca")), "TENANT_MISMATCH");
  EXPECT_TRUE(op.IsStaff());
  EXPECT_FALSE(portal.IsStaff());
}

}  // namespace
}  // namespace sportelli::auth
