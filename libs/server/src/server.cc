#include "sportelli/server/server.h"

#include <pthread.h>

#include <csignal>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/resource_quota.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "sportelli/server/deadline.h"

namespace sportelli::server {

Server::Server(ServerOptions options, logging::Logger* logger,
               std::shared_ptr<prometheus::Registry> registry)
    : options_(std::move(options)), logger_(logger), registry_(std::move(registry)) {
#ifdef NDEBUG
  // Debian builds abseil with Mutex deadlock detection on, which records every lock in a
  // global graph (about 1 % of a busy server's CPU in bench/run's profile). Debug and sanitizer
  // builds, where the tests run, keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
}

Server::~Server() { Shutdown(); }

void Server::AddService(grpc::Service* service) { services_.push_back(service); }

void Server::AddReadinessCheck(std::string name, std::function<absl::Status()> check) {
  checks_.emplace_back(std::move(name), std::move(check));
}

void Server::AddDrainHook(std::function<void()> hook) { drain_hooks_.push_back(std::move(hook)); }

int Server::metrics_port() const {
  if (!exposer_) return 0;
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
}

namespace {

// Threads beyond the admission's running and waiting calls and the pollers. gRPC's sync server
// needs a thread for a call before RpcHandler can answer it, even to refuse it: a burst of calls
// arriving at the same instant holds one thread each for the few microseconds of a refusal, and
// with no thread left gRPC refuses the next one itself. gRPC makes threads only when calls need
// them and lets them go after, so the margin costs nothing at rest.
constexpr int kSpareThreads = 512;

// Server reflection for this server only. Linking libgrpc++_reflection registers its plugin
// with every ServerBuilder of the process (a static initializer), so the option both removes
// whatever was registered and adds exactly one plugin where reflection is wanted.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool enabled) : enabled_(enabled) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string name = grpc::reflection::ProtoServerReflectionPlugin().name();
    std::erase_if(*plugins, [&](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return plugin->name() == name;
    });
    if (enabled_) {
      plugins->emplace_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }
  }

 private:
  bool enabled_;
};

}  // namespace

// grpc.health.v1 Check for the plaintext health port, mirroring the API server's statuses. Not
// gRPC's default service: on a server with no other synchronous service, that one needs a
// completion queue polled by the application. Watch is left unimplemented (the kubelet's gRPC
// probe only calls Check).
class Server::HealthPort final : public grpc::health::v1::Health::Service {
 public:
  void Set(const std::string& name, bool serving) {
    absl::MutexLock lock(&mutex_);
    serving_[name] = serving && !shut_down_;
  }
  // From now on every name answers NOT_SERVING, as gRPC's own service does after Shutdown().
  void ShutDown() {
    absl::MutexLock lock(&mutex_);
    shut_down_ = true;
    for (auto& [name, serving] : serving_) serving = false;
  }
  grpc::Status Check(grpc::ServerContext*, const grpc::health::v1::HealthCheckRequest* request,
                     grpc::health::v1::HealthCheckResponse* response) override {
    absl::MutexLock lock(&mutex_);
    auto it = serving_.find(request->service());
    if (it == serving_.end()) return grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service");
    response->set_status(it->second ? grpc::health::v1::HealthCheckResponse::SERVING
                                    : grpc::health::v1::HealthCheckResponse::NOT_SERVING);
    return grpc::Status::OK;
  }

 private:
  absl::Mutex mutex_;
  std::map<std::string, bool> serving_ ABSL_GUARDED_BY(mutex_);
  bool shut_down_ ABSL_GUARDED_BY(mutex_) = false;
};

void Server::SetServing(const std::string& name, bool serving) {
  server_->GetHealthCheckService()->SetServingStatus(name, serving);
  if (health_port_service_) health_port_service_->Set(name, serving);
}

