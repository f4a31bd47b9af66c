#include "bench/report.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

using ::testing::HasSubstr;

Report SampleReport() {
  Report report;
  report.label = "baseline";
  report.scenario = "empty";
  report.target = "127.0.0.1:50051";
  report.started = absl::FromUnixSeconds(1'774'000'000);
  report.offered_rate = 2000;
  report.duration_seconds = 10;
  report.warmup_seconds = 2;
  report.threads = 2;
  report.connections = 4;
  report.max_inflight = 10'000;
  report.deadline_seconds = 2;
  report.scheduled = 20'000;
  report.sent = 19'990;
  report.not_sent = 10;
  report.responses = 19'990;
  report.codes = {{"OK", 19'000}, {"UNAVAILABLE", 990}};
  report.elapsed_seconds = 10;
  Histogram histogram;
  for (int i = 1; i <= 1000; ++i) histogram.Record(i * 1000);  // 1 µs .. 1 ms
  report.latency = Summarize(histogram);
  report.latency_ok = Summarize(histogram);
  report.send_lag = Summarize(Histogram());
  return report;
}

TEST(ReportTest, JsonHasTheDocumentedShape) {
  const nlohmann::json json = ToJson(SampleReport());
  EXPECT_EQ(json["label"], "baseline");
  EXPECT_EQ(json["scenario"], "empty");
  EXPECT_EQ(json["target"], "127.0.0.1:50051");
  EXPECT_EQ(json["start_time"], "2026-03-20T09:46:40Z");
  EXPECT_EQ(json["offered_rate"], 2000.0);
  EXPECT_EQ(json["duration_seconds"], 10.0);
  EXPECT_EQ(json["warmup_seconds"], 2.0);
  EXPECT_EQ(json["client"]["threads"], 2);
  EXPECT_EQ(json["client"]["connections"], 4);
  EXPECT_EQ(json["client"]["max_inflight"], 10'000);
  EXPECT_EQ(json["requests"]["scheduled"], 20'000);
  EXPECT_EQ(json["requests"]["sent"], 19'990);
  EXPECT_EQ(json["requests"]["not_sent_client_saturated"], 10);
  EXPECT_EQ(json["requests"]["responses"], 19'990);
  EXPECT_EQ(json["requests"]["ok"], 19'000);
  EXPECT_EQ(json["codes"], nlohmann::json({{"OK", 19'000}, {"UNAVAILABLE", 990}}));
  EXPECT_DOUBLE_EQ(json["throughput"]["ok_per_second"].get<double>(), 1900.0);
  EXPECT_DOUBLE_EQ(json["throughput"]["responses_per_second"].get<double>(), 1999.0);
  for (const char* key : {"latency_ms", "latency_ok_ms", "send_lag_ms"}) {
    for (const char* field : {"count", "p50", "p90", "p99", "p99_9", "max", "mean"}) {
      EXPECT_TRUE(json[key].contains(field)) << key << "." << field;
      EXPECT_TRUE(json[key][field].is_number()) << key << "." << field;
    }
  }
  EXPECT_EQ(json["latency_ms"]["count"], 1000);
  EXPECT_NEAR(json["latency_ms"]["p50"].get<double>(), 0.5, 0.005);
  EXPECT_NEAR(json["latency_ms"]["p99"].get<double>(), 0.99, 0.01);
  EXPECT_DOUBLE_EQ(json["latency_ms"]["max"].get<double>(), 1.0);
  EXPECT_EQ(json["send_lag_ms"]["count"], 0);
  EXPECT_TRUE(json["checks"].is_object());
  EXPECT_TRUE(json["checks"].empty());
}

TEST(ReportTest, JsonRoundTripsThroughText) {
  Report report = SampleReport();
  report.checks["over_capacity_slots"] = 0;
  const std::string dumped = ToJson(report).dump(2);
  const nlohmann::json parsed = nlohmann::json::parse(dumped);
  EXPECT_EQ(parsed["checks"]["over_capacity_slots"], 0);
}

TEST(ReportTest, TextNamesEveryFigureAndWarnsWhenTheClientSaturated) {
  Report report = SampleReport();
  report.checks["rush check"] = "over capacity slots: 0, confirmed: 5, expected: 5";
  const std::string text = ToText(report);
  EXPECT_THAT(text, HasSubstr("offered  2000.0 req/s"));
  EXPECT_THAT(text, HasSubstr("not sent (client saturated, 10000 in flight) 10"));
  EXPECT_THAT(text, HasSubstr("OK 19000, UNAVAILABLE 990"));
  EXPECT_THAT(text, HasSubstr("achieved 1900.0 OK/s, 1999.0 responses/s"));
  EXPECT_THAT(text, HasSubstr("p99.9"));
  EXPECT_THAT(text, HasSubstr("WARNING: the client hit --max-inflight"));
  EXPECT_THAT(text, HasSubstr("rush check: over capacity slots: 0, confirmed: 5, expected: 5"));
}

TEST(ReportTest, NoWarningWhenEverythingWasSent) {
  Report report = SampleReport();
  report.not_sent = 0;
  EXPECT_THAT(ToText(report), ::testing::Not(HasSubstr("WARNING")));
}

TEST(ReportTest, ThroughputIsZeroWithoutElapsedTime) {
  Report report;
  EXPECT_EQ(report.ok_per_second(), 0);
  EXPECT_EQ(report.responses_per_second(), 0);
}

}  // namespace
}  // namespace sportelli::bench
