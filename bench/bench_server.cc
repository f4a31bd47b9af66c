// sportelli-bench-server: the "empty" baseline of the benchmarks. BenchService.Ping goes
// through exactly what every real method goes through — the server library's sync server and
// thread pool, its admission (CallAdmission), RpcHandler (JWT verification, status mapping,
// access log line) and RpcMetrics — and then does nothing. Its throughput and latency are the
// ceiling of any real method on the same machine; a scenario's cost is its distance from this one.
//
// Configured like a service (docs/operations.md): SPORTELLI_GRPC_PORT, SPORTELLI_METRICS_PORT,
// SPORTELLI_GRPC_THREADS, SPORTELLI_GRPC_MAX_WAITING, SPORTELLI_GRPC_MAX_QUEUE_WAIT,
// SPORTELLI_JWT_PUBLIC_KEY_FILE, SPORTELLI_JWT_ISSUER, SPORTELLI_JWT_AUDIENCE,
// SPORTELLI_LOG_LEVEL. Never deployed.
#include <iostream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "prometheus/registry.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/bench/v1/bench_service.grpc.pb.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/server/bootstrap.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/server/server.h"

namespace sportelli::bench {
namespace {

constexpr char kProgram[] = "bench";
constexpr char kServiceName[] = "sportelli.bench.v1.BenchService";

class BenchGrpcService final : public v1::BenchService::Service {
 public:
  explicit BenchGrpcService(const server::RpcHandler* handler) : handler_(*handler) {}

  grpc::Status Ping(grpc::ServerContext* context, const v1::PingRequest* /*request*/,
                    v1::PingResponse* /*response*/) override {
    return handler_.Handle(context, "Ping", [](server::Call&) { return absl::OkStatus(); });
  }

 private:
  const server::RpcHandler& handler_;
};

int Serve(logging::Logger& log) {
  config::EnvReader env;
  server::ServerOptions options = server::ReadServerOptions(env, kServiceName);
  const server::TokenConfig tokens = server::ReadTokenConfig(env);
  config::ExitIfInvalid(env.Finish(), kProgram);

  const auth::TokenVerifier verifier =
      server::TokenVerifierOrExit(tokens, &clock::SystemClock::Instance(), kProgram);
  server::BlockTerminationSignals();

  auto registry = std::make_shared<prometheus::Registry>();
  server::RpcMetrics metrics("bench", *registry);
  server::CallAdmission admission(server::AdmissionOptions(options));
  server::RpcHandler handler("bench.sportelli", &verifier, &metrics, &log, &admission);
  BenchGrpcService service(&handler);

  server::Server server(options, &log, registry);
  server.AddService(&service);
  return server::RunUntilTerminated(server, log);
}

}  // namespace
}  // namespace sportelli::bench

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  config::EnvReader env;
  const std::string level =
      env.OneOf("SPORTELLI_LOG_LEVEL", "info", {"debug", "info", "warning", "error"});
  config::ExitIfInvalid(env.Finish(), bench::kProgram);
  logging::Logger log("bench", logging::ParseLevel(level));
  if (argc > 1 && std::string(argv[1]) != "serve") {
    std::cerr << "usage: sportelli-bench-server [serve]\n";
    return 2;
  }
  return bench::Serve(log);
}
