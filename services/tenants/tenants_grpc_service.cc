#include "services/tenants/tenants_grpc_service.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "services/tenants/domain/open_intervals.h"
#include "services/tenants/domain/validation.h"
#include "services/tenants/proto_mapping.h"
#include "sportelli/api/field_mask.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

using auth::Role;
// Inside TenantsGrpcService, `Service` names the generated gRPC base class.
using CatalogService = ::sportelli::tenants::Service;
using server::Call;

// ---- authorization -------------------------------------------------------------------------

absl::Status RequireAdmin(const Call& call, const std::string& tenant_id) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant_id));
  return call.caller.RequireAnyRole({Role::kTenantAdmin});
}

absl::Status RequireStaff(const Call& call, const std::string& tenant_id) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant_id));
  return call.caller.RequireAnyRole(auth::kOperatorAndAbove);
}

// ---- request helpers -----------------------------------------------------------------------

absl::StatusOr<std::vector<std::string>> ParseName(const std::string& name,
                                                   absl::string_view pattern,
                                                   absl::string_view field) {
  return api::ParseResourceName(name, pattern, field);
}

using server::CheckRequestId;

template <typename Request>
RequestKey KeyOf(const Request& request, const char* method) {
  return RequestKey{request.request_id(), method, server::FingerprintWithoutRequestId(request)};
}

template <typename T>
ResponseEncoder<T> ProtoEncoder() {
  return [](const T& resource) { return ToProto(resource).SerializeAsString(); };
}

// Fills `response` from a Create result: the new resource or the recorded first response.
template <typename T, typename Proto>
absl::Status RespondCreated(const Created<T>& created, Proto* response) {
  if (created.replayed_response) {
    if (!response->ParseFromString(*created.replayed_response)) {
      return absl::InternalError("recorded response does not parse");
    }
    return absl::OkStatus();
  }
  *response = ToProto(*created.resource);
  return absl::OkStatus();
}

struct ListQuery {
  PageQuery page;
  std::string fingerprint;
};

absl::StatusOr<ListQuery> PageOf(int32_t page_size, const std::string& page_token,
                                 const std::string& fingerprint) {
  ListQuery query;
  query.fingerprint = fingerprint;
  ASSIGN_OR_RETURN(query.page.limit, api::NormalizePageSize(page_size));
  ASSIGN_OR_RETURN(query.page.after_id, api::DecodePageToken(page_token, fingerprint));
  // Tokens are not signed: a hand-made one must still carry an id, never arbitrary bytes.
  if (!query.page.after_id.empty() && !api::IsValidResourceId(query.page.after_id)) {
    return status::Error(absl::StatusCode::kInvalidArgument, "invalid page token",
                         "INVALID_PAGE_TOKEN");
  }
  return query;
}

// Every domain resource is ordered and paged by its `id`.
template <typename T>
std::string NextToken(const Page<T>& page, const ListQuery& query) {
  if (!page.more || page.items.empty()) return "";
  return api::EncodePageToken(page.items.back().id, query.fingerprint);
}

// Collects `ids` from resource names of `pattern` whose tenant is `tenant_id`; a name of another
// tenant is a violation (a desk never offers another comune's service).
std::vector<std::string> IdsFromNames(const google::protobuf::RepeatedPtrField<std::string>& names,
                                      absl::string_view pattern, const std::string& tenant_id,
                                      const std::string& field,
                                      status::FieldViolations& violations) {
  std::vector<std::string> ids;
  for (int i = 0; i < names.size(); ++i) {
    const std::string item = absl::StrCat(field, "[", i, "]");
    std::optional<std::vector<std::string>> parts =
        api::ParseResourceName(names[i], pattern, item, violations);
    if (!parts) continue;
    if ((*parts)[0] != tenant_id) {
      violations.Add(item, "must belong to the same tenant");
      continue;
    }
    ids.push_back((*parts)[1]);
  }
  return ids;
}

// ---- proto -> domain for writable resources -------------------------------------------------

// Names are validated and stored without surrounding spaces, so " Sportello " and "Sportello"
// are the same name and lists sort as people expect.
std::string Trimmed(const std::string& text) {
  return std::string(absl::StripAsciiWhitespace(text));
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
    desk.service_ids = IdsFromNames(proto.services(), kServicePattern, desk.tenant_id,
                                    prefix + "services", violations);
  }
  if (mask.Contains("capacity")) desk.capacity = proto.capacity();
}

constexpr absl::string_view kDeskFields[] = {"display_name",  "address",  "booking_mode",
                                             "opening_hours", "services", "capacity"};
