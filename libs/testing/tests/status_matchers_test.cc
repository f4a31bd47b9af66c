#include "sportelli/testing/status_matchers.h"

#include <memory>
#include <string>

#include "gtest/gtest-spi.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace {

using ::sportelli::testing::IsOk;
using ::sportelli::testing::StatusIs;
using ::testing::Not;

absl::StatusOr<std::unique_ptr<int>> Seven() { return std::make_unique<int>(7); }

TEST(StatusMatchersTest, MatchCodesAndReasons) {
  const absl::Status exhausted =
      sportelli::status::Error(absl::StatusCode::kUnavailable, "no connection", "POOL_EXHAUSTED");
  EXPECT_THAT(absl::OkStatus(), IsOk());
  EXPECT_THAT(exhausted, Not(IsOk()));
  EXPECT_THAT(exhausted, StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_THAT(exhausted, StatusIs(absl::StatusCode::kUnavailable, "POOL_EXHAUSTED"));
  EXPECT_THAT(exhausted, Not(StatusIs(absl::StatusCode::kUnavailable, "OTHER")));
  EXPECT_THAT(exhausted, Not(StatusIs(absl::StatusCode::kInternal)));
  EXPECT_THAT(absl::StatusOr<int>(3), IsOk());
  EXPECT_THAT(absl::StatusOr<int>(absl::NotFoundError("x")), StatusIs(absl::StatusCode::kNotFound));
}

TEST(StatusMatchersTest, AssertOkAndAssignMovesTheValue) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<int> seven, Seven());
  EXPECT_EQ(*seven, 7);
  EXPECT_OK(absl::OkStatus());
  ASSERT_OK(absl::StatusOr<int>(1));
}

TEST(StatusMatchersTest, FailuresNameTheExpressionCodeAndReason) {
  EXPECT_NONFATAL_FAILURE(EXPECT_OK(sportelli::status::Error(absl::StatusCode::kUnavailable,
                                                             "no connection", "POOL_EXHAUSTED")),
                          "is UNAVAILABLE: no connection [reason POOL_EXHAUSTED]");
  EXPECT_FATAL_FAILURE(
      {
        ASSERT_OK_AND_ASSIGN(int value, absl::StatusOr<int>(absl::InternalError("boom")));
        (void)value;
      },
      "INTERNAL: boom");
}

}  // namespace
