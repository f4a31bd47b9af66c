// Publishes a service's outbox (outbox.h) to Redis Streams (streams.h): each event to its
// tenant's stream, and to the extra streams its type asks for (configuration changes to the
// directory stream). At least once: a batch is published, then marked; a relay that dies in
// between leaves the batch unmarked and the next run publishes it again, so consumers
// de-duplicate by id. Relays in several replicas share the work: a batch is claimed with
// FOR UPDATE SKIP LOCKED, so two relays never publish the same rows at the same time.
//
// Redis losing what was published (a restart without persistence, a flush, a failover to a
// replica that lagged) is noticed by the relay itself: with what it publishes it keeps a marker
// key holding the Redis server's run id, and checks it every `loss_check_interval`. A marker
// gone or naming another run means the streams may have lost entries, so every row still in the
// outbox (rows are kept for the service's retention after publication) is marked unpublished
// and published again, oldest first; consumers de-duplicate by event id. The same happens the
// first time a relay meets a Redis: harmless, as every re-publication is.
// `MarkForRepublishing` does it by hand, from a given time.
//
// The mark "published" is committed without waiting for its flush to disk
// (synchronous_commit off, for this transaction only): if PostgreSQL loses it in a crash, the
// rows are published again, which consumers tolerate anyway, and the relay's frequent
// transactions do not each wait for an fsync.
//
// Order: events of one tenant are published in the order they were committed... almost: the
// sequence is assigned at insert, so two transactions committing in the other order can publish
// out of order by a few milliseconds. Consumers order by the event's time when it matters.
//
//   events::OutboxRelay relay(pool, redis, &log, registry.get(),
//                             {.schema = "scheduling", .service = "scheduling"});
//   relay.Start();   // a background thread, until Stop() or destruction
//
// Metrics (labelled by service): sportelli_outbox_published_total, sportelli_outbox_failures_total,
// sportelli_outbox_republished_total (rows marked for publishing again after a loss).
#ifndef SPORTELLI_EVENTS_RELAY_H_
#define SPORTELLI_EVENTS_RELAY_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "sportelli/clock/stopwatch.h"
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
  // Pause while events are being committed (a batch was published less than `busy_for` ago):
  // more will come soon, and an operator's live feed waits on this relay. Short, so that an
  // event waits for its publication a few milliseconds rather than up to `idle_wait`; an empty
  // poll costs PostgreSQL a read of an empty index, and no write.
  absl::Duration busy_wait = absl::Milliseconds(10);
  absl::Duration busy_for = absl::Seconds(1);
  // Pause after a failure (PostgreSQL or Redis down).
  absl::Duration error_wait = absl::Seconds(1);
  // Stream entries kept per stream, approximately (XADD MAXLEN ~): consumers that fall further
  // behind than this lose events, so size it for the longest consumer outage to survive.
  int64_t stream_max_length = 1000000;
  // Streams an event of type `type` also goes to, besides its tenant's.
  std::function<std::vector<std::string>(absl::string_view type)> extra_streams;
  // How often Redis is checked for a loss of what was published (above).
  absl::Duration loss_check_interval = absl::Seconds(1);
  // Test hook: runs after a batch is published and before it is marked.
  std::function<void()> after_publish;
};

// How long the relay pauses after a round that published `published` events, the last batch
// having been published `since_last_publication` ago: none after a full batch (more wait),
// `busy_wait` while events come, `idle_wait` once they stopped coming.
absl::Duration RelayPause(int published, absl::Duration since_last_publication,
                          const RelayOptions& options);

class OutboxRelay final {
 public:
  // Pointers must outlive the relay; `registry` may be null (no metrics).
  OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis, logging::Logger* logger,
              prometheus::Registry* registry, RelayOptions options);
  ~OutboxRelay();  // stops the thread

  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  // Checks Redis for a loss when `loss_check_interval` has passed since the last check, then
  // publishes and marks one batch; returns how many events it published. Not concurrently.
  absl::StatusOr<int> RunOnce();

  // Runs RunOnce in a background thread until Stop().
  void Start();
  void Stop();

 private:
  absl::Duration Step();
  // The loss check (above): how many rows it marked for publishing again.
  absl::StatusOr<int64_t> RecoverFromLoss();

  pg::ConnectionPool* const pool_;
  redis::RedisClient* const redis_;
  logging::Logger* const logger_;
  const RelayOptions options_;
  prometheus::Counter* published_ = nullptr;
  prometheus::Counter* failures_ = nullptr;
  prometheus::Counter* republished_ = nullptr;
  const std::string marker_key_;
  std::optional<clock::Stopwatch> since_loss_check_;
  std::optional<clock::Stopwatch> since_publication_;
  OutageLog outage_;
  Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

// Marks the rows of `schema`'s outbox published at or after `since` (every row still kept,
// without it) as unpublished, so that a relay publishes them again. Returns how many.
absl::StatusOr<int64_t> MarkForRepublishing(pg::ConnectionPool& pool, const std::string& schema,
                                            std::optional<absl::Time> since);

// The Redis key holding the run id of the server that holds what `schema`'s relay published.
std::string RelayMarkerKey(const std::string& schema);

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_RELAY_H_
