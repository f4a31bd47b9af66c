// The bootstrap every service uses: a gRPC server (sync handlers on a bounded thread pool, and
// callback ones for server streams), the grpc.health.v1 service (liveness on "", readiness on
// the service's full name; also plaintext on a port of its own when the API uses TLS, for the
// kubelet's probes), server reflection behind a setting, limits on what a client may send,
// TLS with client certificates, Prometheus metrics on their own port, and a graceful stop.
//
//   server::BlockTerminationSignals();            // first thing in main, before any thread
//   server::Server server(options, logger, registry);
//   server.AddService(&tenants_service);
//   server.AddReadinessCheck("postgres", [&] { return pool.Ping(); });
//   RETURN_IF_ERROR(server.Start());
//   server::WaitForTerminationSignal();            // SIGTERM or SIGINT
//   server.Shutdown();                             // NOT_SERVING, grace, Shutdown(deadline)
//
// Readiness turns SERVING only once every check passes, and back to NOT_SERVING when one
// fails, so Kubernetes stops routing to a pod whose database is gone.
#ifndef SPORTELLI_SERVER_SERVER_H_
#define SPORTELLI_SERVER_SERVER_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/impl/codegen/service_type.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "prometheus/exposer.h"
#include "prometheus/registry.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/server/call_admission.h"

namespace sportelli::server {

struct ServerOptions {
  // Full proto name, e.g. "sportelli.tenants.v1.TenantsService": the readiness health name.
  std::string service_name;
  // "host:port"; port 0 picks a free port (tests), see Server::port().
  std::string listen_address = "0.0.0.0:8080";
  // "host:port" for /metrics; empty disables the exposer (tests that do not scrape).
  std::string metrics_address = "0.0.0.0:9090";
  // "host:port" of a plaintext server with the health service only; empty: none (health is
  // then served on the API port, which is plaintext too unless `credentials` says otherwise).
  std::string health_address;
  // Unary RPCs handled at once (CallAdmission::Options::concurrent). Beyond it a call waits for
  // its turn, up to `max_waiting` of them for at most `max_queue_wait`, and is then answered
  // UNAVAILABLE/OVERLOADED. gRPC is given threads for all of them (and its pollers), so that it
  // never refuses a call itself.
  int threads = 16;
  int max_waiting = 64;
  absl::Duration max_queue_wait = absl::Seconds(1);
  // Calls that may wait aside (CallAdmission::StepAside) at once, each on a gRPC thread of its
  // own; only code that steps aside uses them.
  int max_aside = 0;
  // The largest request a client may send; a bigger one is refused with RESOURCE_EXHAUSTED
  // before any handler sees it.
  int max_receive_bytes = 256 * 1024;
  // HTTP/2 streams one connection may have open at once.
  int max_concurrent_streams = 100;
  // Memory gRPC may use for calls in flight (its resource quota).
  int64_t memory_quota_bytes = int64_t{256} * 1024 * 1024;
  // grpc.reflection.v1alpha.ServerReflection: on for development, off in production.
  bool reflection = true;
  // The API port's credentials (TLS with client certificates: see tls.h); null: plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  absl::Duration readiness_interval = absl::Seconds(2);
  // After NOT_SERVING, how long to keep serving while load balancers notice.
  absl::Duration shutdown_grace = absl::Seconds(5);
  // How long in-flight RPCs get to finish before they are cancelled.
  absl::Duration shutdown_deadline = absl::Seconds(10);
};

// SPORTELLI_GRPC_PORT, SPORTELLI_METRICS_PORT, SPORTELLI_HEALTH_PORT [0: none],
// SPORTELLI_GRPC_THREADS [default_threads], SPORTELLI_GRPC_MAX_WAITING [4 x threads],
// SPORTELLI_GRPC_MAX_QUEUE_WAIT [1s], SPORTELLI_GRPC_MAX_ASIDE [0],
// SPORTELLI_GRPC_MAX_RECEIVE_BYTES [default_max_receive_bytes],
// SPORTELLI_GRPC_MAX_CONCURRENT_STREAMS [100],
// SPORTELLI_GRPC_MEMORY_QUOTA_MIB [256], SPORTELLI_GRPC_REFLECTION [true],
// SPORTELLI_SHUTDOWN_GRACE, SPORTELLI_SHUTDOWN_DEADLINE; the TLS files of tls.h. A service
// whose RPCs wait on I/O (locks, the database) wants more threads than it has database
// connections, so that a burst queues for a connection instead of being refused.
//
// The CallAdmission of `options`: RpcHandler takes one permit of it per unary call.
CallAdmission::Options AdmissionOptions(const ServerOptions& options);
ServerOptions ReadServerOptions(config::EnvReader& env, std::string service_name,
                                int default_threads = 16,
                                int default_max_receive_bytes = 256 * 1024);

class Server final {
 public:
  Server(ServerOptions options, logging::Logger* logger,
         std::shared_ptr<prometheus::Registry> registry);
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Services and checks are added before Start(); pointers must outlive the server.
  void AddService(grpc::Service* service);
  void AddReadinessCheck(std::string name, std::function<absl::Status()> check);
  // Runs at Shutdown() after the grace period, before the server stops taking calls: for what
  // would otherwise hold the stop until the deadline, such as open server streams, which it
  // ends with UNAVAILABLE so that their clients resume on another replica at once.
  void AddDrainHook(std::function<void()> hook);

  absl::Status Start();
  int port() const { return port_; }
  // The bound metrics port (0 when disabled).
  int metrics_port() const;
  // The bound plaintext health port (0 when none).
  int health_port() const { return health_port_; }

  // Idempotent. Marks everything NOT_SERVING, waits the grace period, then stops.
  void Shutdown();

 private:
  // `last`: the readiness reported at start, so only changes are logged.
  void ReadinessLoop(bool last);
  bool RunChecks();

  const ServerOptions options_;
  logging::Logger* const logger_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<grpc::Service*> services_;
  std::vector<std::pair<std::string, std::function<absl::Status()>>> checks_;
  std::vector<std::function<void()>> drain_hooks_;

  // Health status on every server that serves it.
  void SetServing(const std::string& name, bool serving);

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<grpc::Server> server_;
  class HealthPort;
  std::unique_ptr<HealthPort> health_port_service_;  // outlives health_server_
  std::unique_ptr<grpc::Server> health_server_;
  int port_ = 0;
  int health_port_ = 0;

  absl::Mutex mutex_;
  bool stopping_ ABSL_GUARDED_BY(mutex_) = false;
  bool stopped_ = false;
  std::thread readiness_thread_;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it creates afterwards, so
// that WaitForTerminationSignal() receives them. Call first in main().
void BlockTerminationSignals();
// Waits for SIGTERM or SIGINT; returns the signal number.
int WaitForTerminationSignal();

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_SERVER_H_
