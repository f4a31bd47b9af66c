#include "sportelli/server/rpc_metrics.h"

namespace sportelli::server {

const char* GrpcCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    default:
      return "UNKNOWN";
  }
}

RpcMetrics::RpcMetrics(std::string service, prometheus::Registry& registry)
    : service_(std::move(service)),
      handled_(prometheus::BuildCounter()
                   .Name("sportelli_grpc_server_handled_total")
                   .Help("RPCs completed, by service, method and gRPC status code.")
                   .Register(registry)),
      latency_(prometheus::BuildHistogram()
                   .Name("sportelli_grpc_server_handling_seconds")
                   .Help("Time from receiving an RPC to its status, by service and method.")
                   .Register(registry)),
      in_flight_(prometheus::BuildGauge()
                     .Name("sportelli_grpc_server_in_flight")
                     .Help("RPCs being handled now, by service and method.")
                     .Register(registry)),
      overloaded_(prometheus::BuildCounter()
                      .Name("sportelli_grpc_server_overloaded_total")
                      .Help("RPCs answered UNAVAILABLE/OVERLOADED because the server was handling "
                            "as many as it can and the call could not wait longer for its turn, "
                            "by service and method.")
                      .Register(registry)),
      rate_limited_(prometheus::BuildCounter()
                        .Name("sportelli_grpc_server_rate_limited_total")
                        .Help("RPCs answered RESOURCE_EXHAUSTED/RATE_LIMITED because their caller "
                              "or client address went over its rate limit, by service and method.")
                        .Register(registry)),
      rate_limit_unchecked_(
          prometheus::BuildCounter()
              .Name("sportelli_rate_limit_unchecked_total")
              .Help("RPCs let through without their rate limits checked because Redis did not "
                    "answer, by service.")
              .Register(registry)) {}

void RpcMetrics::RateLimited(const std::string& method) {
  rate_limited_.Add({{"service", service_}, {"method", method}}).Increment();
}

void RpcMetrics::RateLimitUnchecked() {
  rate_limit_unchecked_.Add({{"service", service_}}).Increment();
}

void RpcMetrics::Overloaded(const std::string& method) {
  overloaded_.Add({{"service", service_}, {"method", method}}).Increment();
}

void RpcMetrics::Started(const std::string& method) {
  in_flight_.Add({{"service", service_}, {"method", method}}).Increment();
}

void RpcMetrics::Finished(const std::string& method, grpc::StatusCode code, double seconds) {
  in_flight_.Add({{"service", service_}, {"method", method}}).Decrement();
  handled_.Add({{"service", service_}, {"method", method}, {"code", GrpcCodeName(code)}})
      .Increment();
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  latency_.Add({{"service", service_}, {"method", method}}, kBuckets).Observe(seconds);
}

}  // namespace sportelli::server
