#include "sportelli/status/errors.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::status {
namespace {

using ::testing::ElementsAre;
using ::testing::Pair;

TEST(ErrorTest, CarriesCodeMessageAndReason) {
  absl::Status status =
      Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(), "the slot is full");
  EXPECT_EQ(ReasonOf(status), "SLOT_FULL");
}

TEST(ErrorTest, PlainStatusHasNoReason) {
  EXPECT_EQ(ReasonOf(absl::NotFoundError("x")), std::nullopt);
}

TEST(RetryDelayTest, TravelsWithTheStatusRoundedUpToMilliseconds) {
  absl::Status status = WithRetryDelay(Error(absl::StatusCode::kUnavailable, "busy", "OVERLOADED"),
                                       absl::Microseconds(1500001));
  EXPECT_EQ(RetryDelayOf(status), absl::Milliseconds(1501));
  EXPECT_EQ(ReasonOf(status), "OVERLOADED");
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
}

TEST(RetryDelayTest, NoneUnlessAsked) {
  EXPECT_EQ(RetryDelayOf(Error(absl::StatusCode::kUnavailable, "busy", "OVERLOADED")),
            std::nullopt);
  EXPECT_EQ(RetryDelayOf(WithRetryDelay(absl::UnavailableError("x"), absl::Seconds(-3))),
            absl::ZeroDuration());
}

TEST(FieldViolationsTest, EmptyIsOk) {
  FieldViolations violations;
  EXPECT_TRUE(violations.empty());
  EXPECT_TRUE(violations.ToStatus().ok());
}

TEST(FieldViolationsTest, EveryProblemIsReportedWithItsField) {
  FieldViolations violations;
  violations.Add("desk.capacity", "must be between 1 and 100");
  violations.Add("desk.display_name", "must not be empty");
  absl::Status status = violations.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(status), "INVALID_FIELDS");
  EXPECT_THAT(status.message(), ::testing::HasSubstr("desk.capacity"));
  EXPECT_THAT(FieldViolationsOf(status),
              ElementsAre(Pair("desk.capacity", "must be between 1 and 100"),
                          Pair("desk.display_name", "must not be empty")));
}

TEST(FieldViolationsTest, MergePrefixesFields) {
  FieldViolations inner;
  inner.Add("end_time", "must be after start_time");
  FieldViolations outer;
  outer.Merge(inner, "desk.opening_hours[1].");
  EXPECT_THAT(outer.violations(),
              ElementsAre(Pair("desk.opening_hours[1].end_time", "must be after start_time")));
}

TEST(ShorthandTest, ReasonsAreStable) {
  EXPECT_EQ(ReasonOf(NotFound("desk")), "RESOURCE_NOT_FOUND");
  EXPECT_EQ(NotFound("desk").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ReasonOf(AlreadyExists("desk")), "RESOURCE_ALREADY_EXISTS");
  EXPECT_EQ(Unavailable("db").code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sportelli::status
