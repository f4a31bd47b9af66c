#include "sportelli/status/grpc_status.h"

#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::status {
namespace {

google::rpc::Status Details(const grpc::Status& status) {
  google::rpc::Status rpc_status;
  EXPECT_TRUE(rpc_status.ParseFromString(status.error_details()));
  return rpc_status;
}

TEST(ToGrpcStatusTest, OkStaysOk) { EXPECT_TRUE(ToGrpcStatus(absl::OkStatus(), "tenants").ok()); }

TEST(ToGrpcStatusTest, CodeMessageAndErrorInfoWithDomain) {
  grpc::Status status = ToGrpcStatus(
      Error(absl::StatusCode::kFailedPrecondition, "full", "SLOT_FULL"), "scheduling.sportelli");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(status.error_message(), "full");
  google::rpc::Status details = Details(status);
  ASSERT_EQ(details.details_size(), 1);
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(details.details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "SLOT_FULL");
  EXPECT_EQ(info.domain(), "scheduling.sportelli");
}

TEST(ToGrpcStatusTest, FieldViolationsTravelAsBadRequest) {
  FieldViolations violations;
  violations.Add("desk.capacity", "must be between 1 and 100");
  grpc::Status status = ToGrpcStatus(violations.ToStatus(), "tenants");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  google::rpc::Status details = Details(status);
  bool found = false;
  for (const auto& any : details.details()) {
    google::rpc::BadRequest bad_request;
    if (any.UnpackTo(&bad_request)) {
      found = true;
      ASSERT_EQ(bad_request.field_violations_size(), 1);
      EXPECT_EQ(bad_request.field_violations(0).field(), "desk.capacity");
    }
  }
  EXPECT_TRUE(found);
}

TEST(ToGrpcStatusTest, PlainStatusGetsDefaultReason) {
  grpc::Status status = ToGrpcStatus(absl::NotFoundError("desk not found"), "tenants");
  google::rpc::ErrorInfo info;
  ASSERT_TRUE(Details(status).details(0).UnpackTo(&info));
  EXPECT_EQ(info.reason(), "NOT_FOUND");
}

TEST(ToGrpcStatusTest, InternalDetailNeverReachesTheClient) {
  grpc::Status status =
      ToGrpcStatus(absl::InternalError("pqxx: relation tenants.desk broke"), "tenants");
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INTERNAL);
  EXPECT_EQ(status.error_message(), "internal error");
}

TEST(FromGrpcStatusTest, RoundTripKeepsReasonAndViolations) {
  FieldViolations violations;
  violations.Add("start_date", "must not be after end_date");
  absl::Status back = FromGrpcStatus(ToGrpcStatus(violations.ToStatus(), "tenants"));
  EXPECT_EQ(back.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(back), "INVALID_FIELDS");
  ASSERT_EQ(FieldViolationsOf(back).size(), 1u);
  EXPECT_EQ(FieldViolationsOf(back)[0].first, "start_date");
}

TEST(FromGrpcStatusTest, RetryDelayCrossesTheWire) {
  absl::Status sent = WithRetryDelay(Error(absl::StatusCode::kUnavailable, "busy", "OVERLOADED"),
                                     absl::Milliseconds(250));
  absl::Status received = FromGrpcStatus(ToGrpcStatus(sent, "scheduling"));
  EXPECT_EQ(RetryDelayOf(received), absl::Milliseconds(250));
  EXPECT_EQ(ReasonOf(received), "OVERLOADED");
}

TEST(FromGrpcStatusTest, StatusWithoutDetails) {
  absl::Status back = FromGrpcStatus(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
  EXPECT_EQ(back.code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(back.message(), "down");
}

}  // namespace
}  // namespace sportelli::status
