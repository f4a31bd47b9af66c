#include "services/scheduling/waiting_room.h"

#include <cmath>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {
namespace {

// KEYS: the line (hash: seq, frontier, updated), the admitted places (sorted set: place -> end
// of its admission, microseconds of Redis's clock), the citizen's place (string).
// ARGV: admissions per second, admission time (us), keep (ms).
// First the line moves on: the frontier by the time passed times the rate, plus one for each
// admission that ended unused (its place passes to the next), never past the last place given;
// every place it passes gets its admission window. Then the citizen's place: the one they have
// while it waits or holds an unused admission, otherwise a new one at the back.
// Returns {place, frontier (floored), admission time left in us (0 unless admitted)}.
// Instants go to Redis through string.format('%.0f'): Lua's own number-to-string keeps 14
// digits, too few for microseconds since 1970.
constexpr char kEnter[] = R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local rate = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local keep = tonumber(ARGV[3])
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
local frontier = tonumber(redis.call('HGET', KEYS[1], 'frontier') or '0')
local updated = tonumber(redis.call('HGET', KEYS[1], 'updated') or '') or now
local ended = redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', string.format('%.0f', now))
local before = math.floor(frontier)
frontier = math.min(frontier + math.max(0, now - updated) * rate / 1000000 + ended, seq)
for admitted = before + 1, math.floor(frontier) do
  redis.call('ZADD', KEYS[2], string.format('%.0f', now + ttl), admitted)
end
local place = tonumber(redis.call('GET', KEYS[3]) or '0')
if place == 0 or (place <= math.floor(frontier) and not redis.call('ZSCORE', KEYS[2], place)) then
  seq = seq + 1
  place = seq
end
redis.call('SET', KEYS[3], place, 'PX', keep)
redis.call('HSET', KEYS[1], 'seq', seq, 'frontier', string.format('%.6f', frontier),
           'updated', string.format('%.0f', now))
redis.call('PEXPIRE', KEYS[1], keep)
redis.call('PEXPIRE', KEYS[2], keep)
local left = 0
if place <= math.floor(frontier) then
  left = tonumber(redis.call('ZSCORE', KEYS[2], place)) - now
end
return {place, math.floor(frontier), left}
)lua";

// KEYS: the admitted places. ARGV: the place, and 1 to consume it. Returns the admission time
// left in us, 0 when the place holds no unused, unexpired admission.
constexpr char kCheck[] = R"lua(
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local ends = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[1]) or '0')
if ends <= now then return 0 end
if ARGV[2] == '1' then redis.call('ZREM', KEYS[1], ARGV[1]) end
return ends - now
)lua";

absl::Status AdmissionRequired() {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the comune's bookings go through its waiting room: enter it, and book "
                       "once admitted, before the admission expires",
                       "ADMISSION_REQUIRED");
}

}  // namespace

WaitingRoom::WaitingRoom(redis::RedisClient* redis, const crypto::SecretKey* secret,
                         const clock::Clock* clock, Options options)
    : redis_(redis),
      secret_(secret),
      clock_(clock),
      options_(options),
      enter_(kEnter),
      check_(kCheck) {}

std::vector<std::string> WaitingRoom::KeysOf(const std::string& tenant,
                                             const std::string& citizen_index) const {
  const std::string line = absl::StrCat("{", tenant, "}:wr");
  const std::string citizen = absl::BytesToHexString(
      absl::string_view(secret_->Hmac("waiting-room-citizen", tenant, citizen_index))
          .substr(0, 16));
  return {line, absl::StrCat(line, ":admitted"), absl::StrCat(line, ":c:", citizen)};
}

std::string WaitingRoom::AdmissionFor(const std::string& tenant, const std::string& citizen_index,
                                      int64_t place) const {
  const std::string mac =
      secret_->Hmac("waiting-room-admission", tenant, absl::StrCat(citizen_index, "/", place));
  return absl::StrCat(place, ".", absl::WebSafeBase64Escape(mac.substr(0, 16)));
}

int64_t WaitingRoom::PlaceOf(const std::string& tenant, const std::string& citizen_index,
                             absl::string_view admission) const {
  const size_t dot = admission.find('.');
  int64_t place = 0;
  if (dot == absl::string_view::npos || !absl::SimpleAtoi(admission.substr(0, dot), &place) ||
      place < 1) {
    return 0;
  }
  return crypto::ConstantTimeEquals(admission, AdmissionFor(tenant, citizen_index, place)) ? place
                                                                                           : 0;
}

absl::StatusOr<QueuePlace> WaitingRoom::Enter(const std::string& tenant,
                                              const std::string& citizen_index) {
  absl::StatusOr<std::vector<redis::Reply>> reply =
      redis::AsArray(enter_.Run(*redis_, KeysOf(tenant, citizen_index),
                                {absl::StrCat(options_.admissions_per_second),
                                 absl::StrCat(absl::ToInt64Microseconds(options_.admission_ttl)),
                                 absl::StrCat(absl::ToInt64Milliseconds(options_.keep))}));
  if (!reply.ok()) return reply.status();
  if (reply->size() != 3) return status::Internal("the waiting room answered an unexpected reply");
  absl::StatusOr<int64_t> place = redis::AsInteger((*reply)[0]);
  absl::StatusOr<int64_t> frontier = redis::AsInteger((*reply)[1]);
  absl::StatusOr<int64_t> left_us = redis::AsInteger((*reply)[2]);
  if (!place.ok() || !frontier.ok() || !left_us.ok()) {
    return status::Internal("the waiting room answered an unexpected reply");
  }
  QueuePlace result;
  result.place = *place;
  result.admitted = *place <= *frontier;
  if (result.admitted) {
    result.admission = AdmissionFor(tenant, citizen_index, *place);
    result.admission_left = absl::Microseconds(*left_us);
    result.admission_expire_time = clock_->Now() + result.admission_left;
  } else {
    result.ahead = *place - *frontier - 1;
    result.estimated_wait =
        absl::Seconds(static_cast<double>(*place - *frontier) / options_.admissions_per_second);
  }
  return result;
}

absl::Status WaitingRoom::Check(const std::string& tenant, const std::string& citizen_index,
                                absl::string_view admission) {
  const int64_t place = PlaceOf(tenant, citizen_index, admission);
  if (place == 0) return AdmissionRequired();
  absl::StatusOr<int64_t> left = redis::AsInteger(
      check_.Run(*redis_, {KeysOf(tenant, citizen_index)[1]}, {absl::StrCat(place), "0"}));
  if (!left.ok()) return left.status();
  return *left > 0 ? absl::OkStatus() : AdmissionRequired();
}

absl::Status WaitingRoom::Consume(const std::string& tenant, const std::string& citizen_index,
                                  absl::string_view admission) {
  const int64_t place = PlaceOf(tenant, citizen_index, admission);
  if (place == 0) return absl::OkStatus();
  return redis::AsInteger(
             check_.Run(*redis_, {KeysOf(tenant, citizen_index)[1]}, {absl::StrCat(place), "1"}))
      .status();
}

}  // namespace sportelli::scheduling
