// Storage of the tenants service's resources, behind an interface so that domain logic and
// the gRPC layer are tested with an in-memory fake and run on PostgreSQL.
//
// Every method is scoped to one tenant: implementations must never return or change another
// tenant's rows (the PostgreSQL adapter is also fenced by row-level security).
//
// Errors: NOT_FOUND (reason RESOURCE_NOT_FOUND), ALREADY_EXISTS, UNAVAILABLE when storage is
// down. Creates are idempotent by request id (AIP-155): see CreateOptions.
#ifndef SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_
#define SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/tenants/domain/model.h"

namespace sportelli::tenants {

// A page of a list ordered by id: items after `after_id`, at most `limit`.
struct PageQuery {
  std::string after_id;  // empty: from the start
  int limit = 50;
};

template <typename T>
struct Page {
  std::vector<T> items;
  bool more = false;  // there are items after the last one returned
};

// The idempotency key of a Create, and how to record its response.
struct RequestKey {
  std::string request_id;  // empty: not idempotent
  std::string method;      // "CreateDesk"
  // The request serialized deterministically without its request_id: a retry serializes the
  // same, a different request reusing the id does not (REQUEST_ID_REUSED).
  std::string fingerprint;
};

// What a Create returns: the resource, or, for a replayed request id, the recorded response.
template <typename T>
struct Created {
  std::optional<T> resource;
  std::optional<std::string> replayed_response;
};

// Encodes the response of a Create for replay; called inside the creating transaction.
template <typename T>
using ResponseEncoder = std::function<std::string(const T&)>;

class TenantsRepository {
 public:
  virtual ~TenantsRepository() = default;

  // Tenants. `federation` lists every comune (the `federation` role); otherwise only `tenant_id`.
  virtual absl::StatusOr<Tenant> GetTenant(const std::string& tenant_id) = 0;
  // A comune's directory entry read by a `federation` caller of `caller_tenant`.
  virtual absl::StatusOr<Tenant> GetTenantAsFederation(const std::string& caller_tenant,
                                                       const std::string& tenant_id) = 0;
  virtual absl::StatusOr<Page<Tenant>> ListTenants(const std::string& caller_tenant,
                                                   bool federation, const PageQuery& page) = 0;
  // Inserts or replaces a comune (the seed and the operators' tooling; not exposed over gRPC).
  virtual absl::Status UpsertTenant(const Tenant& tenant) = 0;

  virtual absl::StatusOr<Desk> GetDesk(const std::string& tenant_id,
                                       const std::string& desk_id) = 0;
  virtual absl::StatusOr<Page<Desk>> ListDesks(const std::string& tenant_id,
                                               const PageQuery& page) = 0;
  virtual absl::StatusOr<Created<Desk>> CreateDesk(const Desk& desk, const RequestKey& key,
                                                   const ResponseEncoder<Desk>& encode) = 0;
  // Replaces every stored field of the desk (the caller merged the update mask).
  virtual absl::StatusOr<Desk> UpdateDesk(const Desk& desk) = 0;
  virtual absl::Status DeleteDesk(const std::string& tenant_id, const std::string& desk_id) = 0;

  virtual absl::StatusOr<Service> GetService(const std::string& tenant_id,
                                             const std::string& service_id) = 0;
  virtual absl::StatusOr<Page<Service>> ListServices(const std::string& tenant_id,
                                                     const PageQuery& page) = 0;
  virtual absl::StatusOr<Created<Service>> CreateService(
      const Service& service, const RequestKey& key, const ResponseEncoder<Service>& encode) = 0;
  virtual absl::StatusOr<Service> UpdateService(const Service& service) = 0;

  virtual absl::StatusOr<Channel> GetChannel(const std::string& tenant_id,
                                             const std::string& channel_id) = 0;
  virtual absl::StatusOr<Page<Channel>> ListChannels(const std::string& tenant_id,
                                                     const PageQuery& page) = 0;
  virtual absl::StatusOr<Created<Channel>> CreateChannel(
      const Channel& channel, const RequestKey& key, const ResponseEncoder<Channel>& encode) = 0;
  virtual absl::StatusOr<Channel> UpdateChannel(const Channel& channel) = 0;

  // Closures of a desk (NOT_FOUND when the desk does not exist).
  virtual absl::StatusOr<Page<Closure>> ListClosures(const std::string& tenant_id,
                                                     const std::string& desk_id,
                                                     const PageQuery& page) = 0;
  // Every closure of a desk overlapping [first, last].
  virtual absl::StatusOr<std::vector<Closure>> ClosuresBetween(const std::string& tenant_id,
                                                               const std::string& desk_id,
                                                               absl::CivilDay first,
                                                               absl::CivilDay last) = 0;
  virtual absl::StatusOr<Created<Closure>> CreateClosure(
      const Closure& closure, const RequestKey& key, const ResponseEncoder<Closure>& encode) = 0;
  virtual absl::Status DeleteClosure(const std::string& tenant_id, const std::string& desk_id,
                                     const std::string& closure_id) = 0;

  virtual absl::StatusOr<Page<Holiday>> ListHolidays(const std::string& tenant_id,
                                                     const PageQuery& page) = 0;
  virtual absl::StatusOr<std::vector<Holiday>> AllHolidays(const std::string& tenant_id) = 0;
  virtual absl::StatusOr<Created<Holiday>> CreateHoliday(
      const Holiday& holiday, const RequestKey& key, const ResponseEncoder<Holiday>& encode) = 0;
  virtual absl::Status DeleteHoliday(const std::string& tenant_id,
                                     const std::string& holiday_id) = 0;

  virtual absl::StatusOr<Operator> GetOperator(const std::string& tenant_id,
                                               const std::string& operator_id) = 0;
  virtual absl::StatusOr<Page<Operator>> ListOperators(const std::string& tenant_id,
                                                       const PageQuery& page) = 0;
  virtual absl::StatusOr<Created<Operator>> CreateOperator(
      const Operator& op, const RequestKey& key, const ResponseEncoder<Operator>& encode) = 0;
  virtual absl::StatusOr<Operator> UpdateOperator(const Operator& op) = 0;
};

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_
