#include "services/tenants/tenants_grpc_service.h"

#include "services/tenants/domain/open_intervals.h"
#include "services/tenants/domain/validation.h"
#include "services/tenants/proto_mapping.h"
#include "services/tenants/resource_merge.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

using api::ParseName;
using auth::Role;
// Inside TenantsGrpcService, `Service` names the generated gRPC base class.
using CatalogService = ::sportelli::tenants::Service;
using server::Call;

// Every resource is ordered and paged by its `id`.
absl::StatusOr<api::PageRequest> PageOf(int32_t page_size, const std::string& page_token,
                                        const std::string& filter) {
  return api::ReadPageRequest(page_size, page_token, filter, {api::KeyPart::kId});
}

template <typename T>
std::string NextToken(const api::Page<T>& page, const api::PageRequest& request) {
  return api::NextPageToken(page, request, [](const T& item) { return api::PageKey{item.id}; });
}

template <typename T>
auto AsProto(const T& resource) {
  return ToProto(resource);
}

template <typename T>
pg::ResponseEncoder<T> Encoder() {
  return server::ProtoEncoder<T>(AsProto<T>);
}

}  // namespace

// ---- tenants -------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetTenant(grpc::ServerContext* context,
                                           const v1::GetTenantRequest* request,
                                           v1::Tenant* response) {
  return handler_->Handle(context, "GetTenant", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName name, ParseName<api::TenantName>(request->name(), "name"));
    Tenant tenant;
    if (call.caller.HasRole(Role::kFederation)) {
      ASSIGN_OR_RETURN(tenant, repository_->GetTenantAsFederation(call.caller.tenant, name.tenant));
    } else {
      RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
      ASSIGN_OR_RETURN(tenant, repository_->GetTenant(name.tenant));
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
    ASSIGN_OR_RETURN(api::PageRequest page, PageOf(request->page_size(), request->page_token(),
                                                   federation ? "*" : call.caller.tenant));
    ASSIGN_OR_RETURN(api::Page<Tenant> tenants,
                     repository_->ListTenants(call.caller.tenant, federation, page));
    for (const Tenant& tenant : tenants.items) *response->add_tenants() = ToProto(tenant);
    response->set_next_page_token(NextToken(tenants, page));
    return absl::OkStatus();
  });
}

