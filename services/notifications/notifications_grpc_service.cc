#include "services/notifications/notifications_grpc_service.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "services/notifications/domain/sms.h"
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

// A comune's text of one kind in one language: `<kind>-<language>`, "same-day-reminder-it".
struct TemplateName {
  static constexpr absl::string_view kPattern = "tenants/{tenant}/messageTemplates/{template}";
  std::string tenant;
  std::string id;
  static TemplateName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return api::FormatResourceName(kPattern, {tenant, id}); }
};

std::string TemplateId(MessageKind kind, Language language) {
  std::string id = absl::AsciiStrToLower(MessageKindName(kind));
  std::replace(id.begin(), id.end(), '_', '-');
  return absl::StrCat(id, "-", LanguageName(language));
}

constexpr MessageKind kKinds[] = {MessageKind::kConfirmation,    MessageKind::kCancellation,
                                  MessageKind::kReschedule,      MessageKind::kReminder,
                                  MessageKind::kSameDayReminder, MessageKind::kClosureMoved,
                                  MessageKind::kClosureCancelled};
constexpr Language kLanguages[] = {Language::kItalian, Language::kEnglish};

// The kind and language a template's id names; NOT_FOUND for any other id (the set is fixed).
absl::StatusOr<std::pair<MessageKind, Language>> ParseTemplateId(const std::string& id) {
  for (MessageKind kind : kKinds) {
    for (Language language : kLanguages) {
      if (TemplateId(kind, language) == id) return std::make_pair(kind, language);
    }
  }
  return status::NotFound("message template");
}

