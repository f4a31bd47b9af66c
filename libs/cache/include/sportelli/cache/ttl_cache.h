// An in-process map whose entries expire on the injected clock, bounded in size, with
// invalidation by key prefix (what a change event names: a comune, a desk). Thread-safe.
//
//   cache::TtlCache<DeskInfo> desks(&clock, {.ttl = absl::Seconds(30)});
//   if (std::optional<DeskInfo> hit = desks.Get("capannori/sede")) return *hit;
//   desks.Put("capannori/sede", fetched);
//   desks.ErasePrefix("capannori/");   // a desk of Capannori changed
#ifndef SPORTELLI_CACHE_TTL_CACHE_H_
#define SPORTELLI_CACHE_TTL_CACHE_H_

#include <optional>
#include <string>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sportelli/clock/clock.h"

namespace sportelli::cache {

struct TtlCacheOptions {
  absl::Duration ttl = absl::Seconds(30);
  // Entries kept at most; beyond it the cache is emptied (a crude bound that a federation's
  // few hundred desks never reach, but that keeps a bug or an attack from growing memory).
  size_t max_entries = 100000;
};

template <typename V>
class TtlCache final {
 public:
  // `clock` must outlive the cache.
  TtlCache(const clock::Clock* clock, TtlCacheOptions options) : clock_(clock), options_(options) {}

  // The value of `key` unless absent or expired.
  std::optional<V> Get(const std::string& key) const {
    const absl::Time now = clock_->Now();
    absl::ReaderMutexLock lock(&mu_);
    auto it = entries_.find(key);
    if (it == entries_.end() || it->second.expires <= now) return std::nullopt;
    return it->second.value;
  }

  void Put(const std::string& key, V value) {
    const absl::Time expires = clock_->Now() + options_.ttl;
    absl::MutexLock lock(&mu_);
    if (entries_.size() >= options_.max_entries) entries_.clear();
    entries_[key] = Entry{std::move(value), expires};
  }

  // Drops every entry whose key starts with `prefix` ("" drops everything).
  void ErasePrefix(absl::string_view prefix) {
    absl::MutexLock lock(&mu_);
    absl::erase_if(entries_,
                   [prefix](const auto& entry) { return absl::StartsWith(entry.first, prefix); });
  }

  size_t size() const {
    absl::ReaderMutexLock lock(&mu_);
    return entries_.size();
  }

 private:
  struct Entry {
    V value;
    absl::Time expires;
  };

  const clock::Clock* const clock_;
  const TtlCacheOptions options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry> entries_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::cache

#endif  // SPORTELLI_CACHE_TTL_CACHE_H_
