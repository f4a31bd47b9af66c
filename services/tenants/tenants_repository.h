// Storage of the tenants service's resources, behind an interface so that domain logic and
// the gRPC layer are tested with an in-memory fake and run on PostgreSQL.
//
// Every method is scoped to one tenant: implementations must never return or change another
// tenant's rows (the PostgreSQL adapter is also fenced by row-level security).
//
// Errors: NOT_FOUND (reason RESOURCE_NOT_FOUND), ALREADY_EXISTS, UNAVAILABLE when storage is
// down. Creates are idempotent by request id (AIP-155, pg/request_key.h).
//
// Every change of the configuration (desks, services, channels, closures, holidays, operators)
// publishes its event (sportelli.events.v1: DeskChanged, ClosureChanged...) in the transaction
// that makes it, so that other services drop what they cached within a second.
#ifndef SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_
#define SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/tenants/domain/model.h"
#include "sportelli/api/pagination.h"
#include "sportelli/pg/request_key.h"

namespace sportelli::tenants {

// Lists are ordered by id; a page's key is the last id (api::PageRequest::after[0]).
using api::Page;
using api::PageRequest;
using pg::Created;
using pg::RequestKey;
using pg::ResponseEncoder;

class TenantsRepository {
 public:
  virtual ~TenantsRepository() = default;

  // Tenants. `federation` lists every comune (the `federation` role); otherwise only `tenant_id`.
  virtual absl::StatusOr<Tenant> GetTenant(const std::string& tenant_id) = 0;
  // A comune's directory entry read by a `federation` caller of `caller_tenant`.
  virtual absl::StatusOr<Tenant> GetTenantAsFederation(const std::string& caller_tenant,
                                                       const std::string& tenant_id) = 0;
  virtual absl::StatusOr<Page<Tenant>> ListTenants(const std::string& caller_tenant,
                                                   bool federation, const PageRequest& page) = 0;
  // Inserts or replaces a comune (the seed and the operators' tooling; not exposed over gRPC).
  virtual absl::Status UpsertTenant(const Tenant& tenant) = 0;

  virtual absl::StatusOr<Desk> GetDesk(const std::string& tenant_id,
                                       const std::string& desk_id) = 0;
  virtual absl::StatusOr<Page<Desk>> ListDesks(const std::string& tenant_id,
                                               const PageRequest& page) = 0;
  virtual absl::StatusOr<Created<Desk>> CreateDesk(const Desk& desk, const RequestKey& key,
                                                   const ResponseEncoder<Desk>& encode) = 0;
  // Replaces every stored field of the desk (the caller merged the update mask).
  virtual absl::StatusOr<Desk> UpdateDesk(const Desk& desk) = 0;
  virtual absl::Status DeleteDesk(const std::string& tenant_id, const std::string& desk_id) = 0;

  virtual absl::StatusOr<Service> GetService(const std::string& tenant_id,
                                             const std::string& service_id) = 0;
  virtual absl::StatusOr<Page<Service>> ListServices(const std::string& tenant_id,
                                                     const PageRequest& page) = 0;
  virtual absl::StatusOr<Created<Service>> CreateService(
      const Service& service, const RequestKey& key, const ResponseEncoder<Service>& encode) = 0;
  virtual absl::StatusOr<Service> UpdateService(const Service& service) = 0;

  virtual absl::StatusOr<Channel> GetChannel(const std::string& tenant_id,
                                             const std::string& channel_id) = 0;
  virtual absl::StatusOr<Page<Channel>> ListChannels(const std::string& tenant_id,
                                                     const PageRequest& page) = 0;
  virtual absl::StatusOr<Created<Channel>> CreateChannel(
      const Channel& channel, const RequestKey& key, const ResponseEncoder<Channel>& encode) = 0;
  virtual absl::StatusOr<Channel> UpdateChannel(const Channel& channel) = 0;

  // Closures of a desk (NOT_FOUND when the desk does not exist).
  virtual absl::StatusOr<Page<Closure>> ListClosures(const std::string& tenant_id,
                                                     const std::string& desk_id,
                                                     const PageRequest& page) = 0;
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
                                                     const PageRequest& page) = 0;
  virtual absl::StatusOr<std::vector<Holiday>> AllHolidays(const std::string& tenant_id) = 0;
  virtual absl::StatusOr<Created<Holiday>> CreateHoliday(
      const Holiday& holiday, const RequestKey& key, const ResponseEncoder<Holiday>& encode) = 0;
  virtual absl::Status DeleteHoliday(const std::string& tenant_id,
                                     const std::string& holiday_id) = 0;

  virtual absl::StatusOr<Operator> GetOperator(const std::string& tenant_id,
                                               const std::string& operator_id) = 0;
  virtual absl::StatusOr<Page<Operator>> ListOperators(const std::string& tenant_id,
                                                       const PageRequest& page) = 0;
  virtual absl::StatusOr<Created<Operator>> CreateOperator(
      const Operator& op, const RequestKey& key, const ResponseEncoder<Operator>& encode) = 0;
  virtual absl::StatusOr<Operator> UpdateOperator(const Operator& op) = 0;
};

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_TENANTS_REPOSITORY_H_