// A citizen's choices, reached through one of their appointments.
struct PreferencesName {
  static constexpr absl::string_view kPattern =
      "tenants/{tenant}/appointments/{appointment}/messagePreferences";
  std::string tenant;
  std::string appointment;
  static PreferencesName FromIds(std::vector<std::string> ids) {
    return {std::move(ids[0]), std::move(ids[1])};
  }
  std::string ToString() const { return api::FormatResourceName(kPattern, {tenant, appointment}); }
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

v1::MessageTemplate NotificationsGrpcService::TemplateToProto(
    const std::string& tenant, MessageKind kind, Language language,
    const std::optional<CustomTemplate>& custom) const {
  const MessageTemplate& text = custom ? custom->text : DefaultTemplate(kind, language);
  v1::MessageTemplate out;
  out.set_name(TemplateName{tenant, TemplateId(kind, language)}.ToString());
  out.set_kind(static_cast<v1::NotificationKind>(static_cast<int>(kind) + 1));
  out.set_language_code(LanguageName(language));
  out.set_subject(text.subject);
  out.set_body(text.body);
  out.set_custom(custom.has_value());
  if (custom) api::ToTimestamp(custom->update_time, out.mutable_update_time());
  // The SMS a citizen would get: a long date, a typical address, this comune's cancel link.
  absl::TimeZone rome;
  if (!absl::LoadTimeZone("Europe/Rome", &rome)) rome = absl::UTCTimeZone();
  MessageFacts sample;
  sample.comune = "Villa Basilica";
  sample.address = "Via della Chiesa 12, 55019 Villa Basilica";
  sample.start = absl::FromCivil(absl::CivilMinute(2026, 9, 30, 10, 30), rome);
  sample.previous_start = absl::FromCivil(absl::CivilMinute(2026, 9, 23, 10, 30), rome);
  sample.zone = rome;
  sample.cancel_link = CancelLinkUrl(portal_url_, std::string(10, 'a'), tenant, "");
  sample.language = language;
  if (absl::StatusOr<RenderedMessage> rendered = Render(text, sample); rendered.ok()) {
    const SmsLength length = MeasureSms(rendered->body);
    out.mutable_sms_length()->set_ucs2(length.encoding == SmsEncoding::kUcs2);
    out.mutable_sms_length()->set_units(length.units);
    out.mutable_sms_length()->set_segments(length.segments);
  }
  return out;
}

grpc::Status NotificationsGrpcService::ListMessageTemplates(
    grpc::ServerContext* context, const v1::ListMessageTemplatesRequest* request,
    v1::ListMessageTemplatesResponse* response) {
  return handler_->Handle(context, "ListMessageTemplates", [&](server::Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::TenantName parent,
                     api::ParseName<api::TenantName>(request->parent(), "parent"));
    RETURN_IF_ERROR(call.caller.RequireTenant(parent.tenant));
    RETURN_IF_ERROR(
        call.caller.RequireAnyRole({auth::Role::kTenantAdmin, auth::Role::kCoordinator}));
    if (templates_ == nullptr) return status::Unavailable("citizen messages");
    ASSIGN_OR_RETURN(std::vector<CustomTemplate> custom, templates_->List(parent.tenant));
    for (MessageKind kind : kKinds) {
      for (Language language : kLanguages) {
        std::optional<CustomTemplate> own;
        for (const CustomTemplate& c : custom) {
          if (c.kind == kind && c.language == language) own = c;
        }
        *response->add_message_templates() = TemplateToProto(parent.tenant, kind, language, own);
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status NotificationsGrpcService::GetMessageTemplate(
    grpc::ServerContext* context, const v1::GetMessageTemplateRequest* request,
    v1::MessageTemplate* response) {
  return handler_->Handle(context, "GetMessageTemplate", [&](server::Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(TemplateName name, api::ParseName<TemplateName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    RETURN_IF_ERROR(
        call.caller.RequireAnyRole({auth::Role::kTenantAdmin, auth::Role::kCoordinator}));
    ASSIGN_OR_RETURN(auto which, ParseTemplateId(name.id));
    if (templates_ == nullptr) return status::Unavailable("citizen messages");
    ASSIGN_OR_RETURN(std::optional<CustomTemplate> custom,
                     templates_->Get(name.tenant, which.first, which.second));
    *response = TemplateToProto(name.tenant, which.first, which.second, custom);
    return absl::OkStatus();
  });
}

grpc::Status NotificationsGrpcService::UpdateMessageTemplate(
    grpc::ServerContext* context, const v1::UpdateMessageTemplateRequest* request,
    v1::MessageTemplate* response) {
  return handler_->Handle(
      context, "UpdateMessageTemplate", [&](server::Call& call) -> absl::Status {
        const v1::MessageTemplate& wanted = request->message_template();
        ASSIGN_OR_RETURN(TemplateName name,
                         api::ParseName<TemplateName>(wanted.name(), "message_template.name"));
        RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
        RETURN_IF_ERROR(call.caller.RequireAnyRole({auth::Role::kTenantAdmin}));
        ASSIGN_OR_RETURN(auto which, ParseTemplateId(name.id));
        const MessageTemplate text{wanted.subject(), wanted.body()};
        status::FieldViolations violations;
        if (text.subject.size() > 200) {
          violations.Add("message_template.subject", "at most 200 bytes");
        }
        if (text.body.size() > 2000) violations.Add("message_template.body", "at most 2000 bytes");
        if (!IsWellFormedUtf8(text.subject) || !IsWellFormedUtf8(text.body)) {
          violations.Add("message_template", "must be UTF-8");
        }
        RETURN_IF_ERROR(violations.ToStatus());
        // Every problem at once, as violations on "subject" and "body" (the deny-list's stem,
        // never the writer's text).
        if (absl::Status valid = ValidateTemplate(which.first, text); !valid.ok()) {
          if (valid.code() != absl::StatusCode::kInvalidArgument) return valid;
          for (const auto& [field, description] : status::FieldViolationsOf(valid)) {
            violations.Add(absl::StrCat("message_template.", field), description);
          }
          return violations.ToStatus();
        }
        if (templates_ == nullptr) return status::Unavailable("citizen messages");
        const CustomTemplate custom{which.first, which.second, text, clock_->Now()};
        RETURN_IF_ERROR(templates_->Put(name.tenant, custom));
        logger_->Info(
            "message template changed",
            {{"tenant", name.tenant}, {"template", name.id}, {"by", call.caller.subject}});
        *response = TemplateToProto(name.tenant, which.first, which.second, custom);
        return absl::OkStatus();
      });
}

grpc::Status NotificationsGrpcService::ResetMessageTemplate(
    grpc::ServerContext* context, const v1::ResetMessageTemplateRequest* request,
    v1::MessageTemplate* response) {
  return handler_->Handle(context, "ResetMessageTemplate", [&](server::Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(TemplateName name, api::ParseName<TemplateName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    RETURN_IF_ERROR(call.caller.RequireAnyRole({auth::Role::kTenantAdmin}));
    ASSIGN_OR_RETURN(auto which, ParseTemplateId(name.id));
    if (templates_ == nullptr) return status::Unavailable("citizen messages");
    RETURN_IF_ERROR(templates_->Remove(name.tenant, which.first, which.second));
    logger_->Info("message template reset",
                  {{"tenant", name.tenant}, {"template", name.id}, {"by", call.caller.subject}});
    *response = TemplateToProto(name.tenant, which.first, which.second, std::nullopt);
    return absl::OkStatus();
  });
}

namespace {

// The citizen of `name`'s appointment, for their preferences: the desk's staff or the portal.
absl::StatusOr<std::string> CitizenOf(const server::Call& call, const PreferencesName& name,
                                      AppointmentSource* source) {
  RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
  RETURN_IF_ERROR(call.caller.RequireAnyRole(
      {auth::Role::kOperator, auth::Role::kCoordinator, auth::Role::kPortal}));
  if (source == nullptr) return status::Unavailable("citizen messages");
  ASSIGN_OR_RETURN(AppointmentNow appointment, source->Appointment(name.tenant, name.appointment));
  if (appointment.citizen.empty()) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the citizen of this appointment was erased", "CITIZEN_ERASED");
  }
  return appointment.citizen;
}

void PreferencesToProto(const PreferencesName& name, const std::set<MessageKind>& kinds,
                        v1::MessagePreferences* out) {
  out->set_name(name.ToString());
  for (MessageKind kind : kinds) {
    out->add_opted_out_kinds(static_cast<v1::NotificationKind>(static_cast<int>(kind) + 1));
  }
}

}  // namespace

grpc::Status NotificationsGrpcService::GetMessagePreferences(
    grpc::ServerContext* context, const v1::GetMessagePreferencesRequest* request,
    v1::MessagePreferences* response) {
  return handler_->Handle(
      context, "GetMessagePreferences", [&](server::Call& call) -> absl::Status {
        ASSIGN_OR_RETURN(PreferencesName name,
                         api::ParseName<PreferencesName>(request->name(), "name"));
        ASSIGN_OR_RETURN(std::string citizen, CitizenOf(call, name, source_));
        if (opt_outs_ == nullptr) return status::Unavailable("citizen messages");
        ASSIGN_OR_RETURN(std::set<MessageKind> kinds, opt_outs_->Get(name.tenant, citizen));
        PreferencesToProto(name, kinds, response);
        return absl::OkStatus();
      });
}

grpc::Status NotificationsGrpcService::UpdateMessagePreferences(
    grpc::ServerContext* context, const v1::UpdateMessagePreferencesRequest* request,
    v1::MessagePreferences* response) {
  return handler_->Handle(
      context, "UpdateMessagePreferences", [&](server::Call& call) -> absl::Status {
        const v1::MessagePreferences& wanted = request->message_preferences();
        ASSIGN_OR_RETURN(PreferencesName name, api::ParseName<PreferencesName>(
                                                   wanted.name(), "message_preferences.name"));
        status::FieldViolations violations;
        std::set<MessageKind> kinds;
        for (int i = 0; i < wanted.opted_out_kinds_size(); ++i) {
          const int kind = wanted.opted_out_kinds(i);
          if (kind < 1 || kind > static_cast<int>(MessageKind::kClosureCancelled) + 1) {
            violations.Add(absl::StrCat("message_preferences.opted_out_kinds[", i, "]"),
                           "must be a notification kind");
            continue;
          }
          kinds.insert(static_cast<MessageKind>(kind - 1));
        }
        RETURN_IF_ERROR(violations.ToStatus());
        ASSIGN_OR_RETURN(std::string citizen, CitizenOf(call, name, source_));
        if (opt_outs_ == nullptr) return status::Unavailable("citizen messages");
        RETURN_IF_ERROR(opt_outs_->Set(name.tenant, citizen, kinds, clock_->Now()));
        PreferencesToProto(name, kinds, response);
        return absl::OkStatus();
      });
}

grpc::Status NotificationsGrpcService::GetCancelLink(grpc::ServerContext* context,
                                                     const v1::GetCancelLinkRequest* request,
                                                     v1::CancelLink* response) {
  return handler_->Handle(context, "GetCancelLink", [&](server::Call& call) -> absl::Status {
    constexpr absl::string_view kPrefix = "cancelLinks/";
    const std::string& name = request->name();
    const absl::string_view code =
        absl::StartsWith(name, kPrefix) ? absl::string_view(name).substr(kPrefix.size()) : "";
    if (code.size() != 10 || !std::all_of(code.begin(), code.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
        })) {
      status::FieldViolations violations;
      violations.Add("name", "must be cancelLinks/ and the 10 characters of a link");
      return violations.ToStatus();
    }
    // The portal of whichever comune: the link does not say which.
    RETURN_IF_ERROR(call.caller.RequireAnyRole({auth::Role::kPortal}));
    if (messages_ == nullptr) return status::Unavailable("citizen messages");
    ASSIGN_OR_RETURN(std::optional<CancelLinkTarget> target,
                     messages_->FindCancelLink(std::string(code)));
    if (!target) return status::NotFound("cancel link");
    response->set_name(name);
    response->set_appointment(
        api::AppointmentName{target->tenant_id, target->appointment_id}.ToString());
    return absl::OkStatus();
  });
}

}  // namespace sportelli::notifications
