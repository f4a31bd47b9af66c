#include "bench/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace sportelli::bench {
namespace {

// RFC 3339 in UTC with a "Z", as the project's logs write times.
std::string Utc(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

double Millis(int64_t nanos) { return static_cast<double>(nanos) / 1e6; }

nlohmann::json LatencyJson(const LatencySummary& summary) {
  return {{"count", summary.count}, {"p50", summary.p50_ms},     {"p90", summary.p90_ms},
          {"p99", summary.p99_ms},  {"p99_9", summary.p99_9_ms}, {"max", summary.max_ms},
          {"mean", summary.mean_ms}};
}

std::string LatencyLine(const LatencySummary& summary) {
  if (summary.count == 0) return "no responses";
  return absl::StrFormat("p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, n=%d)",
                         summary.p50_ms, summary.p90_ms, summary.p99_ms, summary.p99_9_ms,
                         summary.max_ms, summary.mean_ms, summary.count);
}

}  // namespace

LatencySummary Summarize(const Histogram& histogram) {
  LatencySummary summary;
  summary.count = histogram.count();
  summary.p50_ms = Millis(histogram.ValueAtPercentile(50));
  summary.p90_ms = Millis(histogram.ValueAtPercentile(90));
  summary.p99_ms = Millis(histogram.ValueAtPercentile(99));
  summary.p99_9_ms = Millis(histogram.ValueAtPercentile(99.9));
  summary.max_ms = Millis(histogram.max());
  summary.mean_ms = histogram.mean() / 1e6;
  return summary;
}

int64_t Report::ok() const {
  auto it = codes.find("OK");
  return it == codes.end() ? 0 : it->second;
}

double Report::ok_per_second() const {
  return elapsed_seconds > 0 ? static_cast<double>(ok()) / elapsed_seconds : 0;
}

double Report::responses_per_second() const {
  return elapsed_seconds > 0 ? static_cast<double>(responses) / elapsed_seconds : 0;
}

nlohmann::json ToJson(const Report& report) {
  return {
      {"label", report.label},
      {"scenario", report.scenario},
      {"target", report.target},
      {"start_time", Utc(report.started)},
      {"offered_rate", report.offered_rate},
      {"duration_seconds", report.duration_seconds},
      {"warmup_seconds", report.warmup_seconds},
      {"client",
       {{"threads", report.threads},
        {"connections", report.connections},
        {"max_inflight", report.max_inflight},
        {"deadline_seconds", report.deadline_seconds}}},
      {"requests",
       {{"scheduled", report.scheduled},
        {"sent", report.sent},
        {"not_sent_client_saturated", report.not_sent},
        {"responses", report.responses},
        {"ok", report.ok()}}},
      {"codes", report.codes},
      {"throughput",
       {{"ok_per_second", report.ok_per_second()},
        {"responses_per_second", report.responses_per_second()},
        {"elapsed_seconds", report.elapsed_seconds}}},
      {"latency_ms", LatencyJson(report.latency)},
      {"latency_ok_ms", LatencyJson(report.latency_ok)},
      {"send_lag_ms", LatencyJson(report.send_lag)},
      {"checks", report.checks},
  };
}

std::string ToText(const Report& report) {
  std::string out;
  absl::StrAppend(&out, "scenario ", report.scenario,
                  report.label.empty() ? "" : absl::StrCat(" (", report.label, ")"), " against ",
                  report.target, ", started ", Utc(report.started), "\n");
  absl::StrAppend(
      &out,
      absl::StrFormat("offered  %.1f req/s for %.1f s (after %.1f s of warm-up, not recorded); "
                      "%d threads, %d connections, deadline %.1f s\n",
                      report.offered_rate, report.duration_seconds, report.warmup_seconds,
                      report.threads, report.connections, report.deadline_seconds));
  absl::StrAppend(
      &out, absl::StrFormat(
                "requests scheduled %d, sent %d, not sent (client saturated, %d in flight) %d\n",
                report.scheduled, report.sent, report.max_inflight, report.not_sent));
  std::vector<std::string> codes;
  for (const auto& [code, count] : report.codes) codes.push_back(absl::StrCat(code, " ", count));
  absl::StrAppend(&out, "responses ", report.responses, ": ",
                  codes.empty() ? "none" : absl::StrJoin(codes, ", "), "\n");
  absl::StrAppend(&out, absl::StrFormat("achieved %.1f OK/s, %.1f responses/s (over %.2f s)\n",
                                        report.ok_per_second(), report.responses_per_second(),
                                        report.elapsed_seconds));
  absl::StrAppend(&out, "latency ms, all responses: ", LatencyLine(report.latency), "\n");
  absl::StrAppend(&out, "latency ms, OK responses:  ", LatencyLine(report.latency_ok), "\n");
  absl::StrAppend(&out, "send lag ms (client behind schedule): ", LatencyLine(report.send_lag),
                  "\n");
  if (report.not_sent > 0) {
    absl::StrAppend(
        &out, "WARNING: the client hit --max-inflight; the offered rate was not fully delivered\n");
  }
  for (const auto& [key, value] : report.checks.items()) {
    absl::StrAppend(&out, key, ": ", value.is_string() ? value.get<std::string>() : value.dump(),
                    "\n");
  }
  return out;
}

}  // namespace sportelli::bench
