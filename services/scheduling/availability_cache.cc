#include "services/scheduling/availability_cache.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "services/scheduling/domain/slots.h"
#include "sportelli/redis/reply.h"
#include "sportelli/redis/script.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

// Generations outlive every value (whose TTL is minutes), so a value can never meet a
// generation counter that restarted from zero after expiring.
constexpr int64_t kGenerationTtlSeconds = 3 * 24 * 3600;

// Entries kept in the stream: replicas read them within milliseconds, so this is only a bound.
constexpr int kChangesKept = 100000;

// Numbers and adds one entry atomically, so that numbers follow the stream's order.
// KEYS: sequence, stream. ARGV: tenant, desk, then field/value pairs.
redis::Script kAnnounce(R"lua(
local seq = redis.call('INCR', KEYS[1])
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 's', seq, 't', ARGV[2], 'd', ARGV[3],
           unpack(ARGV, 4))
return seq
)lua");

absl::Status Announce(redis::RedisClient& redis, std::vector<std::string> args) {
  args.insert(args.begin(), absl::StrCat(kChangesKept));
  return redis::AsInteger(
             kAnnounce.Run(redis, {kAvailabilityChangesSequence, kAvailabilityChangesStream}, args))
      .status();
}

std::string ValueKey(const DayKey& key) {
  return AvailabilityCacheKey(key.tenant_id, key.desk_id, key.service_id, key.day,
                              kAvailabilityCacheVersion);
}

bool ParseUsage(absl::string_view text, SlotUsage& usage) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '.');
  return parts.size() == 3 && absl::SimpleAtoi(parts[0], &usage.web) &&
         absl::SimpleAtoi(parts[1], &usage.phone) && absl::SimpleAtoi(parts[2], &usage.desk);
}

}  // namespace

std::string AvailabilityGenerationKey(const std::string& tenant_id, const std::string& desk_id,
                                      absl::CivilDay day) {
  return absl::StrCat("{", tenant_id, "}:availgen:v", kAvailabilityCacheVersion, ":", desk_id, ":",
                      absl::FormatCivilTime(day));
}

std::string AvailabilityConfigurationKey(const std::string& tenant_id) {
  return absl::StrCat("{", tenant_id, "}:availconf:v", kAvailabilityCacheVersion);
}

std::string EncodeCachedValue(const CachedValue& value) {
  std::string out = absl::StrCat(value.generation.day, ".", value.generation.configuration, "|",
                                 absl::ToUnixMicros(value.valid_until), "|");
  for (const CachedSlot& slot : value.day.slots) {
    absl::StrAppend(&out, absl::ToUnixSeconds(slot.start), ",", absl::ToUnixSeconds(slot.end), ",");
    for (size_t i = 0; i < slot.usage.size(); ++i) {
      const SlotUsage& u = slot.usage[i];
      absl::StrAppend(&out, i == 0 ? "" : "/", u.web, ".", u.phone, ".", u.desk);
    }
    out.push_back(';');
  }
  return out;
}

std::optional<CachedValue> DecodeCachedValue(const std::string& text) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, absl::MaxSplits('|', 2));
  CachedValue value;
  int64_t valid_until = 0;
  if (parts.size() != 3 || !absl::SimpleAtoi(parts[1], &valid_until)) return std::nullopt;
  std::vector<absl::string_view> generations = absl::StrSplit(parts[0], '.');
  if (generations.size() != 2 || !absl::SimpleAtoi(generations[0], &value.generation.day) ||
      !absl::SimpleAtoi(generations[1], &value.generation.configuration)) {
    return std::nullopt;
  }
  value.valid_until = absl::FromUnixMicros(valid_until);
  for (absl::string_view item : absl::StrSplit(parts[2], ';', absl::SkipEmpty())) {
    std::vector<absl::string_view> fields = absl::StrSplit(item, ',');
    int64_t start = 0, end = 0;
    if (fields.size() != 3 || !absl::SimpleAtoi(fields[0], &start) ||
        !absl::SimpleAtoi(fields[1], &end)) {
      return std::nullopt;
    }
    CachedSlot slot{absl::FromUnixSeconds(start), absl::FromUnixSeconds(end), {}};
    for (absl::string_view stretch : absl::StrSplit(fields[2], '/')) {
      SlotUsage usage;
      if (!ParseUsage(stretch, usage)) return std::nullopt;
      slot.usage.push_back(usage);
    }
    value.day.slots.push_back(std::move(slot));
  }
  return value;
}

