#include "sportelli/audit/actor.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::audit {
namespace {

using auth::Role;
using sportelli::testing::StatusIs;

auth::Caller With(std::set<Role> roles) { return {"sub-1", "capannori", std::move(roles)}; }

TEST(ActorForTest, TakesWhoFromTheTokenAndTheDefaultPurposeFromTheRole) {
  ASSERT_OK_AND_ASSIGN(Actor actor, ActorFor(With({Role::kOperator}), "", "req-1"));
  EXPECT_EQ(actor.subject, "sub-1");
  EXPECT_EQ(actor.tenant, "capannori");
  EXPECT_THAT(actor.roles, ::testing::ElementsAre("operator"));
  EXPECT_EQ(actor.purpose, Purpose::kServiceDelivery);
  EXPECT_EQ(actor.request_id, "req-1");
  EXPECT_EQ(ActorFor(With({Role::kPortal}), "", "")->purpose, Purpose::kCitizenRequest);
  EXPECT_EQ(ActorFor(With({Role::kDpo}), "", "")->purpose, Purpose::kDataProtection);
  EXPECT_EQ(ActorFor(With({Role::kCoordinator, Role::kOperator}), "", "")->purpose,
            Purpose::kServiceDelivery);
  EXPECT_THAT(ActorFor(With({Role::kCoordinator, Role::kOperator}), "", "")->roles,
              ::testing::ElementsAre("coordinator", "operator"));
}

TEST(ActorForTest, AStatedPurposeMustBeKnownAndAllowedToTheRole) {
  EXPECT_EQ(ActorFor(With({Role::kCoordinator}), "service_delivery", "")->purpose,
            Purpose::kServiceDelivery);
  EXPECT_THAT(ActorFor(With({Role::kOperator}), "curiosity", ""),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(ActorFor(With({Role::kOperator}), "data_protection", ""),
              StatusIs(absl::StatusCode::kPermissionDenied, "PURPOSE_NOT_ALLOWED"));
  EXPECT_THAT(ActorFor(With({Role::kFederation}), "", ""),
              StatusIs(absl::StatusCode::kPermissionDenied, "PURPOSE_NOT_ALLOWED"));
}

}  // namespace
}  // namespace sportelli::audit
