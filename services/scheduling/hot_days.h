// Availability days held in this process, so that a listing of a day already read costs no
// Redis round trip, yet a day is never served older than the last change this process has seen.
//
// Every change of a desk's day (a booking, a hold, a cancellation) and of a comune's
// configuration bumps its generation in Redis (availability_cache.h) and then adds an entry to
// one stream, `{availability}:changes`, with the new generations. Every replica follows the
// stream (XREAD BLOCK) and drops the days it names; a replica's own changes are applied at once,
// before its RPC answers, so a citizen who books always sees the booking on the next listing.
//
// Why a kept day cannot be older than a change seen:
//   - A day is kept with the generations it was built under (read from Redis before PostgreSQL
//     was read), and refused when a newer generation of its desk's day or comune is already
//     known: a change that arrived while the day was being read wins.
//   - A day may be kept only under the ticket taken before its generations were read, and only
//     if the follow has not been broken since: while this process cannot read the stream it
//     keeps nothing and serves nothing from memory (Redis down, a read failed, entries missed).
//   - Missed entries are detected: the publishing script numbers entries one by one (`s`), and
//     a number that is not the next one (trimmed entries, Redis restarted empty) drops
//     everything before following again from the stream's end.
// A change made by another replica is seen within the stream's delivery time (well under a
// millisecond on one Redis) plus the follower's turn; booking never depends on it: PostgreSQL
// alone decides capacity.
//
// Bounded: at most `max_days` values are kept; one more drops them all (it only costs reads).
#ifndef SPORTELLI_SERVICES_SCHEDULING_HOT_DAYS_H_
#define SPORTELLI_SERVICES_SCHEDULING_HOT_DAYS_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/scheduling/availability_cache.h"
#include "sportelli/events/worker.h"
#include "sportelli/logging/logger.h"
#include "sportelli/redis/client.h"

namespace sportelli::scheduling {

struct HotDaysOptions {
  // Values kept at most (one per desk, service and local day).
  size_t max_days = 20000;
  // Generations remembered at most (one per desk and local day changed); one more forgets them
  // and drops every value.
  size_t max_generations = 100000;
  // How long one XREAD waits for new entries (also how quickly Stop() returns); under the
  // client's command timeout.
  absl::Duration block = absl::Milliseconds(200);
  absl::Duration error_wait = absl::Milliseconds(500);
  int batch = 1000;
};

class HotDays final {
 public:
  // A read's permission to keep what it read; 0 means "keep nothing".
  using Ticket = uint64_t;

  // `redis` is used by the follower alone (it blocks in XREAD). Pointers must outlive this.
  HotDays(redis::RedisClient* redis, prometheus::Registry& registry, logging::Logger* logger,
          HotDaysOptions options = {});
  ~HotDays();

  HotDays(const HotDays&) = delete;
  HotDays& operator=(const HotDays&) = delete;

  // Starts following the stream in a thread; Stop() ends it (and what is kept is dropped).
  void Start();
  void Stop();
  // One step of the follower, for tests that drive it by hand: the first call (and the first
  // after a failure or a gap) learns where the stream ends and makes days keepable; later calls
  // apply what arrived (waiting up to `block`). Returns how many entries were applied.
  absl::StatusOr<int> Poll();

  // To be taken before the generations of the days to keep are read from Redis.
  Ticket Take() const;
  // The day kept for `key`, valid at `now`; nullopt when absent, expired or not following.
  std::shared_ptr<const CachedDay> Find(const DayKey& key, absl::Time now);
  // Keeps `value` unless the follow broke since `ticket` or a newer generation is known.
  void Keep(Ticket ticket, const DayKey& key, CachedValue value);

  // A change of generations seen: this process's own (from the INCR's answer) or another's
  // (from the stream). Days built under older generations are dropped, and refused later.
  void DayChanged(const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
                  int64_t generation);
  void ConfigurationChanged(const std::string& tenant_id, int64_t generation);
  // Drops everything and refuses what is being read: after a change whose generation is not
  // known (its Redis update failed).
  void Drop();

  // Values kept (for tests and the gauge).
  size_t size() const;
  bool following() const;

 private:
  struct Kept {
    std::shared_ptr<const CachedDay> day;
    Generation generation;
    absl::Time valid_until;
  };
  struct DayState {
    int64_t generation = 0;                         // the newest seen
    absl::flat_hash_map<std::string, Kept> values;  // by service
  };

  absl::Duration Step();
  // Forgets everything; the follow must start again from the stream's end.
  void Reset(bool following) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Apply(const redis::Reply& fields);
  // Drops the values of `state` that `stale` says were built under an older generation.
  void DropStale(DayState& state, const std::function<bool(const Generation&)>& stale)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  redis::RedisClient* const redis_;
  logging::Logger* const logger_;
  const HotDaysOptions options_;
  prometheus::Gauge* kept_gauge_;
  prometheus::Counter* resets_;

  mutable absl::Mutex mu_;
  // Incremented by every Reset: tickets of before are void.
  uint64_t epoch_ ABSL_GUARDED_BY(mu_) = 1;
  bool following_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_map<DeskDay, DayState> days_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int64_t> configurations_ ABSL_GUARDED_BY(mu_);
  size_t kept_ ABSL_GUARDED_BY(mu_) = 0;

  // The follower's own state (its thread, or the test calling Poll).
  std::string last_id_;  // empty: the stream's end must be learnt again
  std::optional<int64_t> last_seq_;
  events::OutageLog outage_{logger_, "availability changes", {}};
  events::Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_HOT_DAYS_H_
