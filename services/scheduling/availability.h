// Answers "which slots are free" from the availability cache, rebuilding missing days from
// PostgreSQL (one rebuild per key at a time in this process), and falls back to PostgreSQL
// without failing when Redis is down or slow. Also the one place that tells the cache a desk's
// days changed (AfterWrite).
//
// Redis trouble. The first failed cache call marks the cache down for `retry_after`: calls in
// that time go straight to PostgreSQL without waiting for a Redis timeout, each counted in
// sportelli_scheduling_availability_days_total{source="fallback"}; one warning is logged when the
// cache goes down and one line when it is back. Invalidations that fail while it is down are
// kept (bounded) and replayed before the cache is used again, so a day booked during an outage
// is never served from a value written before it.
#ifndef SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_H_
#define SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/scheduling/availability_cache.h"
#include "services/scheduling/domain/slot_model.h"
#include "services/scheduling/hot_days.h"
#include "services/scheduling/scheduling_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/logging/logger.h"

namespace sportelli::scheduling {

struct AvailabilityOptions {
  // How long a cached day lives (less when a hold in it expires sooner).
  absl::Duration ttl = absl::Minutes(5);
  // After a Redis failure, how long to serve from PostgreSQL before trying Redis again.
  absl::Duration retry_after = absl::Seconds(1);
  // Failed invalidations remembered at most; beyond, the cache stays off for a whole `ttl`
  // (every value written before the outage has expired by then).
  size_t max_pending_invalidations = 10000;
};

// One desk and service over whole local days.
struct AvailabilityQuery {
  std::string tenant_id;
  std::string desk_id;
  std::string service_id;
  absl::CivilDay first_day;
  absl::CivilDay last_day;
  absl::TimeZone zone;
  SlotPolicy policy;
  Channel channel = Channel::kWeb;
  bool include_full = false;
};

// The open intervals of the query's days, fetched only when a day must be rebuilt.
using OpenHoursLoader = std::function<absl::StatusOr<std::vector<TimeInterval>>()>;

class Availability {
 public:
  // `cache` may be null (no Redis configured). Pointers must outlive this object. `clock`
  // times the cache's outages (when to try Redis again).
  // `hot` (may be null) holds days in this process in front of the cache; it is used only
  // with a cache.
  Availability(SchedulingRepository* repository, AvailabilityCache* cache,
               const clock::Clock* clock, prometheus::Registry& registry, logging::Logger* logger,
               AvailabilityOptions options = {}, HotDays* hot = nullptr);

  // The query's slots bookable at `now` (notice and window applied), with the seats left for
  // the channel, in start order. `now` is the request's instant, read once by the caller from
  // the same clock.
  absl::StatusOr<std::vector<AvailableSlot>> List(const AvailabilityQuery& query,
                                                  const OpenHoursLoader& open_hours,
                                                  absl::Time now);

  // Tells the cache that the seats of `desk` changed over [start, end) (after the commit).
  void AfterWrite(const std::string& tenant_id, const std::string& desk_id, absl::Time start,
                  absl::Time end, const absl::TimeZone& zone);

  // Tells the cache that the comune's configuration changed (hours, closures, services): every
  // cached day of its desks is stale.
  void ConfigurationChanged(const std::string& tenant_id);

  // True only when the slot starting at `start` has no seat left for `channel` according to
  // the cache (its day read, or rebuilt on a miss exactly as List does). A hint to turn away a
  // hopeless booking without a write transaction (on a click day most attempts are for slots
  // already full); never used to accept one. False when unsure: no cache, Redis down, an
  // error, not a slot of the day.
  bool KnownFull(const AvailabilityQuery& query, const OpenHoursLoader& open_hours,
                 absl::Time start, absl::Time now);

  // For tests and readiness: whether the cache is being used right now.
  bool CacheUp() const;

 private:
  struct Flight {
    absl::Notification done;
    std::optional<CachedDay> day;
  };

  absl::StatusOr<std::vector<CachedDay>> Days(const AvailabilityQuery& query,
                                              const OpenHoursLoader& open_hours, absl::Time now);
  // `days` from Redis, rebuilt from PostgreSQL when missing; kept in memory under `ticket`.
  absl::StatusOr<std::vector<CachedDay>> Shared(const AvailabilityQuery& query,
                                                const std::vector<absl::CivilDay>& days,
                                                const OpenHoursLoader& open_hours, absl::Time now,
                                                HotDays::Ticket ticket);
  // After a write: the memory learns the new generations (or, not knowing them, drops all).
  void Changed(const std::string& tenant_id, const std::string& desk_id,
               const std::vector<absl::CivilDay>& days,
               const absl::StatusOr<std::vector<int64_t>>& generations);
  // Builds `days` from PostgreSQL; the earliest hold expiry among them goes to `first_expiry`.
  absl::StatusOr<std::vector<CachedDay>> Build(const AvailabilityQuery& query,
                                               const std::vector<absl::CivilDay>& days,
                                               const OpenHoursLoader& open_hours, absl::Time now,
                                               std::optional<absl::Time>& first_expiry);
  bool UseCache(absl::Time now);
  void CacheFailed(const absl::Status& status, absl::Time now);

  SchedulingRepository* const repository_;
  AvailabilityCache* const cache_;
  HotDays* const hot_;
  const clock::Clock* const clock_;
  logging::Logger* const logger_;
  const AvailabilityOptions options_;
  prometheus::Counter* from_memory_;
  prometheus::Counter* from_cache_;
  prometheus::Counter* from_database_;
  prometheus::Counter* fallback_;
  prometheus::Counter* cache_errors_;

  absl::Mutex flights_mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(flights_mu_);

  mutable absl::Mutex state_mu_;
  absl::Time down_until_ ABSL_GUARDED_BY(state_mu_) = absl::InfinitePast();
  bool down_ ABSL_GUARDED_BY(state_mu_) = false;
  // (tenant, desk, day) whose generation could not be bumped; an empty desk stands for the
  // comune's configuration generation.
  using PendingKey = DeskDay;
  absl::flat_hash_set<PendingKey> pending_ ABSL_GUARDED_BY(state_mu_);
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_H_
