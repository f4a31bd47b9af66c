#include "services/scheduling/availability.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "services/scheduling/domain/occupancy.h"
#include "services/scheduling/domain/slots.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

std::string FlightKey(const AvailabilityQuery& query, absl::CivilDay day) {
  return AvailabilityCacheKey(query.tenant_id, query.desk_id, query.service_id, day,
                              kAvailabilityCacheVersion);
}

}  // namespace

Availability::Availability(SchedulingRepository* repository, AvailabilityCache* cache,
                           const clock::Clock* clock, prometheus::Registry& registry,
                           logging::Logger* logger, AvailabilityOptions options, HotDays* hot)
    : repository_(repository),
      cache_(cache),
      hot_(cache != nullptr ? hot : nullptr),
      clock_(clock),
      logger_(logger),
      options_(options) {
  auto& days = prometheus::BuildCounter()
                   .Name("sportelli_scheduling_availability_days_total")
                   .Help(
                       "Local days of availability answered, by where they came from: memory "
                       "(held in this process), cache (Redis hit), database (miss, rebuilt and "
                       "cached), fallback (Redis unavailable, read from PostgreSQL).")
                   .Register(registry);
  from_memory_ = &days.Add({{"source", "memory"}});
  from_cache_ = &days.Add({{"source", "cache"}});
  from_database_ = &days.Add({{"source", "database"}});
  fallback_ = &days.Add({{"source", "fallback"}});
  cache_errors_ = &prometheus::BuildCounter()
                       .Name("sportelli_scheduling_availability_cache_errors_total")
                       .Help("Availability cache calls that failed (Redis down, slow or erring).")
                       .Register(registry)
                       .Add({});
}

bool Availability::CacheUp() const {
  absl::MutexLock lock(&state_mu_);
  return cache_ != nullptr && !down_;
}

void Availability::CacheFailed(const absl::Status& status, absl::Time now) {
  cache_errors_->Increment();
  absl::MutexLock lock(&state_mu_);
  down_until_ = std::max(down_until_, now + options_.retry_after);
  if (!down_) {
    down_ = true;
    logger_->Warning("availability cache unavailable, serving availability from PostgreSQL",
                     {{"code", absl::StatusCodeToString(status.code())},
                      {"reason", status::ReasonOf(status).value_or("")}});
  }
}

bool Availability::UseCache(absl::Time now) {
  if (cache_ == nullptr) return false;
  std::vector<PendingKey> pending;
  {
    absl::MutexLock lock(&state_mu_);
    if (!down_) return true;
    if (now < down_until_) return false;
    // This thread probes; the others keep using PostgreSQL meanwhile.
    down_until_ = now + options_.retry_after;
    pending.assign(pending_.begin(), pending_.end());
  }
  absl::Status status = cache_->Ping();
  // Replay the invalidations that failed during the outage before trusting any value again.
  for (const PendingKey& key : pending) {
    if (!status.ok()) break;
    status = key.desk_id.empty()
                 ? cache_->InvalidateTenant(key.tenant_id).status()
                 : cache_->Invalidate(key.tenant_id, key.desk_id, {key.day}).status();
  }
  if (!status.ok()) {
    CacheFailed(status, now);
    return false;
  }
  absl::MutexLock lock(&state_mu_);
  for (const PendingKey& key : pending) pending_.erase(key);
  if (!pending_.empty()) return false;  // more failed meanwhile: replay them next time
  down_ = false;
  logger_->Info("availability cache is back", {{"replayed_invalidations", pending.size()}});
  return true;
}

