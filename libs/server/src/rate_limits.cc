#include "sportelli/server/rate_limits.h"

#include <cmath>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"

namespace sportelli::server {
namespace {

constexpr absl::string_view kAddress = "address";

// KEYS[i] is a bucket holding its "theoretical arrival time" (GCRA) in microseconds of Redis's
// clock; ARGV[2i-1] is its interval in microseconds, ARGV[2i] its burst. Every bucket must
// accept the call for any to record it. Returns {0, 0} when accepted, otherwise {i, wait}: the
// first bucket that refuses and the microseconds until it would accept.
constexpr char kScript[] = R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local next_arrival = {}
for i, key in ipairs(KEYS) do
  local interval = tonumber(ARGV[2 * i - 1])
  local burst = tonumber(ARGV[2 * i])
  local arrival = tonumber(redis.call('GET', key) or '0')
  if arrival < now then arrival = now end
  local allowed_from = arrival - (burst - 1) * interval
  if now < allowed_from then return {i, allowed_from - now} end
  next_arrival[i] = arrival + interval
end
for i, key in ipairs(KEYS) do
  local ttl_ms = math.ceil((next_arrival[i] - now) / 1000) + 1
  redis.call('SET', key, string.format('%.0f', next_arrival[i]), 'PX', ttl_ms)
end
return {0, 0}
)lua";

// Refusals remembered in memory; beyond this, the expired ones are dropped (all of them if
// none has expired: the memory is only a shortcut, Redis still decides).
constexpr size_t kMaxRemembered = 10000;
constexpr std::chrono::seconds kWarningEvery{10};

absl::Status BadEntry(absl::string_view entry, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("rate limit \"", entry, "\": ", problem));
}

bool IsComuneId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  for (char c : id) {
    if (!absl::ascii_islower(c) && !absl::ascii_isdigit(c) && c != '-') return false;
  }
  return true;
}

absl::StatusOr<Rate> ParseRate(absl::string_view entry, absl::string_view text) {
  std::pair<absl::string_view, absl::string_view> rate_and_burst =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  std::pair<absl::string_view, absl::string_view> count_and_unit =
      absl::StrSplit(rate_and_burst.first, absl::MaxSplits('/', 1));
  int count = 0;
  if (!absl::SimpleAtoi(count_and_unit.first, &count) || count < 1 || count > 1000000) {
    return BadEntry(entry, "the count must be a whole number from 1 to 1000000");
  }
  double seconds = 0;
  if (count_and_unit.second == "s") {
    seconds = 1;
  } else if (count_and_unit.second == "min") {
    seconds = 60;
  } else if (count_and_unit.second == "h") {
    seconds = 3600;
  } else {
    return BadEntry(entry, "the rate must be <count>/s, <count>/min or <count>/h");
  }
  Rate rate{.per_second = count / seconds, .burst = count};
  if (!rate_and_burst.second.empty() && (!absl::SimpleAtoi(rate_and_burst.second, &rate.burst) ||
                                         rate.burst < 1 || rate.burst > 1000000)) {
    return BadEntry(entry, "the burst must be a whole number from 1 to 1000000");
  }
  return rate;
}

int64_t Microseconds(absl::Duration duration) {
  return std::max<int64_t>(1, absl::ToInt64Microseconds(duration));
}

}  // namespace

// ---- RateLimitPolicy ------------------------------------------------------------------------

absl::StatusOr<RateLimitPolicy> RateLimitPolicy::Parse(absl::string_view spec) {
  RateLimitPolicy policy;
  for (absl::string_view raw : absl::StrSplit(spec, ',')) {
    const absl::string_view entry = absl::StripAsciiWhitespace(raw);
    if (entry.empty()) continue;
    std::pair<absl::string_view, absl::string_view> who_and_rate =
        absl::StrSplit(entry, absl::MaxSplits('=', 1));
    std::pair<absl::string_view, absl::string_view> who_and_comune =
        absl::StrSplit(absl::StripAsciiWhitespace(who_and_rate.first), absl::MaxSplits('@', 1));
    const absl::string_view who = who_and_comune.first;
    if (who != kAddress && !auth::ParseRole(who)) {
      return BadEntry(entry, "limits apply to a role (portal, operator, ...) or to \"address\"");
    }
    if (absl::StrContains(who_and_rate.first, '@') && !IsComuneId(who_and_comune.second)) {
      return BadEntry(entry, "after '@' comes a comune id (a-z, 0-9, '-')");
    }
    absl::StatusOr<Rate> rate = ParseRate(entry, absl::StripAsciiWhitespace(who_and_rate.second));
    if (!rate.ok()) return rate.status();
    const std::string name = std::string(absl::StripAsciiWhitespace(who_and_rate.first));
    if (!policy.limits_.emplace(name, *rate).second) {
      return BadEntry(entry, "the same limit is set twice");
    }
  }
  return policy;
}

