// The gRPC edge of the notifications service: checks each request (every problem at once, as
// field violations), authorizes the caller and hands the stream to the live feed.
//
// Every RPC is for the desks' staff: `operator` and `coordinator` of the comune (not
// tenant_admin, dpo, portal, partner or notifier tokens). The comune is checked before the desk is
// looked up, so another comune's desks cannot be probed.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_

#include "services/notifications/live_feed.h"
#include "services/notifications/messages_repository.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::notifications {

class NotificationsGrpcService final
    : public v1::NotificationsService::WithCallbackMethod_WatchEvents<
          v1::NotificationsService::Service> {
 public:
  // Pointers must outlive the service.
  // `messages` may be null (a replica without citizen messages: the list RPCs are UNAVAILABLE).
  NotificationsGrpcService(LiveFeed* feed, tenants_client::Directory* directory,
                           MessagesRepository* messages, const server::RpcHandler* handler)
      : feed_(feed), directory_(directory), messages_(messages), handler_(handler) {}

  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) override;
  grpc::Status ListNotifications(grpc::ServerContext* context,
                                 const v1::ListNotificationsRequest* request,
                                 v1::ListNotificationsResponse* response) override;
  grpc::Status GetNotification(grpc::ServerContext* context,
                               const v1::GetNotificationRequest* request,
                               v1::Notification* response) override;

 private:
  LiveFeed* const feed_;
  tenants_client::Directory* const directory_;
  MessagesRepository* const messages_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
