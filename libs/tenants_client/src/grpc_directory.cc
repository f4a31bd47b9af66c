#include "sportelli/tenants_client/grpc_directory.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "grpcpp/client_context.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/status/macros.h"

namespace sportelli::tenants_client {
namespace {

namespace tv1 = ::sportelli::tenants::v1;

// A tenants service that is down or slow is this service's dependency failing, not the
// caller's mistake: UNAVAILABLE with a reason of its own. Its other answers (NOT_FOUND,
// PERMISSION_DENIED, INVALID_ARGUMENT) are about the request and pass through.
absl::Status FromTenants(const grpc::Status& status) {
  return status::FromDependency(status, "tenants", "TENANTS_UNAVAILABLE");
}

// Cache keys start with the tenant, so that Forget(tenant) is one prefix.
std::string Key(absl::string_view tenant, absl::string_view kind, absl::string_view id = "") {
  return absl::StrCat(tenant, "/", kind, "/", id);
}

// Zones are loaded once, when tenants' answer arrives, and cached as loaded: a lookup on the
// booking path then costs no trip through the zone registry's lock.
absl::StatusOr<absl::TimeZone> ZoneNamed(const std::string& name) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(name, &zone)) {
    return status::Internal("the comune's time zone is not known to this server");
  }
  return zone;
}

template <typename V, typename Fetch>
absl::StatusOr<V> Cached(cache::TtlCache<V>& cache, cache::SingleFlight<V>& flights,
                         const std::string& key, Fetch fetch) {
  if (std::optional<V> hit = cache.Get(key)) return *std::move(hit);
  return flights.Do(key, [&]() -> absl::StatusOr<V> {
    if (std::optional<V> hit = cache.Get(key)) return *std::move(hit);  // fetched meanwhile
    ASSIGN_OR_RETURN(V value, fetch());
    cache.Put(key, value);
    return value;
  });
}

}  // namespace

GrpcDirectory::GrpcDirectory(std::shared_ptr<grpc::Channel> channel, DirectoryOptions options,
                             const clock::Clock* clock)
    : stub_(tv1::TenantsService::NewStub(std::move(channel))),
      options_(options),
      desks_(clock, {options.ttl, options.max_entries}),
      services_(clock, {options.ttl, options.max_entries}),
      days_(clock, {options.ttl, options.max_entries}),
      zones_(clock, {options.ttl, options.max_entries}),
      staff_(clock, {options.ttl, options.max_entries}) {}

void GrpcDirectory::Forget(const std::string& tenant_id) {
  const std::string prefix = absl::StrCat(tenant_id, "/");
  desks_.ErasePrefix(prefix);
  services_.ErasePrefix(prefix);
  days_.ErasePrefix(prefix);
  zones_.ErasePrefix(prefix);
  staff_.ErasePrefix(prefix);
}

void GrpcDirectory::ForgetAll() { Forget(""); }

absl::StatusOr<DeskInfo> GrpcDirectory::GetDesk(const auth::OnBehalfOf& caller,
                                                const std::string& tenant_id,
                                                const std::string& desk_id) {
  return Cached(
      desks_, desk_flights_, Key(tenant_id, "desk", desk_id), [&]() -> absl::StatusOr<DeskInfo> {
        tv1::GetDeskRequest request;
        request.set_name(api::DeskName{tenant_id, desk_id}.ToString());
        tv1::Desk desk;
        const grpc::Status status =
            stub_->GetDesk(caller.NewContext(options_.deadline).get(), request, &desk);
        if (!status.ok()) return FromTenants(status);
        DeskInfo info;
        info.capacity = desk.capacity();
        info.takes_appointments = desk.booking_mode() == tv1::BOOKING_MODE_APPOINTMENT_ONLY ||
                                  desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT;
        info.takes_walk_ins = desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN ||
                              desk.booking_mode() == tv1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT;
        for (const std::string& name : desk.services()) {
          absl::StatusOr<api::ServiceName> service =
              api::ParseName<api::ServiceName>(name, "services");
          if (service.ok()) info.service_ids.push_back(service->service);
        }
        return info;
      });
}

absl::StatusOr<ServiceInfo> GrpcDirectory::GetService(const auth::OnBehalfOf& caller,
                                                      const std::string& tenant_id,
                                                      const std::string& service_id) {
  return Cached(services_, service_flights_, Key(tenant_id, "service", service_id),
                [&]() -> absl::StatusOr<ServiceInfo> {
                  tv1::GetServiceRequest request;
                  request.set_name(api::ServiceName{tenant_id, service_id}.ToString());
                  tv1::Service service;
                  const grpc::Status status = stub_->GetService(
                      caller.NewContext(options_.deadline).get(), request, &service);
                  if (!status.ok()) return FromTenants(status);
                  return ServiceInfo{absl::Minutes(service.duration_minutes())};
                });
}

