// Rate limits per caller and per client address, shared by every replica through Redis
// (OWASP API4: one client must not take what belongs to everyone).
//
// Each limit is a rate and a burst, enforced with GCRA (the "generic cell rate algorithm":
// one timestamp per key, no counters to reset) by one Lua script that checks the caller's key
// and the address's key together, on Redis's own clock, so replicas and their clocks need not
// agree. A refused call changes neither key. The answer is RESOURCE_EXHAUSTED, reason
// RATE_LIMITED, with a RetryInfo delay saying when the next call would be accepted.
//
// Limits are set per role and per comune (SPORTELLI_RATE_LIMITS; RateLimitPolicy::Parse):
//
//   portal=2000/s:4000, operator=20/s:60, address=5/s:20, address@lucca=10/s:40
//
//   - `<role>=...`: each token subject (`sub`) with that role, in any comune; a caller with
//     several limited roles gets the highest of their limits.
//   - `address=...`: each client address a portal calls for (the last entry of the
//     `x-forwarded-for` metadata the portal sets to its visitor's address, or the portal's own
//     address when it sets none). Staff share their office's address, so only portal calls
//     are limited by address.
//   - `...@<comune>=...`: the same for that comune's tokens only, in place of the general one.
//   - A rate is `<count>/<s|min|h>`, its burst (`:<n>`, how many calls may come at once after a
//     quiet spell) defaults to the count.
//
// No subject or address reaches Redis: keys carry an HMAC of them under the service's secret
// key, so Redis holds no personal data (ARCHITECTURE.md §5), and the tenant as a hash tag.
//
// When Redis cannot answer, the call goes through (fail open: a citizen's booking matters more
// than a limit), the failure is counted and logged at most every ten seconds. A key already
// refused is refused from memory until its retry delay has passed, so a client hammering the
// service costs a map lookup, not a Redis round trip.
#ifndef SPORTELLI_SERVER_RATE_LIMITS_H_
#define SPORTELLI_SERVER_RATE_LIMITS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sportelli/auth/caller.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/logging/logger.h"
#include "sportelli/redis/client.h"
#include "sportelli/redis/script.h"
#include "sportelli/server/rpc_metrics.h"

namespace sportelli::server {

// A sustained rate and the burst allowed on top of it.
struct Rate {
  double per_second = 0;
  int burst = 1;

  // The time one call "costs": calls are accepted as long as they are, on average, this far
  // apart, with up to `burst` of them at once.
  absl::Duration interval() const { return absl::Seconds(1.0 / per_second); }
  bool operator==(const Rate& other) const {
    return per_second == other.per_second && burst == other.burst;
  }
};

class RateLimitPolicy final {
 public:
  // An empty spec: no limits. INVALID_ARGUMENT naming the entry that does not parse (an
  // unknown role, a rate of 0, a unit other than s, min or h, a burst below 1).
  static absl::StatusOr<RateLimitPolicy> Parse(absl::string_view spec);

  // The limit of the caller's subject: the highest among its roles' limits in its comune;
  // nullopt when none of its roles is limited.
  std::optional<Rate> ForCaller(const auth::Caller& caller) const;
  // The limit of each client address a portal of `tenant` calls for; nullopt: none.
  std::optional<Rate> ForAddress(absl::string_view tenant) const;

  bool empty() const { return limits_.empty(); }

 private:
  // "portal", "portal@lucca", "address", "address@lucca".
  std::map<std::string, Rate, std::less<>> limits_;
  std::optional<Rate> Find(absl::string_view who, absl::string_view tenant) const;
};

class RateLimiter final {
 public:
  // `redis`, `log` and `metrics` (null: none) must outlive the limiter. `service` scopes the
  // keys: each service's limits are counted apart.
  RateLimiter(RateLimitPolicy policy, crypto::SecretKey key, std::string service,
              redis::RedisClient* redis, logging::Logger* log, RpcMetrics* metrics = nullptr);

  // OK, or RESOURCE_EXHAUSTED / RATE_LIMITED with a retry delay. `client_address` is only
  // used for portal callers (empty: not limited by address).
  absl::Status Check(const auth::Caller& caller, absl::string_view client_address);

  // Calls refused so far, and calls let through unchecked because Redis did not answer.
  uint64_t refused() const { return refused_.load(); }
  uint64_t unchecked() const { return unchecked_.load(); }

  static absl::Status RateLimited(absl::Duration retry_after);

 private:
  struct Bucket {
    std::string key;
    Rate rate;
  };
  // The Redis verdict: nullopt when allowed, otherwise the delay and the bucket refused.
  struct Refusal {
    absl::Duration retry_after;
    size_t bucket;
  };
  absl::StatusOr<std::optional<Refusal>> AskRedis(const std::vector<Bucket>& buckets);
  std::string KeyFor(absl::string_view tenant, absl::string_view kind,
                     absl::string_view value) const;
  // The time left of a refusal remembered for `key`, if any.
  std::optional<absl::Duration> RememberedRefusal(const std::string& key);
  void RememberRefusal(const std::string& key, absl::Duration retry_after);
  void CountUnchecked(const absl::Status& error);

  const RateLimitPolicy policy_;
  const crypto::SecretKey key_;
  const std::string service_;
  redis::RedisClient* const redis_;
  logging::Logger* const log_;
  RpcMetrics* const metrics_;

  redis::Script script_;
  absl::Mutex mu_;
  std::unordered_map<std::string, std::chrono::steady_clock::time_point> refused_until_
      ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point next_warning_ ABSL_GUARDED_BY(mu_){};

  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> unchecked_{0};
};

// What SPORTELLI_RATE_LIMITS asks for (empty: no limits), and the secret key that hides subjects
// and addresses from Redis (SPORTELLI_SECRET_KEY_FILE, required when there are limits). A spec
// that does not parse, or limits without the key, is recorded on `env`.
struct RateLimitConfig {
  RateLimitPolicy policy;
  std::string secret_key;
};
RateLimitConfig ReadRateLimitConfig(config::EnvReader& env);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_RATE_LIMITS_H_
