// TenantsRepository on PostgreSQL (schema `tenants`, see migrations/). Every transaction sets
// app.tenant_id, so row-level security fences each call to its tenant even if a query forgot
// its tenant filter; the queries filter by tenant_id as well, which the primary keys index.
// Each configuration change writes its event to the outbox (libs/events) in its transaction.
#ifndef SPORTELLI_SERVICES_TENANTS_POSTGRES_TENANTS_REPOSITORY_H_
#define SPORTELLI_SERVICES_TENANTS_POSTGRES_TENANTS_REPOSITORY_H_

#include "services/tenants/tenants_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/pg/pool.h"

namespace sportelli::tenants {

class PostgresTenantsRepository final : public TenantsRepository {
 public:
  // `pool` must outlive the repository; `clock` dates the change events.
  PostgresTenantsRepository(pg::ConnectionPool* pool, const clock::Clock* clock)
      : pool_(pool), clock_(clock) {}

  absl::StatusOr<Tenant> GetTenant(const std::string& tenant_id) override;
  absl::StatusOr<Tenant> GetTenantAsFederation(const std::string& caller_tenant,
                                               const std::string& tenant_id) override;
  absl::StatusOr<Page<Tenant>> ListTenants(const std::string& caller_tenant, bool federation,
                                           const PageRequest& page) override;
  absl::Status UpsertTenant(const Tenant& tenant) override;

  absl::StatusOr<Desk> GetDesk(const std::string& tenant_id, const std::string& desk_id) override;
  absl::StatusOr<Page<Desk>> ListDesks(const std::string& tenant_id,
                                       const PageRequest& page) override;
  absl::StatusOr<Created<Desk>> CreateDesk(const Desk& desk, const RequestKey& key,
                                           const ResponseEncoder<Desk>& encode) override;
  absl::StatusOr<Desk> UpdateDesk(const Desk& desk) override;
  absl::Status DeleteDesk(const std::string& tenant_id, const std::string& desk_id) override;

  absl::StatusOr<Service> GetService(const std::string& tenant_id,
                                     const std::string& service_id) override;
  absl::StatusOr<Page<Service>> ListServices(const std::string& tenant_id,
                                             const PageRequest& page) override;
  absl::StatusOr<Created<Service>> CreateService(const Service& service, const RequestKey& key,
                                                 const ResponseEncoder<Service>& encode) override;
  absl::StatusOr<Service> UpdateService(const Service& service) override;

  absl::StatusOr<Channel> GetChannel(const std::string& tenant_id,
                                     const std::string& channel_id) override;
  absl::StatusOr<Page<Channel>> ListChannels(const std::string& tenant_id,
                                             const PageRequest& page) override;
  absl::StatusOr<Created<Channel>> CreateChannel(const Channel& channel, const RequestKey& key,
                                                 const ResponseEncoder<Channel>& encode) override;
  absl::StatusOr<Channel> UpdateChannel(const Channel& channel) override;

  absl::StatusOr<Page<Closure>> ListClosures(const std::string& tenant_id,
                                             const std::string& desk_id,
                                             const PageRequest& page) override;
  absl::StatusOr<std::vector<Closure>> ClosuresBetween(const std::string& tenant_id,
                                                       const std::string& desk_id,
                                                       absl::CivilDay first,
                                                       absl::CivilDay last) override;
  absl::StatusOr<Created<Closure>> CreateClosure(const Closure& closure, const RequestKey& key,
                                                 const ResponseEncoder<Closure>& encode) override;
  absl::Status DeleteClosure(const std::string& tenant_id, const std::string& desk_id,
                             const std::string& closure_id) override;

  absl::StatusOr<Page<Holiday>> ListHolidays(const std::string& tenant_id,
                                             const PageRequest& page) override;
  absl::StatusOr<std::vector<Holiday>> AllHolidays(const std::string& tenant_id) override;
  absl::StatusOr<Created<Holiday>> CreateHoliday(const Holiday& holiday, const RequestKey& key,
                                                 const ResponseEncoder<Holiday>& encode) override;
  absl::Status DeleteHoliday(const std::string& tenant_id, const std::string& holiday_id) override;

  absl::StatusOr<Operator> GetOperator(const std::string& tenant_id,
                                       const std::string& operator_id) override;
  absl::StatusOr<Page<Operator>> ListOperators(const std::string& tenant_id,
                                               const PageRequest& page) override;
  absl::StatusOr<Created<Operator>> CreateOperator(
      const Operator& op, const RequestKey& key, const ResponseEncoder<Operator>& encode) override;
  absl::StatusOr<Operator> UpdateOperator(const Operator& op) override;

 private:
  pg::ConnectionPool* const pool_;
  const clock::Clock* const clock_;
};

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_POSTGRES_TENANTS_REPOSITORY_H_
