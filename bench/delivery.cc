#include "bench/delivery.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <unordered_set>

#include "absl/strings/numbers.h"

namespace sportelli::bench {

uint64_t EventKey(absl::string_view appointment_name) {
  // FNV-1a: stable across runs and processes (std::hash need not be), and collisions among a
  // run's few thousand bookings are vanishingly unlikely at 64 bits.
  uint64_t hash = 14695981039346656037ULL;
  for (const char c : appointment_name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

int64_t StreamEntryUnixNanos(absl::string_view entry_id) {
  const size_t dash = entry_id.find('-');
  int64_t millis = 0;
  if (dash == absl::string_view::npos || !absl::SimpleAtoi(entry_id.substr(0, dash), &millis) ||
      millis <= 0) {
    return 0;
  }
  return millis * 1'000'000;
}

DeliveryTally TallyDeliveries(const std::vector<BookedEvent>& booked,
                              const std::vector<SubscriberLog>& subscribers) {
  DeliveryTally tally;
  std::unordered_map<std::string, int64_t> watching;  // comune -> subscribers
  for (const SubscriberLog& subscriber : subscribers) ++watching[subscriber.tenant];
  std::unordered_map<uint64_t, const BookedEvent*> by_key;
  for (const BookedEvent& event : booked) {
    by_key[event.key] = &event;
    auto it = watching.find(event.tenant);
    if (it != watching.end()) tally.expected += it->second;
  }
  for (const SubscriberLog& subscriber : subscribers) {
    std::unordered_set<uint64_t> seen;
    for (const ReceivedEvent& got : subscriber.received) {
      auto it = by_key.find(got.key);
      if (it == by_key.end()) {
        ++tally.other;
        continue;
      }
      const BookedEvent& event = *it->second;
      if (event.tenant != subscriber.tenant) {
        ++tally.misrouted;
        continue;
      }
      if (!seen.insert(got.key).second) {
        ++tally.duplicates;
        continue;
      }
      ++tally.received;
      tally.from_event_time.Record(got.receipt_unix_ns - got.event_unix_ns);
      const int64_t after_reply = got.receipt_unix_ns - event.reply_unix_ns;
      if (after_reply < 0) ++tally.before_reply;
      tally.from_reply.Record(std::max<int64_t>(0, after_reply));
      if (got.stream_unix_ns > 0) {
        tally.to_stream.Record(got.stream_unix_ns - got.event_unix_ns);
        tally.from_stream.Record(got.receipt_unix_ns - got.stream_unix_ns);
      }
    }
  }
  return tally;
}

DeliverySummary SummarizeDelivery(const Histogram& histogram) {
  auto ms = [](int64_t ns) { return static_cast<double>(ns) / 1e6; };
  DeliverySummary summary;
  summary.count = histogram.count();
  summary.p50_ms = ms(histogram.ValueAtPercentile(50));
  summary.p95_ms = ms(histogram.ValueAtPercentile(95));
  summary.p99_ms = ms(histogram.ValueAtPercentile(99));
  summary.p99_9_ms = ms(histogram.ValueAtPercentile(99.9));
  summary.max_ms = ms(histogram.max());
  return summary;
}

}  // namespace sportelli::bench
