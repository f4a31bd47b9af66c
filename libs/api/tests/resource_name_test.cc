#include "sportelli/api/resource_name.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {
namespace {

using ::sportelli::status::FieldViolationsOf;
using ::sportelli::status::ReasonOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;

constexpr absl::string_view kDeskPattern = "tenants/{tenant}/desks/{desk}";

struct IdCase {
  std::string id;
  bool valid;
};

class ResourceIdTest : public ::testing::TestWithParam<IdCase> {};

TEST_P(ResourceIdTest, FollowsAip122) {
  EXPECT_EQ(IsValidResourceId(GetParam().id), GetParam().valid) << "id: " << GetParam().id;
}

INSTANTIATE_TEST_SUITE_P(
    Ids, ResourceIdTest,
    ::testing::Values(IdCase{"capannori", true}, IdCase{"sede-centrale", true}, IdCase{"a", true},
                      IdCase{"a1", true}, IdCase{"villa-basilica-2", true},
                      IdCase{std::string(63, 'a'), true}, IdCase{std::string(64, 'a'), false},
                      IdCase{"", false}, IdCase{"1abc", false}, IdCase{"-abc", false},
                      IdCase{"abc-", false}, IdCase{"Capannori", false}, IdCase{"a_b", false},
                      IdCase{"a b", false}, IdCase{"a/b", false}, IdCase{"caf\xc3\xa9", false},
                      IdCase{"a--b", true}));

TEST(CheckResourceIdTest, ReportsOnTheGivenField) {
  status::FieldViolations violations;
  CheckResourceId("desk_id", "ok-id", violations);
  EXPECT_TRUE(violations.empty());
  CheckResourceId("desk_id", "", violations);
  CheckResourceId("services[1]", "Bad", violations);
  EXPECT_THAT(violations.violations(),
              ElementsAre(Pair("desk_id", "is required"),
                          Pair("services[1]", std::string(kResourceIdRule))));
}

TEST(ParseResourceNameTest, ReturnsVariablesInOrder) {
  auto ids = ParseResourceName("tenants/capannori/desks/sede-centrale", kDeskPattern, "name");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("capannori", "sede-centrale"));
}

TEST(ParseResourceNameTest, SingleVariable) {
  auto ids = ParseResourceName("tenants/lucca", "tenants/{tenant}", "parent");
  ASSERT_TRUE(ids.ok()) << ids.status();
  EXPECT_THAT(*ids, ElementsAre("lucca"));
}

TEST(ParseResourceNameTest, RejectsWrongShapes) {
  for (absl::string_view name :
       {"tenants/capannori", "tenants/capannori/desks", "tenants/capannori/desks/a/b",
        "tenants/capannori/services/a", "Tenants/capannori/desks/a", "/tenants/capannori/desks/a",
        "tenants/capannori/desks/a/", "tenants//desks/a", "tenants/capannori//desks/a"}) {
    auto ids = ParseResourceName(name, kDeskPattern, "name");
    ASSERT_FALSE(ids.ok()) << name;
    EXPECT_EQ(ids.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(ReasonOf(ids.status()), "INVALID_FIELDS");
    auto violations = FieldViolationsOf(ids.status());
    ASSERT_THAT(violations, SizeIs(1)) << name;
    EXPECT_EQ(violations[0].first, "name");
  }
}

TEST(ParseResourceNameTest, EmptyNameIsRequired) {
  auto ids = ParseResourceName("", kDeskPattern, "parent");
  ASSERT_FALSE(ids.ok());
  EXPECT_THAT(FieldViolationsOf(ids.status()), ElementsAre(Pair("parent", "is required")));
}

TEST(ParseResourceNameTest, BadIdNamesTheSegmentButNotTheValue) {
  auto ids = ParseResourceName("tenants/capannori/desks/Mario-Rossi", kDeskPattern, "name");
  ASSERT_FALSE(ids.ok());
  auto violations = FieldViolationsOf(ids.status());
  ASSERT_THAT(violations, SizeIs(1));
  EXPECT_EQ(violations[0].first, "name");
  EXPECT_THAT(violations[0].second, HasSubstr("{desk}"));
  EXPECT_THAT(violations[0].second, Not(HasSubstr("Mario")));
  EXPECT_THAT(std::string(ids.status().message()), Not(HasSubstr("Mario")));
}

TEST(ParseResourceNameTest, ShapeErrorShowsThePattern) {
  auto ids = ParseResourceName("desks/x", kDeskPattern, "name");
  ASSERT_FALSE(ids.ok());
  EXPECT_THAT(FieldViolationsOf(ids.status()),
              ElementsAre(Pair("name",
                               "must be a resource name of the form "
                               "tenants/{tenant}/desks/{desk}")));
}

TEST(ParseResourceNameTest, MalformedPatternIsInternal) {
  for (absl::string_view pattern : {"", "tenants/{}", "tenants//{x}", "tenants/{a{b}", "a/{x"}) {
    auto ids = ParseResourceName("tenants/x", pattern, "name");
    ASSERT_FALSE(ids.ok()) << pattern;
    EXPECT_EQ(ids.status().code(), absl::StatusCode::kInternal) << pattern;
  }
}

TEST(ParseResourceNameTest, CollectingOverloadAppends) {
  status::FieldViolations violations;
  auto good = ParseResourceName("tenants/porcari", "tenants/{tenant}", "parent", violations);
  ASSERT_TRUE(good.has_value());
  EXPECT_THAT(*good, ElementsAre("porcari"));
  EXPECT_TRUE(violations.empty());

  auto bad = ParseResourceName("tenants/porcari/x", "tenants/{tenant}", "parent", violations);
  EXPECT_FALSE(bad.has_value());
  CheckResourceId("desk_id", "-", violations);
  EXPECT_THAT(violations.violations(),
              ElementsAre(Pair("parent", ::testing::_), Pair("desk_id", ::testing::_)));
}

TEST(FormatResourceNameTest, FillsVariablesInOrder) {
  EXPECT_EQ(FormatResourceName(kDeskPattern, {"capannori", "marlia"}),
            "tenants/capannori/desks/marlia");
  std::string tenant = "montecarlo";
  EXPECT_EQ(FormatResourceName("tenants/{tenant}", {tenant}), "tenants/montecarlo");
}

TEST(FormatResourceNameTest, RoundTripsWithParse) {
  const std::string name = "tenants/villa-basilica/desks/sportello-1";
  auto ids = ParseResourceName(name, kDeskPattern, "name");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(FormatResourceName(kDeskPattern, {(*ids)[0], (*ids)[1]}), name);
  EXPECT_THAT(*ids, Not(IsEmpty()));
}

}  // namespace
}  // namespace sportelli::api
