// The watch scenario's bookkeeping: which booking events each live-feed subscriber was owed,
// which it received, and how long after the booking's commit. Pure (no gRPC), so unit-tested.
//
//   std::vector<BookedEvent> booked = ...;     // the measured bookings answered OK
//   std::vector<SubscriberLog> logs = ...;     // per subscriber: its comune, what it received
//   DeliveryTally tally = TallyDeliveries(booked, logs);
//   DeliverySummary upper = SummarizeDelivery(tally.from_event_time);
//
// The commit itself is not visible from outside. It lies between two times that are: the
// event's `time` (the scheduling service's clock when it took the request, before its
// transaction began; written in the transaction that commits the booking) and the arrival of
// the booking's reply at the client (sent after the commit). So every delivery has an upper
// bound, receipt - event time, and a lower bound, receipt - reply arrival (0 when the event
// arrived before the reply). Both are wall-clock differences, taken on one machine.
#ifndef SPORTELLI_BENCH_DELIVERY_H_
#define SPORTELLI_BENCH_DELIVERY_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "bench/histogram.h"

namespace sportelli::bench {

// A short key of an appointment's name (`tenants/T/appointments/A`): the event's `resource`
// and the booking reply's `name`. Millions of deliveries are kept, not their names.
uint64_t EventKey(absl::string_view appointment_name);

// A measured booking the service confirmed: its event is owed to every subscriber of `tenant`.
struct BookedEvent {
  uint64_t key = 0;
  std::string tenant;
  int64_t reply_unix_ns = 0;  // when the reply arrived at the client
};

struct ReceivedEvent {
  uint64_t key = 0;
  int64_t event_unix_ns = 0;    // the event's own `time`
  int64_t receipt_unix_ns = 0;  // when the subscriber's read completed
  // When Redis took the event into the comune's stream (the milliseconds of its entry id,
  // `LiveEvent.id`); 0 when the id does not say. It splits the latency between the outbox
  // relay (event time -> stream) and the live feed (stream -> subscriber).
  int64_t stream_unix_ns = 0;
};

// The time in a Redis stream entry id ("1764489600000-0": milliseconds since the epoch, then a
// sequence), in nanoseconds; 0 when `entry_id` is not one.
int64_t StreamEntryUnixNanos(absl::string_view entry_id);

struct SubscriberLog {
  std::string tenant;  // the comune it watches
  std::vector<ReceivedEvent> received;
};

struct DeliveryTally {
  // Sum over the booked events of the subscribers watching their comune: a subscriber whose
  // stream failed still counts, so what it missed shows as missing.
  int64_t expected = 0;
  // Of those, the ones that arrived (the first time, if twice).
  int64_t received = 0;
  int64_t duplicates = 0;
  // A booked event delivered to a subscriber of another comune: never expected.
  int64_t misrouted = 0;
  // Events of no measured booking (the warm-up's, a booking whose reply the client gave up on).
  int64_t other = 0;
  // Deliveries that arrived before the booking's reply (their lower bound is recorded as 0).
  int64_t before_reply = 0;
  Histogram from_event_time;  // upper bound of commit -> delivery
  Histogram from_reply;       // lower bound
  // The split of the upper bound, for the deliveries whose stream time is known (both at
  // Redis's millisecond resolution): event time -> stream entry (the scheduling service's
  // outbox relay), and stream entry -> receipt (the notifications live feed and the network).
  Histogram to_stream;
  Histogram from_stream;
};

DeliveryTally TallyDeliveries(const std::vector<BookedEvent>& booked,
                              const std::vector<SubscriberLog>& subscribers);

// Percentiles in milliseconds; the target is on p99.
struct DeliverySummary {
  int64_t count = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, p99_9_ms = 0, max_ms = 0;
};

DeliverySummary SummarizeDelivery(const Histogram& histogram);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_DELIVERY_H_
