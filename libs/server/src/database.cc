#include "sportelli/server/database.h"

#include "absl/strings/str_cat.h"
#include "sportelli/pg/conninfo.h"

namespace sportelli::server {
namespace {

DatabaseConfig ReadDatabase(config::EnvReader& env, int default_pool_size, bool bounded) {
  DatabaseConfig config;
  config.dsn = env.String("SPORTELLI_PG_DSN");
  const std::string password = env.OptionalSecretFile("SPORTELLI_PG_PASSWORD_FILE");
  if (!password.empty() && !config.dsn.empty()) {
    absl::StatusOr<std::string> with_password =
        pg::OverrideConninfo(config.dsn, {{"password", password}});
    // A DSN libpq cannot parse is reported when the pool is opened; keep it as it is here.
    if (with_password.ok()) config.dsn = *std::move(with_password);
  }
  config.pool.max_size = env.Int("SPORTELLI_PG_POOL_SIZE", default_pool_size, 1, 200);
  config.pool.acquire_timeout = env.Duration("SPORTELLI_PG_ACQUIRE_TIMEOUT", absl::Seconds(2),
                                             absl::Milliseconds(10), absl::Minutes(1));
  if (bounded) {
    config.pool.statement_timeout = env.Duration("SPORTELLI_PG_STATEMENT_TIMEOUT", absl::Seconds(5),
                                                 absl::Milliseconds(10), absl::Minutes(30));
    config.pool.lock_timeout = env.Duration("SPORTELLI_PG_LOCK_TIMEOUT", absl::Seconds(2),
                                            absl::Milliseconds(10), absl::Minutes(30));
  }
  return config;
}

std::unique_ptr<pg::ConnectionPool> Open(const DatabaseConfig& config, const std::string& program,
                                         std::vector<std::pair<std::string, std::string>> extra) {
  std::vector<std::pair<std::string, std::string>> settings = {{"tcp_user_timeout", "10000"},
                                                               {"keepalives", "1"},
                                                               {"keepalives_idle", "30"},
                                                               {"keepalives_interval", "10"},
                                                               {"keepalives_count", "3"}};
  settings.insert(settings.end(), extra.begin(), extra.end());
  absl::StatusOr<std::string> dsn = pg::OverrideConninfo(config.dsn, settings);
  absl::StatusOr<std::unique_ptr<pg::ConnectionPool>> pool =
      dsn.ok() ? pg::ConnectionPool::Create(*dsn, config.pool) : dsn.status();
  if (!pool.ok()) {
    config::ExitIfInvalid(
        absl::InvalidArgumentError("SPORTELLI_PG_DSN: is not a valid libpq connection string"),
        program);
  }
  return *std::move(pool);
}

}  // namespace

DatabaseConfig ReadDatabaseConfig(config::EnvReader& env, int default_pool_size) {
  return ReadDatabase(env, default_pool_size, /*bounded=*/true);
}

std::unique_ptr<pg::ConnectionPool> OpenDatabasePool(const DatabaseConfig& config,
                                                     const std::string& program) {
  return Open(config, program, {});
}

std::unique_ptr<pg::ConnectionPool> OpenProbePool(const DatabaseConfig& config,
                                                  const std::string& program) {
  DatabaseConfig probe = config;
  probe.pool.max_size = 1;
  probe.pool.statement_timeout = absl::Seconds(2);
  return Open(probe, program, {});
}

std::unique_ptr<pg::ConnectionPool> OpenDatabaseFromEnv(const std::string& program) {
  config::EnvReader env;
  DatabaseConfig database = ReadDatabaseConfig(env);
  config::ExitIfInvalid(env.Finish(), program);
  return OpenDatabasePool(database, program);
}

int RunMigrateCommand(logging::Logger& log, const std::string& program, const std::string& schema,
                      const std::vector<pg::Migration>& migrations,
                      const std::vector<pg::MigrationComponent>& components) {
  config::EnvReader env;
  // No statement timeout: a migration may rewrite a large table.
  DatabaseConfig database = ReadDatabase(env, 1, /*bounded=*/false);
  const std::string runtime_role =
      env.String("SPORTELLI_PG_RUNTIME_ROLE", absl::StrCat("sportelli_", schema));
  config::ExitIfInvalid(env.Finish(), program);
  std::unique_ptr<pg::ConnectionPool> pool = OpenDatabasePool(database, program);
  absl::StatusOr<int> applied = pg::ApplyMigrations(
      *pool, schema, migrations, {.runtime_role = runtime_role, .components = components});
  if (!applied.ok()) {
    log.Error("migration failed", {{"error", std::string(applied.status().message())}});
    return 1;
  }
  size_t known = migrations.size();
  for (const pg::MigrationComponent& component : components) known += component.migrations->size();
  log.Info("migrations applied", {{"applied", *applied}, {"known", known}});
  return 0;
}

}  // namespace sportelli::server
