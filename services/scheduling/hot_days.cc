#include "services/scheduling/hot_days.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

std::string Millis(absl::Duration d) { return absl::StrCat(absl::ToInt64Milliseconds(d)); }

// The entry's number (field `s`) among its fields [name, value, ...].
std::optional<int64_t> SequenceOf(const redis::Reply& fields) {
  const std::vector<redis::Reply>& f = fields.elements();
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    if (int64_t s = 0; f[i].str() == "s" && absl::SimpleAtoi(f[i + 1].str(), &s)) return s;
  }
  return std::nullopt;
}

}  // namespace

HotDays::HotDays(redis::RedisClient* redis, prometheus::Registry& registry, logging::Logger* logger,
                 HotDaysOptions options)
    : redis_(redis), logger_(logger), options_(options) {
  kept_gauge_ = &prometheus::BuildGauge()
                     .Name("sportelli_scheduling_availability_hot_days")
                     .Help("Availability days (desk, service, local day) held in this process.")
                     .Register(registry)
                     .Add({});
  resets_ = &prometheus::BuildCounter()
                 .Name("sportelli_scheduling_availability_hot_days_resets_total")
                 .Help(
                     "Times the days held in this process were all dropped: the changes stream "
                     "could not be read or entries were missed, a change's generation was not "
                     "known, or the bound was reached.")
                 .Register(registry)
                 .Add({});
}

HotDays::~HotDays() { Stop(); }

void HotDays::Start() { worker_.Start(); }

void HotDays::Stop() {
  worker_.Stop();
  absl::MutexLock lock(&mu_);
  Reset(false);
}

void HotDays::Reset(bool following) {
  ++epoch_;
  following_ = following;
  days_.clear();
  configurations_.clear();
  if (kept_ > 0) resets_->Increment();
  kept_ = 0;
  kept_gauge_->Set(0);
}

HotDays::Ticket HotDays::Take() const {
  absl::MutexLock lock(&mu_);
  return following_ ? epoch_ : 0;
}

std::shared_ptr<const CachedDay> HotDays::Find(const DayKey& key, absl::Time now) {
  absl::MutexLock lock(&mu_);
  if (!following_) return nullptr;
  auto day = days_.find(DeskDay{key.tenant_id, key.desk_id, key.day});
  if (day == days_.end()) return nullptr;
  auto value = day->second.values.find(key.service_id);
  if (value == day->second.values.end()) return nullptr;
  if (now >= value->second.valid_until) {
    day->second.values.erase(value);
    --kept_;
    kept_gauge_->Set(static_cast<double>(kept_));
    return nullptr;
  }
  return value->second.day;
}

void HotDays::Keep(Ticket ticket, const DayKey& key, CachedValue value) {
  absl::MutexLock lock(&mu_);
  if (ticket == 0 || ticket != epoch_ || !following_) return;
  auto configuration = configurations_.find(key.tenant_id);
  if (configuration != configurations_.end() &&
      value.generation.configuration < configuration->second) {
    return;
  }
  DayState& state = days_[DeskDay{key.tenant_id, key.desk_id, key.day}];
  if (value.generation.day < state.generation) return;
  state.generation = value.generation.day;
  auto [it, inserted] = state.values.try_emplace(key.service_id);
  it->second = {std::make_shared<const CachedDay>(std::move(value.day)), value.generation,
                value.valid_until};
  if (inserted && ++kept_ > options_.max_days) {
    Reset(true);  // tickets taken before are void: nothing read under them is kept
    return;
  }
  kept_gauge_->Set(static_cast<double>(kept_));
}

void HotDays::DayChanged(const std::string& tenant_id, const std::string& desk_id,
                         absl::CivilDay day, int64_t generation) {
  absl::MutexLock lock(&mu_);
  if (days_.size() >= options_.max_generations) Reset(following_);
  DayState& state = days_[DeskDay{tenant_id, desk_id, day}];
  if (generation <= state.generation) return;
  state.generation = generation;
  DropStale(state, [generation](const Generation& g) { return g.day < generation; });
}

void HotDays::ConfigurationChanged(const std::string& tenant_id, int64_t generation) {
  absl::MutexLock lock(&mu_);
  int64_t& known = configurations_[tenant_id];
  if (generation <= known) return;
  known = generation;
  for (auto& [desk_day, state] : days_) {
    if (desk_day.tenant_id != tenant_id) continue;
    DropStale(state, [generation](const Generation& g) { return g.configuration < generation; });
  }
}

