#include "services/notifications/notifications_grpc_service.h"

#include "sportelli/api/names.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {

grpc::ServerWriteReactor<v1::WatchEventsResponse>* NotificationsGrpcService::WatchEvents(
    grpc::CallbackServerContext* context, const v1::WatchEventsRequest* request) {
  return handler_->Stream<v1::WatchEventsResponse>(
      context, "WatchEvents",
      [&](server::Call& call, std::shared_ptr<FeedWriter> writer) -> absl::Status {
        status::FieldViolations violations;
        std::optional<api::TenantName> parent =
            api::ParseName<api::TenantName>(request->parent(), "parent", violations);
        std::optional<api::DeskName> desk;
        if (!request->desk().empty()) {
          desk = api::ParseName<api::DeskName>(request->desk(), "desk", violations);
          api::RequireSameTenant(parent, desk, "desk", violations);
        }
        std::optional<FeedPosition> after;
        if (!request->after_event_id().empty()) {
          after = ParseFeedPosition(request->after_event_id());
          if (!after) {
            violations.Add("after_event_id", "must be the id of an event this feed sent");
          }
        }
        RETURN_IF_ERROR(violations.ToStatus());
        RETURN_IF_ERROR(call.caller.RequireTenant(parent->tenant));
        RETURN_IF_ERROR(
            call.caller.RequireAnyRole({auth::Role::kOperator, auth::Role::kCoordinator}));
        if (desk) {
          // NOT_FOUND for a desk the comune does not have, rather than a feed that stays silent.
          RETURN_IF_ERROR(
              directory_->GetDesk(call.OnBehalfOfCaller(), desk->tenant, desk->desk).status());
        }
        return feed_->Subscribe(
            {.tenant = parent->tenant, .desk = desk ? desk->ToString() : "", .after = after},
            std::move(writer));
      });
}

}  // namespace sportelli::notifications
