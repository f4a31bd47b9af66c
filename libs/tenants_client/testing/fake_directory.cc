#include "sportelli/tenants_client/fake_directory.h"

#include <cstdlib>

#include "sportelli/status/errors.h"

namespace sportelli::tenants_client::testing {

absl::TimeZone Rome() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Rome", &zone)) std::abort();
  return zone;
}

void FakeDirectory::AddDesk(const std::string& tenant, const std::string& desk,
                            tenants_client::DeskInfo info) {
  absl::MutexLock lock(&mu_);
  desks_[tenant + "/" + desk] = std::move(info);
}

void FakeDirectory::SetHours(int open_hour, int close_hour) {
  absl::MutexLock lock(&mu_);
  open_hour_ = open_hour;
  close_hour_ = close_hour;
}

void FakeDirectory::CloseDay(absl::CivilDay day) {
  absl::MutexLock lock(&mu_);
  closed_.insert(day);
}

absl::StatusOr<tenants_client::DeskInfo> FakeDirectory::GetDesk(const auth::OnBehalfOf&,
                                                                const std::string& tenant_id,
                                                                const std::string& desk_id) {
  absl::MutexLock lock(&mu_);
  auto it = desks_.find(tenant_id + "/" + desk_id);
  if (it == desks_.end()) return status::NotFound("desk");
  return it->second;
}

absl::StatusOr<tenants_client::ServiceInfo> FakeDirectory::GetService(
    const auth::OnBehalfOf&, const std::string&, const std::string& service_id) {
  if (service_id == "colloquio") return tenants_client::ServiceInfo{absl::Minutes(30)};
  if (service_id == "lungo") return tenants_client::ServiceInfo{absl::Minutes(60)};
  return status::NotFound("service");
}

absl::StatusOr<tenants_client::OpenHours> FakeDirectory::GetOpenHours(const auth::OnBehalfOf&,
                                                                      const std::string&,
                                                                      const std::string&,
                                                                      absl::CivilDay first,
                                                                      absl::CivilDay last) {
  absl::MutexLock lock(&mu_);
  tenants_client::OpenHours hours{{}, Rome()};
  for (absl::CivilDay day = first; day <= last; ++day) {
    if (closed_.contains(day)) continue;
    hours.intervals.push_back(
        {absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), open_hour_), Rome()),
         absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), close_hour_),
                         Rome())});
  }
  return hours;
}

absl::StatusOr<absl::TimeZone> FakeDirectory::GetTimeZone(const auth::OnBehalfOf&,
                                                          const std::string&) {
  return Rome();
}

void FakeDirectory::SetOperatorDesks(const std::string& tenant, const std::string& subject,
                                     std::vector<std::string> desks) {
  absl::MutexLock lock(&mu_);
  operator_desks_[tenant + "/" + subject] = std::move(desks);
}

absl::StatusOr<std::vector<std::string>> FakeDirectory::GetOperatorDesks(
    const auth::OnBehalfOf&, const std::string& tenant_id, const std::string& subject) {
  absl::MutexLock lock(&mu_);
  auto found = operator_desks_.find(tenant_id + "/" + subject);
  return found == operator_desks_.end() ? std::vector<std::string>() : found->second;
}

}  // namespace sportelli::tenants_client::testing
