// Fixed answers in place of the tenants service, for service tests: desks open every day
// 09:00-12:00 Europe/Rome (SetHours changes it), each offering what AddDesk says; services
// "colloquio" (30 min) and "lungo" (60 min); closed days (CloseDay) have no open hours.
// Thread-safe.
#ifndef SPORTELLI_TENANTS_CLIENT_TESTING_FAKE_DIRECTORY_H_
#define SPORTELLI_TENANTS_CLIENT_TESTING_FAKE_DIRECTORY_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::tenants_client::testing {

absl::TimeZone Rome();

class FakeDirectory final : public tenants_client::Directory {
 public:
  void AddDesk(const std::string& tenant, const std::string& desk, tenants_client::DeskInfo info);
  void SetHours(int open_hour, int close_hour);
  void CloseDay(absl::CivilDay day);
  // The desks the operator with token subject `subject` serves.
  void SetOperatorDesks(const std::string& tenant, const std::string& subject,
                        std::vector<std::string> desks);

  absl::StatusOr<tenants_client::DeskInfo> GetDesk(const auth::OnBehalfOf&,
                                                   const std::string& tenant_id,
                                                   const std::string& desk_id) override;
  absl::StatusOr<tenants_client::ServiceInfo> GetService(const auth::OnBehalfOf&,
                                                         const std::string& tenant_id,
                                                         const std::string& service_id) override;
  absl::StatusOr<tenants_client::OpenHours> GetOpenHours(const auth::OnBehalfOf&,
                                                         const std::string& tenant_id,
                                                         const std::string& desk_id,
                                                         absl::CivilDay first,
                                                         absl::CivilDay last) override;
  absl::StatusOr<absl::TimeZone> GetTimeZone(const auth::OnBehalfOf&,
                                             const std::string& tenant_id) override;
  absl::StatusOr<std::vector<std::string>> GetOperatorDesks(const auth::OnBehalfOf&,
                                                            const std::string& tenant_id,
                                                            const std::string& subject) override;

 private:
  absl::Mutex mu_;
  std::map<std::string, tenants_client::DeskInfo> desks_ ABSL_GUARDED_BY(mu_);
  std::set<absl::CivilDay> closed_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, std::vector<std::string>> operator_desks_ ABSL_GUARDED_BY(mu_);
  int open_hour_ ABSL_GUARDED_BY(mu_) = 9;
  int close_hour_ ABSL_GUARDED_BY(mu_) = 12;
};

}  // namespace sportelli::tenants_client::testing

#endif  // SPORTELLI_TENANTS_CLIENT_TESTING_FAKE_DIRECTORY_H_
