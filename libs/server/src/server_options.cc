#include "absl/strings/str_cat.h"
#include "sportelli/server/server.h"

namespace sportelli::server {

ServerOptions ReadServerOptions(config::EnvReader& env, std::string service_name,
                                int default_threads) {
  ServerOptions options;
  options.service_name = std::move(service_name);
  options.listen_address = absl::StrCat("0.0.0.0:", env.Int("SPORTELLI_GRPC_PORT", 8080, 1, 65535));
  const int metrics_port = env.Int("SPORTELLI_METRICS_PORT", 9090, 0, 65535);
  options.metrics_address = metrics_port == 0 ? "" : absl::StrCat("0.0.0.0:", metrics_port);
  options.threads = env.Int("SPORTELLI_GRPC_THREADS", default_threads, 2, 1024);
  options.shutdown_grace = env.Duration("SPORTELLI_SHUTDOWN_GRACE", absl::Seconds(5),
                                        absl::ZeroDuration(), absl::Minutes(2));
  options.shutdown_deadline = env.Duration("SPORTELLI_SHUTDOWN_DEADLINE", absl::Seconds(10),
                                           absl::ZeroDuration(), absl::Minutes(5));
  return options;
}

}  // namespace sportelli::server