void HotDays::DropStale(DayState& state, const std::function<bool(const Generation&)>& stale) {
  for (auto it = state.values.begin(); it != state.values.end();) {
    if (stale(it->second.generation)) {
      state.values.erase(it++);
      --kept_;
    } else {
      ++it;
    }
  }
  kept_gauge_->Set(static_cast<double>(kept_));
}

void HotDays::Drop() {
  absl::MutexLock lock(&mu_);
  Reset(following_);
}

size_t HotDays::size() const {
  absl::MutexLock lock(&mu_);
  return kept_;
}

bool HotDays::following() const {
  absl::MutexLock lock(&mu_);
  return following_;
}

void HotDays::Apply(const redis::Reply& fields) {
  std::string tenant, desk;
  std::vector<std::pair<std::string, int64_t>> changes;
  const std::vector<redis::Reply>& f = fields.elements();
  for (size_t i = 0; i + 1 < f.size(); i += 2) {
    const std::string& name = f[i].str();
    const std::string& value = f[i + 1].str();
    if (name == "s") continue;
    if (name == "t") {
      tenant = value;
    } else if (name == "d") {
      desk = value;
    } else if (int64_t generation = 0; absl::SimpleAtoi(value, &generation)) {
      changes.emplace_back(name, generation);
    }
  }
  for (const auto& [name, generation] : changes) {
    absl::CivilDay day;
    if (desk.empty() && name == "*") {
      ConfigurationChanged(tenant, generation);
    } else if (!desk.empty() && absl::ParseCivilTime(name, &day)) {
      DayChanged(tenant, desk, day, generation);
    }
  }
}

absl::StatusOr<int> HotDays::Poll() {
  if (last_id_.empty()) {
    // Where the stream ends now: a day read from Redis after this point is kept only under a
    // ticket of the new epoch, and every change after it will be read.
    ASSIGN_OR_RETURN(std::vector<redis::Reply> last,
                     redis::AsArray(redis_->Command(
                         {"XREVRANGE", kAvailabilityChangesStream, "+", "-", "COUNT", "1"})));
    std::string id = "0-0";
    std::optional<int64_t> seq;
    if (!last.empty() && last[0].elements().size() == 2) {
      id = last[0].elements()[0].str();
      seq = SequenceOf(last[0].elements()[1]);
    }
    {
      absl::MutexLock lock(&mu_);
      Reset(true);
    }
    last_id_ = id;
    last_seq_ = seq;
    return 0;
  }
  absl::StatusOr<redis::Reply> reply =
      redis_->Command({"XREAD", "COUNT", absl::StrCat(options_.batch), "BLOCK",
                       Millis(options_.block), "STREAMS", kAvailabilityChangesStream, last_id_});
  if (reply.ok() && !reply->is_nil()) {
    if (absl::Status error = redis::ErrorReplyToStatus(*reply); !error.ok()) reply = error;
  }
  if (!reply.ok()) {
    // Changes may be missed from now on: serve nothing from memory until followed again.
    absl::MutexLock lock(&mu_);
    Reset(false);
    last_id_.clear();
    return reply.status();
  }
  if (reply->is_nil()) return 0;  // nothing new within `block`
  int applied = 0;
  for (const redis::Reply& per_stream : reply->elements()) {
    if (per_stream.elements().size() != 2) continue;
    for (const redis::Reply& entry : per_stream.elements()[1].elements()) {
      if (entry.elements().size() != 2) continue;
      const redis::Reply& fields = entry.elements()[1];
      const std::optional<int64_t> seq = SequenceOf(fields);
      if (!seq || (last_seq_ && *seq != *last_seq_ + 1)) {
        // Entries were trimmed before being read, or Redis lost them: start again.
        logger_->Warning("availability changes missed; dropping the days held in memory");
        absl::MutexLock lock(&mu_);
        Reset(false);
        last_id_.clear();
        return applied;
      }
      last_seq_ = seq;
      last_id_ = entry.elements()[0].str();
      Apply(fields);
      ++applied;
    }
  }
  return applied;
}

absl::Duration HotDays::Step() {
  absl::StatusOr<int> applied = Poll();
  if (!applied.ok()) {
    outage_.Failed(applied.status());
    return options_.error_wait;
  }
  outage_.Succeeded();
  return absl::ZeroDuration();  // Poll itself waits (XREAD BLOCK)
}

}  // namespace sportelli::scheduling
