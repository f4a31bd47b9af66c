// The seed: the seven comuni of the Piana di Lucca with their desks, Capannori's phone line and
// a service catalog. Idempotent: running it again changes nothing that is already as seeded
// (and touches no update_time), so `scripts/up` and the Kubernetes seed Job can always run it.
#ifndef SPORTELLI_SERVICES_TENANTS_SEED_H_
#define SPORTELLI_SERVICES_TENANTS_SEED_H_

#include <vector>

#include "absl/status/statusor.h"
#include "services/tenants/domain/model.h"
#include "services/tenants/tenants_repository.h"

namespace sportelli::tenants {

struct SeedData {
  std::vector<Tenant> tenants;
  std::vector<Service> services;
  std::vector<Desk> desks;
  std::vector<Channel> channels;
  std::vector<Holiday> holidays;
};

// The data, with what the sources give apart from what is example data (see seed.cc).
SeedData PianaDiLuccaSeed();

struct SeedReport {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
};

absl::StatusOr<SeedReport> ApplySeed(const SeedData& seed, TenantsRepository& repository);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_SEED_H_
