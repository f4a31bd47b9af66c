#include "sportelli/server/service_main.h"

#include <algorithm>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcpp/create_channel.h"
#include "sportelli/api/pagination.h"
#include "sportelli/server/bootstrap.h"
#include "sportelli/server/database.h"
#include "sportelli/server/page_token_key.h"
#include "sportelli/server/rate_limits.h"
#include "sportelli/server/rpc_metrics.h"

namespace sportelli::server {
namespace {

class Kit final : public ServiceKit {
 public:
  logging::Logger& log() override { return *log_; }
  const clock::Clock& clock() override { return *clock_; }
  prometheus::Registry& registry() override { return *registry_; }
  const RpcHandler& handler() override { return *handler_; }
  pg::ConnectionPool& pool() override { return *pool_; }
  pg::ConnectionPool& background_pool() override { return *background_pool_; }
  redis::RedisClient& redis() override { return *redis_; }
  redis::RedisClient& background_redis() override { return *background_redis_; }

  std::shared_ptr<grpc::Channel> ChannelTo(const std::string& address) override {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 30000);
    // With a headless Service name every pod is an address: spread the calls over them.
    args.SetLoadBalancingPolicyName("round_robin");
    return grpc::CreateCustomChannel(address, ChannelCredentials(tls_), args);
  }

  void AddService(grpc::Service* service) override { server_->AddService(service); }
  void AddReadinessCheck(std::string name, std::function<absl::Status()> check) override {
    server_->AddReadinessCheck(std::move(name), std::move(check));
  }
  void AddDrainHook(std::function<void()> hook) override { server_->AddDrainHook(std::move(hook)); }
  void AddWorker(std::function<void()> start, std::function<void()> stop) override {
    workers_.push_back({std::move(start), std::move(stop)});
  }

  void StartWorkers() {
    for (const Worker& worker : workers_) worker.start();
  }
  void StopWorkers() {
    for (auto it = workers_.rbegin(); it != workers_.rend(); ++it) it->stop();
  }
  // What Build made, newest first: a later object may point into an earlier one.
  ~Kit() override {
    while (!owned_.empty()) owned_.pop_back();
  }

  logging::Logger* log_ = nullptr;
  const clock::Clock* clock_ = nullptr;
  std::shared_ptr<prometheus::Registry> registry_;
  RpcHandler* handler_ = nullptr;
  pg::ConnectionPool* pool_ = nullptr;
  pg::ConnectionPool* background_pool_ = nullptr;
  redis::RedisClient* redis_ = nullptr;
  redis::RedisClient* background_redis_ = nullptr;
  Server* server_ = nullptr;
  std::optional<TlsFiles> tls_;

 protected:
  void Keep(std::shared_ptr<void> object) override { owned_.push_back(std::move(object)); }

