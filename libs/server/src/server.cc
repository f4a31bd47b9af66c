#include "sportelli/server/server.h"

#include <pthread.h>

#include <csignal>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
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

int Server::metrics_port() const {
  if (!exposer_) return 0;
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? 0 : ports.front();
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
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // No SO_REUSEPORT: a second process on the same port must fail to start, not silently share
  // the port with a stale instance (gRPC enables it by default on Linux).
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.AddListeningPort(options_.listen_address, grpc::InsecureServerCredentials(), &port_);
  grpc::ResourceQuota quota("sportelli-server");
  quota.SetMaxThreads(options_.threads);
  builder.SetResourceQuota(quota);
  builder.SetSyncServerOption(grpc::ServerBuilder::SyncServerOption::MAX_POLLERS,
                              std::max(1, options_.threads / 4));
  for (grpc::Service* service : services_) builder.RegisterService(service);
  server_ = builder.BuildAndStart();
  if (!server_ || port_ == 0) {
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen_address));
  }

  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  health->SetServingStatus("", true);  // liveness: the process answers
  // Known but not ready until the first checks pass (a probe must never see "unknown service").
  health->SetServingStatus(options_.service_name, false);
  const bool ready = RunChecks();
  health->SetServingStatus(options_.service_name, ready);
  readiness_thread_ = std::thread([this, ready] { ReadinessLoop(ready); });
  logger_->Info(
      "listening",
      {{"grpc_port", port_}, {"metrics_port", metrics_port()}, {"threads", options_.threads}});
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
    server_->GetHealthCheckService()->SetServingStatus(options_.service_name, ready);
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
  if (readiness_thread_.joinable()) readiness_thread_.join();
  if (!server_) return;
  logger_->Info("shutting down",
                {{"grace_ms", absl::ToInt64Milliseconds(options_.shutdown_grace)}});
  absl::SleepFor(options_.shutdown_grace);
  server_->Shutdown(DeadlineAfter(options_.shutdown_deadline));
  server_->Wait();
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
