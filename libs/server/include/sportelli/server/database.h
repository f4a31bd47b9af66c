// The PostgreSQL side of a service's bootstrap, the same for every service: its configuration
// variables, pools with TCP timeouts, and the `migrate` subcommand.
//
//   SPORTELLI_PG_DSN               libpq conninfo, without the password (required)
//   SPORTELLI_PG_PASSWORD_FILE     a file holding the password (optional; never an environment
//                                  variable: it would show in the process listing and in crash
//                                  reports)
//   SPORTELLI_PG_POOL_SIZE         [default per service]
//   SPORTELLI_PG_ACQUIRE_TIMEOUT   [2s]
//   SPORTELLI_PG_STATEMENT_TIMEOUT [5s for serve; none for migrate]
//   SPORTELLI_PG_LOCK_TIMEOUT      [2s for serve; none for migrate]
//   SPORTELLI_PG_RUNTIME_ROLE      [sportelli_<service>] migrate only: the role `serve` logs in
//                                  as, granted its privileges by the migrations
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
  std::string dsn;  // the password file's content included
  pg::PoolOptions pool;
};

// The variables above for `serve` (statement and lock timeouts on).
DatabaseConfig ReadDatabaseConfig(config::EnvReader& env, int default_pool_size = 8);

// A pool on config.dsn with TCP user timeout and keepalives, so that a database host that
// drops packets (a failover, a partition) surfaces as an error within seconds, not after the
// kernel's ~15 minutes of retransmissions. An unusable DSN stops the process
// (config::ExitIfInvalid, naming SPORTELLI_PG_DSN).
std::unique_ptr<pg::ConnectionPool> OpenDatabasePool(const DatabaseConfig& config,
                                                     const std::string& program);

// One connection for the readiness check, its statements bounded to 2 s: a pool busy with RPCs
// must not make a healthy pod look unready (Kubernetes would then drain pods exactly when load
// peaks), and a silent database must turn the pod unready instead of freezing the check.
std::unique_ptr<pg::ConnectionPool> OpenProbePool(const DatabaseConfig& config,
                                                  const std::string& program);

// Reads the database settings, checks them (exit 2 on a problem) and opens a pool: for
// subcommands such as `seed`.
std::unique_ptr<pg::ConnectionPool> OpenDatabaseFromEnv(const std::string& program);

// The `migrate` subcommand: reads the database configuration (the owner's credentials),
// applies `migrations` and `components` to `schema` granting SPORTELLI_PG_RUNTIME_ROLE, logs the
// outcome. Returns the process exit code.
int RunMigrateCommand(logging::Logger& log, const std::string& program, const std::string& schema,
                      const std::vector<pg::Migration>& migrations,
                      const std::vector<pg::MigrationComponent>& components = {});

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_DATABASE_H_
