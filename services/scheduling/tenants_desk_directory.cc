#include "services/scheduling/tenants_desk_directory.h"

#include <chrono>

#include "absl/hash/hash.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "services/scheduling/proto_mapping.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/server/deadline.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

namespace tv1 = ::sportelli::tenants::v1;

// A tenants service that is down or slow is this service's dependency failing, not the
// caller's mistake: UNAVAILABLE with a reason of its own. Its other answers (NOT_FOUND,
// PERMISSION_DENIED, INVALID_ARGUMENT) are about the request and pass through.
absl::Status FromTenants(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::CANCELLED:
      return status::Error(absl::StatusCode::kUnavailable,
                           "the tenants service did not answer in time", "TENANTS_UNAVAILABLE");
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::DATA_LOSS:
      return status::Internal("the tenants service failed");
    default:
      return status::FromGrpcStatus(status);
  }
}

std::string Key(absl::string_view a, absl::string_view b) { return absl::StrCat(a, "/", b); }

// Zones are loaded once, when tenants' answer arrives, and cached as loaded: a lookup on the
// booking path then costs no trip through the zone registry's lock.
absl::StatusOr<absl::TimeZone> ZoneNamed(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return status::Internal("the comune's time zone is not known to this server");
  }
  return zone;
}

}  // namespace

TenantsDeskDirectory::TenantsDeskDirectory(std::shared_ptr<grpc::Channel> channel,
                                           TenantsDirectoryOptions options,
                                           const clock::Clock* clock)
    : stub_(tv1::TenantsService::NewStub(std::move(channel))), options_(options), clock_(clock) {}

void TenantsDeskDirectory::PrepareContext(grpc::ClientContext& context,
                                          const std::string& credentials) const {
  context.set_deadline(server::DeadlineAfter(options_.deadline));
  if (!credentials.empty()) context.AddMetadata("authorization", credentials);
}

template <typename T>
bool TenantsDeskDirectory::Lookup(const absl::flat_hash_map<std::string, Entry<T>>& map,
                                  const std::string& key, T& value) const {
  auto it = map.find(key);
  if (it == map.end() || it->second.expires <= clock_->Now()) return false;
  value = it->second.value;
  return true;
}

template <typename T>
void TenantsDeskDirectory::Store(absl::flat_hash_map<std::string, Entry<T>>& map,
                                 const std::string& key, T value) {
  if (map.size() >= options_.max_entries) map.clear();
  map[key] = Entry<T>{std::move(value), clock_->Now() + options_.ttl};
}

absl::Mutex& TenantsDeskDirectory::FetchMutex(const std::string& key) {
  return fetch_mu_[absl::HashOf(key) % kFetchStripes];
}

template <typename T, typename Fetch>
absl::StatusOr<T> TenantsDeskDirectory::Cached(absl::flat_hash_map<std::string, Entry<T>>& map,
                                               const std::string& key, Fetch fetch) {
  T value;
  {
    absl::ReaderMutexLock lock(&mu_);
    if (Lookup(map, key, value)) return value;
  }
  absl::MutexLock fetching(&FetchMutex(key));
  {
    absl::ReaderMutexLock lock(&mu_);
    if (Lookup(map, key, value)) return value;  // fetched while this caller waited
  }
  ASSIGN_OR_RETURN(value, fetch());
  absl::MutexLock lock(&mu_);
  Store(map, key, value);
  return value;
}

absl::StatusOr<DeskInfo> TenantsDeskDirectory::GetDesk(const std::string& credentials,
                                                       const std::string& tenant_id,
                                                       const std::string& desk_id) {
  return Cached(desks_, Key(tenant_id, desk_id), [&]() -> absl::StatusOr<DeskInfo> {
    grpc::ClientContext context;
    PrepareContext(context, credentials);
    tv1::GetDeskRequest request;
    request.set_name(absl::StrCat("tenants/", tenant_id, "/desks/", desk_id));
    tv1::Desk desk;
    const grpc::Status status = stub_->GetDesk(&context, request, &desk);
    if (!status.ok()) return FromTenants(status);
    DeskInfo info;
    info.capacity = desk.capacity();
    info.takes_appointments = desk.booking_mode() == tv1::BOOKING_MODE_APPOINTMENT_ONLY ||
                              desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT;
    info.takes_walk_ins = desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN ||
                          desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT;
    for (const std::string& name : desk.services()) {
      absl::StatusOr<std::vector<std::string>> ids =
          api::ParseResourceName(name, "tenants/{tenant}/services/{service}", "services");
      if (ids.ok()) info.service_ids.push_back((*ids)[1]);
    }
    return info;
  });
}

