// Publishes the outbox to Redis Streams: each tenant's events go to the stream
// "{<tenant>}:events" (the tenant is the Cluster hash tag), as entries with the fields
// id (event UUID), type (e.g. "AppointmentBooked") and event (the serialized
// sportelli.events.v1.Event). At least once: a batch is published, then marked; a relay that
// dies in between leaves the batch unmarked and the next run publishes it again, so consumers
// de-duplicate by id. Relays in several replicas share the work: a batch is claimed with
// FOR UPDATE SKIP LOCKED, so two relays never publish the same rows at the same time.
//
// Order: events of one tenant are published in the order they were committed... almost: the
// sequence is assigned at insert, so two transactions committing in the other order can publish
// out of order by a few milliseconds. Consumers order by the event's time when it matters.
#ifndef SPORTELLI_SERVICES_SCHEDULING_OUTBOX_RELAY_H_
#define SPORTELLI_SERVICES_SCHEDULING_OUTBOX_RELAY_H_

#include <functional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "sportelli/logging/logger.h"
#include "sportelli/pg/pool.h"
#include "sportelli/redis/client.h"

namespace sportelli::scheduling {

struct OutboxRelayOptions {
  int batch_size = 200;
  // Pause when the outbox is empty (a busy outbox is drained without pausing).
  absl::Duration idle_wait = absl::Milliseconds(100);
  // Pause after a failure (PostgreSQL or Redis down).
  absl::Duration error_wait = absl::Seconds(1);
  // Stream entries kept per tenant, approximately (XADD MAXLEN ~): consumers that fall further
  // behind than this lose events, so size it for the longest consumer outage to survive.
  int64_t stream_max_length = 1000000;
  // Test hook: runs after a batch is published and before it is marked.
  std::function<void()> after_publish;
};

// "{capannori}:events".
std::string EventStreamKey(const std::string& tenant_id);

class OutboxRelay {
 public:
  // Pointers must outlive the relay.
  OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis, logging::Logger* logger,
              prometheus::Registry* registry, OutboxRelayOptions options = {});
  ~OutboxRelay();  // stops the thread

  // Publishes and marks one batch; returns how many events it published.
  absl::StatusOr<int> RunOnce();

  // Runs RunOnce in a background thread until Stop().
  void Start();
  void Stop();

 private:
  void Loop();

  pg::ConnectionPool* const pool_;
  redis::RedisClient* const redis_;
  logging::Logger* const logger_;
  const OutboxRelayOptions options_;
  prometheus::Counter* published_ = nullptr;
  prometheus::Counter* failures_ = nullptr;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_OUTBOX_RELAY_H_