std::optional<Rate> RateLimitPolicy::Find(absl::string_view who, absl::string_view tenant) const {
  if (auto own = limits_.find(absl::StrCat(who, "@", tenant)); own != limits_.end()) {
    return own->second;
  }
  if (auto general = limits_.find(who); general != limits_.end()) return general->second;
  return std::nullopt;
}

std::optional<Rate> RateLimitPolicy::ForCaller(const auth::Caller& caller) const {
  std::optional<Rate> highest;
  for (auth::Role role : caller.roles) {
    const std::optional<Rate> rate = Find(auth::RoleName(role), caller.tenant);
    if (rate && (!highest || rate->per_second > highest->per_second ||
                 (rate->per_second == highest->per_second && rate->burst > highest->burst))) {
      highest = rate;
    }
  }
  return highest;
}

std::optional<Rate> RateLimitPolicy::ForAddress(absl::string_view tenant) const {
  return Find(kAddress, tenant);
}

// ---- RateLimiter ----------------------------------------------------------------------------

RateLimiter::RateLimiter(RateLimitPolicy policy, crypto::SecretKey key, std::string service,
                         redis::RedisClient* redis, logging::Logger* log, RpcMetrics* metrics)
    : policy_(std::move(policy)),
      key_(std::move(key)),
      service_(std::move(service)),
      redis_(redis),
      log_(log),
      metrics_(metrics),
      script_(kScript) {}

absl::Status RateLimiter::RateLimited(absl::Duration retry_after) {
  return status::WithRetryDelay(
      status::Error(absl::StatusCode::kResourceExhausted,
                    "too many requests from this caller; try again after the retry delay",
                    "RATE_LIMITED"),
      retry_after);
}

std::string RateLimiter::KeyFor(absl::string_view tenant, absl::string_view kind,
                                absl::string_view value) const {
  // 128 bits of the HMAC: no collisions between callers in practice, nothing to read back.
  const std::string digest = key_.Hmac(absl::StrCat("rate-limit-", kind), tenant, value);
  return absl::StrCat("{", tenant, "}:rl:", service_, ":", kind, ":",
                      absl::BytesToHexString(absl::string_view(digest).substr(0, 16)));
}

absl::Status RateLimiter::Check(const auth::Caller& caller, absl::string_view client_address) {
  std::vector<Bucket> buckets;
  if (std::optional<Rate> rate = policy_.ForCaller(caller)) {
    buckets.push_back({KeyFor(caller.tenant, "subject", caller.subject), *rate});
  }
  if (caller.HasRole(auth::Role::kPortal) && !client_address.empty()) {
    if (std::optional<Rate> rate = policy_.ForAddress(caller.tenant)) {
      buckets.push_back({KeyFor(caller.tenant, "address", client_address), *rate});
    }
  }
  if (buckets.empty()) return absl::OkStatus();

  for (const Bucket& bucket : buckets) {
    if (std::optional<absl::Duration> left = RememberedRefusal(bucket.key)) {
      refused_.fetch_add(1);
      return RateLimited(*left);
    }
  }
  absl::StatusOr<std::optional<Refusal>> verdict = AskRedis(buckets);
  if (!verdict.ok()) {
    CountUnchecked(verdict.status());
    return absl::OkStatus();
  }
  if (!verdict->has_value()) return absl::OkStatus();
  const Refusal& refusal = **verdict;
  RememberRefusal(buckets[refusal.bucket].key, refusal.retry_after);
  refused_.fetch_add(1);
  return RateLimited(refusal.retry_after);
}

