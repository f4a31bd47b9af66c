// A service's main(), written once: subcommands (`serve`, the default; `migrate`; the
// service's own, such as `seed`), the configuration of everything every service has (server,
// TLS, database, tokens, Redis when used) read together with the service's own settings so
// that every problem is reported at once (exit 2), the shared infrastructure built and handed
// to the service (ServiceKit), and an orderly stop on SIGTERM.
//
// A service fills in a ServiceDefinition; its main.cc wires its own parts and nothing else:
//
//   struct Config { absl::Duration cache_ttl; };
//   Config ReadConfig(config::EnvReader& env) { ... }
//   absl::Status Build(server::ServiceKit& kit, const Config& config) {
//     auto* repository = kit.Own(std::make_unique<PostgresRepository>(&kit.pool()));
//     auto* service = kit.Own(std::make_unique<MyGrpcService>(repository, &kit.handler()));
//     kit.AddService(service);
//     return absl::OkStatus();
//   }
//   int main(int argc, char** argv) {
//     return server::RunMain(argc, argv, {
//         .name = "intake",
//         .grpc_service = "sportelli.intake.v1.IntakeService",
//         .migrations = &intake::Migrations(),
//         .components = {pg::RequestIdsComponent(), events::OutboxComponent()},
//         .configure = server::Configure<Config>(ReadConfig, Build),
//     });
//   }
//
// Order of `serve`: configuration (exit 2 on any problem), signals blocked, pools, Redis, the
// verifier and its key file watcher, Build, the server started with its readiness check, the
// workers started; on SIGTERM the server drains and stops, then the workers stop (a relay
// finishes the batch under way; events it has not claimed stay in the outbox for another
// replica or the next start), then what Build owns is destroyed, newest first.
#ifndef SPORTELLI_SERVER_SERVICE_MAIN_H_
#define SPORTELLI_SERVER_SERVICE_MAIN_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "grpcpp/channel.h"
#include "prometheus/registry.h"
#include "sportelli/clock/clock.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/redis/client.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/server.h"
#include "sportelli/server/tls.h"

namespace sportelli::server {

// What a service builds on. Everything it returns lives until the service is stopped.
class ServiceKit {
 public:
  virtual ~ServiceKit() = default;

  virtual logging::Logger& log() = 0;
  virtual const clock::Clock& clock() = 0;
  virtual prometheus::Registry& registry() = 0;
  virtual const RpcHandler& handler() = 0;
  // The RPCs' pool (the runtime role).
  virtual pg::ConnectionPool& pool() = 0;
  // A one-connection pool for background work (an outbox relay): it never competes with RPCs.
  virtual pg::ConnectionPool& background_pool() = 0;
  // Redis for RPCs, with short timeouts (ServiceDefinition::uses_redis).
  virtual redis::RedisClient& redis() = 0;
  // Redis for background work, with timeouts long enough for blocking reads.
  virtual redis::RedisClient& background_redis() = 0;
  // A channel to another service ("tenants:8080"), over TLS with this service's certificate
  // when the deployment has one, spread over every address the name resolves to.
  virtual std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) = 0;

  virtual void AddService(grpc::Service* service) = 0;
  virtual void AddReadinessCheck(std::string name, std::function<absl::Status()> check) = 0;
  // Background work, started after the server and stopped after it.
  virtual void AddWorker(std::function<void()> start, std::function<void()> stop) = 0;
  // Run when the server stops, after its grace period (Server::AddDrainHook).
  virtual void AddDrainHook(std::function<void()> hook) = 0;

  // Keeps `object` alive until the service stops; returns it.
  template <typename T>
  T* Own(std::unique_ptr<T> object) {
    T* raw = object.get();
    Keep(std::shared_ptr<void>(std::move(object)));
    return raw;
  }

 protected:
  virtual void Keep(std::shared_ptr<void> object) = 0;
};

// Reads the service's own settings from the environment (recording problems on it) and returns
// what builds the service from them.
using Configurator = std::function<std::function<absl::Status(ServiceKit&)>(config::EnvReader&)>;

// Adapts a typed pair (read the Config, build from it) into a Configurator.
template <typename Config>
Configurator Configure(std::function<Config(config::EnvReader&)> read,
                       std::function<absl::Status(ServiceKit&, const Config&)> build) {
  return [read, build](config::EnvReader& env) -> std::function<absl::Status(ServiceKit&)> {
    auto config = std::make_shared<Config>(read(env));
    return [config, build](ServiceKit& kit) { return build(kit, *config); };
  };
}

// A subcommand besides `serve` and `migrate`: `run` gets the arguments after its name.
struct Command {
  std::string name;
  std::function<int(logging::Logger&, const std::vector<std::string>& args)> run;
};

struct ServiceDefinition {
  // "tenants": the binary's subcommands, the log's `service`, the metrics' `service` label,
  // the error domain ("tenants.sportelli"), the schema and the runtime role's default name.
  std::string name;
  // The full proto name of the service: the readiness health name.
  std::string grpc_service;
  const std::vector<pg::Migration>* migrations = nullptr;
  std::vector<pg::MigrationComponent> components;
  // Defaults of SPORTELLI_GRPC_THREADS, SPORTELLI_PG_POOL_SIZE, SPORTELLI_GRPC_MAX_RECEIVE_BYTES.
  int threads = 16;
  int pool_size = 8;
  int max_receive_bytes = 256 * 1024;
  // Whether `serve` needs Redis (SPORTELLI_REDIS_*).
  bool uses_redis = false;
  Configurator configure;
  std::vector<Command> commands;
};

// Runs the subcommand named by argv[1] ("serve" when absent). Returns the exit code.
int RunMain(int argc, char** argv, const ServiceDefinition& definition);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_SERVICE_MAIN_H_