 private:
  struct Worker {
    std::function<void()> start;
    std::function<void()> stop;
  };
  std::vector<Worker> workers_;
  std::vector<std::shared_ptr<void>> owned_;
};

int Serve(logging::Logger& log, const ServiceDefinition& definition) {
  const std::string& program = definition.name;
  config::EnvReader env;
  ServerOptions options = ReadServerOptions(env, definition.grpc_service, definition.threads,
                                            definition.max_receive_bytes);
  const std::optional<TlsFiles> tls = ReadTlsFiles(env);
  const DatabaseConfig database = ReadDatabaseConfig(env, definition.pool_size);
  const TokenConfig tokens = ReadTokenConfig(env);
  std::optional<redis::RedisClient::Options> redis_options;
  if (definition.uses_redis) redis_options = ReadRedisOptions(env);
  RateLimitConfig rate_limits = ReadRateLimitConfig(env);
  if (!rate_limits.policy.empty() && !definition.uses_redis) {
    env.Reject("SPORTELLI_RATE_LIMITS", "this service has no Redis to count calls in");
  }
  std::function<absl::Status(ServiceKit&)> build = definition.configure(env);
  config::ExitIfInvalid(env.Finish(), program);

  const clock::Clock& clock = clock::SystemClock::Instance();
  auth::TokenVerifier verifier = TokenVerifierOrExit(tokens, &clock, program);
  // Signals are blocked before any thread exists, so every thread inherits the mask and only
  // WaitForTerminationSignal receives SIGTERM. Other subcommands keep the default handling.
  BlockTerminationSignals();
  std::unique_ptr<pg::ConnectionPool> pool = OpenDatabasePool(database, program);
  // Every replica signs page tokens with the key `migrate` made in the schema.
  absl::StatusOr<std::string> page_token_key = ReadPageTokenKey(*pool, definition.name);
  if (!page_token_key.ok()) {
    log.Error("cannot start: no page token key",
              {{"error", std::string(page_token_key.status().message())}});
    return 1;
  }
  api::UsePageTokenKey(*std::move(page_token_key));
  std::unique_ptr<pg::ConnectionPool> probe_pool = OpenProbePool(database, program);
  DatabaseConfig background = database;
  background.pool.max_size = 1;
  std::unique_ptr<pg::ConnectionPool> background_pool = OpenDatabasePool(background, program);
  std::unique_ptr<redis::RedisClient> redis, background_redis;
  if (redis_options) {
    redis::RedisClient::Options rpc = *redis_options;
    rpc.pool_size = std::max(4, options.threads);
    redis = RedisClientOrExit(rpc, program);
    // Not on a citizen's path: time for a blocking read (events::StreamTail) or a batch.
    redis::RedisClient::Options slow = *redis_options;
    // One connection per blocking reader (the directory's changes, scheduling's availability
    // changes) and one for the relay.
    slow.pool_size = 3;
    slow.command_timeout = absl::Seconds(2);
    slow.connect_timeout = absl::Seconds(1);
    slow.acquire_timeout = absl::Seconds(2);
    background_redis = RedisClientOrExit(slow, program);
  }
  KeyFileWatcher key_watcher(tokens.public_keys_file, tokens.public_keys_pem, &verifier, &log);

  auto registry = std::make_shared<prometheus::Registry>();
  RpcMetrics metrics(program, *registry);
  CallAdmission admission(AdmissionOptions(options));
  std::optional<RateLimiter> limiter;
  if (!rate_limits.policy.empty()) {
    limiter.emplace(std::move(rate_limits.policy),
                    *crypto::SecretKey::Create(rate_limits.secret_key), program, redis.get(), &log,
                    &metrics);
  }
  RpcHandler handler(absl::StrCat(program, ".sportelli"), &verifier, &metrics, &log, &admission,
                     limiter ? &*limiter : nullptr);
  // Declared before the server: what Build made outlives the gRPC server that calls into it.
  Kit kit;
  Server server(options, &log, registry);
  server.AddReadinessCheck("postgres", [&probe_pool] { return probe_pool->Ping(); });

  kit.log_ = &log;
  kit.clock_ = &clock;
  kit.registry_ = registry;
  kit.handler_ = &handler;
  kit.pool_ = pool.get();
  kit.background_pool_ = background_pool.get();
  kit.redis_ = redis.get();
  kit.background_redis_ = background_redis.get();
  kit.server_ = &server;
  kit.tls_ = tls;
  if (absl::Status built = build(kit); !built.ok()) {
    log.Error("cannot start", {{"error", std::string(built.message())}});
    return 1;
  }
  kit.StartWorkers();
  const int exit_code = RunUntilTerminated(server, log);
  kit.StopWorkers();
  return exit_code;
}

}  // namespace

int RunMain(int argc, char** argv, const ServiceDefinition& definition) {
  config::EnvReader env;
  const std::string level =
      env.OneOf("SPORTELLI_LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
  config::ExitIfInvalid(env.Finish(), definition.name);
  logging::Logger log(definition.name, logging::ParseLevel(level));
  const std::string command = argc > 1 ? argv[1] : "serve";
  if (command == "serve") return Serve(log, definition);
  if (command == "migrate") {
    // The kit's own components, after the service's.
    std::vector<pg::MigrationComponent> components = definition.components;
    components.push_back(PageTokenKeyComponent());
    return RunMigrateCommand(log, definition.name, definition.name, *definition.migrations,
                             components);
  }
  std::vector<std::string> names = {"serve", "migrate"};
  for (const Command& extra : definition.commands) {
    if (command == extra.name) {
      return extra.run(log, std::vector<std::string>(argv + std::min(argc, 2), argv + argc));
    }
    names.push_back(extra.name);
  }
  std::cerr << "usage: sportelli-" << definition.name << " [" << absl::StrJoin(names, "|") << "]\n";
  return 2;
}

}  // namespace sportelli::server
