// A failed gRPC call as a client sees it: the code, the ErrorInfo reason and the BadRequest
// field violations decoded from the status details, for tests to assert on.
//
//   const Failure failure = Decode(stub->CreateDesk(&context, request, &desk));
//   EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
//   EXPECT_THAT(Fields(failure), ElementsAre("desk.capacity"));
#ifndef SPORTELLI_TESTING_GRPC_FAILURE_H_
#define SPORTELLI_TESTING_GRPC_FAILURE_H_

#include <string>
#include <utility>
#include <vector>

#include "grpcpp/support/status.h"

namespace sportelli::testing {

struct Failure {
  grpc::StatusCode code;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> violations;  // (field, description)
};

Failure Decode(const grpc::Status& status);

// The fields of the violations, in order.
std::vector<std::string> Fields(const Failure& failure);

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_GRPC_FAILURE_H_