absl::StatusOr<ServiceInfo> TenantsDeskDirectory::GetService(const std::string& credentials,
                                                             const std::string& tenant_id,
                                                             const std::string& service_id) {
  return Cached(services_, Key(tenant_id, service_id), [&]() -> absl::StatusOr<ServiceInfo> {
    grpc::ClientContext context;
    PrepareContext(context, credentials);
    tv1::GetServiceRequest request;
    request.set_name(absl::StrCat("tenants/", tenant_id, "/services/", service_id));
    tv1::Service service;
    const grpc::Status status = stub_->GetService(&context, request, &service);
    if (!status.ok()) return FromTenants(status);
    return ServiceInfo{absl::Minutes(service.duration_minutes())};
  });
}

absl::StatusOr<absl::TimeZone> TenantsDeskDirectory::GetTimeZone(const std::string& credentials,
                                                                 const std::string& tenant_id) {
  return Cached(zones_, tenant_id, [&]() -> absl::StatusOr<absl::TimeZone> {
    grpc::ClientContext context;
    PrepareContext(context, credentials);
    tv1::GetTenantRequest request;
    request.set_name(absl::StrCat("tenants/", tenant_id));
    tv1::Tenant tenant;
    const grpc::Status status = stub_->GetTenant(&context, request, &tenant);
    if (!status.ok()) return FromTenants(status);
    return ZoneNamed(tenant.time_zone());
  });
}

absl::StatusOr<OpenHours> TenantsDeskDirectory::GetOpenHours(const std::string& credentials,
                                                             const std::string& tenant_id,
                                                             const std::string& desk_id,
                                                             absl::CivilDay first,
                                                             absl::CivilDay last) {
  if (last < first) return OpenHours{{}, absl::UTCTimeZone()};
  // Days are cached one by one, so overlapping requests (a week, then one of its days) share
  // entries; the missing days are asked for in one call spanning them.
  std::vector<Day> days(static_cast<size_t>(last - first + 1));
  std::optional<absl::CivilDay> missing_first, missing_last;
  auto collect = [&] {
    missing_first.reset();
    missing_last.reset();
    absl::ReaderMutexLock lock(&mu_);
    for (absl::CivilDay day = first; day <= last; ++day) {
      if (!Lookup(days_, Key(Key(tenant_id, desk_id), absl::FormatCivilTime(day)),
                  days[static_cast<size_t>(day - first)])) {
        if (!missing_first) missing_first = day;
        missing_last = day;
      }
    }
  };
  collect();
  // One fetch at a time per desk (see Cached); who waited looks again before asking.
  std::optional<absl::MutexLock> fetching;
  if (missing_first) {
    fetching.emplace(&FetchMutex(Key(tenant_id, desk_id)));
    collect();
  }
  if (missing_first) {
    grpc::ClientContext context;
    PrepareContext(context, credentials);
    tv1::ComputeOpenIntervalsRequest request;
    request.set_desk(absl::StrCat("tenants/", tenant_id, "/desks/", desk_id));
    *request.mutable_start_date() = ToDate(*missing_first);
    *request.mutable_end_date() = ToDate(*missing_last);
    tv1::ComputeOpenIntervalsResponse response;
    const grpc::Status status = stub_->ComputeOpenIntervals(&context, request, &response);
    if (!status.ok()) return FromTenants(status);
    ASSIGN_OR_RETURN(const absl::TimeZone zone, ZoneNamed(response.time_zone()));
    absl::MutexLock lock(&mu_);
    for (absl::CivilDay day = *missing_first; day <= *missing_last; ++day) {
      const absl::Time day_start = absl::FromCivil(day, zone);
      const absl::Time day_end = absl::FromCivil(day + 1, zone);
      Day entry{{}, zone};
      for (const auto& interval : response.intervals()) {
        TimeInterval t{TimeFromProto(interval.start_time()), TimeFromProto(interval.end_time())};
        if (t.start < day_end && t.end > day_start) entry.intervals.push_back(t);
      }
      days[static_cast<size_t>(day - first)] = entry;
      Store(days_, Key(Key(tenant_id, desk_id), absl::FormatCivilTime(day)), std::move(entry));
    }
  }
  OpenHours hours{{}, days.front().zone};
  for (const Day& day : days) {
    for (const TimeInterval& interval : day.intervals) {
      // An interval across midnight is stored under both days: keep one copy.
      if (hours.intervals.empty() || !(hours.intervals.back() == interval)) {
        hours.intervals.push_back(interval);
      }
    }
  }
  return hours;
}

}  // namespace sportelli::scheduling
