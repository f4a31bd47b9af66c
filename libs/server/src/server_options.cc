#include "absl/strings/str_cat.h"
#include "sportelli/server/server.h"
#include "sportelli/server/tls.h"

namespace sportelli::server {

ServerOptions ReadServerOptions(config::EnvReader& env, std::string service_name,
                                int default_threads, int default_max_receive_bytes) {
  ServerOptions options;
  options.service_name = std::move(service_name);
  options.listen_address = absl::StrCat("0.0.0.0:", env.Int("SPORTELLI_GRPC_PORT", 8080, 1, 65535));
  const int metrics_port = env.Int("SPORTELLI_METRICS_PORT", 9090, 0, 65535);
  options.metrics_address = metrics_port == 0 ? "" : absl::StrCat("0.0.0.0:", metrics_port);
  const int health_port = env.Int("SPORTELLI_HEALTH_PORT", 0, 0, 65535);
  options.health_address = health_port == 0 ? "" : absl::StrCat("0.0.0.0:", health_port);
  options.threads = env.Int("SPORTELLI_GRPC_THREADS", default_threads, 2, 1024);
  options.max_waiting = env.Int("SPORTELLI_GRPC_MAX_WAITING", 4 * options.threads, 0, 4096);
  // Off unless asked for: with it, a click day's bookings fill bigger batches, but the waiting
  // room's calls were slower in the benchmark (docs/benchmarks.md, 2026-12-01).
  options.max_aside = env.Int("SPORTELLI_GRPC_MAX_ASIDE", 0, 0, 4096);
  options.max_queue_wait = env.Duration("SPORTELLI_GRPC_MAX_QUEUE_WAIT", absl::Seconds(1),
                                        absl::Milliseconds(1), absl::Seconds(30));
  options.max_receive_bytes = env.Int("SPORTELLI_GRPC_MAX_RECEIVE_BYTES", default_max_receive_bytes,
                                      1024, 64 * 1024 * 1024);
  options.max_concurrent_streams = env.Int("SPORTELLI_GRPC_MAX_CONCURRENT_STREAMS", 100, 1, 100000);
  options.memory_quota_bytes =
      env.Int("SPORTELLI_GRPC_MEMORY_QUOTA_MIB", 256, 16, 64 * 1024) * int64_t{1024 * 1024};
  options.reflection = env.Bool("SPORTELLI_GRPC_REFLECTION", true);
  options.shutdown_grace = env.Duration("SPORTELLI_SHUTDOWN_GRACE", absl::Seconds(5),
                                        absl::ZeroDuration(), absl::Minutes(2));
  options.shutdown_deadline = env.Duration("SPORTELLI_SHUTDOWN_DEADLINE", absl::Seconds(10),
                                           absl::ZeroDuration(), absl::Minutes(5));
  if (std::optional<TlsFiles> tls = ReadTlsFiles(env))
    options.credentials = ServerCredentials(*tls);
  return options;
}

CallAdmission::Options AdmissionOptions(const ServerOptions& options) {
  return {.concurrent = options.threads,
          .max_waiting = options.max_waiting,
          .max_wait = options.max_queue_wait,
          .max_aside = options.max_aside};
}

}  // namespace sportelli::server
