#include "sportelli/server/database.h"

#include "sportelli/pg/conninfo.h"

namespace sportelli::server {

DatabaseConfig ReadDatabaseConfig(config::EnvReader& env, int default_pool_size) {
  DatabaseConfig config;
  config.dsn = env.String("SPORTELLI_PG_DSN");
  config.pool.max_size = env.Int("SPORTELLI_PG_POOL_SIZE", default_pool_size, 1, 200);
  config.pool.acquire_timeout = env.Duration("SPORTELLI_PG_ACQUIRE_TIMEOUT", absl::Seconds(2),
                                             absl::Milliseconds(10), absl::Minutes(1));
  return config;
}

std::unique_ptr<pg::ConnectionPool> OpenDatabasePool(
    const DatabaseConfig& config, const std::string& program,
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

int RunMigrateCommand(logging::Logger& log, const std::string& program, const std::string& schema,
                      const std::vector<pg::Migration>& migrations) {
  config::EnvReader env;
  DatabaseConfig database = ReadDatabaseConfig(env);
  config::ExitIfInvalid(env.Finish(), program);
  std::unique_ptr<pg::ConnectionPool> pool = OpenDatabasePool(database, program);
  absl::StatusOr<int> applied = pg::ApplyMigrations(*pool, schema, migrations);
  if (!applied.ok()) {
    log.Error("migration failed", {{"error", std::string(applied.status().message())}});
    return 1;
  }
  log.Info("migrations applied", {{"applied", *applied}, {"known", migrations.size()}});
  return 0;
}

}  // namespace sportelli::server