void Availability::AfterWrite(const std::string& tenant_id, const std::string& desk_id,
                              absl::Time start, absl::Time end, const absl::TimeZone& zone) {
  if (cache_ == nullptr) return;
  const absl::Time now = clock_->Now();
  std::vector<absl::CivilDay> days;
  for (absl::CivilDay day = LocalDayOf(start, zone);
       day <= LocalDayOf(std::max(start, end - absl::Microseconds(1)), zone); ++day) {
    days.push_back(day);
  }
  if (UseCache(now)) {
    const absl::StatusOr<std::vector<int64_t>> generations =
        cache_->Invalidate(tenant_id, desk_id, days);
    Changed(tenant_id, desk_id, days, generations);
    if (generations.ok()) return;
    CacheFailed(generations.status(), now);
  } else {
    Changed(tenant_id, desk_id, days, status::Unavailable("availability cache down"));
  }
  absl::MutexLock lock(&state_mu_);
  if (pending_.size() + days.size() > options_.max_pending_invalidations) {
    // Too many to remember: wait until every value written before now has expired.
    pending_.clear();
    down_until_ = std::max(down_until_, now + options_.ttl);
    logger_->Warning("too many availability invalidations pending; cache off until values expire");
    return;
  }
  for (absl::CivilDay day : days) pending_.insert({tenant_id, desk_id, day});
}

void Availability::ConfigurationChanged(const std::string& tenant_id) {
  if (cache_ == nullptr) return;
  const absl::Time now = clock_->Now();
  if (UseCache(now)) {
    const absl::StatusOr<int64_t> generation = cache_->InvalidateTenant(tenant_id);
    if (generation.ok()) {
      if (hot_ != nullptr) hot_->ConfigurationChanged(tenant_id, *generation);
      return;
    }
    CacheFailed(generation.status(), now);
  }
  if (hot_ != nullptr) hot_->Drop();
  absl::MutexLock lock(&state_mu_);
  pending_.insert({tenant_id, "", absl::CivilDay()});  // the whole comune
}

void Availability::Changed(const std::string& tenant_id, const std::string& desk_id,
                           const std::vector<absl::CivilDay>& days,
                           const absl::StatusOr<std::vector<int64_t>>& generations) {
  if (hot_ == nullptr) return;
  if (!generations.ok()) {
    // This write's days may be held here and no generation says they are stale.
    hot_->Drop();
    return;
  }
  for (size_t i = 0; i < days.size() && i < generations->size(); ++i) {
    hot_->DayChanged(tenant_id, desk_id, days[i], (*generations)[i]);
  }
}

absl::StatusOr<std::vector<CachedDay>> Availability::Build(
    const AvailabilityQuery& query, const std::vector<absl::CivilDay>& days,
    const OpenHoursLoader& open_hours, absl::Time now, std::optional<absl::Time>& first_expiry) {
  ASSIGN_OR_RETURN(std::vector<TimeInterval> open, open_hours());
  std::vector<std::vector<Slot>> grids;
  grids.reserve(days.size());
  std::optional<absl::Time> from, to;
  for (absl::CivilDay day : days) {
    grids.push_back(GridSlots(open, query.policy.duration, absl::FromCivil(day, query.zone),
                              absl::FromCivil(day + 1, query.zone)));
    if (!grids.back().empty()) {
      if (!from || grids.back().front().start < *from) from = grids.back().front().start;
      if (!to || grids.back().back().end > *to) to = grids.back().back().end;
    }
  }
  DeskOccupancy occupancy;
  if (from) {
    ASSIGN_OR_RETURN(occupancy,
                     repository_->GetOccupancy(query.tenant_id, query.desk_id, *from, *to, now));
  }
  if (occupancy.first_hold_expiry &&
      (!first_expiry || *occupancy.first_hold_expiry < *first_expiry)) {
    first_expiry = occupancy.first_hold_expiry;
  }
  std::vector<CachedDay> built(days.size());
  for (size_t i = 0; i < days.size(); ++i) {
    for (const Slot& slot : grids[i]) {
      built[i].slots.push_back(
          {slot.start, slot.end, UsageOver(occupancy.taken, slot.start, slot.end)});
    }
  }
  return built;
}

