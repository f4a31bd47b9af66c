// Per-method RPC metrics for Prometheus: requests by status code, latency histogram,
// in-flight calls, and calls refused for overload or by a rate limit. Labels are the service, the
// method and the gRPC code — never tenant ids or anything a caller chose, so cardinality stays
// bounded and no personal data reaches a label.
#ifndef SPORTELLI_SERVER_RPC_METRICS_H_
#define SPORTELLI_SERVER_RPC_METRICS_H_

#include <memory>
#include <string>

#include "grpcpp/support/status_code_enum.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace sportelli::server {

// "OK", "INVALID_ARGUMENT", ... (the canonical gRPC code names).
const char* GrpcCodeName(grpc::StatusCode code);

class RpcMetrics final {
 public:
  RpcMetrics(std::string service, prometheus::Registry& registry);

  void Started(const std::string& method);
  void Finished(const std::string& method, grpc::StatusCode code, double seconds);
  // Also Finished: one more call refused for overload (CallAdmission).
  void Overloaded(const std::string& method);
  // Also Finished: one more call refused by a rate limit (RateLimiter).
  void RateLimited(const std::string& method);
  // One more call let through without its rate limits checked (Redis did not answer).
  void RateLimitUnchecked();

 private:
  const std::string service_;
  prometheus::Family<prometheus::Counter>& handled_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& in_flight_;
  prometheus::Family<prometheus::Counter>& overloaded_;
  prometheus::Family<prometheus::Counter>& rate_limited_;
  prometheus::Family<prometheus::Counter>& rate_limit_unchecked_;
};

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_RPC_METRICS_H_
