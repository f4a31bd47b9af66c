// IntakeGrpcService: the comune's destinations and the referrals of its cases.
//
// Roles: `tenant_admin` creates and updates destinations, the comune's staff read them; a
// `partner` reads its own destination and the referrals sent to it (their shared snapshot
// only) and accepts, rejects or completes them; `operator` and `coordinator` send and revoke
// referrals of cases they may see; a coordinator lists a destination's referrals.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/intake/domain/rules.h"
#include "services/intake/grpc_checks.h"
#include "services/intake/intake_grpc_service.h"
#include "services/intake/proto_mapping.h"
#include "sportelli/api/field_mask.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/server/audit_actor.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {

using api::ParseName;
using auth::Role;
using server::Call;

namespace {

v1::Destination DestinationProto(const Destination& d) { return ToProto(d); }

// A referral's recorded reply carries only its name (the snapshot is personal data, sealed in
// its row); a retry reads it back.
v1::Referral RecordedReferral(const Referral& r) {
  v1::Referral recorded;
  recorded.set_name(api::ReferralName{r.tenant_id, r.id}.ToString());
  return recorded;
}

// The caller's destination when it is that comune's partner; empty for staff. PERMISSION_DENIED
// for anyone else (another comune, or a role that has no business with referrals).
absl::StatusOr<std::string> PartnerOrCaseWorker(const Call& call, const std::string& tenant) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  if (call.caller.HasRole(Role::kPartner)) return call.caller.destination;
  RETURN_IF_ERROR(RequireCaseWorkerOf(call, tenant));
  return std::string();
}

void CheckReason(const std::string& reason, status::FieldViolations& violations) {
  CheckText("reason", reason, kMaxReferralReasonLength, /*multiline=*/true, violations);
}

}  // namespace

// ---- destinations -----------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreateDestination(grpc::ServerContext* context,
                                                  const v1::CreateDestinationRequest* request,
                                                  v1::Destination* response) {
  return handler_->Handle(context, "CreateDestination", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    if (!request->has_destination()) violations.Add("destination", "is required");
    const v1::Destination& proto = request->destination();
    Destination destination;
    destination.display_name = proto.display_name();
    const std::optional<DestinationKind> kind = FromProto(proto.kind());
    if (!kind) violations.Add("destination.kind", "must be a specified kind");
    destination.kind = kind.value_or(DestinationKind::kPuntoInsieme);
    if (!proto.transfer_comune().empty()) {
      if (auto comune = ParseName<api::TenantName>(proto.transfer_comune(),
                                                   "destination.transfer_comune", violations)) {
        destination.transfer_tenant = comune->tenant;
      }
    }
    destination.example = proto.example();
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) {
      RETURN_IF_ERROR(call.caller.RequireAdminOf(parent->tenant));
      destination.tenant_id = parent->tenant;
      if (kind) {
        const status::FieldViolations problems = ValidateDestination(destination);
        for (const auto& [field, description] : problems.violations()) {
          // transfer_tenant is the proto's transfer_comune.
          violations.Add(
              field == "destination.transfer_tenant" ? "destination.transfer_comune" : field,
              description);
        }
      }
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(pg::Created<Destination> created,
                     intake_->CreateDestination(
                         std::move(destination), server::KeyOf(*request, "CreateDestination"),
                         server::ProtoEncoder<Destination>(DestinationProto)));
    return server::Reply(created, response, DestinationProto);
  });
}

