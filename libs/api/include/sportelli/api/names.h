// The resource names of the public API (https://google.aip.dev/122) as typed values, shared by
// every service: a desk is `DeskName{tenant, desk}`, never `(*parts)[1]`.
//
//   ASSIGN_OR_RETURN(api::DeskName desk, api::ParseName<api::DeskName>(request.name(), "name"));
//   RETURN_IF_ERROR(call.caller.RequireStaffOf(desk.tenant));
//   response.set_desk(desk.ToString());        // "tenants/capannori/desks/sede-centrale"
//
//   // Several names of one request, every problem reported at once:
//   status::FieldViolations violations;
//   std::optional<api::DeskName> desk = api::ParseName<api::DeskName>(r.desk(), "desk",
//   violations); std::optional<api::ServiceName> service =
//       api::ParseName<api::ServiceName>(r.service(), "service", violations);
//   api::RequireSameTenant(desk, service, "service", violations);
//   RETURN_IF_ERROR(violations.ToStatus());
//
// A new resource type is three lines: its pattern, its ids in pattern order, FromIds and
// ToString (see DeskName).
#ifndef SPORTELLI_API_NAMES_H_
#define SPORTELLI_API_NAMES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {

struct TenantName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}";
  std::string tenant;
  static TenantName FromIds(std::vector<std::string> ids) { return {std::move(ids[0])}; }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant}); }
};

struct DeskName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/desks/{desk}";
  std::string tenant;
  std::string desk;
  static DeskName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, desk}); }
};

struct ServiceName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/services/{service}";
  std::string tenant;
  std::string service;
  static ServiceName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, service}); }
};

struct ChannelName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/channels/{channel}";
  std::string tenant;
  std::string channel;
  static ChannelName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, channel}); }
};

struct ClosureName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/desks/{desk}/closures/{closure}";
  std::string tenant;
  std::string desk;
  std::string closure;
  static ClosureName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1]), std::move(ids[2])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, desk, closure}); }
};

struct HolidayName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/holidays/{holiday}";
  std::string tenant;
  std::string holiday;
  static HolidayName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, holiday}); }
};

struct OperatorName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/operators/{operator}";
  std::string tenant;
  std::string operator_id;
  static OperatorName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, operator_id}); }
};

struct AppointmentName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/appointments/{appointment}";
  std::string tenant;
  std::string appointment;
  static AppointmentName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, appointment}); }
};

struct PersonName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/persons/{person}";
  std::string tenant;
  std::string person;
  static PersonName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, person}); }
};

struct ContactName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/contacts/{contact}";
  std::string tenant;
  std::string contact;
  static ContactName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, contact}); }
};

struct CaseName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/cases/{case}";
  std::string tenant;
  std::string case_id;
  static CaseName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, case_id}); }
};

struct NoteName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/cases/{case}/notes/{note}";
  std::string tenant;
  std::string case_id;
  std::string note;
  static NoteName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1]), std::move(ids[2])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, case_id, note}); }
};

struct AttachmentName {
  static constexpr absl::string_view kPattern =
      "tenants/{tenant}/cases/{case}/attachments/{attachment}";
  std::string tenant;
  std::string case_id;
  std::string attachment;
  static AttachmentName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1]), std::move(ids[2])};
  }
  std::string ToString() const {
    return FormatResourceName(kPattern, {tenant, case_id, attachment});
  }
};

// A referral body of a comune's catalog (Punto Insieme, the job centre, ...).
struct DestinationName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/destinations/{destination}";
  std::string tenant;
  std::string destination;
  static DestinationName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, destination}); }
};

struct ReferralName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/referrals/{referral}";
  std::string tenant;
  std::string referral;
  static ReferralName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, referral}); }
};

struct HoldName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/holds/{hold}";
  std::string tenant;
  std::string hold;
  static HoldName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return FormatResourceName(kPattern, {tenant, hold}); }
};

// `text` as a Name, or INVALID_ARGUMENT with a violation on `field`.
template <typename Name>
absl::StatusOr<Name> ParseName(absl::string_view text, absl::string_view field) {
  absl::StatusOr<std::vector<std::string>> ids = ParseResourceName(text, Name::kPattern, field);
  if (!ids.ok()) return ids.status();
  return Name::FromIds(*std::move(ids));
}

// As above, adding the violation to `violations` (nullopt then), so that the request's other
// fields are checked too before answering.
template <typename Name>
std::optional<Name> ParseName(absl::string_view text, absl::string_view field,
                              status::FieldViolations& violations) {
  std::optional<std::vector<std::string>> ids =
      ParseResourceName(text, Name::kPattern, field, violations);
  if (!ids) return std::nullopt;
  return Name::FromIds(*std::move(ids));
}

// A violation on `field` when both names parsed and `other` belongs to another tenant than
// `owner`: a desk never offers another comune's service.
template <typename Owner, typename Other>
void RequireSameTenant(const std::optional<Owner>& owner, const std::optional<Other>& other,
                       absl::string_view field, status::FieldViolations& violations) {
  if (owner && other && owner->tenant != other->tenant) {
    violations.Add(std::string(field), "must belong to the same tenant");
  }
}

}  // namespace sportelli::api

#endif  // SPORTELLI_API_NAMES_H_