absl::StatusOr<std::vector<CachedDay>> Availability::Days(const AvailabilityQuery& query,
                                                          const OpenHoursLoader& open_hours,
                                                          absl::Time now) {
  std::vector<absl::CivilDay> days;
  for (absl::CivilDay day = query.first_day; day <= query.last_day; ++day) days.push_back(day);
  if (hot_ == nullptr) return Shared(query, days, open_hours, now, 0);
  // Taken before anything is read from Redis: a change seen after it voids what is read.
  const HotDays::Ticket ticket = hot_->Take();
  std::vector<CachedDay> result(days.size());
  std::vector<size_t> missing;
  std::vector<absl::CivilDay> missing_days;
  for (size_t i = 0; i < days.size(); ++i) {
    std::shared_ptr<const CachedDay> held =
        ticket == 0 ? nullptr
                    : hot_->Find({query.tenant_id, query.desk_id, query.service_id, days[i]}, now);
    if (held) {
      result[i] = *held;
    } else {
      missing.push_back(i);
      missing_days.push_back(days[i]);
    }
  }
  from_memory_->Increment(static_cast<double>(days.size() - missing.size()));
  if (missing.empty()) return result;
  ASSIGN_OR_RETURN(std::vector<CachedDay> shared,
                   Shared(query, missing_days, open_hours, now, ticket));
  for (size_t k = 0; k < missing.size(); ++k) result[missing[k]] = std::move(shared[k]);
  return result;
}

absl::StatusOr<std::vector<CachedDay>> Availability::Shared(const AvailabilityQuery& query,
                                                            const std::vector<absl::CivilDay>& days,
                                                            const OpenHoursLoader& open_hours,
                                                            absl::Time now,
                                                            HotDays::Ticket ticket) {
  std::optional<absl::Time> first_expiry;
  std::vector<CacheRead> reads;
  if (UseCache(now)) {
    std::vector<DayKey> keys;
    keys.reserve(days.size());
    for (absl::CivilDay day : days) {
      keys.push_back({query.tenant_id, query.desk_id, query.service_id, day});
    }
    absl::StatusOr<std::vector<CacheRead>> got = cache_->Get(keys, now);
    if (got.ok()) {
      reads = *std::move(got);
    } else {
      CacheFailed(got.status(), now);
    }
  }
  if (reads.empty()) {  // no cache: everything from PostgreSQL
    fallback_->Increment(static_cast<double>(days.size()));
    return Build(query, days, open_hours, now, first_expiry);
  }

  std::vector<CachedDay> result(days.size());
  std::vector<size_t> hits;     // indexes read from Redis
  std::vector<size_t> claimed;  // indexes this call rebuilds
  std::vector<std::pair<size_t, std::shared_ptr<Flight>>> waiting, mine;
  {
    absl::MutexLock lock(&flights_mu_);
    for (size_t i = 0; i < days.size(); ++i) {
      if (reads[i].day) {
        result[i] = *std::move(reads[i].day);
        hits.push_back(i);
        continue;
      }
      const std::string key = FlightKey(query, days[i]);
      auto [it, inserted] = flights_.try_emplace(key, nullptr);
      if (inserted) {
        it->second = std::make_shared<Flight>();
        claimed.push_back(i);
        mine.emplace_back(i, it->second);
      } else {
        waiting.emplace_back(i, it->second);
      }
    }
  }
  from_cache_->Increment(static_cast<double>(hits.size()));
  if (hot_ != nullptr) {
    for (size_t i : hits) {
      hot_->Keep(ticket, {query.tenant_id, query.desk_id, query.service_id, days[i]},
                 {result[i], reads[i].generation, reads[i].valid_until});
    }
  }

  absl::Status build_status;
  if (!claimed.empty()) {
    std::vector<absl::CivilDay> claimed_days;
    for (size_t i : claimed) claimed_days.push_back(days[i]);
    absl::StatusOr<std::vector<CachedDay>> built =
        Build(query, claimed_days, open_hours, now, first_expiry);
    if (built.ok()) {
      from_database_->Increment(static_cast<double>(claimed.size()));
      std::vector<std::pair<DayKey, CachedDay>> values;
      std::vector<Generation> generations;
      for (size_t k = 0; k < claimed.size(); ++k) {
        const size_t i = claimed[k];
        result[i] = (*built)[k];
        values.push_back({{query.tenant_id, query.desk_id, query.service_id, days[i]}, result[i]});
        generations.push_back(reads[i].generation);
      }
      absl::Duration ttl = options_.ttl;
      if (first_expiry) ttl = std::min(ttl, *first_expiry - now);
      if (ttl > absl::ZeroDuration()) {
        if (absl::Status put = cache_->Put(values, generations, now, ttl); !put.ok()) {
          CacheFailed(put, now);
        } else if (hot_ != nullptr) {
          for (size_t k = 0; k < values.size(); ++k) {
            hot_->Keep(ticket, values[k].first, {values[k].second, generations[k], now + ttl});
          }
        }
      }
    } else {
      build_status = built.status();
    }
    // Waiters in other threads get the days (or, on failure, build them themselves).
    absl::MutexLock lock(&flights_mu_);
    for (auto& [i, flight] : mine) {
      if (build_status.ok()) flight->day = result[i];
      flight->done.Notify();
      flights_.erase(FlightKey(query, days[i]));
    }
  }
  RETURN_IF_ERROR(build_status);

  for (auto& [i, flight] : waiting) {
    flight->done.WaitForNotification();
    if (flight->day) {
      result[i] = *flight->day;
      from_cache_->Increment();
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<CachedDay> own,
                     Build(query, {days[i]}, open_hours, now, first_expiry));
    from_database_->Increment();
    result[i] = std::move(own[0]);
  }
  return result;
}

