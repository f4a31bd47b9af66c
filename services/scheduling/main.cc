// sportelli-scheduling: slots, availability (cached in Redis), appointments, holds and the
// walk-in queue, with an outbox relay publishing events to Redis Streams.
//
//   sportelli-scheduling [serve]   run the gRPC server and the outbox relay (default)
//   sportelli-scheduling migrate   apply the schema migrations, then exit
//
// Configuration comes from environment variables (docs/operations.md).
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "prometheus/registry.h"
#include "services/scheduling/availability.h"
#include "services/scheduling/availability_cache.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/outbox_relay.h"
#include "services/scheduling/postgres_scheduling_repository.h"
#include "services/scheduling/scheduling_grpc_service.h"
#include "services/scheduling/secrets.h"
#include "services/scheduling/tenants_desk_directory.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/redis/client.h"
#include "sportelli/server/bootstrap.h"
#include "sportelli/server/database.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/server/server.h"

namespace sportelli::scheduling {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

constexpr char kProgram[] = "scheduling";
constexpr char kSchema[] = "scheduling";

namespace {

constexpr char kServiceName[] = "sportelli.scheduling.v1.SchedulingService";

std::string ReadOptionalFile(config::EnvReader& env, const std::string& name) {
  const std::string path = env.String(name, "");
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  std::stringstream contents;
  contents << in.rdbuf();
  if (!in)
    config::ExitIfInvalid(absl::InvalidArgumentError(name + ": cannot read the file"), kProgram);
  std::string text = contents.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

int Serve(logging::Logger& log) {
  config::EnvReader env;
  // Bookings wait on row locks and commits: 64 threads over 16 connections queue a click-day
  // burst for a connection (up to SPORTELLI_PG_ACQUIRE_TIMEOUT) instead of refusing it.
  server::ServerOptions options = server::ReadServerOptions(env, kServiceName, 64);
  server::DatabaseConfig database = server::ReadDatabaseConfig(env, 16);
  const std::string redis_address = env.HostPort("SPORTELLI_REDIS_ADDR", "127.0.0.1:6379");
  const absl::Duration redis_timeout = env.Duration(
      "SPORTELLI_REDIS_TIMEOUT", absl::Milliseconds(100), absl::Milliseconds(1), absl::Seconds(10));
  const std::string tenants_address = env.HostPort("SPORTELLI_TENANTS_ADDR", "127.0.0.1:8080");
  TenantsDirectoryOptions directory_options;
  directory_options.deadline = env.Duration("SPORTELLI_TENANTS_DEADLINE", absl::Seconds(1),
                                            absl::Milliseconds(10), absl::Seconds(30));
  directory_options.ttl = env.Duration("SPORTELLI_TENANTS_CACHE_TTL", absl::Seconds(30),
                                       absl::ZeroDuration(), absl::Hours(1));
  const server::TokenConfig tokens = server::ReadTokenConfig(env);
  const std::string secret_bytes = env.FileContents("SPORTELLI_SECRET_KEY_FILE");
  BookingRules rules;
  rules.minimum_notice = env.Duration("SPORTELLI_MIN_NOTICE", rules.minimum_notice,
                                      absl::ZeroDuration(), absl::Hours(24 * 30));
  rules.booking_window = env.Duration("SPORTELLI_BOOKING_WINDOW", rules.booking_window,
                                      absl::Hours(1), absl::Hours(24 * 366));
  rules.quota.phone_share = env.Number("SPORTELLI_PHONE_SHARE", rules.quota.phone_share, 0, 1);
  rules.quota.desk_share = env.Number("SPORTELLI_DESK_SHARE", rules.quota.desk_share, 0, 1);
  rules.hold_ttl =
      env.Duration("SPORTELLI_HOLD_TTL", rules.hold_ttl, absl::Seconds(1), absl::Hours(1));
  rules.max_future_appointments =
      env.Int("SPORTELLI_MAX_FUTURE_APPOINTMENTS", rules.max_future_appointments, 1, 100);
  const bool relay_enabled = env.Bool("SPORTELLI_RELAY_ENABLED", true);
  const std::string redis_password = ReadOptionalFile(env, "SPORTELLI_REDIS_PASSWORD_FILE");
  config::ExitIfInvalid(env.Finish(), kProgram);

  const clock::Clock& clock = clock::SystemClock::Instance();
  const auth::TokenVerifier verifier = server::TokenVerifierOrExit(tokens, &clock, kProgram);
  absl::StatusOr<SecretKey> secret = SecretKey::Create(secret_bytes);
  if (!secret.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError(absl::StrCat("SPORTELLI_SECRET_KEY_FILE: ",
                                                                  secret.status().message())),
                          kProgram);
  }
  {
    SlotPolicy check;
    check.minimum_notice = rules.minimum_notice;
    check.booking_window = rules.booking_window;
    check.quota = rules.quota;
    check.reserve_release_before = std::min(rules.reserve_release_before, rules.booking_window);
    rules.reserve_release_before = check.reserve_release_before;
    if (!ValidateSlotPolicy(check).empty()) {
      config::ExitIfInvalid(
          absl::InvalidArgumentError("SPORTELLI_MIN_NOTICE must be shorter than "
                                     "SPORTELLI_BOOKING_WINDOW, and SPORTELLI_PHONE_SHARE + "
                                     "SPORTELLI_DESK_SHARE at most 1"),
          kProgram);
    }
  }

  server::BlockTerminationSignals();
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, kProgram);
  server::DatabaseConfig probe = database;
  probe.pool.max_size = 1;
  std::unique_ptr<pg::ConnectionPool> probe_pool =
      server::OpenDatabasePool(probe, kProgram, {{"options", "-c statement_timeout=2000"}});
  server::DatabaseConfig relay_database = database;
  relay_database.pool.max_size = 1;
  std::unique_ptr<pg::ConnectionPool> relay_pool =
      server::OpenDatabasePool(relay_database, kProgram);

