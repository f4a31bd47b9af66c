#include "sportelli/status/macros.h"

#include <memory>

#include "gtest/gtest.h"

namespace {

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd");
  return n / 2;
}

absl::StatusOr<int> Quarter(int n) {
  ASSIGN_OR_RETURN(int half, Half(n));
  ASSIGN_OR_RETURN(int quarter, Half(half));
  return quarter;
}

absl::Status CheckQuarter(int n, int* out) {
  RETURN_IF_ERROR(Half(n).status());
  ASSIGN_OR_RETURN(*out, Quarter(n));
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<int>> MoveOnly() { return std::make_unique<int>(7); }

absl::Status UseMoveOnly(int* out) {
  ASSIGN_OR_RETURN(std::unique_ptr<int> value, MoveOnly());
  *out = *value;
  return absl::OkStatus();
}

TEST(MacrosTest, PassesValuesThrough) {
  EXPECT_EQ(*Quarter(8), 2);
  int out = 0;
  EXPECT_TRUE(CheckQuarter(8, &out).ok());
  EXPECT_EQ(out, 2);
}

TEST(MacrosTest, ReturnsTheFirstError) {
  EXPECT_EQ(Quarter(6).status().code(), absl::StatusCode::kInvalidArgument);
  int out = -1;
  EXPECT_EQ(CheckQuarter(3, &out).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(out, -1);
}

TEST(MacrosTest, WorksWithMoveOnlyTypes) {
  int out = 0;
  EXPECT_TRUE(UseMoveOnly(&out).ok());
  EXPECT_EQ(out, 7);
}

}  // namespace
