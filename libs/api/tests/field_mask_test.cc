#include "sportelli/api/field_mask.h"

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
using ::testing::IsEmpty;
using ::testing::Pair;

const std::vector<absl::string_view> kUpdatable = {"display_name", "address", "opening_hours",
                                                   "capacity"};
const std::vector<absl::string_view> kImmutable = {"name", "create_time", "update_time"};

TEST(UpdateMaskTest, AcceptsUpdatablePaths) {
  std::vector<std::string> paths = {"capacity", "display_name"};
  auto mask = ValidateUpdateMask(paths, kUpdatable, kImmutable);
  ASSERT_TRUE(mask.ok()) << mask.status();
  EXPECT_THAT(mask->paths(), ElementsAre("capacity", "display_name"));
  EXPECT_TRUE(mask->Contains("capacity"));
  EXPECT_FALSE(mask->Contains("address"));
  EXPECT_FALSE(mask->empty());
}

TEST(UpdateMaskTest, EmptyMaskIsLeftToTheCaller) {
  auto mask = ValidateUpdateMask(std::vector<std::string>{}, kUpdatable, kImmutable);
  ASSERT_TRUE(mask.ok());
  EXPECT_TRUE(mask->empty());
}

TEST(UpdateMaskTest, DuplicatesAreCollapsed) {
  auto mask =
      ValidateUpdateMask(std::vector<std::string>{"capacity", "capacity"}, kUpdatable, kImmutable);
  ASSERT_TRUE(mask.ok());
  EXPECT_THAT(mask->paths(), ElementsAre("capacity"));
}

TEST(UpdateMaskTest, StarMeansEveryUpdatablePath) {
  auto mask = ValidateUpdateMask(std::vector<std::string>{"*"}, kUpdatable, kImmutable);
  ASSERT_TRUE(mask.ok());
  EXPECT_THAT(mask->paths(), ElementsAre("display_name", "address", "opening_hours", "capacity"));
}

TEST(UpdateMaskTest, StarMustBeAlone) {
  auto mask = ValidateUpdateMask(std::vector<std::string>{"*", "capacity"}, kUpdatable, kImmutable);
  ASSERT_FALSE(mask.ok());
  EXPECT_THAT(FieldViolationsOf(mask.status()),
              ElementsAre(Pair("update_mask", "\"*\" must be the only path when present")));
}

TEST(UpdateMaskTest, ReportsEveryBadPathOnUpdateMask) {
  std::vector<std::string> paths = {"display_name", "name",          "colour", "",
                                    "create_time",  "address.street"};
  auto mask = ValidateUpdateMask(paths, kUpdatable, kImmutable);
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(mask.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(mask.status()), "INVALID_FIELDS");
  EXPECT_THAT(FieldViolationsOf(mask.status()),
              ElementsAre(Pair("update_mask", "paths[1] names a field that cannot be changed"),
                          Pair("update_mask", "paths[2] is not a field of the resource"),
                          Pair("update_mask", "paths[3] is empty"),
                          Pair("update_mask", "paths[4] names a field that cannot be changed"),
                          Pair("update_mask", "paths[5] is not a field of the resource")));
}

TEST(UpdateMaskTest, WithoutImmutableListEverythingUnknownIsUnknown) {
  auto mask = ValidateUpdateMask({"name"}, kUpdatable);
  ASSERT_FALSE(mask.ok());
  EXPECT_THAT(FieldViolationsOf(mask.status()),
              ElementsAre(Pair("update_mask", "paths[0] is not a field of the resource")));
}

TEST(UpdateMaskTest, FieldNameCanBeChosen) {
  auto mask = ValidateUpdateMask({"nope"}, kUpdatable, {}, "mask");
  ASSERT_FALSE(mask.ok());
  EXPECT_EQ(FieldViolationsOf(mask.status())[0].first, "mask");
}

TEST(UpdateMaskTest, NoUpdatablePathsRejectsAll) {
  auto mask = ValidateUpdateMask({"display_name"}, {});
  ASSERT_FALSE(mask.ok());
  auto empty = ValidateUpdateMask({"*"}, {});
  ASSERT_TRUE(empty.ok());
  EXPECT_THAT(empty->paths(), IsEmpty());
}

}  // namespace
}  // namespace sportelli::api
