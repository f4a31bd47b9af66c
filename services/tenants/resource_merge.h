// Applying a client's proto onto a domain resource of the tenants service: every field for a
// Create, the fields of the update mask for an Update (AIP-134: an empty mask means every field
// the client populated). Conversion problems become field violations under `prefix` (e.g.
// "desk."), so the handler reports them with the domain's validation in one answer.
//
//   ASSIGN_OR_RETURN(api::UpdateMask mask, DeskUpdateMask(request.update_mask(), request.desk()));
//   ApplyDesk(request.desk(), mask, "desk.", desk, violations);
#ifndef SPORTELLI_SERVICES_TENANTS_RESOURCE_MERGE_H_
#define SPORTELLI_SERVICES_TENANTS_RESOURCE_MERGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "services/tenants/domain/model.h"
#include "sportelli/api/field_mask.h"
#include "sportelli/status/errors.h"
#include "sportelli/tenants/v1/tenants_service.pb.h"

namespace sportelli::tenants {

namespace v1 = ::sportelli::tenants::v1;

// Every updatable field: what a Create applies.
api::UpdateMask AllDeskFields();
api::UpdateMask AllServiceFields();
api::UpdateMask AllChannelFields();
api::UpdateMask AllOperatorFields();

// The mask of an Update: the client's, validated (output-only and unknown paths refused), or,
// when empty, the fields `proto` populates.
absl::StatusOr<api::UpdateMask> DeskUpdateMask(const google::protobuf::FieldMask& mask,
                                               const v1::Desk& proto);
absl::StatusOr<api::UpdateMask> ServiceUpdateMask(const google::protobuf::FieldMask& mask,
                                                  const v1::Service& proto);
absl::StatusOr<api::UpdateMask> ChannelUpdateMask(const google::protobuf::FieldMask& mask,
                                                  const v1::Channel& proto);
absl::StatusOr<api::UpdateMask> OperatorUpdateMask(const google::protobuf::FieldMask& mask,
                                                   const v1::Operator& proto);

// The fields of `proto` named by `mask`, onto the resource (its tenant already set: names of
// another tenant's services or desks are violations).
void ApplyDesk(const v1::Desk& proto, const api::UpdateMask& mask, const std::string& prefix,
               Desk& desk, status::FieldViolations& violations);
void ApplyService(const v1::Service& proto, const api::UpdateMask& mask, Service& service);
void ApplyChannel(const v1::Channel& proto, const api::UpdateMask& mask, const std::string& prefix,
                  Channel& channel, status::FieldViolations& violations);
void ApplyOperator(const v1::Operator& proto, const api::UpdateMask& mask,
                   const std::string& prefix, Operator& op, status::FieldViolations& violations);

// Names are stored without surrounding spaces, so " Sportello " and "Sportello" are the same
// name and lists sort as people expect.
std::string Trimmed(const std::string& text);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_RESOURCE_MERGE_H_
