// The gRPC face of the tenants service: maps sportelli.tenants.v1 requests to the domain and
// the repository, checks who may do what, and maps results and errors back. No storage or
// business rule lives here.
//
// Authorization (ARCHITECTURE.md §6):
//   - any authenticated caller of a tenant reads its desks, services, channels, closures,
//     holidays and open intervals;
//   - writes need `tenant_admin` of that tenant;
//   - operators are visible to `operator`, `coordinator` and `tenant_admin`;
//   - the list of comuni crosses tenants only for the `federation` role;
//   - another tenant's resources are PERMISSION_DENIED whether or not they exist.
#ifndef SPORTELLI_SERVICES_TENANTS_TENANTS_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_TENANTS_TENANTS_GRPC_SERVICE_H_

#include "services/tenants/tenants_repository.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"

namespace sportelli::tenants {

class TenantsGrpcService final : public v1::TenantsService::Service {
 public:
  // Both must outlive the service.
  TenantsGrpcService(TenantsRepository* repository, const server::RpcHandler* handler)
      : repository_(repository), handler_(handler) {}

  grpc::Status GetTenant(grpc::ServerContext* context, const v1::GetTenantRequest* request,
                         v1::Tenant* response) override;
  grpc::Status ListTenants(grpc::ServerContext* context, const v1::ListTenantsRequest* request,
                           v1::ListTenantsResponse* response) override;

  grpc::Status GetDesk(grpc::ServerContext* context, const v1::GetDeskRequest* request,
                       v1::Desk* response) override;
  grpc::Status ListDesks(grpc::ServerContext* context, const v1::ListDesksRequest* request,
                         v1::ListDesksResponse* response) override;
  grpc::Status CreateDesk(grpc::ServerContext* context, const v1::CreateDeskRequest* request,
                          v1::Desk* response) override;
  grpc::Status UpdateDesk(grpc::ServerContext* context, const v1::UpdateDeskRequest* request,
                          v1::Desk* response) override;
  grpc::Status DeleteDesk(grpc::ServerContext* context, const v1::DeleteDeskRequest* request,
                          google::protobuf::Empty* response) override;

  grpc::Status GetService(grpc::ServerContext* context, const v1::GetServiceRequest* request,
                          v1::Service* response) override;
  grpc::Status ListServices(grpc::ServerContext* context, const v1::ListServicesRequest* request,
                            v1::ListServicesResponse* response) override;
  grpc::Status CreateService(grpc::ServerContext* context, const v1::CreateServiceRequest* request,
                             v1::Service* response) override;
  grpc::Status UpdateService(grpc::ServerContext* context, const v1::UpdateServiceRequest* request,
                             v1::Service* response) override;

  grpc::Status GetChannel(grpc::ServerContext* context, const v1::GetChannelRequest* request,
                          v1::Channel* response) override;
  grpc::Status ListChannels(grpc::ServerContext* context, const v1::ListChannelsRequest* request,
                            v1::ListChannelsResponse* response) override;
  grpc::Status CreateChannel(grpc::ServerContext* context, const v1::CreateChannelRequest* request,
                             v1::Channel* response) override;
  grpc::Status UpdateChannel(grpc::ServerContext* context, const v1::UpdateChannelRequest* request,
                             v1::Channel* response) override;

  grpc::Status ListClosures(grpc::ServerContext* context, const v1::ListClosuresRequest* request,
                            v1::ListClosuresResponse* response) override;
  grpc::Status CreateClosure(grpc::ServerContext* context, const v1::CreateClosureRequest* request,
                             v1::Closure* response) override;
  grpc::Status DeleteClosure(grpc::ServerContext* context, const v1::DeleteClosureRequest* request,
                             google::protobuf::Empty* response) override;

  grpc::Status ListHolidays(grpc::ServerContext* context, const v1::ListHolidaysRequest* request,
                            v1::ListHolidaysResponse* response) override;
  grpc::Status CreateHoliday(grpc::ServerContext* context, const v1::CreateHolidayRequest* request,
                             v1::Holiday* response) override;
  grpc::Status DeleteHoliday(grpc::ServerContext* context, const v1::DeleteHolidayRequest* request,
                             google::protobuf::Empty* response) override;

  grpc::Status ComputeOpenIntervals(grpc::ServerContext* context,
                                    const v1::ComputeOpenIntervalsRequest* request,
                                    v1::ComputeOpenIntervalsResponse* response) override;

  grpc::Status GetOperator(grpc::ServerContext* context, const v1::GetOperatorRequest* request,
                           v1::Operator* response) override;
  grpc::Status ListOperators(grpc::ServerContext* context, const v1::ListOperatorsRequest* request,
                             v1::ListOperatorsResponse* response) override;
  grpc::Status CreateOperator(grpc::ServerContext* context,
                              const v1::CreateOperatorRequest* request,
                              v1::Operator* response) override;
  grpc::Status UpdateOperator(grpc::ServerContext* context,
                              const v1::UpdateOperatorRequest* request,
                              v1::Operator* response) override;

 private:
  TenantsRepository* const repository_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_TENANTS_GRPC_SERVICE_H_
