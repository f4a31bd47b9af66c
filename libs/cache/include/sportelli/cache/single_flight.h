// One computation per key at a time in this process: callers that miss the same cached value at
// once wait for a single fetch instead of each sending their own (a cold cache at a click day's
// start would otherwise send a burst of identical queries to PostgreSQL or the tenants service).
//
//   cache::SingleFlight<DeskInfo> flights;
//   absl::StatusOr<DeskInfo> desk = flights.Do(key, [&] { return FetchFromTenants(key); });
//
// For several keys fetched together (the days of a week, built from one database read), Join
// tells for each key whether this caller leads its flight (and must Complete it) or waits for
// another's:
//
//   std::vector<Ticket> tickets = flights.Join(keys);
//   ...build the keys this caller leads, in one go...
//   for (...) flights.Complete(keys[i], tickets[i], built[i]);   // or nullopt on failure
//   for (...) if (!tickets[i].leader) value = Wait(tickets[i]);   // nullopt: build it yourself
//
// A failed flight gives its waiters nothing (nullopt): each then fetches for itself, so one
// caller's failure (its deadline, its rights) never becomes another's answer.
#ifndef SPORTELLI_CACHE_SINGLE_FLIGHT_H_
#define SPORTELLI_CACHE_SINGLE_FLIGHT_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"

namespace sportelli::cache {

template <typename V>
class SingleFlight final {
 public:
  struct Flight {
    absl::Notification done;
    std::optional<V> value;
  };
  struct Ticket {
    std::shared_ptr<Flight> flight;
    bool leader = false;
  };

  // One ticket per key, in order.
  std::vector<Ticket> Join(const std::vector<std::string>& keys) {
    std::vector<Ticket> tickets;
    tickets.reserve(keys.size());
    absl::MutexLock lock(&mu_);
    for (const std::string& key : keys) {
      auto [it, inserted] = flights_.try_emplace(key, nullptr);
      if (inserted) it->second = std::make_shared<Flight>();
      tickets.push_back({it->second, inserted});
    }
    return tickets;
  }

  // Ends a flight this caller leads, handing `value` (nullopt: failed) to its waiters.
  void Complete(const std::string& key, const Ticket& ticket, std::optional<V> value) {
    absl::MutexLock lock(&mu_);
    ticket.flight->value = std::move(value);
    ticket.flight->done.Notify();
    auto it = flights_.find(key);
    if (it != flights_.end() && it->second == ticket.flight) flights_.erase(it);
  }

  // The leader's value once it completes; nullopt when its fetch failed.
  static std::optional<V> Wait(const Ticket& ticket) {
    ticket.flight->done.WaitForNotification();
    return ticket.flight->value;
  }

  // `fetch()` for `key`, or the result of the same fetch already in flight.
  absl::StatusOr<V> Do(const std::string& key, absl::FunctionRef<absl::StatusOr<V>()> fetch) {
    Ticket ticket = std::move(Join({key})[0]);
    if (!ticket.leader) {
      if (std::optional<V> value = Wait(ticket)) return *std::move(value);
      return fetch();  // the leader failed: this caller's own attempt
    }
    absl::StatusOr<V> value = fetch();
    Complete(key, ticket, value.ok() ? std::optional<V>(*value) : std::nullopt);
    return value;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::cache

#endif  // SPORTELLI_CACHE_SINGLE_FLIGHT_H_