bool Availability::KnownFull(const AvailabilityQuery& query, const OpenHoursLoader& open_hours,
                             absl::Time start, absl::Time now) {
  if (!UseCache(now)) return false;
  AvailabilityQuery day = query;
  day.first_day = day.last_day = LocalDayOf(start, query.zone);
  absl::StatusOr<std::vector<CachedDay>> days = Days(day, open_hours, now);
  if (!days.ok() || days->empty()) return false;
  for (const CachedSlot& slot : (*days)[0].slots) {
    if (slot.start == start) {
      return RemainingOver(query.policy, slot.usage, query.channel, slot.start, now) == 0;
    }
  }
  return false;
}

absl::StatusOr<std::vector<AvailableSlot>> Availability::List(const AvailabilityQuery& query,
                                                              const OpenHoursLoader& open_hours,
                                                              absl::Time now) {
  std::vector<AvailableSlot> slots;
  // Days wholly before the notice or after the window have nothing to offer: not even read.
  AvailabilityQuery bounded = query;
  bounded.first_day =
      std::max(query.first_day, LocalDayOf(now + query.policy.minimum_notice, query.zone));
  bounded.last_day =
      std::min(query.last_day, LocalDayOf(now + query.policy.booking_window, query.zone));
  if (bounded.first_day > bounded.last_day) return slots;
  ASSIGN_OR_RETURN(std::vector<CachedDay> days, Days(bounded, open_hours, now));
  const absl::Time earliest = now + query.policy.minimum_notice;
  const absl::Time limit = now + query.policy.booking_window;
  for (const CachedDay& day : days) {
    for (const CachedSlot& slot : day.slots) {
      if (slot.start < earliest || slot.start >= limit) continue;
      const int remaining = RemainingOver(query.policy, slot.usage, query.channel, slot.start, now);
      if (remaining == 0 && !query.include_full) continue;
      slots.push_back({slot.start, slot.end, remaining});
    }
  }
  return slots;
}

}  // namespace sportelli::scheduling
