// Checks the intake gRPC handlers share (internal to intake_grpc_service*.cc).
#ifndef SPORTELLI_SERVICES_INTAKE_GRPC_CHECKS_H_
#define SPORTELLI_SERVICES_INTAKE_GRPC_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "sportelli/intake/v1/intake_service.pb.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

// The desk's case workers of the comune: `operator` or `coordinator` of `tenant`.
absl::Status RequireCaseWorkerOf(const server::Call& call, const std::string& tenant);

// Whether a read states a break-glass reason; a value outside the coded list is a violation.
bool BreakGlassOf(int access_reason, status::FieldViolations& violations);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_GRPC_CHECKS_H_