absl::StatusOr<std::vector<CacheRead>> RedisAvailabilityCache::Get(const std::vector<DayKey>& keys,
                                                                   absl::Time now) {
  std::vector<CacheRead> reads(keys.size());
  if (keys.empty()) return reads;
  // Every key is of one tenant: its configuration generation comes last, once.
  std::vector<std::string> command = {"MGET"};
  for (const DayKey& key : keys) {
    command.push_back(ValueKey(key));
    command.push_back(AvailabilityGenerationKey(key.tenant_id, key.desk_id, key.day));
  }
  command.push_back(AvailabilityConfigurationKey(keys.front().tenant_id));
  ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, redis::AsArray(redis_->Command(command)));
  if (replies.size() != 2 * keys.size() + 1) {
    return absl::InternalError("MGET answered the wrong number of values");
  }
  int64_t configuration = 0;
  if (replies.back().is_string()) absl::SimpleAtoi(replies.back().str(), &configuration);
  for (size_t i = 0; i < keys.size(); ++i) {
    reads[i].generation.configuration = configuration;
    const redis::Reply& generation = replies[2 * i + 1];
    if (generation.is_string()) absl::SimpleAtoi(generation.str(), &reads[i].generation.day);
    const redis::Reply& value = replies[2 * i];
    if (!value.is_string()) continue;
    std::optional<CachedValue> decoded = DecodeCachedValue(value.str());
    if (decoded && decoded->generation == reads[i].generation && now < decoded->valid_until) {
      reads[i].day = std::move(decoded->day);
      reads[i].valid_until = decoded->valid_until;
    }
  }
  return reads;
}

absl::Status RedisAvailabilityCache::Put(const std::vector<std::pair<DayKey, CachedDay>>& values,
                                         const std::vector<Generation>& generations, absl::Time now,
                                         absl::Duration ttl) {
  if (values.empty()) return absl::OkStatus();
  const int64_t ttl_ms = std::max<int64_t>(1, absl::ToInt64Milliseconds(ttl));
  std::vector<std::vector<std::string>> commands;
  commands.reserve(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    commands.push_back({"SET", ValueKey(values[i].first),
                        EncodeCachedValue({values[i].second, generations[i], now + ttl}), "PX",
                        absl::StrCat(ttl_ms)});
  }
  ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, redis_->Pipeline(commands));
  for (const redis::Reply& reply : replies) RETURN_IF_ERROR(redis::ExpectStatus(reply, "OK"));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<int64_t>> RedisAvailabilityCache::Invalidate(
    const std::string& tenant_id, const std::string& desk_id,
    const std::vector<absl::CivilDay>& days) {
  std::vector<std::vector<std::string>> commands;
  for (absl::CivilDay day : days) {
    const std::string key = AvailabilityGenerationKey(tenant_id, desk_id, day);
    commands.push_back({"INCR", key});
    commands.push_back({"EXPIRE", key, absl::StrCat(kGenerationTtlSeconds)});
  }
  ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, redis_->Pipeline(commands));
  std::vector<int64_t> generations;
  std::vector<std::string> announced = {tenant_id, desk_id};
  for (size_t i = 0; i < days.size(); ++i) {
    ASSIGN_OR_RETURN(int64_t generation, redis::AsInteger(replies[2 * i]));
    RETURN_IF_ERROR(redis::ErrorReplyToStatus(replies[2 * i + 1]));
    generations.push_back(generation);
    announced.push_back(absl::FormatCivilTime(days[i]));
    announced.push_back(absl::StrCat(generation));
  }
  if (!days.empty()) RETURN_IF_ERROR(Announce(*redis_, std::move(announced)));
  return generations;
}

absl::StatusOr<int64_t> RedisAvailabilityCache::InvalidateTenant(const std::string& tenant_id) {
  const std::string key = AvailabilityConfigurationKey(tenant_id);
  ASSIGN_OR_RETURN(
      std::vector<redis::Reply> replies,
      redis_->Pipeline({{"INCR", key}, {"EXPIRE", key, absl::StrCat(kGenerationTtlSeconds)}}));
  ASSIGN_OR_RETURN(int64_t generation, redis::AsInteger(replies[0]));
  RETURN_IF_ERROR(redis::ErrorReplyToStatus(replies[1]));
  RETURN_IF_ERROR(Announce(*redis_, {tenant_id, "", "*", absl::StrCat(generation)}));
  return generation;
}

}  // namespace sportelli::scheduling
