#include "sportelli/audit/actor.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "sportelli/status/errors.h"

namespace sportelli::audit {
namespace {

using auth::Role;

struct RolePurposes {
  Role role;
  std::vector<Purpose> allowed;  // the first is the default
};

// In the order a default is chosen.
const std::vector<RolePurposes>& Table() {
  static const auto* table = new std::vector<RolePurposes>{
      {Role::kOperator, {Purpose::kServiceDelivery}},
      {Role::kCoordinator, {Purpose::kCaseManagement, Purpose::kServiceDelivery}},
      {Role::kTenantAdmin, {Purpose::kAdministration, Purpose::kServiceDelivery}},
      {Role::kDpo, {Purpose::kDataProtection}},
      {Role::kPortal, {Purpose::kCitizenRequest}},
      {Role::kPartner, {Purpose::kReferral}},
      {Role::kNotifier, {Purpose::kNotification}},
  };
  return *table;
}

}  // namespace

absl::StatusOr<Actor> ActorFor(const auth::Caller& caller, absl::string_view stated_purpose,
                               std::string request_id) {
  std::optional<Purpose> stated;
  if (!stated_purpose.empty()) {
    stated = ParsePurpose(stated_purpose);
    if (!stated) {
      status::FieldViolations violations;
      violations.Add(kPurposeMetadata,
                     "must be one of service_delivery, citizen_request, case_management, "
                     "administration, data_protection, referral");
      return violations.ToStatus();
    }
  }
  std::optional<Purpose> purpose;
  for (const RolePurposes& entry : Table()) {
    if (!caller.HasRole(entry.role)) continue;
    if (!stated) {
      purpose = entry.allowed.front();
      break;
    }
    if (std::find(entry.allowed.begin(), entry.allowed.end(), *stated) != entry.allowed.end()) {
      purpose = stated;
      break;
    }
  }
  if (!purpose) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         stated ? "the caller's roles may not state this purpose"
                                : "the caller's roles have no purpose to access personal data",
                         "PURPOSE_NOT_ALLOWED");
  }
  Actor actor;
  actor.subject = caller.subject;
  actor.tenant = caller.tenant;
  for (Role role : caller.roles) actor.roles.emplace_back(auth::RoleName(role));
  std::sort(actor.roles.begin(), actor.roles.end());
  actor.purpose = *purpose;
  actor.request_id = std::move(request_id);
  return actor;
}

}  // namespace sportelli::audit
