// sportelli-tenants: the comuni, their desks, hours, closures, holidays, services, channels and
// operators.
//
//   sportelli-tenants [serve]   run the gRPC server (default)
//   sportelli-tenants migrate   apply the schema migrations, then exit
//   sportelli-tenants seed      load the Piana di Lucca seed (idempotent), then exit
//
// Configuration comes from environment variables (docs/operations.md).
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "services/tenants/postgres_tenants_repository.h"
#include "services/tenants/seed.h"
#include "services/tenants/tenants_grpc_service.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/bootstrap.h"
#include "sportelli/server/database.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/server/server.h"

namespace sportelli::tenants {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

// The `service` of every log line, the fatal configuration line included.
constexpr char kProgram[] = "tenants";
constexpr char kSchema[] = "tenants";

namespace {

constexpr char kServiceName[] = "sportelli.tenants.v1.TenantsService";

int Seed(logging::Logger& log) {
  config::EnvReader env;
  server::DatabaseConfig database = server::ReadDatabaseConfig(env);
  config::ExitIfInvalid(env.Finish(), kProgram);
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, kProgram);
  PostgresTenantsRepository repository(pool.get());
  absl::StatusOr<SeedReport> report = ApplySeed(PianaDiLuccaSeed(), repository);
  if (!report.ok()) {
    log.Error("seed failed", {{"error", std::string(report.status().message())}});
    return 1;
  }
  log.Info("seed applied", {{"created", report->created}, {"unchanged", report->unchanged}});
  return 0;
}

int Serve(logging::Logger& log) {
  config::EnvReader env;
  server::ServerOptions options = server::ReadServerOptions(env, kServiceName);
  server::DatabaseConfig database = server::ReadDatabaseConfig(env);
  const server::TokenConfig tokens = server::ReadTokenConfig(env);
  config::ExitIfInvalid(env.Finish(), kProgram);

  const auth::TokenVerifier verifier =
      server::TokenVerifierOrExit(tokens, &clock::SystemClock::Instance(), kProgram);
  // Signals are blocked before any thread exists, so every thread inherits the mask and only
  // WaitForTerminationSignal receives SIGTERM. migrate and seed keep the default handling.
  server::BlockTerminationSignals();
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, kProgram);
  // Readiness has a connection of its own: a pool busy with RPCs must not make a healthy pod
  // look unready (Kubernetes would then drain pods exactly when load peaks).
  // Its queries are bounded too, so a hung server turns the pod unready instead of freezing
  // the check.
  server::DatabaseConfig probe = database;
  probe.pool.max_size = 1;
  std::unique_ptr<pg::ConnectionPool> probe_pool =
      server::OpenDatabasePool(probe, kProgram, {{"options", "-c statement_timeout=2000"}});

  auto registry = std::make_shared<prometheus::Registry>();
  server::RpcMetrics metrics("tenants", *registry);
  server::RpcHandler handler("tenants.sportelli", &verifier, &metrics, &log);
  PostgresTenantsRepository repository(pool.get());
  TenantsGrpcService service(&repository, &handler);

  server::Server server(options, &log, registry);
  server.AddService(&service);
  server.AddReadinessCheck("postgres", [&probe_pool] { return probe_pool->Ping(); });
  return server::RunUntilTerminated(server, log);
}

}  // namespace
}  // namespace sportelli::tenants

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  config::EnvReader env;
  const std::string level =
      env.OneOf("SPORTELLI_LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
  config::ExitIfInvalid(env.Finish(), tenants::kProgram);
  logging::Logger log("tenants", logging::ParseLevel(level));
  const std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "serve") return tenants::Serve(log);
  if (command == "migrate") {
    return server::RunMigrateCommand(log, tenants::kProgram, tenants::kSchema,
                                     tenants::Migrations());
  }
  if (command == "seed") return tenants::Seed(log);
  std::cerr << "usage: sportelli-tenants [serve|migrate|seed]\n";
  return 2;
}
