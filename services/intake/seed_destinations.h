// `sportelli-intake seed-destinations TENANT...`: each comune's starting catalog of referral
// destinations, with fixed ids so that scripts and the README can name them
// (tenants/capannori/destinations/punto-insieme). The Punto Insieme is named by the sources
// (ARCHITECTURE.md); the others are marked `example` until the comune checks them. Adds what
// is missing and never changes what a tenant_admin edited: safe to run again. Needs the
// database variables.
#ifndef SPORTELLI_SERVICES_INTAKE_SEED_DESTINATIONS_H_
#define SPORTELLI_SERVICES_INTAKE_SEED_DESTINATIONS_H_

#include <string>
#include <vector>

#include "services/intake/domain/referral.h"
#include "sportelli/logging/logger.h"

namespace sportelli::intake {

// The catalog seeded for `tenant` (ids, names, kinds, example flags; times left to the caller).
std::vector<Destination> SeedCatalog(const std::string& tenant);

int SeedDestinations(logging::Logger& log, const std::vector<std::string>& tenants);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_SEED_DESTINATIONS_H_
