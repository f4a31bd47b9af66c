// What scheduling needs to know about a comune's desks and services, owned by the tenants
// service: a desk's capacity, booking mode and services, a service's duration, and when the
// desk is open. Behind an interface so that tests can give fixed answers.
#ifndef SPORTELLI_SERVICES_SCHEDULING_DESK_DIRECTORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_DESK_DIRECTORY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/domain/slot_model.h"

namespace sportelli::scheduling {

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
  std::vector<TimeInterval> intervals;
  absl::TimeZone zone;
};

class DeskDirectory {
 public:
  virtual ~DeskDirectory() = default;
  // `credentials` is the caller's `authorization` metadata value, forwarded so the tenants
  // service applies its own checks to the same caller. Errors: NOT_FOUND for an unknown desk or
  // service, PERMISSION_DENIED, UNAVAILABLE when the tenants service cannot answer in time.
  virtual absl::StatusOr<DeskInfo> GetDesk(const std::string& credentials,
                                           const std::string& tenant_id,
                                           const std::string& desk_id) = 0;
  virtual absl::StatusOr<ServiceInfo> GetService(const std::string& credentials,
                                                 const std::string& tenant_id,
                                                 const std::string& service_id) = 0;
  virtual absl::StatusOr<OpenHours> GetOpenHours(const std::string& credentials,
                                                 const std::string& tenant_id,
                                                 const std::string& desk_id, absl::CivilDay first,
                                                 absl::CivilDay last) = 0;
  // The comune's time zone (Europe/Rome for every comune today).
  virtual absl::StatusOr<absl::TimeZone> GetTimeZone(const std::string& credentials,
                                                     const std::string& tenant_id) = 0;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DESK_DIRECTORY_H_
