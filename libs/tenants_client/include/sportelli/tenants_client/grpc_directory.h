// Directory over the tenants service's gRPC API, with a deadline on every call (the caller's,
// when sooner) and an in-process cache of the answers (desk configuration changes a few times a
// year; availability is asked thousands of times a minute). Callers missing the same entry at
// once wait for one fetch.
//
// Freshness. The tenants service publishes every configuration change to the directory stream;
// a service tails it (events::StreamTail) and calls Forget(tenant), so a change reaches this
// cache within the stream's latency (well under a second). The TTL stays as a safety net, for
// a change whose event was missed while Redis was unreachable (then ForgetAll).
//
//   tenants_client::GrpcDirectory directory(channel, {.deadline = absl::Seconds(1)}, &clock);
//   events::StreamTail tail(redis, std::string(events::kDirectoryStream),
//                           [&](const events::v1::Event& e) { directory.Forget(e.tenant()); },
//                           [&] { directory.ForgetAll(); }, &log);
#ifndef SPORTELLI_TENANTS_CLIENT_GRPC_DIRECTORY_H_
#define SPORTELLI_TENANTS_CLIENT_GRPC_DIRECTORY_H_

#include <map>
#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "sportelli/cache/single_flight.h"
#include "sportelli/cache/ttl_cache.h"
#include "sportelli/clock/clock.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::tenants_client {

struct DirectoryOptions {
  absl::Duration deadline = absl::Seconds(1);
  absl::Duration ttl = absl::Seconds(30);
  size_t max_entries = 100000;
};

class GrpcDirectory final : public Directory {
 public:
  // `clock` times the cached answers and must outlive the directory.
  GrpcDirectory(std::shared_ptr<grpc::Channel> channel, DirectoryOptions options,
                const clock::Clock* clock);

  absl::StatusOr<DeskInfo> GetDesk(const auth::OnBehalfOf& caller, const std::string& tenant_id,
                                   const std::string& desk_id) override;
  absl::StatusOr<ServiceInfo> GetService(const auth::OnBehalfOf& caller,
                                         const std::string& tenant_id,
                                         const std::string& service_id) override;
  absl::StatusOr<OpenHours> GetOpenHours(const auth::OnBehalfOf& caller,
                                         const std::string& tenant_id, const std::string& desk_id,
                                         absl::CivilDay first, absl::CivilDay last) override;
  absl::StatusOr<absl::TimeZone> GetTimeZone(const auth::OnBehalfOf& caller,
                                             const std::string& tenant_id) override;
  // The comune's whole staff is read in one listing and cached as one entry.
  absl::StatusOr<std::vector<std::string>> GetOperatorDesks(const auth::OnBehalfOf& caller,
                                                            const std::string& tenant_id,
                                                            const std::string& subject) override;

  // Drops everything cached about one comune (a change event named it), or about every comune
  // (events may have been missed).
  void Forget(const std::string& tenant_id);
  void ForgetAll();

 private:
  // One day's open intervals (every interval overlapping the day) and the zone.
  struct Day {
    std::vector<clock::TimeInterval> intervals;
    absl::TimeZone zone;
  };

  // Token subject -> desk ids, for one comune.
  using Staff = std::map<std::string, std::vector<std::string>>;

  std::unique_ptr<tenants::v1::TenantsService::Stub> stub_;
  const DirectoryOptions options_;
  cache::TtlCache<DeskInfo> desks_;
  cache::TtlCache<ServiceInfo> services_;
  cache::TtlCache<Day> days_;
  cache::TtlCache<absl::TimeZone> zones_;
  cache::TtlCache<Staff> staff_;
  cache::SingleFlight<DeskInfo> desk_flights_;
  cache::SingleFlight<ServiceInfo> service_flights_;
  cache::SingleFlight<bool> hours_flights_;
  cache::SingleFlight<absl::TimeZone> zone_flights_;
  cache::SingleFlight<Staff> staff_flights_;
};

}  // namespace sportelli::tenants_client

#endif  // SPORTELLI_TENANTS_CLIENT_GRPC_DIRECTORY_H_
