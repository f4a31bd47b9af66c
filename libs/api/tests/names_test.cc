#include "sportelli/api/names.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::api {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(NamesTest, ParseAndFormatRoundTrip) {
  absl::StatusOr<DeskName> desk = ParseName<DeskName>("tenants/capannori/desks/sede", "name");
  ASSERT_TRUE(desk.ok()) << desk.status();
  EXPECT_EQ(desk->tenant, "capannori");
  EXPECT_EQ(desk->desk, "sede");
  EXPECT_EQ(desk->ToString(), "tenants/capannori/desks/sede");
  absl::StatusOr<ClosureName> closure =
      ParseName<ClosureName>("tenants/lucca/desks/sede/closures/agosto", "name");
  ASSERT_TRUE(closure.ok());
  EXPECT_EQ(closure->closure, "agosto");
  EXPECT_EQ(closure->ToString(), "tenants/lucca/desks/sede/closures/agosto");
  EXPECT_EQ((OperatorName{"porcari", "op-1"}).ToString(), "tenants/porcari/operators/op-1");
}

TEST(NamesTest, ABadNameIsAViolationOnItsField) {
  absl::StatusOr<DeskName> wrong = ParseName<DeskName>("tenants/capannori/services/x", "desk");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::FieldViolationsOf(wrong.status()).at(0).first, "desk");
}

TEST(NamesTest, EveryProblemOfARequestAtOnce) {
  status::FieldViolations violations;
  std::optional<DeskName> desk =
      ParseName<DeskName>("tenants/capannori/desks/sede", "desk", violations);
  std::optional<ServiceName> service =
      ParseName<ServiceName>("tenants/lucca/services/colloquio", "service", violations);
  std::optional<HoldName> hold = ParseName<HoldName>("holds/x", "hold", violations);
  RequireSameTenant(desk, service, "service", violations);
  RequireSameTenant(desk, hold, "hold", violations);  // unparsed: nothing more to say
  EXPECT_FALSE(hold.has_value());
  std::vector<std::string> fields;
  for (const auto& [field, description] : violations.violations()) fields.push_back(field);
  EXPECT_THAT(fields, ElementsAre("hold", "service"));
}

}  // namespace
}  // namespace sportelli::api
