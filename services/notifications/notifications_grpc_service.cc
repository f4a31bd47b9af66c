#include "services/notifications/notifications_grpc_service.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

// This service's own resource; the shared names (appointments, desks) are in libs/api.
struct NotificationName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/notifications/{notification}";
  std::string tenant;
  std::string notification;
  static NotificationName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return api::FormatResourceName(kPattern, {tenant, notification}); }
};

absl::Status RequireDeskStaff(const server::Call& call, const std::string& tenant) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  return call.caller.RequireAnyRole({auth::Role::kOperator, auth::Role::kCoordinator});
}

v1::Notification ToProto(const Message& m) {
  v1::Notification out;
  out.set_name(NotificationName{m.tenant_id, m.message_id}.ToString());
  out.set_appointment(api::AppointmentName{m.tenant_id, m.appointment_id}.ToString());
  out.set_kind(static_cast<v1::NotificationKind>(static_cast<int>(m.kind) + 1));
  out.set_channel(m.channel == DeliveryChannel::kEmail ? v1::NOTIFICATION_CHANNEL_EMAIL
                                                       : v1::NOTIFICATION_CHANNEL_SMS);
  out.set_state(static_cast<v1::NotificationState>(static_cast<int>(m.state) + 1));
  api::ToTimestamp(m.send_after, out.mutable_send_time());
  out.set_attempts(m.attempts);
  out.set_reason(m.last_reason);
  out.set_provider(m.provider);
  api::ToTimestamp(m.create_time, out.mutable_create_time());
  api::ToTimestamp(m.update_time, out.mutable_update_time());
  return out;
}

}  // namespace

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
        RETURN_IF_ERROR(RequireDeskStaff(call, parent->tenant));
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

grpc::Status NotificationsGrpcService::ListNotifications(
    grpc::ServerContext* context, const v1::ListNotificationsRequest* request,
    v1::ListNotificationsResponse* response) {
  return handler_->Handle(context, "ListNotifications", [&](server::Call& call) -> absl::Status {
    status::FieldViolations violations;
    std::optional<api::TenantName> parent =
        api::ParseName<api::TenantName>(request->parent(), "parent", violations);
    std::optional<api::AppointmentName> appointment;
    if (!request->appointment().empty()) {
      appointment =
          api::ParseName<api::AppointmentName>(request->appointment(), "appointment", violations);
      api::RequireSameTenant(parent, appointment, "appointment", violations);
    }
    std::vector<MessageState> states;
    std::string state_filter;
    for (int i = 0; i < request->states_size(); ++i) {
      const int state = request->states(i);
      // The proto's states follow MessageState's order, one ahead (UNSPECIFIED is 0).
      if (state < 1 || state > static_cast<int>(MessageState::kSent) + 1) {
        violations.Add(absl::StrCat("states[", i, "]"), "must be a notification state");
        continue;
      }
      states.push_back(static_cast<MessageState>(state - 1));
      absl::StrAppend(&state_filter, ",", state);
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(
            request->page_size(), request->page_token(),
            absl::StrCat(request->parent(), "\n", request->appointment(), "\n", state_filter),
            {api::KeyPart::kInt64, api::KeyPart::kInt64, api::KeyPart::kId}));
    RETURN_IF_ERROR(RequireDeskStaff(call, parent->tenant));
    if (messages_ == nullptr) return status::Unavailable("citizen messages");
    ASSIGN_OR_RETURN(
        api::Page<Message> listed,
        messages_->List(parent->tenant, appointment ? appointment->appointment : "", states, page));
    for (const Message& m : listed.items) *response->add_notifications() = ToProto(m);
    response->set_next_page_token(api::NextPageToken(listed, page, [](const Message& m) {
      return api::PageKey{IsFailure(m.state) ? "0" : "1",
                          absl::StrCat(absl::ToUnixMicros(m.send_after)), m.message_id};
    }));
    return absl::OkStatus();
  });
}

grpc::Status NotificationsGrpcService::GetNotification(grpc::ServerContext* context,
                                                       const v1::GetNotificationRequest* request,
                                                       v1::Notification* response) {
  return handler_->Handle(context, "GetNotification", [&](server::Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(NotificationName name,
                     api::ParseName<NotificationName>(request->name(), "name"));
    RETURN_IF_ERROR(RequireDeskStaff(call, name.tenant));
    if (messages_ == nullptr) return status::Unavailable("citizen messages");
    ASSIGN_OR_RETURN(Message message, messages_->Get(name.tenant, name.notification));
    *response = ToProto(message);
    return absl::OkStatus();
  });
}

}  // namespace sportelli::notifications