absl::StatusOr<absl::TimeZone> GrpcDirectory::GetTimeZone(const auth::OnBehalfOf& caller,
                                                          const std::string& tenant_id) {
  return Cached(
      zones_, zone_flights_, Key(tenant_id, "zone"), [&]() -> absl::StatusOr<absl::TimeZone> {
        tv1::GetTenantRequest request;
        request.set_name(api::TenantName{tenant_id}.ToString());
        tv1::Tenant tenant;
        const grpc::Status status =
            stub_->GetTenant(caller.NewContext(options_.deadline).get(), request, &tenant);
        if (!status.ok()) return FromTenants(status);
        return ZoneNamed(tenant.time_zone());
      });
}

absl::StatusOr<std::vector<std::string>> GrpcDirectory::GetOperatorDesks(
    const auth::OnBehalfOf& caller, const std::string& tenant_id, const std::string& subject) {
  ASSIGN_OR_RETURN(
      Staff staff,
      Cached(staff_, staff_flights_, Key(tenant_id, "staff"), [&]() -> absl::StatusOr<Staff> {
        Staff read;
        tv1::ListOperatorsRequest request;
        request.set_parent(api::TenantName{tenant_id}.ToString());
        request.set_page_size(api::kMaxPageSize);
        do {
          tv1::ListOperatorsResponse page;
          const grpc::Status status =
              stub_->ListOperators(caller.NewContext(options_.deadline).get(), request, &page);
          if (!status.ok()) return FromTenants(status);
          for (const tv1::Operator& op : page.operators()) {
            std::vector<std::string>& desks = read[op.subject()];
            for (const std::string& name : op.desks()) {
              absl::StatusOr<api::DeskName> desk = api::ParseName<api::DeskName>(name, "desks");
              if (desk.ok()) desks.push_back(desk->desk);
            }
          }
          request.set_page_token(page.next_page_token());
        } while (!request.page_token().empty());
        return read;
      }));
  auto found = staff.find(subject);
  return found == staff.end() ? std::vector<std::string>() : found->second;
}

absl::StatusOr<OpenHours> GrpcDirectory::GetOpenHours(const auth::OnBehalfOf& caller,
                                                      const std::string& tenant_id,
                                                      const std::string& desk_id,
                                                      absl::CivilDay first, absl::CivilDay last) {
  if (last < first) return OpenHours{{}, absl::UTCTimeZone()};
  // Days are cached one by one, so overlapping requests (a week, then one of its days) share
  // entries; the missing days are asked for in one call spanning them.
  const std::string desk_key = Key(tenant_id, "hours", desk_id);
  auto day_key = [&](absl::CivilDay day) {
    return absl::StrCat(desk_key, "/", absl::FormatCivilTime(day));
  };
  std::vector<std::optional<Day>> days(static_cast<size_t>(last - first + 1));
  // One fetch per desk at a time: a caller who waited looks again, and asks for what is still
  // missing (another caller's fetch may have covered other days).
  for (;;) {
    std::optional<absl::CivilDay> missing_first, missing_last;
    for (absl::CivilDay day = first; day <= last; ++day) {
      std::optional<Day>& slot = days[static_cast<size_t>(day - first)];
      if (!slot) slot = days_.Get(day_key(day));
      if (!slot) {
        if (!missing_first) missing_first = day;
        missing_last = day;
      }
    }
    if (!missing_first) break;
    bool led = false;
    absl::StatusOr<bool> fetched = hours_flights_.Do(desk_key, [&]() -> absl::StatusOr<bool> {
      led = true;
      tv1::ComputeOpenIntervalsRequest request;
      request.set_desk(api::DeskName{tenant_id, desk_id}.ToString());
      *request.mutable_start_date() = api::ToDate(*missing_first);
      *request.mutable_end_date() = api::ToDate(*missing_last);
      tv1::ComputeOpenIntervalsResponse response;
      const grpc::Status status = stub_->ComputeOpenIntervals(
          caller.NewContext(options_.deadline).get(), request, &response);
      if (!status.ok()) return FromTenants(status);
      ASSIGN_OR_RETURN(const absl::TimeZone zone, ZoneNamed(response.time_zone()));
      for (absl::CivilDay day = *missing_first; day <= *missing_last; ++day) {
        const absl::Time day_start = absl::FromCivil(day, zone);
        const absl::Time day_end = absl::FromCivil(day + 1, zone);
        Day entry{{}, zone};
        for (const auto& interval : response.intervals()) {
          clock::TimeInterval t{api::FromTimestamp(interval.start_time()),
                                api::FromTimestamp(interval.end_time())};
          if (t.start < day_end && t.end > day_start) entry.intervals.push_back(t);
        }
        days_.Put(day_key(day), entry);
        days[static_cast<size_t>(day - first)] = std::move(entry);
      }
      return true;
    });
    if (!fetched.ok()) return fetched.status();
    if (led) break;  // this caller's own fetch filled its days
  }
  OpenHours hours{{}, days.front()->zone};
  for (const std::optional<Day>& day : days) {
    for (const clock::TimeInterval& interval : day->intervals) {
      // An interval across midnight is stored under both days: keep one copy.
      if (hours.intervals.empty() || !(hours.intervals.back() == interval)) {
        hours.intervals.push_back(interval);
      }
    }
  }
  return hours;
}

}  // namespace sportelli::tenants_client
