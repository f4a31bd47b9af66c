// Deadlines for outbound gRPC calls and for stopping a server, given as "this long from now"
// and measured by gRPC on its own clock, so no code of ours reads the wall clock to make one
// (see sportelli/clock/clock.h).
//
//   grpc::ClientContext context;
//   context.set_deadline(server::DeadlineAfter(absl::Seconds(1)));
#ifndef SPORTELLI_SERVER_DEADLINE_H_
#define SPORTELLI_SERVER_DEADLINE_H_

#include <cstdint>

#include "absl/time/time.h"
#include "grpc/support/time.h"
#include "grpcpp/support/time.h"

namespace sportelli::server {

// A relative gRPC deadline: gRPC adds it to its clock when the call starts. A caller's own
// deadline, when the context was made with grpc::ClientContext::FromServerContext, still
// applies if it is sooner.
inline gpr_timespec DeadlineAfter(absl::Duration timeout) {
  const int64_t micros = absl::ToInt64Microseconds(timeout);
  return gpr_time_from_micros(micros > 0 ? micros : 0, GPR_TIMESPAN);
}

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_DEADLINE_H_
