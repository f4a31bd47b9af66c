// The gRPC edge of the notifications service: checks each request (every problem at once, as
// field violations), authorizes the caller and hands the stream to the live feed.
//
// WatchEvents is for the desks' staff: `operator` and `coordinator` of the comune (not
// tenant_admin, dpo, portal or partner tokens). The comune is checked before the desk is looked
// up, so another comune's desks cannot be probed.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_

#include "services/notifications/live_feed.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::notifications {

class NotificationsGrpcService final
    : public v1::NotificationsService::WithCallbackMethod_WatchEvents<
          v1::NotificationsService::Service> {
 public:
  // Pointers must outlive the service.
  NotificationsGrpcService(LiveFeed* feed, tenants_client::Directory* directory,
                           const server::RpcHandler* handler)
      : feed_(feed), directory_(directory), handler_(handler) {}

  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) override;

 private:
  LiveFeed* const feed_;
  tenants_client::Directory* const directory_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
