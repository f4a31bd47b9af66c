// The result of one run, as a person reads it (ToText) and as a script compares runs (ToJson).
// Built from the load generator's counters and histograms; holds no gRPC types (status codes
// arrive by name), so its shape is unit-tested.
//
//   Report report = ...;
//   std::cout << ToText(report);
//   std::ofstream(path) << ToJson(report).dump(2) << "\n";
#ifndef SPORTELLI_BENCH_REPORT_H_
#define SPORTELLI_BENCH_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/time/time.h"
#include "bench/histogram.h"
#include "nlohmann/json.hpp"

namespace sportelli::bench {

// Percentiles of a histogram, in milliseconds.
struct LatencySummary {
  int64_t count = 0;
  double p50_ms = 0, p90_ms = 0, p99_ms = 0, p99_9_ms = 0, max_ms = 0, mean_ms = 0;
};

LatencySummary Summarize(const Histogram& histogram);

struct Report {
  std::string label;
  std::string scenario;
  std::string target;
  absl::Time started;           // wall-clock time of the schedule's start
  double offered_rate = 0;      // requests/s
  double duration_seconds = 0;  // the measured part of the schedule
  double warmup_seconds = 0;
  int threads = 0;
  int connections = 0;
  int64_t max_inflight = 0;
  double deadline_seconds = 0;

  // Counts over the measured requests only (warm-up excluded).
  int64_t scheduled = 0;  // requests the schedule placed in the measured window
  int64_t sent = 0;
  int64_t not_sent = 0;   // skipped because --max-inflight requests were already in flight
  int64_t responses = 0;  // every completed RPC, whatever its status
  std::map<std::string, int64_t> codes;  // gRPC status code name -> responses
  // From the first measured intended send time to the last measured completion (at least the
  // measured duration): the denominator of both throughputs.
  double elapsed_seconds = 0;

  LatencySummary latency;     // every response, from its intended send time
  LatencySummary latency_ok;  // OK responses only
  LatencySummary send_lag;    // actual send time minus intended send time: the client's own delay

  // Scenario-specific results (the rush check), printed as "key: value" and put under "checks".
  nlohmann::json checks = nlohmann::json::object();

  int64_t ok() const;
  double ok_per_second() const;
  double responses_per_second() const;
};

nlohmann::json ToJson(const Report& report);
std::string ToText(const Report& report);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_REPORT_H_