  redis::RedisClient::Options redis_options;
  const size_t colon = redis_address.rfind(':');
  redis_options.host = redis_address.substr(0, colon);
  absl::SimpleAtoi(redis_address.substr(colon + 1), &redis_options.port);
  // Availability must not wait long on a slow Redis: PostgreSQL answers instead.
  redis_options.connect_timeout = redis_timeout;
  redis_options.command_timeout = redis_timeout;
  redis_options.acquire_timeout = redis_timeout;
  redis_options.pool_size = std::max(4, options.threads);
  if (!redis_password.empty()) redis_options.password = redis_password;
  absl::StatusOr<std::unique_ptr<redis::RedisClient>> redis =
      redis::RedisClient::Create(redis_options);
  if (!redis.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError("SPORTELLI_REDIS_ADDR: is not valid"),
                          kProgram);
  }
  // The relay has its own connection with a longer timeout: it is not on a citizen's path.
  redis::RedisClient::Options relay_redis_options = redis_options;
  relay_redis_options.pool_size = 1;
  relay_redis_options.command_timeout = absl::Seconds(2);
  relay_redis_options.connect_timeout = absl::Seconds(1);
  relay_redis_options.acquire_timeout = absl::Seconds(2);
  std::unique_ptr<redis::RedisClient> relay_redis =
      *redis::RedisClient::Create(relay_redis_options);

  grpc::ChannelArguments channel_args;
  channel_args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
  // With a headless Service name every tenants pod is an address: spread the calls over them.
  channel_args.SetLoadBalancingPolicyName("round_robin");
  TenantsDeskDirectory directory(
      grpc::CreateCustomChannel(tenants_address, grpc::InsecureChannelCredentials(), channel_args),
      directory_options, &clock);

  auto registry = std::make_shared<prometheus::Registry>();
  server::RpcMetrics metrics("scheduling", *registry);
  server::RpcHandler handler("scheduling.sportelli", &verifier, &metrics, &log);
  PostgresSchedulingRepository repository(pool.get());
  RedisAvailabilityCache cache(redis->get());
  Availability availability(&repository, &cache, &clock, *registry, &log);
  SchedulingGrpcService service(&repository, &directory, &availability, &*secret, &handler, rules,
                                &clock);
  OutboxRelay relay(relay_pool.get(), relay_redis.get(), &log, registry.get());

  server::Server server(options, &log, registry);
  server.AddService(&service);
  // Redis is not a readiness dependency: without it availability is served from PostgreSQL.
  server.AddReadinessCheck("postgres", [&probe_pool] { return probe_pool->Ping(); });
  // The relay does not need the server; it stops after it, so events of the last RPCs go out.
  if (relay_enabled) relay.Start();
  const int exit_code = server::RunUntilTerminated(server, log);
  relay.Stop();
  return exit_code;
}

}  // namespace
}  // namespace sportelli::scheduling

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  config::EnvReader env;
  const std::string level =
      env.OneOf("SPORTELLI_LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
  config::ExitIfInvalid(env.Finish(), scheduling::kProgram);
  logging::Logger log("scheduling", logging::ParseLevel(level));
  const std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "serve") return scheduling::Serve(log);
  if (command == "migrate") {
    return server::RunMigrateCommand(log, scheduling::kProgram, scheduling::kSchema,
                                     scheduling::Migrations());
  }
  std::cerr << "usage: sportelli-scheduling [serve|migrate]\n";
  return 2;
}
