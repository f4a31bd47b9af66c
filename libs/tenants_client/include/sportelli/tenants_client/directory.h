// What other services need to know about a comune's desks and services, owned by the tenants
// service: a desk's capacity, booking mode and services, a service's duration, when the desk is
// open, and the comune's time zone. An interface, so that services are tested with fixed
// answers; GrpcDirectory (grpc_directory.h) asks the tenants service.
//
// Every call is made on behalf of a caller (auth::OnBehalfOf): the tenants service applies its
// own checks to the same caller, so no service sees more of the directory than its caller may.
#ifndef SPORTELLI_TENANTS_CLIENT_DIRECTORY_H_
#define SPORTELLI_TENANTS_CLIENT_DIRECTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/clock/time_interval.h"

namespace sportelli::tenants_client {

struct DeskInfo {
  int capacity = 1;
  bool takes_appointments = true;
  bool takes_walk_ins = false;
  std::vector<std::string> service_ids;
};

struct ServiceInfo {
  absl::Duration duration;
};

// The open intervals overlapping local days [first, last] and the zone they were read in.
struct OpenHours {
  std::vector<clock::TimeInterval> intervals;
  absl::TimeZone zone;
};

class Directory {
 public:
  virtual ~Directory() = default;
  // Errors: NOT_FOUND for an unknown desk or service, PERMISSION_DENIED (the caller may not
  // see that comune), UNAVAILABLE reason TENANTS_UNAVAILABLE when the tenants service cannot
  // answer in time.
  virtual absl::StatusOr<DeskInfo> GetDesk(const auth::OnBehalfOf& caller,
                                           const std::string& tenant_id,
                                           const std::string& desk_id) = 0;
  virtual absl::StatusOr<ServiceInfo> GetService(const auth::OnBehalfOf& caller,
                                                 const std::string& tenant_id,
                                                 const std::string& service_id) = 0;
  virtual absl::StatusOr<OpenHours> GetOpenHours(const auth::OnBehalfOf& caller,
                                                 const std::string& tenant_id,
                                                 const std::string& desk_id, absl::CivilDay first,
                                                 absl::CivilDay last) = 0;
  // The comune's time zone (Europe/Rome for every comune today).
  virtual absl::StatusOr<absl::TimeZone> GetTimeZone(const auth::OnBehalfOf& caller,
                                                     const std::string& tenant_id) = 0;
  // The ids of the desks that the comune's member of staff with token subject `subject`
  // serves (tenants' Operator.desks); empty when the comune has no such operator. The caller
  // must be staff of the comune (tenants lists operators to staff only).
  virtual absl::StatusOr<std::vector<std::string>> GetOperatorDesks(const auth::OnBehalfOf& caller,
                                                                    const std::string& tenant_id,
                                                                    const std::string& subject) = 0;
};

}  // namespace sportelli::tenants_client

#endif  // SPORTELLI_TENANTS_CLIENT_DIRECTORY_H_
