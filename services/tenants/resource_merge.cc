#include "services/tenants/resource_merge.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/tenants/proto_mapping.h"
#include "sportelli/api/names.h"
#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

constexpr absl::string_view kDeskFields[] = {"display_name",  "address",  "booking_mode",
                                             "opening_hours", "services", "capacity"};
constexpr absl::string_view kOutputOnly[] = {"name", "create_time", "update_time"};

constexpr absl::string_view kServiceFields[] = {"display_name", "description", "duration_minutes"};

constexpr absl::string_view kChannelFields[] = {"display_name", "kind", "phone_number",
                                                "opening_hours"};

constexpr absl::string_view kOperatorFields[] = {"display_name", "subject", "roles", "desks"};

api::UpdateMask AllOf(absl::Span<const absl::string_view> fields) {
  return api::UpdateMask(std::vector<std::string>(fields.begin(), fields.end()));
}

// The ids of `names` (each a Name of `tenant_id`); a name of another tenant is a violation (a
// desk never offers another comune's service).
template <typename Name>
std::vector<std::string> IdsOf(const google::protobuf::RepeatedPtrField<std::string>& names,
                               const std::string& tenant_id, const std::string& field,
                               status::FieldViolations& violations) {
  std::vector<std::string> ids;
  for (int i = 0; i < names.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    std::optional<Name> name = api::ParseName<Name>(names[i], item, violations);
    if (!name) continue;
    if (name->tenant != tenant_id) {
      violations.Add(item, "must belong to the same tenant");
      continue;
    }
    if constexpr (std::is_same_v<Name, api::ServiceName>) {
      ids.push_back(name->service);
    } else {
      ids.push_back(name->desk);
    }
  }
  return ids;
}

// Which fields of a Desk a client populated: AIP-134's implied mask for an empty update_mask.
std::vector<std::string> PopulatedDeskFields(const v1::Desk& desk) {
  std::vector<std::string> fields;
  if (!desk.display_name().empty()) fields.push_back("display_name");
  if (desk.has_address()) fields.push_back("address");
  if (desk.booking_mode() != v1::BOOKING_MODE_UNSPECIFIED) fields.push_back("booking_mode");
  if (!desk.opening_hours().empty()) fields.push_back("opening_hours");
  if (!desk.services().empty()) fields.push_back("services");
  if (desk.capacity() != 0) fields.push_back("capacity");
  return fields;
}

std::vector<std::string> PopulatedServiceFields(const v1::Service& service) {
  std::vector<std::string> fields;
  if (!service.display_name().empty()) fields.push_back("display_name");
  if (!service.description().empty()) fields.push_back("description");
  if (service.duration_minutes() != 0) fields.push_back("duration_minutes");
  return fields;
}

std::vector<std::string> PopulatedChannelFields(const v1::Channel& channel) {
  std::vector<std::string> fields;
  if (!channel.display_name().empty()) fields.push_back("display_name");
  if (channel.kind() != v1::CHANNEL_KIND_UNSPECIFIED) fields.push_back("kind");
  if (!channel.phone_number().empty()) fields.push_back("phone_number");
  if (!channel.opening_hours().empty()) fields.push_back("opening_hours");
  return fields;
}

std::vector<std::string> PopulatedOperatorFields(const v1::Operator& op) {
  std::vector<std::string> fields;
  if (!op.display_name().empty()) fields.push_back("display_name");
  if (!op.subject().empty()) fields.push_back("subject");
  if (!op.roles().empty()) fields.push_back("roles");
  if (!op.desks().empty()) fields.push_back("desks");
  return fields;
}

// The mask to apply for an Update: the client's, validated, or (when empty) the populated fields.
absl::StatusOr<api::UpdateMask> MaskFor(const google::protobuf::FieldMask& mask,
                                        absl::Span<const absl::string_view> updatable,
                                        std::vector<std::string> populated) {
  ASSIGN_OR_RETURN(api::UpdateMask validated,
                   api::ValidateUpdateMask(mask.paths(), updatable, kOutputOnly));
  if (!validated.empty()) return validated;
  return api::UpdateMask(std::move(populated));
}

}  // namespace

// Names are validated and stored without surrounding spaces, so " Sportello " and "Sportello"
// are the same name and lists sort as people expect.
std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
}

