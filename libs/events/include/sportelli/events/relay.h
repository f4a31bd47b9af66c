// Publishes a service's outbox (outbox.h) to Redis Streams (streams.h): each event to its
// tenant's stream, and to the extra streams its type asks for (configuration changes to the
// directory stream). At least once: a batch is published, then marked; a relay that dies in
// between leaves the batch unmarked and the next run publishes it again, so consumers
// de-duplicate by id. Relays in several replicas share the work: a batch is claimed with
// FOR UPDATE SKIP LOCKED, so two relays never publish the same rows at the same time.
//
// Order: events of one tenant are published in the order they were committed... almost: the
// sequence is assigned at insert, so two transactions committing in the other order can publish
// out of order by a few milliseconds. Consumers order by the event's time when it matters.
//
//   events::OutboxRelay relay(pool, redis, &log, registry.get(),
//                             {.schema = "scheduling", .service = "scheduling"});
//   relay.Start();   // a background thread, until Stop() or destruction
//
// Metrics (labelled by service): sportelli_outbox_published_total, sportelli_outbox_failures_total.
#ifndef SPORTELLI_EVENTS_RELAY_H_
#define SPORTELLI_EVENTS_RELAY_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "sportelli/events/worker.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/pool.h"
#include "sportelli/redis/client.h"

namespace sportelli::events {

struct RelayOptions {
  // The service's schema, whose `outbox` table is published.
  std::string schema;
  // The `service` label of the metrics.
  std::string service;
  int batch_size = 200;
  // Pause when the outbox is empty (a busy outbox is drained without pausing).
  absl::Duration idle_wait = absl::Milliseconds(100);
  // Pause after a failure (PostgreSQL or Redis down).
  absl::Duration error_wait = absl::Seconds(1);
  // Stream entries kept per stream, approximately (XADD MAXLEN ~): consumers that fall further
  // behind than this lose events, so size it for the longest consumer outage to survive.
  int64_t stream_max_length = 1000000;
  // Streams an event of type `type` also goes to, besides its tenant's.
  std::function<std::vector<std::string>(absl::string_view type)> extra_streams;
  // Test hook: runs after a batch is published and before it is marked.
  std::function<void()> after_publish;
};

class OutboxRelay final {
 public:
  // Pointers must outlive the relay; `registry` may be null (no metrics).
  OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis, logging::Logger* logger,
              prometheus::Registry* registry, RelayOptions options);
  ~OutboxRelay();  // stops the thread

  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Publishes and marks one batch; returns how many events it published.
  absl::StatusOr<int> RunOnce();

  // Runs RunOnce in a background thread until Stop().
  void Start();
  void Stop();

 private:
  absl::Duration Step();

  pg::ConnectionPool* const pool_;
  redis::RedisClient* const redis_;
  logging::Logger* const logger_;
  const RelayOptions options_;
  prometheus::Counter* published_ = nullptr;
  prometheus::Counter* failures_ = nullptr;
  OutageLog outage_;
  Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_RELAY_H_