// ---- desks ---------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetDesk(grpc::ServerContext* context,
                                         const v1::GetDeskRequest* request, v1::Desk* response) {
  return handler_->Handle(context, "GetDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DeskName name, ParseName<api::DeskName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    ASSIGN_OR_RETURN(Desk desk, repository_->GetDesk(name.tenant, name.desk));
    *response = ToProto(desk);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListDesks(grpc::ServerContext* context,
                                           const v1::ListDesksRequest* request,
                                           v1::ListDesksResponse* response) {
  return handler_->Handle(context, "ListDesks", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(parent.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<Desk> desks, repository_->ListDesks(parent.tenant, page));
    for (const Desk& desk : desks.items) *response->add_desks() = ToProto(desk);
    response->set_next_page_token(NextToken(desks, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateDesk(grpc::ServerContext* context,
                                            const v1::CreateDeskRequest* request,
                                            v1::Desk* response) {
  return handler_->Handle(context, "CreateDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(parent.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("desk_id", request->desk_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    Desk desk;
    desk.tenant_id = parent.tenant;
    desk.id = request->desk_id();
    ApplyDesk(request->desk(), AllDeskFields(), "desk.", desk, violations);
    violations.Merge(ValidateDesk(desk), "desk.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        Created<Desk> created,
        repository_->CreateDesk(desk, server::KeyOf(*request, "CreateDesk"), Encoder<Desk>()));
    return server::Reply(created, response, AsProto<Desk>);
  });
}

grpc::Status TenantsGrpcService::UpdateDesk(grpc::ServerContext* context,
                                            const v1::UpdateDeskRequest* request,
                                            v1::Desk* response) {
  return handler_->Handle(context, "UpdateDesk", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DeskName name,
                     ParseName<api::DeskName>(request->desk().name(), "desk.name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    ASSIGN_OR_RETURN(api::UpdateMask mask, DeskUpdateMask(request->update_mask(), request->desk()));
    ASSIGN_OR_RETURN(Desk desk, repository_->GetDesk(name.tenant, name.desk));
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
    ASSIGN_OR_RETURN(api::DeskName name, ParseName<api::DeskName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    return repository_->DeleteDesk(name.tenant, name.desk);
  });
}

// ---- services ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::GetService(grpc::ServerContext* context,
                                            const v1::GetServiceRequest* request,
                                            v1::Service* response) {
  return handler_->Handle(context, "GetService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::ServiceName name, ParseName<api::ServiceName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    ASSIGN_OR_RETURN(CatalogService service, repository_->GetService(name.tenant, name.service));
    *response = ToProto(service);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListServices(grpc::ServerContext* context,
                                              const v1::ListServicesRequest* request,
                                              v1::ListServicesResponse* response) {
  return handler_->Handle(context, "ListServices", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(parent.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<CatalogService> services,
                     repository_->ListServices(parent.tenant, page));
    for (const CatalogService& service : services.items) {
      *response->add_services() = ToProto(service);
    }
    response->set_next_page_token(NextToken(services, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateService(grpc::ServerContext* context,
                                               const v1::CreateServiceRequest* request,
                                               v1::Service* response) {
  return handler_->Handle(context, "CreateService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(parent.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("service_id", request->service_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    CatalogService service;
    service.tenant_id = parent.tenant;
    service.id = request->service_id();
    ApplyService(request->service(), AllServiceFields(), service);
    violations.Merge(ValidateService(service), "service.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<CatalogService> created,
                     repository_->CreateService(service, server::KeyOf(*request, "CreateService"),
                                                Encoder<CatalogService>()));
    return server::Reply(created, response, AsProto<CatalogService>);
  });
}

grpc::Status TenantsGrpcService::UpdateService(grpc::ServerContext* context,
                                               const v1::UpdateServiceRequest* request,
                                               v1::Service* response) {
  return handler_->Handle(context, "UpdateService", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::ServiceName name,
                     ParseName<api::ServiceName>(request->service().name(), "service.name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    ASSIGN_OR_RETURN(api::UpdateMask mask,
                     ServiceUpdateMask(request->update_mask(), request->service()));
    ASSIGN_OR_RETURN(CatalogService service, repository_->GetService(name.tenant, name.service));
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
    ASSIGN_OR_RETURN(api::ChannelName name, ParseName<api::ChannelName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    ASSIGN_OR_RETURN(Channel channel, repository_->GetChannel(name.tenant, name.channel));
    *response = ToProto(channel);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListChannels(grpc::ServerContext* context,
                                              const v1::ListChannelsRequest* request,
                                              v1::ListChannelsResponse* response) {
  return handler_->Handle(context, "ListChannels", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(parent.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<Channel> channels, repository_->ListChannels(parent.tenant, page));
    for (const Channel& channel : channels.items) *response->add_channels() = ToProto(channel);
    response->set_next_page_token(NextToken(channels, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateChannel(grpc::ServerContext* context,
                                               const v1::CreateChannelRequest* request,
                                               v1::Channel* response) {
  return handler_->Handle(context, "CreateChannel", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(parent.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("channel_id", request->channel_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    Channel channel;
    channel.tenant_id = parent.tenant;
    channel.id = request->channel_id();
    ApplyChannel(request->channel(), AllChannelFields(), "channel.", channel, violations);
    violations.Merge(ValidateChannel(channel), "channel.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Channel> created,
                     repository_->CreateChannel(channel, server::KeyOf(*request, "CreateChannel"),
                                                Encoder<Channel>()));
    return server::Reply(created, response, AsProto<Channel>);
  });
}

grpc::Status TenantsGrpcService::UpdateChannel(grpc::ServerContext* context,
                                               const v1::UpdateChannelRequest* request,
                                               v1::Channel* response) {
  return handler_->Handle(context, "UpdateChannel", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::ChannelName name,
                     ParseName<api::ChannelName>(request->channel().name(), "channel.name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    ASSIGN_OR_RETURN(api::UpdateMask mask,
                     ChannelUpdateMask(request->update_mask(), request->channel()));
    ASSIGN_OR_RETURN(Channel channel, repository_->GetChannel(name.tenant, name.channel));
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
    ASSIGN_OR_RETURN(api::DeskName desk, ParseName<api::DeskName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(desk.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<Closure> closures,
                     repository_->ListClosures(desk.tenant, desk.desk, page));
    for (const Closure& closure : closures.items) *response->add_closures() = ToProto(closure);
    response->set_next_page_token(NextToken(closures, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateClosure(grpc::ServerContext* context,
                                               const v1::CreateClosureRequest* request,
                                               v1::Closure* response) {
  return handler_->Handle(context, "CreateClosure", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DeskName desk, ParseName<api::DeskName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(desk.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("closure_id", request->closure_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    Closure closure;
    closure.tenant_id = desk.tenant;
    closure.desk_id = desk.desk;
    closure.id = request->closure_id();
    closure.reason = request->closure().reason();
    const v1::Closure& proto = request->closure();
    switch (proto.citizen_notice()) {
      case v1::CLOSURE_NOTICE_UNSPECIFIED:
      case v1::CLOSURE_NOTICE_NONE:
        closure.citizen_notice = ClosureNotice::kNone;
        break;
      case v1::CLOSURE_NOTICE_MOVED:
        closure.citizen_notice = ClosureNotice::kMoved;
        break;
      case v1::CLOSURE_NOTICE_CANCELLED:
        closure.citizen_notice = ClosureNotice::kCancelled;
        break;
      default:
        violations.Add("closure.citizen_notice", "must be NONE, MOVED or CANCELLED");
    }
    std::optional<absl::CivilDay> start = api::ParseDate(proto.has_start_date(), proto.start_date(),
                                                         "closure.start_date", violations);
    std::optional<absl::CivilDay> end =
        api::ParseDate(proto.has_end_date(), proto.end_date(), "closure.end_date", violations);
    if (start && end) {
      closure.start_date = *start;
      closure.end_date = *end;
      violations.Merge(ValidateClosure(closure), "closure.");
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Closure> created,
                     repository_->CreateClosure(closure, server::KeyOf(*request, "CreateClosure"),
                                                Encoder<Closure>()));
    return server::Reply(created, response, AsProto<Closure>);
  });
}

grpc::Status TenantsGrpcService::DeleteClosure(grpc::ServerContext* context,
                                               const v1::DeleteClosureRequest* request,
                                               google::protobuf::Empty*) {
  return handler_->Handle(context, "DeleteClosure", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::ClosureName name, ParseName<api::ClosureName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    return repository_->DeleteClosure(name.tenant, name.desk, name.closure);
  });
}

// ---- holidays ------------------------------------------------------------------------------

grpc::Status TenantsGrpcService::ListHolidays(grpc::ServerContext* context,
                                              const v1::ListHolidaysRequest* request,
                                              v1::ListHolidaysResponse* response) {
  return handler_->Handle(context, "ListHolidays", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(parent.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<Holiday> holidays, repository_->ListHolidays(parent.tenant, page));
    for (const Holiday& holiday : holidays.items) *response->add_holidays() = ToProto(holiday);
    response->set_next_page_token(NextToken(holidays, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateHoliday(grpc::ServerContext* context,
                                               const v1::CreateHolidayRequest* request,
                                               v1::Holiday* response) {
  return handler_->Handle(context, "CreateHoliday", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(parent.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("holiday_id", request->holiday_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    Holiday holiday;
    holiday.tenant_id = parent.tenant;
    holiday.id = request->holiday_id();
    holiday.display_name = Trimmed(request->holiday().display_name());
    holiday.recurring = request->holiday().recurring();
    if (holiday.recurring && request->holiday().date().year() != 0) {
      violations.Add("holiday.date.year", "must be 0 for a recurring holiday");
    }
    std::optional<absl::CivilDay> date =
        api::ParseDate(request->holiday().has_date(), request->holiday().date(), "holiday.date",
                       violations, {.required = true, .allow_no_year = holiday.recurring});
    if (date) holiday.date = *date;
    violations.Merge(ValidateHoliday(holiday), "holiday.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Holiday> created,
                     repository_->CreateHoliday(holiday, server::KeyOf(*request, "CreateHoliday"),
                                                Encoder<Holiday>()));
    return server::Reply(created, response, AsProto<Holiday>);
  });
}

grpc::Status TenantsGrpcService::DeleteHoliday(grpc::ServerContext* context,
                                               const v1::DeleteHolidayRequest* request,
                                               google::protobuf::Empty*) {
  return handler_->Handle(context, "DeleteHoliday", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::HolidayName name, ParseName<api::HolidayName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    return repository_->DeleteHoliday(name.tenant, name.holiday);
  });
}

// ---- open intervals ------------------------------------------------------------------------

grpc::Status TenantsGrpcService::ComputeOpenIntervals(
    grpc::ServerContext* context, const v1::ComputeOpenIntervalsRequest* request,
    v1::ComputeOpenIntervalsResponse* response) {
  return handler_->Handle(context, "ComputeOpenIntervals", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::DeskName desk, ParseName<api::DeskName>(request->desk(), "desk"));
    RETURN_IF_ERROR(call.caller.RequireTenant(desk.tenant));
    status::FieldViolations violations;
    std::optional<absl::CivilDay> first =
        api::ParseDate(request->has_start_date(), request->start_date(), "start_date", violations);
    std::optional<absl::CivilDay> last =
        api::ParseDate(request->has_end_date(), request->end_date(), "end_date", violations);
    if (first && last) violations.Merge(ValidateDateRange(*first, *last));
    RETURN_IF_ERROR(violations.ToStatus());

    ASSIGN_OR_RETURN(Tenant tenant, repository_->GetTenant(desk.tenant));
    ASSIGN_OR_RETURN(Desk found, repository_->GetDesk(desk.tenant, desk.desk));
    ASSIGN_OR_RETURN(std::vector<Closure> closures,
                     repository_->ClosuresBetween(desk.tenant, desk.desk, *first, *last));
    ASSIGN_OR_RETURN(std::vector<Holiday> holidays, repository_->AllHolidays(desk.tenant));
    absl::TimeZone zone;
    if (!absl::LoadTimeZone(tenant.time_zone, &zone)) {
      return absl::InternalError("the tenant's time zone is not installed (tzdata)");
    }
    for (const TimeInterval& interval : tenants::ComputeOpenIntervals(
             zone, found.opening_hours, closures, holidays, *first, *last)) {
      v1::TimeInterval* out = response->add_intervals();
      api::ToTimestamp(interval.start, out->mutable_start_time());
      api::ToTimestamp(interval.end, out->mutable_end_time());
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
    ASSIGN_OR_RETURN(api::OperatorName name, ParseName<api::OperatorName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireStaffOf(name.tenant));
    ASSIGN_OR_RETURN(Operator op, repository_->GetOperator(name.tenant, name.operator_id));
    *response = ToProto(op);
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::ListOperators(grpc::ServerContext* context,
                                               const v1::ListOperatorsRequest* request,
                                               v1::ListOperatorsResponse* response) {
  return handler_->Handle(context, "ListOperators", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireStaffOf(parent.tenant));
    ASSIGN_OR_RETURN(api::PageRequest page,
                     PageOf(request->page_size(), request->page_token(), request->parent()));
    ASSIGN_OR_RETURN(api::Page<Operator> operators,
                     repository_->ListOperators(parent.tenant, page));
    for (const Operator& op : operators.items) *response->add_operators() = ToProto(op);
    response->set_next_page_token(NextToken(operators, page));
    return absl::OkStatus();
  });
}

grpc::Status TenantsGrpcService::CreateOperator(grpc::ServerContext* context,
                                                const v1::CreateOperatorRequest* request,
                                                v1::Operator* response) {
  return handler_->Handle(context, "CreateOperator", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(parent.tenant));
    status::FieldViolations violations;
    api::CheckResourceId("operator_id", request->operator_id(), violations);
    server::CheckRequestId(request->request_id(), call, violations);
    Operator op;
    op.tenant_id = parent.tenant;
    op.id = request->operator_id();
    ApplyOperator(request->operator_(), AllOperatorFields(), "operator.", op, violations);
    violations.Merge(ValidateOperator(op), "operator.");
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(Created<Operator> created,
                     repository_->CreateOperator(op, server::KeyOf(*request, "CreateOperator"),
                                                 Encoder<Operator>()));
    return server::Reply(created, response, AsProto<Operator>);
  });
}

grpc::Status TenantsGrpcService::UpdateOperator(grpc::ServerContext* context,
                                                const v1::UpdateOperatorRequest* request,
                                                v1::Operator* response) {
  return handler_->Handle(context, "UpdateOperator", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::OperatorName name,
                     ParseName<api::OperatorName>(request->operator_().name(), "operator.name"));
    RETURN_IF_ERROR(call.caller.RequireAdminOf(name.tenant));
    ASSIGN_OR_RETURN(api::UpdateMask mask,
                     OperatorUpdateMask(request->update_mask(), request->operator_()));
    ASSIGN_OR_RETURN(Operator op, repository_->GetOperator(name.tenant, name.operator_id));
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