constexpr absl::string_view kOutputOnly[] = {"name", "create_time", "update_time"};

api::UpdateMask AllOf(absl::Span<const absl::string_view> fields) {
  return api::UpdateMask(std::vector<std::string>(fields.begin(), fields.end()));
}

void ApplyService(const v1::Service& proto, const api::UpdateMask& mask, CatalogService& service) {
  if (mask.Contains("display_name")) service.display_name = Trimmed(proto.display_name());
  if (mask.Contains("description")) service.description = proto.description();
  if (mask.Contains("duration_minutes")) service.duration_minutes = proto.duration_minutes();
}

constexpr absl::string_view kServiceFields[] = {"display_name", "description", "duration_minutes"};

std::vector<std::string> PopulatedServiceFields(const v1::Service& service) {
  std::vector<std::string> fields;
  if (!service.display_name().empty()) fields.push_back("display_name");
  if (!service.description().empty()) fields.push_back("description");
  if (service.duration_minutes() != 0) fields.push_back("duration_minutes");
  return fields;
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

constexpr absl::string_view kChannelFields[] = {"display_name", "kind", "phone_number",
                                                "opening_hours"};

std::vector<std::string> PopulatedChannelFields(const v1::Channel& channel) {
  std::vector<std::string> fields;
  if (!channel.display_name().empty()) fields.push_back("display_name");
  if (channel.kind() != v1::CHANNEL_KIND_UNSPECIFIED) fields.push_back("kind");
  if (!channel.phone_number().empty()) fields.push_back("phone_number");
  if (!channel.opening_hours().empty()) fields.push_back("opening_hours");
  return fields;
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
    op.desk_ids =
        IdsFromNames(proto.desks(), kDeskPattern, op.tenant_id, prefix + "desks", violations);
  }
}

constexpr absl::string_view kOperatorFields[] = {"display_name", "subject", "roles", "desks"};

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