grpc::Status IntakeGrpcService::GetDestination(grpc::ServerContext* context,
                                               const v1::GetDestinationRequest* request,
                                               v1::Destination* response) {
  return handler_->Handle(context, "GetDestination", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DestinationName name,
                     ParseName<api::DestinationName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    if (call.caller.HasRole(Role::kPartner)) {
      if (call.caller.destination != name.destination) return status::NotFound("destination");
    } else {
      RETURN_IF_ERROR(call.caller.RequireStaffOf(name.tenant));
    }
    ASSIGN_OR_RETURN(Destination d, intake_->GetDestination(name.tenant, name.destination));
    *response = ToProto(d);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListDestinations(grpc::ServerContext* context,
                                                 const v1::ListDestinationsRequest* request,
                                                 v1::ListDestinationsResponse* response) {
  return handler_->Handle(context, "ListDestinations", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    if (parent) RETURN_IF_ERROR(call.caller.RequireStaffOf(parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             absl::StrCat(request->parent(), "\n", request->show_inactive()),
                             {api::KeyPart::kId}));
    ASSIGN_OR_RETURN(api::Page<Destination> destinations,
                     intake_->ListDestinations(parent->tenant, request->show_inactive(), page));
    for (const Destination& d : destinations.items) *response->add_destinations() = ToProto(d);
    response->set_next_page_token(api::NextPageToken(
        destinations, page, [](const Destination& d) { return api::PageKey{d.id}; }));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::UpdateDestination(grpc::ServerContext* context,
                                                  const v1::UpdateDestinationRequest* request,
                                                  v1::Destination* response) {
  return handler_->Handle(context, "UpdateDestination", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(
        api::DestinationName name,
        ParseName<api::DestinationName>(request->destination().name(), "destination.name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    ASSIGN_OR_RETURN(
        api::UpdateMask mask,
        api::ValidateUpdateMask(
            request->update_mask().paths(), {"display_name", "active"},
            {"name", "kind", "transfer_comune", "example", "create_time", "update_time"}));
    std::optional<std::string> display_name;
    std::optional<bool> active;
    if (mask.empty() || mask.Contains("display_name")) {
      display_name = request->destination().display_name();
      status::FieldViolations violations;
      if (display_name->empty()) {
        violations.Add("destination.display_name", "is required");
      } else {
        CheckText("destination.display_name", *display_name, kMaxDisplayNameLength,
                  /*multiline=*/false, violations);
      }
      RETURN_IF_ERROR(violations.ToStatus());
    }
    if (mask.empty() || mask.Contains("active")) active = request->destination().active();
    ASSIGN_OR_RETURN(Destination d, intake_->UpdateDestination(name.tenant, name.destination,
                                                               display_name, active));
    *response = ToProto(d);
    return absl::OkStatus();
  });
}

// ---- referrals --------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreateReferral(grpc::ServerContext* context,
                                               const v1::CreateReferralRequest* request,
                                               v1::Referral* response) {
  return handler_->Handle(context, "CreateReferral", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    if (!request->has_referral()) violations.Add("referral", "is required");
    const v1::Referral& proto = request->referral();
    auto case_name = ParseName<api::CaseName>(proto.case_(), "referral.case", violations);
    auto destination =
        ParseName<api::DestinationName>(proto.destination(), "referral.destination", violations);
    api::RequireSameTenant(parent, case_name, "referral.case", violations);
    api::RequireSameTenant(parent, destination, "referral.destination", violations);
    Referral referral;
    for (int i = 0; i < proto.shared_fields_size(); ++i) {
      const std::optional<SharedField> field =
          FromProto(static_cast<v1::SharedField>(proto.shared_fields(i)));
      if (!field) {
        violations.Add(absl::StrCat("referral.shared_fields[", i, "]"),
                       "must be a specified field");
        continue;
      }
      referral.shared_fields.push_back(*field);
    }
    referral.message = proto.message();
    referral.consent_override_reason = request->consent_override_reason();
    if (proto.shared_fields_size() == static_cast<int>(referral.shared_fields.size())) {
      violations.Merge(ValidateNewReferral(referral, request->override_consent()));
    }
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    referral.tenant_id = parent->tenant;
    referral.case_id = case_name->case_id;
    referral.destination_id = destination->destination;
    ASSIGN_OR_RETURN(pg::Created<Referral> created,
                     intake_->CreateReferral(call.OnBehalfOfCaller(), std::move(referral),
                                             request->override_consent(), who,
                                             server::KeyOf(*request, "CreateReferral"),
                                             server::ProtoEncoder<Referral>(RecordedReferral)));
    if (created.value) {
      *response = ToProto(*created.value);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(server::Reply(created, response, RecordedReferral));
    ASSIGN_OR_RETURN(api::ReferralName name,
                     ParseName<api::ReferralName>(response->name(), "name"));
    ASSIGN_OR_RETURN(Referral stored,
                     intake_->GetReferral(call.OnBehalfOfCaller(), name.tenant, name.referral, who,
                                          /*partner_destination=*/"",
                                          /*break_glass=*/false));
    *response = ToProto(stored);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::GetReferral(grpc::ServerContext* context,
                                            const v1::GetReferralRequest* request,
                                            v1::Referral* response) {
  return handler_->Handle(context, "GetReferral", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::ReferralName>(request->name(), "name", violations);
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    std::string partner;
    if (name) {
      ASSIGN_OR_RETURN(partner, PartnerOrCaseWorker(call, name->tenant));
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Referral r, intake_->GetReferral(call.OnBehalfOfCaller(), name->tenant,
                                                      name->referral, who, partner, break_glass));
    *response = ToProto(r);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListReferrals(grpc::ServerContext* context,
                                              const v1::ListReferralsRequest* request,
                                              v1::ListReferralsResponse* response) {
  return handler_->Handle(context, "ListReferrals", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    ReferralFilter filter;
    std::optional<api::CaseName> case_name;
    std::optional<api::DestinationName> destination;
    if (request->case_().empty() == request->destination().empty()) {
      violations.Add("case", "give exactly one of case and destination");
    } else if (!request->case_().empty()) {
      case_name = ParseName<api::CaseName>(request->case_(), "case", violations);
      api::RequireSameTenant(parent, case_name, "case", violations);
      if (case_name) filter.case_id = case_name->case_id;
    } else {
      destination =
          ParseName<api::DestinationName>(request->destination(), "destination", violations);
      api::RequireSameTenant(parent, destination, "destination", violations);
      if (destination) filter.destination_id = destination->destination;
    }
    std::vector<std::string> state_names;
    for (int i = 0; i < request->states_size(); ++i) {
      const std::optional<ReferralState> state =
          FromProto(static_cast<v1::ReferralState>(request->states(i)));
      if (!state) {
        violations.Add(absl::StrCat("states[", i, "]"), "must be a specified state");
        continue;
      }
      filter.states.push_back(*state);
      state_names.emplace_back(ReferralStateName(*state));
    }
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    std::string partner;
    if (parent) {
      ASSIGN_OR_RETURN(partner, PartnerOrCaseWorker(call, parent->tenant));
      // A partner lists its own destination's referrals; a destination's are otherwise a
      // coordinator's overview.
      if (!partner.empty() && (case_name || (destination && destination->destination != partner))) {
        return status::Error(absl::StatusCode::kPermissionDenied,
                             "a partner lists the referrals sent to its own destination",
                             "NOT_YOUR_DESTINATION");
      }
      if (partner.empty() && destination) {
        RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kCoordinator}));
      }
    }
    RETURN_IF_ERROR(violations.ToStatus());
    std::sort(state_names.begin(), state_names.end());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             absl::StrCat(request->case_(), "\n", request->destination(), "\n",
                                          absl::StrJoin(state_names, ",")),
                             {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Referral> referrals,
                     intake_->ListReferrals(call.OnBehalfOfCaller(), parent->tenant, filter, page,
                                            who, partner, break_glass));
    for (const Referral& r : referrals.items) *response->add_referrals() = ToProto(r);
    response->set_next_page_token(api::NextPageToken(referrals, page, [](const Referral& r) {
      return api::PageKey{absl::StrCat(absl::ToUnixMicros(r.create_time)), r.id};
    }));
    return absl::OkStatus();
  });
}

// The four moves: the partner's three, the staff's revocation.
template <typename Request>
absl::Status IntakeGrpcService::MoveReferral(Call& call, const Request& request, ReferralState to,
                                             v1::Referral* response) {
  status::FieldViolations violations;
  auto name = ParseName<api::ReferralName>(request.name(), "name", violations);
  CheckReason(request.reason(), violations);
  std::string partner;
  if (name) {
    ASSIGN_OR_RETURN(partner, PartnerOrCaseWorker(call, name->tenant));
    const bool partners_move = to != ReferralState::kRevoked;
    if (partners_move != !partner.empty()) {
      return status::Error(absl::StatusCode::kPermissionDenied,
                           partners_move
                               ? "only the destination accepts, rejects or completes a referral"
                               : "only the comune's staff revoke a referral",
                           "REFERRAL_MOVE_NOT_YOURS");
    }
  }
  RETURN_IF_ERROR(violations.ToStatus());
  ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
  ASSIGN_OR_RETURN(
      Referral r, intake_->TransitionReferral(call.OnBehalfOfCaller(), name->tenant, name->referral,
                                              to, request.reason(), who, partner));
  *response = ToProto(r);
  return absl::OkStatus();
}

grpc::Status IntakeGrpcService::AcceptReferral(grpc::ServerContext* context,
                                               const v1::AcceptReferralRequest* request,
                                               v1::Referral* response) {
  return handler_->Handle(context, "AcceptReferral", [&](Call& call) {
    return MoveReferral(call, *request, ReferralState::kAccepted, response);
  });
}

grpc::Status IntakeGrpcService::RejectReferral(grpc::ServerContext* context,
                                               const v1::RejectReferralRequest* request,
                                               v1::Referral* response) {
  return handler_->Handle(context, "RejectReferral", [&](Call& call) {
    return MoveReferral(call, *request, ReferralState::kRejected, response);
  });
}

grpc::Status IntakeGrpcService::CompleteReferral(grpc::ServerContext* context,
                                                 const v1::CompleteReferralRequest* request,
                                                 v1::Referral* response) {
  return handler_->Handle(context, "CompleteReferral", [&](Call& call) {
    return MoveReferral(call, *request, ReferralState::kCompleted, response);
  });
}

grpc::Status IntakeGrpcService::RevokeReferral(grpc::ServerContext* context,
                                               const v1::RevokeReferralRequest* request,
                                               v1::Referral* response) {
  return handler_->Handle(context, "RevokeReferral", [&](Call& call) {
    return MoveReferral(call, *request, ReferralState::kRevoked, response);
  });
}

}  // namespace sportelli::intake
