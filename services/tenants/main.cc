// sportelli-tenants: the comuni, their desks, hours, closures, holidays, services, channels and
// operators. Every configuration change is published through its outbox, to the comune's
// stream and to the directory stream other services tail.
//
//   sportelli-tenants [serve]   run the gRPC server and the outbox relay (default)
//   sportelli-tenants migrate   apply the schema migrations, then exit
//   sportelli-tenants seed      load the Piana di Lucca seed (create-only), then exit
//   sportelli-tenants maintain [TENANT...]  retention of request ids and published events
//
// Configuration comes from environment variables (docs/operations.md).
#include "services/tenants/postgres_tenants_repository.h"
#include "services/tenants/seed.h"
#include "services/tenants/tenants_grpc_service.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/service_kit.h"
#include "sportelli/events/streams.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/server/database.h"
#include "sportelli/server/maintenance.h"
#include "sportelli/server/service_main.h"

namespace sportelli::tenants {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

struct Config {
  bool relay = true;
};

Config ReadConfig(config::EnvReader& env) {
  return Config{.relay = env.Bool("SPORTELLI_RELAY_ENABLED", true)};
}

absl::Status Build(server::ServiceKit& kit, const Config& config) {
  auto* repository =
      kit.Own(std::make_unique<PostgresTenantsRepository>(&kit.pool(), &kit.clock()));
  kit.AddService(kit.Own(std::make_unique<TenantsGrpcService>(repository, &kit.handler())));
  // Every event of this service is a configuration change: the directory stream gets them all.
  if (config.relay) {
    events::AddOutboxRelay(kit, "tenants", [](absl::string_view) {
      return std::vector<std::string>{std::string(events::kDirectoryStream)};
    });
  }
  return absl::OkStatus();
}

int Seed(logging::Logger& log, const std::vector<std::string>& /*args*/) {
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabaseFromEnv("tenants");
  PostgresTenantsRepository repository(pool.get(), &clock::SystemClock::Instance());
  absl::StatusOr<SeedReport> report = ApplySeed(PianaDiLuccaSeed(), repository);
  if (!report.ok()) {
    log.Error("seed failed", {{"error", std::string(report.status().message())}});
    return 1;
  }
  log.Info("seed applied", {{"created", report->created}, {"unchanged", report->unchanged}});
  return 0;
}

}  // namespace sportelli::tenants

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  return server::RunMain(
      argc, argv,
      {.name = "tenants",
       .grpc_service = "sportelli.tenants.v1.TenantsService",
       .migrations = &tenants::Migrations(),
       .components = {pg::RequestIdsComponent(), events::OutboxComponent()},
       .uses_redis = true,
       .configure = server::Configure<tenants::Config>(tenants::ReadConfig, tenants::Build),
       .commands = {{"seed", tenants::Seed},
                    server::MaintainCommand("tenants", [](config::EnvReader& env) {
                      return events::KitRetentionSteps("tenants", env);
                    })}});
}