// ---- tenants -------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetTenant(grpc::ServerContext* context,
                                           const v1::GetTenantRequest* request,
                                           v1::Tenant* response) {
  return handler_->Handle(context, "GetTenant", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kTenantPattern, "name"));
    Tenant tenant;
    if (call.caller.HasRole(Role::kFederation)) {
      ASSIGN_OR_RETURN(tenant, repository_->GetTenantAsFederation(call.caller.tenant, ids[0]));
    } else {
      RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
      ASSIGN_OR_RETURN(tenant, repository_->GetTenant(ids[0]));
    }
    *response = ToProto(tenant);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListTenants(grpc::ServerContext* context,
                                             const v1::ListTenantsRequest* request,
                                             v1::ListTenantsResponse* response) {
  return handler_->Handle(context, "ListTenants", [&](Call& call) -> absl::Status {
    const bool federation = call.caller.HasRole(Role::kFederation);
    ASSIGN_OR_RETURN(ListQuery query, PageOf(request->page_size(), request->page_token(),
                                             federation ? "*" : call.caller.tenant));
    ASSIGN_OR_RETURN(Page<Tenant> page,
                     repository_->ListTenants(call.caller.tenant, federation, query.page));
    for (const Tenant& tenant : page.items) *response->add_tenants() = ToProto(tenant);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

// ---- desks ---------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetDesk(grpc::ServerContext* context,
                                         const v1::GetDeskRequest* request, v1::Desk* response) {
  return handler_->Handle(context, "GetDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kDeskPattern, "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(Desk desk, repository_->GetDesk(ids[0], ids[1]));
    *response = ToProto(desk);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListDesks(grpc::ServerContext* context,
                                           const v1::ListDesksRequest* request,
                                           v1::ListDesksResponse* response) {
  return handler_->Handle(context, "ListDesks", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<Desk> page, repository_->ListDesks(ids[0], query.page));
    for (const Desk& desk : page.items) *response->add_desks() = ToProto(desk);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateDesk(grpc::ServerContext* context,
                                            const v1::CreateDeskRequest* request,
                                            v1::Desk* response) {
  return handler_->Handle(context, "CreateDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("desk_id", request->desk_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    Desk desk;
    desk.tenant_id = ids[0];
    desk.id = request->desk_id();
    ApplyDesk(request->desk(), AllOf(kDeskFields), "desk.", desk, violations);
    violations.Merge(ValidateDesk(desk), "desk.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        Created<Desk> created,
        repository_->CreateDesk(desk, KeyOf(*request, "CreateDesk"), ProtoEncoder<Desk>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::UpdateDesk(grpc::ServerContext* context,
                                            const v1::UpdateDeskRequest* request,
                                            v1::Desk* response) {
  return handler_->Handle(context, "UpdateDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->desk().name(), kDeskPattern, "desk.name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    ASSIGN_OR_RETURN(api::UpdateMask mask, MaskFor(request->update_mask(), kDeskFields,
                                                   PopulatedDeskFields(request->desk())));
    ASSIGN_OR_RETURN(Desk desk, repository_->GetDesk(ids[0], ids[1]));
    status::FieldViolations violations;
    ApplyDesk(request->desk(), mask, "desk.", desk, violations);
    violations.Merge(ValidateDesk(desk), "desk.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Desk updated, repository_->UpdateDesk(desk));
    *response = ToProto(updated);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::DeleteDesk(grpc::ServerContext* context,
                                            const v1::DeleteDeskRequest* request,
                                            google::protobuf::Empty*) {
  return handler_->Handle(context, "DeleteDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kDeskPattern, "name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    return repository_->DeleteDesk(ids[0], ids[1]);
  });
}

// ---- services ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetService(grpc::ServerContext* context,
                                            const v1::GetServiceRequest* request,
                                            v1::Service* response) {
  return handler_->Handle(context, "GetService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kServicePattern, "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(CatalogService service, repository_->GetService(ids[0], ids[1]));
    *response = ToProto(service);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListServices(grpc::ServerContext* context,
                                              const v1::ListServicesRequest* request,
                                              v1::ListServicesResponse* response) {
  return handler_->Handle(context, "ListServices", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<CatalogService> page, repository_->ListServices(ids[0], query.page));
    for (const CatalogService& service : page.items) *response->add_services() = ToProto(service);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateService(grpc::ServerContext* context,
                                               const v1::CreateServiceRequest* request,
                                               v1::Service* response) {
  return handler_->Handle(context, "CreateService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("service_id", request->service_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    CatalogService service;
    service.tenant_id = ids[0];
    service.id = request->service_id();
    ApplyService(request->service(), AllOf(kServiceFields), service);
    violations.Merge(ValidateService(service), "service.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<CatalogService> created,
                     repository_->CreateService(service, KeyOf(*request, "CreateService"),
                                                ProtoEncoder<CatalogService>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::UpdateService(grpc::ServerContext* context,
                                               const v1::UpdateServiceRequest* request,
                                               v1::Service* response) {
  return handler_->Handle(context, "UpdateService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids,
                     ParseName(request->service().name(), kServicePattern, "service.name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    ASSIGN_OR_RETURN(api::UpdateMask mask, MaskFor(request->update_mask(), kServiceFields,
                                                   PopulatedServiceFields(request->service())));
    ASSIGN_OR_RETURN(CatalogService service, repository_->GetService(ids[0], ids[1]));
    ApplyService(request->service(), mask, service);
    status::FieldViolations violations;
    violations.Merge(ValidateService(service), "service.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(CatalogService updated, repository_->UpdateService(service));
    *response = ToProto(updated);
    return absl::OkStatus();
  });
}

// ---- channels ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetChannel(grpc::ServerContext* context,
                                            const v1::GetChannelRequest* request,
                                            v1::Channel* response) {
  return handler_->Handle(context, "GetChannel", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kChannelPattern, "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(Channel channel, repository_->GetChannel(ids[0], ids[1]));
    *response = ToProto(channel);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListChannels(grpc::ServerContext* context,
                                              const v1::ListChannelsRequest* request,
                                              v1::ListChannelsResponse* response) {
  return handler_->Handle(context, "ListChannels", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<Channel> page, repository_->ListChannels(ids[0], query.page));
    for (const Channel& channel : page.items) *response->add_channels() = ToProto(channel);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateChannel(grpc::ServerContext* context,
                                               const v1::CreateChannelRequest* request,
                                               v1::Channel* response) {
  return handler_->Handle(context, "CreateChannel", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("channel_id", request->channel_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    Channel channel;
    channel.tenant_id = ids[0];
    channel.id = request->channel_id();
    ApplyChannel(request->channel(), AllOf(kChannelFields), "channel.", channel, violations);
    violations.Merge(ValidateChannel(channel), "channel.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Channel> created,
                     repository_->CreateChannel(channel, KeyOf(*request, "CreateChannel"),
                                                ProtoEncoder<Channel>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::UpdateChannel(grpc::ServerContext* context,
                                               const v1::UpdateChannelRequest* request,
                                               v1::Channel* response) {
  return handler_->Handle(context, "UpdateChannel", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids,
                     ParseName(request->channel().name(), kChannelPattern, "channel.name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    ASSIGN_OR_RETURN(api::UpdateMask mask, MaskFor(request->update_mask(), kChannelFields,
                                                   PopulatedChannelFields(request->channel())));
    ASSIGN_OR_RETURN(Channel channel, repository_->GetChannel(ids[0], ids[1]));
    status::FieldViolations violations;
    ApplyChannel(request->channel(), mask, "channel.", channel, violations);
    violations.Merge(ValidateChannel(channel), "channel.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Channel updated, repository_->UpdateChannel(channel));
    *response = ToProto(updated);
    return absl::OkStatus();
  });
}

// ---- closures ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::ListClosures(grpc::ServerContext* context,
                                              const v1::ListClosuresRequest* request,
                                              v1::ListClosuresResponse* response) {
  return handler_->Handle(context, "ListClosures", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kDeskPattern, "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<Closure> page, repository_->ListClosures(ids[0], ids[1], query.page));
    for (const Closure& closure : page.items) *response->add_closures() = ToProto(closure);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateClosure(grpc::ServerContext* context,
                                               const v1::CreateClosureRequest* request,
                                               v1::Closure* response) {
  return handler_->Handle(context, "CreateClosure", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kDeskPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("closure_id", request->closure_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    Closure closure;
    closure.tenant_id = ids[0];
    closure.desk_id = ids[1];
    closure.id = request->closure_id();
    closure.reason = request->closure().reason();
    std::optional<absl::CivilDay> start =
        FromProtoDate(request->closure().start_date(), "closure.start_date", violations);
    std::optional<absl::CivilDay> end =
        FromProtoDate(request->closure().end_date(), "closure.end_date", violations);
    if (start && end) {
      closure.start_date = *start;
      closure.end_date = *end;
      violations.Merge(ValidateClosure(closure), "closure.");
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Closure> created,
                     repository_->CreateClosure(closure, KeyOf(*request, "CreateClosure"),
                                                ProtoEncoder<Closure>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::DeleteClosure(grpc::ServerContext* context,
                                               const v1::DeleteClosureRequest* request,
                                               google::protobuf::Empty*) {
  return handler_->Handle(context, "DeleteClosure", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kClosurePattern, "name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    return repository_->DeleteClosure(ids[0], ids[1], ids[2]);
  });
}

// ---- holidays ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::ListHolidays(grpc::ServerContext* context,
                                              const v1::ListHolidaysRequest* request,
                                              v1::ListHolidaysResponse* response) {
  return handler_->Handle(context, "ListHolidays", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<Holiday> page, repository_->ListHolidays(ids[0], query.page));
    for (const Holiday& holiday : page.items) *response->add_holidays() = ToProto(holiday);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateHoliday(grpc::ServerContext* context,
                                               const v1::CreateHolidayRequest* request,
                                               v1::Holiday* response) {
  return handler_->Handle(context, "CreateHoliday", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("holiday_id", request->holiday_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    Holiday holiday;
    holiday.tenant_id = ids[0];
    holiday.id = request->holiday_id();
    holiday.display_name = Trimmed(request->holiday().display_name());
    holiday.recurring = request->holiday().recurring();
    if (holiday.recurring && request->holiday().date().year() != 0) {
      violations.Add("holiday.date.year", "must be 0 for a recurring holiday");
    }
    std::optional<absl::CivilDay> date =
        FromProtoDate(request->holiday().date(), "holiday.date", violations, holiday.recurring);
    if (date) holiday.date = *date;
    violations.Merge(ValidateHoliday(holiday), "holiday.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Holiday> created,
                     repository_->CreateHoliday(holiday, KeyOf(*request, "CreateHoliday"),
                                                ProtoEncoder<Holiday>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::DeleteHoliday(grpc::ServerContext* context,
                                               const v1::DeleteHolidayRequest* request,
                                               google::protobuf::Empty*) {
  return handler_->Handle(context, "DeleteHoliday", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kHolidayPattern, "name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    return repository_->DeleteHoliday(ids[0], ids[1]);
  });
}

// ---- open intervals ------------------------------------------------------------------------

grpc::Status TenantsGrpcService::ComputeOpenIntervals(
    grpc::ServerContext* context, const v1::ComputeOpenIntervalsRequest* request,
    v1::ComputeOpenIntervalsResponse* response) {
  return handler_->Handle(context, "ComputeOpenIntervals", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->desk(), kDeskPattern, "desk"));
    RETURN_IF_ERROR(call.caller.RequireTenant(ids[0]));
    status::FieldViolations violations;
    std::optional<absl::CivilDay> first =
        FromProtoDate(request->start_date(), "start_date", violations);
    std::optional<absl::CivilDay> last = FromProtoDate(request->end_date(), "end_date", violations);
    if (first && last) violations.Merge(ValidateDateRange(*first, *last));
    RETURN_IF_ERROR(violations.ToStatus());

    ASSIGN_OR_RETURN(Tenant tenant, repository_->GetTenant(ids[0]));
    ASSIGN_OR_RETURN(Desk desk, repository_->GetDesk(ids[0], ids[1]));
    ASSIGN_OR_RETURN(std::vector<Closure> closures,
                     repository_->ClosuresBetween(ids[0], ids[1], *first, *last));
    ASSIGN_OR_RETURN(std::vector<Holiday> holidays, repository_->AllHolidays(ids[0]));
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(tenant.time_zone, &zone)) {
      return absl::InternalError("the tenant's time zone is not installed (tzdata)");
    }
    for (const TimeInterval& interval : tenants::ComputeOpenIntervals(
             zone, desk.opening_hours, closures, holidays, *first, *last)) {
      v1::TimeInterval* out = response->add_intervals();
      out->mutable_start_time()->set_seconds(absl::ToUnixSeconds(interval.start));
      out->mutable_end_time()->set_seconds(absl::ToUnixSeconds(interval.end));
    }
    response->set_time_zone(tenant.time_zone);
    return absl::OkStatus();
  });
}

// ---- operators -----------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetOperator(grpc::ServerContext* context,
                                             const v1::GetOperatorRequest* request,
                                             v1::Operator* response) {
  return handler_->Handle(context, "GetOperator", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->name(), kOperatorPattern, "name"));
    RETURN_IF_ERROR(RequireStaff(call, ids[0]));
    ASSIGN_OR_RETURN(Operator op, repository_->GetOperator(ids[0], ids[1]));
    *response = ToProto(op);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListOperators(grpc::ServerContext* context,
                                               const v1::ListOperatorsRequest* request,
                                               v1::ListOperatorsResponse* response) {
  return handler_->Handle(context, "ListOperators", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireStaff(call, ids[0]));
    ASSIGN_OR_RETURN(ListQuery query,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(Page<Operator> page, repository_->ListOperators(ids[0], query.page));
    for (const Operator& op : page.items) *response->add_operators() = ToProto(op);
    response->set_next_page_token(NextToken(page, query));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateOperator(grpc::ServerContext* context,
                                                const v1::CreateOperatorRequest* request,
                                                v1::Operator* response) {
  return handler_->Handle(context, "CreateOperator", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids, ParseName(request->parent(), kTenantPattern, "parent"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    status::FieldViolations violations;
    api::CheckResourceId("operator_id", request->operator_id(), violations);
    CheckRequestId(request->request_id(), call, violations);
    Operator op;
    op.tenant_id = ids[0];
    op.id = request->operator_id();
    ApplyOperator(request->operator_(), AllOf(kOperatorFields), "operator.", op, violations);
    violations.Merge(ValidateOperator(op), "operator.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Operator> created,
                     repository_->CreateOperator(op, KeyOf(*request, "CreateOperator"),
                                                 ProtoEncoder<Operator>()));
    return RespondCreated(created, response);
  });
}

grpc::Status TenantsGrpcService::UpdateOperator(grpc::ServerContext* context,
                                                const v1::UpdateOperatorRequest* request,
                                                v1::Operator* response) {
  return handler_->Handle(context, "UpdateOperator", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(auto ids,
                     ParseName(request->operator_().name(), kOperatorPattern, "operator.name"));
    RETURN_IF_ERROR(RequireAdmin(call, ids[0]));
    ASSIGN_OR_RETURN(api::UpdateMask mask, MaskFor(request->update_mask(), kOperatorFields,
                                                   PopulatedOperatorFields(request->operator_())));
    ASSIGN_OR_RETURN(Operator op, repository_->GetOperator(ids[0], ids[1]));
    status::FieldViolations violations;
    ApplyOperator(request->operator_(), mask, "operator.", op, violations);
    violations.Merge(ValidateOperator(op), "operator.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Operator updated, repository_->UpdateOperator(op));
    *response = ToProto(updated);
    return absl::OkStatus();
  });
}

}  // namespace sportelli::tenants
