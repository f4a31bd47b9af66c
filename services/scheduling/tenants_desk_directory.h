// DeskDirectory over the tenants service's gRPC API, with a deadline on every call and an
// in-process cache of the answers for a short time (desk configuration changes a few times a
// year; availability is asked thousands of times a minute).
//
// What a stale cache can do: for up to `ttl` after an administrator changes a desk's hours,
// capacity or services, this replica still uses the old values. Bookings stay within the old
// capacity (the database never allows more than the capacity the booking was checked against)
// and a booking on hours just closed is still accepted for that long. The TTL is the bound.
#ifndef SPORTELLI_SERVICES_SCHEDULING_TENANTS_DESK_DIRECTORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_TENANTS_DESK_DIRECTORY_H_

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/channel.h"
#include "services/scheduling/desk_directory.h"
#include "sportelli/clock/clock.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"

namespace sportelli::scheduling {

struct TenantsDirectoryOptions {
  absl::Duration deadline = absl::Seconds(1);
  absl::Duration ttl = absl::Seconds(30);
  // Entries kept at most; beyond it the cache is emptied (a crude bound that is never reached by
  // a federation's few hundred desks, but keeps a bug or an attack from growing memory).
  size_t max_entries = 100000;
};

class TenantsDeskDirectory final : public DeskDirectory {
 public:
  // `clock` (which must outlive the directory) times the cached answers.
  TenantsDeskDirectory(std::shared_ptr<grpc::Channel> channel, TenantsDirectoryOptions options,
                       const clock::Clock* clock);

  absl::StatusOr<DeskInfo> GetDesk(const std::string& credentials, const std::string& tenant_id,
                                   const std::string& desk_id) override;
  absl::StatusOr<ServiceInfo> GetService(const std::string& credentials,
                                         const std::string& tenant_id,
                                         const std::string& service_id) override;
  absl::StatusOr<OpenHours> GetOpenHours(const std::string& credentials,
                                         const std::string& tenant_id, const std::string& desk_id,
                                         absl::CivilDay first, absl::CivilDay last) override;
  absl::StatusOr<absl::TimeZone> GetTimeZone(const std::string& credentials,
                                             const std::string& tenant_id) override;

 private:
  template <typename T>
  struct Entry {
    T value;
    absl::Time expires;
  };
  // One day's open intervals (every interval overlapping the day) and the zone.
  struct Day {
    std::vector<TimeInterval> intervals;
    absl::TimeZone zone;
  };

  void PrepareContext(grpc::ClientContext& context, const std::string& credentials) const;
  template <typename T>
  bool Lookup(const absl::flat_hash_map<std::string, Entry<T>>& map, const std::string& key,
              T& value) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  // The cached value of `key`, or `fetch()`'s, stored. Callers missing the same key wait for
  // one fetch (a cold cache or an expired entry must not send a burst of identical calls to
  // tenants at a click day's start).
  template <typename T, typename Fetch>
  absl::StatusOr<T> Cached(absl::flat_hash_map<std::string, Entry<T>>& map, const std::string& key,
                           Fetch fetch);
  absl::Mutex& FetchMutex(const std::string& key);
  template <typename T>
  void Store(absl::flat_hash_map<std::string, Entry<T>>& map, const std::string& key, T value)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  std::unique_ptr<tenants::v1::TenantsService::Stub> stub_;
  const TenantsDirectoryOptions options_;
  const clock::Clock* const clock_;
  static constexpr size_t kFetchStripes = 64;
  absl::Mutex fetch_mu_[kFetchStripes];
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Entry<DeskInfo>> desks_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Entry<ServiceInfo>> services_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Entry<Day>> days_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, Entry<absl::TimeZone>> zones_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_TENANTS_DESK_DIRECTORY_H_
