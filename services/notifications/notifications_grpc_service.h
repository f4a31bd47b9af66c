// The gRPC edge of the notifications service: checks each request (every problem at once, as
// field violations), authorizes the caller and hands the stream to the live feed.
//
// The feed and the messages are for the desks' staff: `operator` and `coordinator` of the comune
// (not tenant_admin, dpo, portal, partner or notifier tokens); the templates for its
// `tenant_admin` (and `coordinator`, reading). The comune is checked before the desk is
// looked up, so another comune's desks cannot be probed.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_

#include <optional>
#include <string>

#include "services/notifications/appointment_source.h"
#include "services/notifications/live_feed.h"
#include "services/notifications/messages_repository.h"
#include "services/notifications/opt_outs.h"
#include "services/notifications/templates_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/logging/logger.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::notifications {

class NotificationsGrpcService final
    : public v1::NotificationsService::WithCallbackMethod_WatchEvents<
          v1::NotificationsService::Service> {
 public:
  // Pointers must outlive the service.
  // `messages` and `templates` may be null (a replica without citizen messages: their RPCs are
  // UNAVAILABLE). `portal_url` makes the cancel link a template's SMS length is measured with.
  // `opt_outs` and `source` (the citizen of an appointment) may be null too.
  NotificationsGrpcService(LiveFeed* feed, tenants_client::Directory* directory,
                           MessagesRepository* messages, TemplatesRepository* templates,
                           OptOutsRepository* opt_outs, AppointmentSource* source,
                           const clock::Clock* clock, logging::Logger* logger,
                           std::string portal_url, const server::RpcHandler* handler)
      : feed_(feed),
        directory_(directory),
        messages_(messages),
        templates_(templates),
        opt_outs_(opt_outs),
        source_(source),
        clock_(clock),
        logger_(logger),
        portal_url_(std::move(portal_url)),
        handler_(handler) {}

  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) override;
  grpc::Status ListNotifications(grpc::ServerContext* context,
                                 const v1::ListNotificationsRequest* request,
                                 v1::ListNotificationsResponse* response) override;
  grpc::Status GetNotification(grpc::ServerContext* context,
                               const v1::GetNotificationRequest* request,
                               v1::Notification* response) override;
  grpc::Status ListMessageTemplates(grpc::ServerContext* context,
                                    const v1::ListMessageTemplatesRequest* request,
                                    v1::ListMessageTemplatesResponse* response) override;
  grpc::Status GetMessageTemplate(grpc::ServerContext* context,
                                  const v1::GetMessageTemplateRequest* request,
                                  v1::MessageTemplate* response) override;
  grpc::Status UpdateMessageTemplate(grpc::ServerContext* context,
                                     const v1::UpdateMessageTemplateRequest* request,
                                     v1::MessageTemplate* response) override;
  grpc::Status ResetMessageTemplate(grpc::ServerContext* context,
                                    const v1::ResetMessageTemplateRequest* request,
                                    v1::MessageTemplate* response) override;
  grpc::Status GetMessagePreferences(grpc::ServerContext* context,
                                     const v1::GetMessagePreferencesRequest* request,
                                     v1::MessagePreferences* response) override;
  grpc::Status UpdateMessagePreferences(grpc::ServerContext* context,
                                        const v1::UpdateMessagePreferencesRequest* request,
                                        v1::MessagePreferences* response) override;
  grpc::Status GetCancelLink(grpc::ServerContext* context, const v1::GetCancelLinkRequest* request,
                             v1::CancelLink* response) override;

 private:
  // A template as the API shows it: the comune's own, or the built-in one.
  v1::MessageTemplate TemplateToProto(const std::string& tenant, MessageKind kind,
                                      Language language,
                                      const std::optional<CustomTemplate>& custom) const;

  LiveFeed* const feed_;
  tenants_client::Directory* const directory_;
  MessagesRepository* const messages_;
  TemplatesRepository* const templates_;
  OptOutsRepository* const opt_outs_;
  AppointmentSource* const source_;
  const clock::Clock* const clock_;
  logging::Logger* const logger_;
  const std::string portal_url_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_NOTIFICATIONS_GRPC_SERVICE_H_
