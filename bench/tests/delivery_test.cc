#include "bench/delivery.h"

#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

constexpr int64_t kMs = 1'000'000;

TEST(EventKeyTest, StableAndDistinct) {
  EXPECT_EQ(EventKey("tenants/lucca/appointments/a"), EventKey("tenants/lucca/appointments/a"));
  EXPECT_NE(EventKey("tenants/lucca/appointments/a"), EventKey("tenants/lucca/appointments/b"));
  // FNV-1a of the empty string is its offset basis: the key does not depend on the process.
  EXPECT_EQ(EventKey(""), 14695981039346656037ULL);
}

TEST(TallyDeliveriesTest, OwesEachEventToEverySubscriberOfItsComune) {
  const uint64_t a = EventKey("tenants/lucca/appointments/a");
  const uint64_t b = EventKey("tenants/capannori/appointments/b");
  const std::vector<BookedEvent> booked = {{a, "lucca", 1000 * kMs}, {b, "capannori", 2000 * kMs}};
  std::vector<SubscriberLog> subscribers = {
      {"lucca", {{a, 990 * kMs, 1010 * kMs}}},                                    // on time
      {"lucca", {}},                                                              // missed a
      {"capannori", {{b, 1990 * kMs, 1995 * kMs}, {b, 1990 * kMs, 2050 * kMs}}},  // early, twice
      {"capannori", {{a, 990 * kMs, 1020 * kMs}}},  // another comune's event
      {"pescaglia", {{EventKey("tenants/pescaglia/appointments/warm-up"), 0, 5 * kMs}}},
  };
  const DeliveryTally tally = TallyDeliveries(booked, subscribers);
  EXPECT_EQ(tally.expected, 2 + 2);  // a to both of lucca's, b to both of capannori's
  EXPECT_EQ(tally.received, 2);
  EXPECT_EQ(tally.duplicates, 1);
  EXPECT_EQ(tally.misrouted, 1);
  EXPECT_EQ(tally.other, 1);
  EXPECT_EQ(tally.before_reply, 1);
  // Upper bounds from the event's time: 20 ms and 5 ms.
  EXPECT_EQ(tally.from_event_time.count(), 2);
  EXPECT_EQ(tally.from_event_time.max(), 20 * kMs);
  EXPECT_EQ(tally.from_event_time.min(), 5 * kMs);
  // Lower bounds from the reply: 10 ms, and 0 for the one that came before its reply.
  EXPECT_EQ(tally.from_reply.max(), 10 * kMs);
  EXPECT_EQ(tally.from_reply.min(), 0);
}

TEST(StreamEntryUnixNanosTest, MillisecondsOfTheEntryId) {
  EXPECT_EQ(StreamEntryUnixNanos("1764489600123-7"), 1'764'489'600'123 * kMs);
  EXPECT_EQ(StreamEntryUnixNanos("not-an-id"), 0);
  EXPECT_EQ(StreamEntryUnixNanos("1764489600123"), 0);
  EXPECT_EQ(StreamEntryUnixNanos(""), 0);
}

TEST(TallyDeliveriesTest, SplitsTheLatencyAtTheStream) {
  const uint64_t a = EventKey("tenants/lucca/appointments/a");
  const std::vector<BookedEvent> booked = {{a, "lucca", 1000 * kMs}};
  const DeliveryTally tally =
      TallyDeliveries(booked, {{"lucca", {{a, 990 * kMs, 1030 * kMs, 1002 * kMs}}},
                               {"lucca", {{a, 990 * kMs, 1040 * kMs, 0}}}});  // id unknown
  EXPECT_EQ(tally.received, 2);
  EXPECT_EQ(tally.to_stream.count(), 1);
  EXPECT_EQ(tally.to_stream.max(), 12 * kMs);
  EXPECT_EQ(tally.from_stream.max(), 28 * kMs);
}

TEST(TallyDeliveriesTest, NobodyWatchingOwesNothing) {
  const std::vector<BookedEvent> booked = {{EventKey("x"), "montecarlo", 0}};
  const DeliveryTally tally = TallyDeliveries(booked, {{"lucca", {}}});
  EXPECT_EQ(tally.expected, 0);
  EXPECT_EQ(tally.received, 0);
}

TEST(SummarizeDeliveryTest, PercentilesInMilliseconds) {
  Histogram histogram;
  for (int i = 1; i <= 100; ++i) histogram.Record(i * kMs);
  const DeliverySummary summary = SummarizeDelivery(histogram);
  EXPECT_EQ(summary.count, 100);
  // Within the histogram's bucket width (0.8 %) above the true value.
  EXPECT_NEAR(summary.p50_ms, 50, 0.5);
  EXPECT_NEAR(summary.p95_ms, 95, 0.8);
  EXPECT_NEAR(summary.p99_ms, 99, 0.8);
  EXPECT_DOUBLE_EQ(summary.max_ms, 100);
}

}  // namespace
}  // namespace sportelli::bench