// Applies the fields of `proto` named by `mask` onto `desk`; conversion problems are reported
// under `prefix`.
void ApplyDesk(const v1::Desk& proto, const api::UpdateMask& mask, const std::string& prefix,
               Desk& desk, status::FieldViolations& violations) {
  if (mask.Contains("display_name")) desk.display_name = Trimmed(proto.display_name());
  if (mask.Contains("address")) desk.address = FromProto(proto.address());
  if (mask.Contains("booking_mode")) {
    std::optional<BookingMode> mode = FromProto(proto.booking_mode());
    if (!mode) {
      violations.Add(prefix + "booking_mode",
                     "must be WALK_IN, APPOINTMENT_ONLY or WALK_IN_AND_APPOINTMENT");
    } else {
      desk.booking_mode = *mode;
    }
  }
  if (mask.Contains("opening_hours")) {
    desk.opening_hours = FromProto(proto.opening_hours(), prefix + "opening_hours", violations);
  }
  if (mask.Contains("services")) {
    desk.service_ids =
        IdsOf<api::ServiceName>(proto.services(), desk.tenant_id, prefix + "services", violations);
  }
  if (mask.Contains("capacity")) desk.capacity = proto.capacity();
}

void ApplyService(const v1::Service& proto, const api::UpdateMask& mask, Service& service) {
  if (mask.Contains("display_name")) service.display_name = Trimmed(proto.display_name());
  if (mask.Contains("description")) service.description = proto.description();
  if (mask.Contains("duration_minutes")) service.duration_minutes = proto.duration_minutes();
}

void ApplyChannel(const v1::Channel& proto, const api::UpdateMask& mask, const std::string& prefix,
                  Channel& channel, status::FieldViolations& violations) {
  if (mask.Contains("display_name")) channel.display_name = Trimmed(proto.display_name());
  if (mask.Contains("kind")) {
    std::optional<ChannelKind> kind = FromProto(proto.kind());
    if (!kind) {
      violations.Add(prefix + "kind", "must be PHONE, WEB or DESK");
    } else {
      channel.kind = *kind;
    }
  }
  if (mask.Contains("phone_number")) channel.phone_number = proto.phone_number();
  if (mask.Contains("opening_hours")) {
    channel.opening_hours = FromProto(proto.opening_hours(), prefix + "opening_hours", violations);
  }
}

void ApplyOperator(const v1::Operator& proto, const api::UpdateMask& mask,
                   const std::string& prefix, Operator& op, status::FieldViolations& violations) {
  if (mask.Contains("display_name")) op.display_name = Trimmed(proto.display_name());
  if (mask.Contains("subject")) op.subject = proto.subject();
  if (mask.Contains("roles")) {
    op.roles.clear();
    for (int i = 0; i < proto.roles_size(); ++i) {
      std::optional<OperatorRole> role = FromProto(proto.roles(i));
      if (!role) {
        violations.Add(absl::StrCat(prefix, "roles[", i, "]"), "must be a known role");
      } else {
        op.roles.push_back(*role);
      }
    }
  }
  if (mask.Contains("desks")) {
    op.desk_ids = IdsOf<api::DeskName>(proto.desks(), op.tenant_id, prefix + "desks", violations);
  }
}

api::UpdateMask AllDeskFields() { return AllOf(kDeskFields); }
api::UpdateMask AllServiceFields() { return AllOf(kServiceFields); }
api::UpdateMask AllChannelFields() { return AllOf(kChannelFields); }
api::UpdateMask AllOperatorFields() { return AllOf(kOperatorFields); }

absl::StatusOr<api::UpdateMask> DeskUpdateMask(const google::protobuf::FieldMask& mask,
                                               const v1::Desk& proto) {
  return MaskFor(mask, kDeskFields, PopulatedDeskFields(proto));
}
absl::StatusOr<api::UpdateMask> ServiceUpdateMask(const google::protobuf::FieldMask& mask,
                                                  const v1::Service& proto) {
  return MaskFor(mask, kServiceFields, PopulatedServiceFields(proto));
}
absl::StatusOr<api::UpdateMask> ChannelUpdateMask(const google::protobuf::FieldMask& mask,
                                                  const v1::Channel& proto) {
  return MaskFor(mask, kChannelFields, PopulatedChannelFields(proto));
}
absl::StatusOr<api::UpdateMask> OperatorUpdateMask(const google::protobuf::FieldMask& mask,
                                                   const v1::Operator& proto) {
  return MaskFor(mask, kOperatorFields, PopulatedOperatorFields(proto));
}

}  // namespace sportelli::tenants
