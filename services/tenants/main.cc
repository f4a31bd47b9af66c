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
#include "sportelli/pg/conninfo.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/server/server.h"

namespace sportelli::tenants {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

// The `service` of every log line, the fatal configuration line included.
constexpr char kProgram[] = "tenants";

namespace {


constexpr char kServiceName[] = "sportelli.tenants.v1.TenantsService";
constexpr char kSchema[] = "tenants";

struct DatabaseConfig {
  std::string dsn;
  pg::PoolOptions pool;
};

DatabaseConfig ReadDatabaseConfig(config::EnvReader& env) {
  DatabaseConfig config;
  config.dsn = env.String("SPORTELLI_PG_DSN");
  config.pool.max_size = env.Int("SPORTELLI_PG_POOL_SIZE", 8, 1, 200);
  config.pool.acquire_timeout = env.Duration("SPORTELLI_PG_ACQUIRE_TIMEOUT", absl::Seconds(2),
                                             absl::Milliseconds(10), absl::Minutes(1));
  return config;
}

// A dead database host that drops packets (a failover, a partition) must surface as an error
// within seconds, not after the kernel's ~15 minutes of retransmissions: TCP user timeout and
// keepalives on every connection. `extra` adds per-pool settings.
std::unique_ptr<pg::ConnectionPool> OpenPool(const DatabaseConfig& config,
                                             std::vector<std::pair<std::string, std::string>> extra = {}) {
  std::vector<std::pair<std::string, std::string>> settings = {
      {"tcp_user_timeout", "10000"}, {"keepalives", "1"}, {"keepalives_idle", "30"},
      {"keepalives_interval", "10"}, {"keepalives_count", "3"}};
  settings.insert(settings.end(), extra.begin(), extra.end());
  absl::StatusOr<std::string> dsn = pg::OverrideConninfo(config.dsn, settings);
  absl::StatusOr<std::unique_ptr<pg::ConnectionPool>> pool =
      dsn.ok() ? pg::ConnectionPool::Create(*dsn, config.pool) : dsn.status();
  if (!pool.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError("SPORTELLI_PG_DSN: is not a valid libpq connection string"),
                          kProgram);
  }
  return *std::move(pool);
}

int Migrate(logging::Logger& log) {
  config::EnvReader env;
  DatabaseConfig database = ReadDatabaseConfig(env);
  config::ExitIfInvalid(env.Finish(), kProgram);
  std::unique_ptr<pg::ConnectionPool> pool = OpenPool(database);
  absl::StatusOr<int> applied = pg::ApplyMigrations(*pool, kSchema, Migrations());
  if (!applied.ok()) {
    log.Error("migration failed", {{"error", std::string(applied.status().message())}});
    return 1;
  }
  log.Info("migrations applied", {{"applied", *applied}, {"known", Migrations().size()}});
  return 0;
}

int Seed(logging::Logger& log) {
  config::EnvReader env;
  DatabaseConfig database = ReadDatabaseConfig(env);
  config::ExitIfInvalid(env.Finish(), kProgram);
  std::unique_ptr<pg::ConnectionPool> pool = OpenPool(database);
  PostgresTenantsRepository repository(pool.get());
  absl::StatusOr<SeedReport> report = ApplySeed(PianaDiLuccaSeed(), repository);
  if (!report.ok()) {
    log.Error("seed failed", {{"error", std::string(report.status().message())}});
    return 1;
  }
  log.Info("seed applied", {{"created", report->created},
                            {"unchanged", report->unchanged}});
  return 0;
}

int Serve(logging::Logger& log) {
  config::EnvReader env;
  server::ServerOptions options = server::ReadServerOptions(env, kServiceName);
  DatabaseConfig database = ReadDatabaseConfig(env);
  std::string public_key = env.FileContents("SPORTELLI_JWT_PUBLIC_KEY_FILE");
  std::string issuer = env.String("SPORTELLI_JWT_ISSUER");
  std::string audience = env.String("SPORTELLI_JWT_AUDIENCE");
  config::ExitIfInvalid(env.Finish(), kProgram);

  absl::StatusOr<auth::TokenVerifier> verifier = auth::TokenVerifier::Create(public_key, issuer, audience);
  if (!verifier.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError(absl::StrCat("SPORTELLI_JWT_PUBLIC_KEY_FILE: ",
                                                                  verifier.status().message())),
                          kProgram);
  }
  // Signals are blocked before any thread exists, so every thread inherits the mask and only
  // WaitForTerminationSignal receives SIGTERM. migrate and seed keep the default handling.
  server::BlockTerminationSignals();
  std::unique_ptr<pg::ConnectionPool> pool = OpenPool(database);
  // Readiness has a connection of its own: a pool busy with RPCs must not make a healthy pod
  // look unready (Kubernetes would then drain pods exactly when load peaks).
  // Its queries are bounded too, so a hung server turns the pod unready instead of freezing
  // the check.
  DatabaseConfig probe = database;
  probe.pool.max_size = 1;
  std::unique_ptr<pg::ConnectionPool> probe_pool =
      OpenPool(probe, {{"options", "-c statement_timeout=2000"}});

  auto registry = std::make_shared<prometheus::Registry>();
  server::RpcMetrics metrics("tenants", *registry);
  server::RpcHandler handler("tenants.sportelli", &*verifier, &metrics, &log);
  PostgresTenantsRepository repository(pool.get());
  TenantsGrpcService service(&repository, &handler);

  server::Server server(options, &log, registry);
  server.AddService(&service);
  server.AddReadinessCheck("postgres", [&probe_pool] { return probe_pool->Ping(); });
  if (absl::Status started = server.Start(); !started.ok()) {
    log.Error("cannot start", {{"error", std::string(started.message())}});
    return 1;
  }
  const int signal = server::WaitForTerminationSignal();
  log.Info("signal received", {{"signal", signal}});
  server.Shutdown();
  return 0;
}

}  // namespace
}  // namespace sportelli::tenants

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  config::EnvReader env;
  const std::string level = env.OneOf("SPORTELLI_LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
  config::ExitIfInvalid(env.Finish(), tenants::kProgram);
  logging::Logger log("tenants", logging::ParseLevel(level));
  const std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "serve") return tenants::Serve(log);
  if (command == "migrate") return tenants::Migrate(log);
  if (command == "seed") return tenants::Seed(log);
  std::cerr << "usage: sportelli-tenants [serve|migrate|seed]\n";
  return 2;
}
