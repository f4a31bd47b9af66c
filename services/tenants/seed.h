// The seed: the seven comuni of the Piana di Lucca with their desks, Capannori's phone line and
// a service catalog. Idempotent and create-only: running it again creates what is missing and
// changes nothing that exists (an administrator's edits survive; no update_time moves), so
// `scripts/up` and the Kubernetes Job can always run it. The comuni's directory entries, which
// no RPC edits, are the exception: they follow the seed.
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
  int unchanged = 0;  // already there, left as it is
};

absl::StatusOr<SeedReport> ApplySeed(const SeedData& seed, TenantsRepository& repository);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_SEED_H_