absl::Status Server::Start() {
  if (!options_.metrics_address.empty()) {
    try {
      exposer_ = std::make_unique<prometheus::Exposer>(options_.metrics_address);
    } catch (const std::exception&) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen for metrics on ", options_.metrics_address));
    }
    exposer_->RegisterCollectable(registry_);
  }

  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  // No SO_REUSEPORT: a second process on the same port must fail to start, not silently share
  // the port with a stale instance (gRPC enables it by default on Linux).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(
      options_.listen_address,
      options_.credentials ? options_.credentials : grpc::InsecureServerCredentials(), &port_);
  builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
  // What a client may make this server hold: request size, streams per connection, memory and
  // threads. Keepalive pings from a client more often than every 10 s without data close its
  // connection (a flood of pings costs CPU); the server pings idle connections every 2 h.
  builder.SetMaxReceiveMessageSize(options_.max_receive_bytes);
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PING_STRIKES, 2);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 2 * 3600 * 1000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 20000);
  // Threads for every call RpcHandler may let run, wait or wait aside (CallAdmission), for the
  // pollers and a margin for calls that are finishing: gRPC's own refusal when it has no thread
  // (RESOURCE_EXHAUSTED "Server Threadpool Exhausted", no reason, no log line) must not happen
  // before the admission's OVERLOADED does.
  const int pollers = std::max(1, options_.threads / 4);
  grpc::ResourceQuota quota("sportelli-server");
  quota.SetMaxThreads(options_.threads + options_.max_waiting + options_.max_aside + pollers +
                      kSpareThreads);
  quota.Resize(static_cast<size_t>(options_.memory_quota_bytes));
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS, pollers);
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address));
  }

  if (!options_.health_address.empty()) {
    // Health only, in plaintext: the kubelet's gRPC probe cannot present a client certificate.
    health_port_service_ = std::make_unique<HealthPort>();
    grpc::ServerBuilder health_builder;
    health_builder.RegisterService(health_port_service_.get());
    health_builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
    health_builder.AddListeningPort(options_.health_address, grpc::InsecureServerCredentials(),
                                    &health_port_);
    health_builder.SetMaxReceiveMessageSize(1024);
    health_builder.SetOption(std::make_unique<ReflectionOption>(false));  // health, nothing else
    health_server_ = health_builder.BuildAndStart();
    if (!health_server_ || health_port_ == 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen for health checks on ", options_.health_address));
    }
  }

  SetServing("", true);  // liveness: the process answers
  // Known but not ready until the first checks pass (a probe must never see "unknown service").
  SetServing(options_.service_name, false);
  const bool ready = RunChecks();
  SetServing(options_.service_name, ready);
  readiness_thread_ = std::thread([this, ready] { ReadinessLoop(ready); });
  logger_->Info("listening", {{"grpc_port", port_},
                              {"metrics_port", metrics_port()},
                              {"health_port", health_port_},
                              {"tls", options_.credentials != nullptr},
                              {"reflection", options_.reflection},
                              {"threads", options_.threads}});
  return absl::OkStatus();
}

bool Server::RunChecks() {
  bool ready = true;
  for (const auto& [name, check] : checks_) {
    absl::Status status = check();
    if (!status.ok()) {
      ready = false;
      // The message names the failure (connection refused, authentication, sqlstate) and
      // carries no personal data: checks only ping their dependency.
      logger_->Warning("readiness check failed", {{"check", name},
                                                  {"code", absl::StatusCodeToString(status.code())},
                                                  {"error", std::string(status.message())}});
    }
  }
  return ready;
}

void Server::ReadinessLoop(bool last) {
  absl::MutexLock lock(&mutex_);
  while (!stopping_) {
    mutex_.AwaitWithTimeout(absl::Condition(&stopping_), options_.readiness_interval);
    if (stopping_) break;
    mutex_.Unlock();
    const bool ready = RunChecks();
    mutex_.Lock();
    if (stopping_) break;
    SetServing(options_.service_name, ready);
    if (ready != last) logger_->Info(ready ? "ready" : "not ready");
    last = ready;
  }
}

void Server::Shutdown() {
  {
    absl::MutexLock lock(&mutex_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
  }
  // Health answers NOT_SERVING from now on (and ignores later updates, including one from a
  // readiness check still running), so load balancers drain this instance while it serves what
  // they send during the grace period. This comes before waiting for the readiness thread, whose
  // check may be slow exactly when the database is in trouble.
  if (server_) server_->GetHealthCheckService()->Shutdown();
  if (health_port_service_) health_port_service_->ShutDown();
  if (readiness_thread_.joinable()) readiness_thread_.join();
  if (!server_) return;
  logger_->Info("shutting down",
                {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
  absl::SleepFor(options_.shutdown_grace);
  for (const std::function<void()>& hook : drain_hooks_) hook();
  server_->Shutdown(DeadlineAfter(options_.shutdown_deadline));
  server_->Wait();
  if (health_server_) {
    health_server_->Shutdown(DeadlineAfter(absl::ZeroDuration()));
    health_server_->Wait();
  }
  logger_->Info("stopped");
}

void BlockTerminationSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  int received = 0;
  while (sigwait(&signals, &received) != 0) {
  }
  return received;
}

}  // namespace sportelli::server