absl::StatusOr<std::optional<RateLimiter::Refusal>> RateLimiter::AskRedis(
    const std::vector<Bucket>& buckets) {
  std::vector<std::string> keys, args;
  for (const Bucket& bucket : buckets) {
    keys.push_back(bucket.key);
    args.push_back(absl::StrCat(Microseconds(bucket.rate.interval())));
    args.push_back(absl::StrCat(bucket.rate.burst));
  }
  absl::StatusOr<std::vector<redis::Reply>> parts =
      redis::AsArray(script_.Run(*redis_, keys, args));
  if (!parts.ok()) return parts.status();
  if (parts->size() != 2) {
    return absl::InternalError("the rate limit script answered an unexpected reply");
  }
  absl::StatusOr<int64_t> refused_by = redis::AsInteger((*parts)[0]);
  absl::StatusOr<int64_t> wait_us = redis::AsInteger((*parts)[1]);
  if (!refused_by.ok()) return refused_by.status();
  if (!wait_us.ok()) return wait_us.status();
  if (*refused_by == 0) return std::nullopt;
  if (*refused_by < 1 || static_cast<size_t>(*refused_by) > buckets.size()) {
    return absl::InternalError("the rate limit script named no bucket it was given");
  }
  return Refusal{.retry_after = absl::Microseconds(std::max<int64_t>(*wait_us, 1)),
                 .bucket = static_cast<size_t>(*refused_by - 1)};
}

std::optional<absl::Duration> RateLimiter::RememberedRefusal(const std::string& key) {
  const auto now = std::chrono::steady_clock::now();
  absl::MutexLock lock(&mu_);
  auto it = refused_until_.find(key);
  if (it == refused_until_.end()) return std::nullopt;
  if (it->second <= now) {
    refused_until_.erase(it);
    return std::nullopt;
  }
  return absl::FromChrono(it->second - now);
}

void RateLimiter::RememberRefusal(const std::string& key, absl::Duration retry_after) {
  const auto now = std::chrono::steady_clock::now();
  absl::MutexLock lock(&mu_);
  if (refused_until_.size() >= kMaxRemembered) {
    for (auto it = refused_until_.begin(); it != refused_until_.end();) {
      it = it->second <= now ? refused_until_.erase(it) : std::next(it);
    }
    if (refused_until_.size() >= kMaxRemembered) refused_until_.clear();
  }
  refused_until_[key] = now + absl::ToChronoMicroseconds(retry_after);
}

void RateLimiter::CountUnchecked(const absl::Status& error) {
  unchecked_.fetch_add(1);
  if (metrics_ != nullptr) metrics_->RateLimitUnchecked();
  const auto now = std::chrono::steady_clock::now();
  {
    absl::MutexLock lock(&mu_);
    if (now < next_warning_) return;
    next_warning_ = now + kWarningEvery;
  }
  log_->Warning("rate limits not checked: Redis did not answer; calls go through meanwhile",
                {{"error", std::string(error.message())}});
}

RateLimitConfig ReadRateLimitConfig(config::EnvReader& env) {
  constexpr char kLimits[] = "SPORTELLI_RATE_LIMITS";
  constexpr char kSecretKey[] = "SPORTELLI_SECRET_KEY_FILE";
  RateLimitConfig config;
  absl::StatusOr<RateLimitPolicy> policy = RateLimitPolicy::Parse(env.String(kLimits, ""));
  if (!policy.ok()) {
    env.Reject(kLimits, std::string(policy.status().message()));
    return config;
  }
  config.policy = *std::move(policy);
  if (config.policy.empty()) return config;
  if (!env.IsSet(kSecretKey)) {
    env.Reject(kLimits,
               "rate limits need SPORTELLI_SECRET_KEY_FILE: Redis keys carry an HMAC "
               "of each caller and address, never the values");
    return config;
  }
  config.secret_key = env.FileContents(kSecretKey);
  if (!config.secret_key.empty() && !crypto::SecretKey::Create(config.secret_key).ok()) {
    env.Reject(kSecretKey, "the secret key must be at least 32 bytes");
  }
  return config;
}

}  // namespace sportelli::server
