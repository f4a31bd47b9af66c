#include "services/intake/seed_destinations.h"

#include <iostream>

#include "services/intake/postgres_intake_repository.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/clock/clock.h"
#include "sportelli/server/database.h"

namespace sportelli::intake {

std::vector<Destination> SeedCatalog(const std::string& tenant) {
  struct Entry {
    const char* id;
    const char* display_name;
    DestinationKind kind;
    bool example;
  };
  constexpr Entry kCatalog[] = {
      {"punto-insieme", "Punto Insieme (inclusione socio-economica)",
       DestinationKind::kPuntoInsieme, false},
      {"servizio-sociale", "Servizio sociale professionale", DestinationKind::kSocialService, true},
      {"centro-impiego", "Centro per l'impiego di Lucca", DestinationKind::kJobCentre, true},
  };
  std::vector<Destination> catalog;
  for (const Entry& entry : kCatalog) {
    Destination d;
    d.tenant_id = tenant;
    d.id = entry.id;
    d.display_name = entry.display_name;
    d.kind = entry.kind;
    d.example = entry.example;
    d.active = true;
    catalog.push_back(std::move(d));
  }
  return catalog;
}

int SeedDestinations(logging::Logger& log, const std::vector<std::string>& tenants) {
  if (tenants.empty()) {
    std::cerr << "usage: sportelli-intake seed-destinations TENANT...\n";
    return 2;
  }
  config::EnvReader env;
  server::DatabaseConfig database = server::ReadDatabaseConfig(env, 1);
  config::ExitIfInvalid(env.Finish(), "intake");
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, "intake");
  const clock::Clock& clock = clock::SystemClock::Instance();
  // Destinations are no one's personal data: no key is opened and nothing is audited.
  PostgresIntakeRepository repository(pool.get(), /*keyring=*/nullptr, /*audit=*/nullptr);
  for (const std::string& tenant : tenants) {
    int added = 0;
    for (Destination d : SeedCatalog(tenant)) {
      d.create_time = clock.Now();
      d.update_time = d.create_time;
      absl::StatusOr<bool> inserted = repository.SeedDestination(d);
      if (!inserted.ok()) {
        log.Error("seed-destinations failed",
                  {{"tenant", tenant}, {"error", std::string(inserted.status().message())}});
        return 1;
      }
      added += *inserted ? 1 : 0;
    }
    log.Info("destinations seeded", {{"tenant", tenant}, {"added", added}});
  }
  return 0;
}

}  // namespace sportelli::intake
