// The PostgreSQL side of a service's bootstrap, the same for every service: its configuration
// variables, a pool with TCP timeouts, and the `migrate` subcommand.
//
//   config::EnvReader env;
//   server::DatabaseConfig database = server::ReadDatabaseConfig(env);
//   config::ExitIfInvalid(env.Finish(), kProgram);
//   std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, kProgram);
#ifndef SPORTELLI_SERVER_DATABASE_H_
#define SPORTELLI_SERVER_DATABASE_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"

namespace sportelli::server {

struct DatabaseConfig {
  std::string dsn;
  pg::PoolOptions pool;
};

// SPORTELLI_PG_DSN (required), SPORTELLI_PG_POOL_SIZE [default_pool_size],
// SPORTELLI_PG_ACQUIRE_TIMEOUT [2s].
DatabaseConfig ReadDatabaseConfig(config::EnvReader& env, int default_pool_size = 8);

// A pool on config.dsn with TCP user timeout and keepalives, so that a database host that
// drops packets (a failover, a partition) surfaces as an error within seconds, not after the
// kernel's ~15 minutes of retransmissions. `extra` adds libpq settings for this pool. An
// unusable DSN stops the process (config::ExitIfInvalid, naming SPORTELLI_PG_DSN).
std::unique_ptr<pg::ConnectionPool> OpenDatabasePool(
    const DatabaseConfig& config, const std::string& program,
    std::vector<std::pair<std::string, std::string>> extra = {});

// The `migrate` subcommand: reads the database configuration, applies `migrations` to
// `schema`, logs the outcome. Returns the process exit code.
int RunMigrateCommand(logging::Logger& log, const std::string& program, const std::string& schema,
                      const std::vector<pg::Migration>& migrations);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_DATABASE_H_
