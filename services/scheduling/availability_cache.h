// The availability cache: one Redis value per (tenant, desk, service, local day) holding the
// day's slots and the seats taken in each (per channel, per stretch: see domain/occupancy.h),
// never the seats left, which depend on the clock and the channel and are computed when
// answering.
//
// Invalidation by generation. Capacity belongs to the desk, so a booking of one service changes
// the availability of every service of the desk that day. Instead of finding and deleting each
// of those keys, every value records the generation of its (desk, day) read *before* the
// database was read to build it, and a write bumps that generation (INCR) after it commits. A
// value whose generation is not the current one is a miss. So a rebuild racing with a booking
// can never resurrect a stale day: either the booking committed before the rebuild's read (and
// the value includes it), or its INCR lands after the generation was read (and the value is
// born stale). Values and generations share the tenant's hash tag, so one MGET reads both for
// many days, on one Redis Cluster shard.
//
// A change of the comune's configuration (a closure, new hours, a service's duration) makes all
// its desks' days stale at once: a second generation per tenant, bumped by
// InvalidateTenant, is recorded and checked the same way.
//
// Expiry. A value records until when it may be used (the TTL, shortened to the first expiry of
// a hold it counts), on the service's clock; Redis's own expiry only collects the garbage. So
// whether a day is stale is decided by the same clock as every other "now" of the service.
#ifndef SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_CACHE_H_
#define SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_CACHE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/domain/slot_model.h"
#include "sportelli/redis/client.h"

namespace sportelli::scheduling {

// Bumped when the value's format or meaning changes: old entries are then never read again.
inline constexpr int kAvailabilityCacheVersion = 3;

struct CachedSlot {
  absl::Time start;
  absl::Time end;
  std::vector<SlotUsage> usage;  // one per stretch, never empty
  bool operator==(const CachedSlot&) const = default;
};

struct CachedDay {
  std::vector<CachedSlot> slots;
  bool operator==(const CachedDay&) const = default;
};

struct DayKey {
  std::string tenant_id;
  std::string desk_id;
  std::string service_id;
  absl::CivilDay day;
};

// A desk's local day: what a booking, a hold or a cancellation changes for every service.
struct DeskDay {
  std::string tenant_id;
  std::string desk_id;
  absl::CivilDay day;
  template <typename H>
  friend H AbslHashValue(H h, const DeskDay& d) {
    return H::combine(std::move(h), d.tenant_id, d.desk_id, d.day);
  }
  bool operator==(const DeskDay&) const = default;
};

// The generations a value was built under: its (desk, day)'s and its comune's configuration's.
struct Generation {
  int64_t day = 0;
  int64_t configuration = 0;
  bool operator==(const Generation&) const = default;
};

struct CacheRead {
  std::optional<CachedDay> day;  // nullopt: a miss (absent, stale generation, unreadable)
  Generation generation;         // to tag the rebuilt value with
  absl::Time valid_until;        // of `day`, when there is one
};

// A value as stored: the day, the generation it was built under and until when it is valid.
struct CachedValue {
  CachedDay day;
  Generation generation;
  absl::Time valid_until;
  bool operator==(const CachedValue&) const = default;
};

// Text encoding of a value (exposed for tests):
// "<day generation>.<configuration generation>|<valid until>|<start>,<end>,<w>.<p>.<d>[/...];"
// with Unix seconds (valid until in microseconds).
std::string EncodeCachedValue(const CachedValue& value);
std::optional<CachedValue> DecodeCachedValue(const std::string& text);

class AvailabilityCache {
 public:
  virtual ~AvailabilityCache() = default;
  // All keys belong to one tenant. One entry per key, in order; a value no longer valid at
  // `now` is a miss. A failure means Redis could not be used at all (the caller falls back to
  // PostgreSQL).
  virtual absl::StatusOr<std::vector<CacheRead>> Get(const std::vector<DayKey>& keys,
                                                     absl::Time now) = 0;
  // Stores each day with its generation, valid for `ttl` from `now`.
  virtual absl::Status Put(const std::vector<std::pair<DayKey, CachedDay>>& values,
                           const std::vector<Generation>& generations, absl::Time now,
                           absl::Duration ttl) = 0;
  // Bumps the generation of (desk, day) for each day, then announces the new generations on
  // kAvailabilityChangesStream; returns them, one per day.
  virtual absl::StatusOr<std::vector<int64_t>> Invalidate(
      const std::string& tenant_id, const std::string& desk_id,
      const std::vector<absl::CivilDay>& days) = 0;
  // Bumps the comune's configuration generation (every cached day of its desks is stale), then
  // announces it; returns it.
  virtual absl::StatusOr<int64_t> InvalidateTenant(const std::string& tenant_id) = 0;
  // OK when the cache answers.
  virtual absl::Status Ping() = 0;
};

class RedisAvailabilityCache final : public AvailabilityCache {
 public:
  // `redis` must outlive the cache.
  explicit RedisAvailabilityCache(redis::RedisClient* redis) : redis_(redis) {}
  absl::StatusOr<std::vector<CacheRead>> Get(const std::vector<DayKey>& keys,
                                             absl::Time now) override;
  absl::Status Put(const std::vector<std::pair<DayKey, CachedDay>>& values,
                   const std::vector<Generation>& generations, absl::Time now,
                   absl::Duration ttl) override;
  absl::StatusOr<std::vector<int64_t>> Invalidate(const std::string& tenant_id,
                                                  const std::string& desk_id,
                                                  const std::vector<absl::CivilDay>& days) override;
  absl::StatusOr<int64_t> InvalidateTenant(const std::string& tenant_id) override;
  absl::Status Ping() override { return redis_->Ping(); }

 private:
  redis::RedisClient* const redis_;
};

// Where every change of generations is announced, for the replicas' hot days (hot_days.h).
// One entry per change, fields:
//   s  its number: one more than the entry before (so a reader can tell it missed some)
//   t  the tenant
//   d  the desk, empty for a change of the comune's configuration
//   then, for a desk, "<YYYY-MM-DD>" -> the day's new generation, one pair per day; for the
//   configuration, "*" -> its new generation.
// Its own hash tag: read by every replica, like the directory's changes.
inline constexpr char kAvailabilityChangesStream[] = "{availability}:changes";
inline constexpr char kAvailabilityChangesSequence[] = "{availability}:changes:seq";

// The generation key of a desk's day: "{tenant}:availgen:v3:<desk>:<YYYY-MM-DD>".
std::string AvailabilityGenerationKey(const std::string& tenant_id, const std::string& desk_id,
                                      absl::CivilDay day);
// The configuration generation of a comune: "{tenant}:availconf:v3".
std::string AvailabilityConfigurationKey(const std::string& tenant_id);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_AVAILABILITY_CACHE_H_
