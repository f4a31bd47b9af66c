// sportelli-notifications: the live feed of each comune's desks for the operator app and the
// queue displays (WatchEvents), read from the comuni's event streams; and the messages to
// citizens about their appointments (confirmations, cancellations, moves, reminders).
//
//   sportelli-notifications [serve]     the gRPC server, the feed, the consumer and the sender
//   sportelli-notifications migrate     the schema migrations, then exit
//   sportelli-notifications maintain    retention: the messages that can no longer be sent, after
//                                       SPORTELLI_MESSAGE_RETENTION (90 days)
//
// Configuration comes from environment variables (docs/operations.md).
#include "services/notifications/appointment_source.h"
#include "services/notifications/citizen_messages.h"
#include "services/notifications/config.h"
#include "services/notifications/live_feed.h"
#include "services/notifications/notifications_grpc_service.h"
#include "services/notifications/postgres_messages_repository.h"
#include "services/notifications/service_identity.h"
#include "services/notifications/sms_receipts.h"
#include "services/notifications/sms_sender.h"
#include "services/notifications/templates_repository.h"
#include "sportelli/events/service_kit.h"
#include "sportelli/events/streams.h"
#include "sportelli/events/worker.h"
#include "sportelli/server/maintenance.h"
#include "sportelli/server/service_main.h"
#include "sportelli/status/macros.h"
#include "sportelli/tenants_client/grpc_directory.h"

namespace sportelli::notifications {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

// The SMS providers, each comune's route to one, and the endpoint of their delivery receipts.
absl::StatusOr<SmsRoutes*> AddSms(server::ServiceKit& kit, const SmsSettings& settings,
                                  const Config& config, MessagesRepository* repository) {
  std::map<std::string, SmsSender*, std::less<>> senders;
  std::vector<SmsReceipts::Provider> receiving;
  for (const SmsSettings::Provider& provider : settings.providers) {
    ASSIGN_OR_RETURN(std::unique_ptr<HttpSmsSender> sender,
                     HttpSmsSender::Create(provider.options));
    senders[provider.options.name] = kit.Own(std::move(sender));
    if (!provider.receipt_secrets.empty()) {
      receiving.push_back({provider.options.name, provider.receipt_secrets});
    }
  }
  auto* routes = kit.Own(std::make_unique<SmsRoutes>());
  for (const auto& [comune, route] : settings.comuni) {
    (*routes)[comune] = SmsRoute{.sender = senders.at(route.provider),
                                 .from = route.from,
                                 .same_day_reminder = route.same_day_reminder};
  }
  if (!receiving.empty()) {
    auto* receipts =
        kit.Own(std::make_unique<SmsReceipts>(repository, &kit.clock(), &kit.log(), &kit.registry(),
                                              std::move(receiving), config.comuni));
    // Started with the workers and stopped before the pool goes: a receipt in progress still
    // finds its database.
    auto* server = kit.Own(std::make_unique<std::unique_ptr<ReceiptServer>>());
    const std::string listen = config.sms_receipts_listen;
    ASSIGN_OR_RETURN(*server, ReceiptServer::Start(receipts, listen));
    kit.log().Info("SMS receipts served", {{"port", (*server)->port()}});
    kit.AddWorker([] {}, [server] { server->reset(); });
  }
  return routes;
}

// Messages to citizens: the comuni's streams read by a consumer group (each event handled by one
// replica), and the sender.
absl::Status AddCitizenMessages(server::ServiceKit& kit, const Config& config,
                                MessagesRepository* repository, TemplatesRepository* templates,
                                OptOutsRepository* opt_outs, AppointmentSource* source) {
  if (config.comuni.empty() || source == nullptr) {
    kit.log().Warning("SPORTELLI_COMUNI is empty: no message will be sent to citizens");
    return absl::OkStatus();
  }
  EmailSender* email = nullptr;
  if (config.smtp) {
    ASSIGN_OR_RETURN(std::unique_ptr<SmtpEmailSender> smtp,
                     SmtpEmailSender::Create(*config.smtp, &kit.clock()));
    email = kit.Own(std::move(smtp));
  } else {
    kit.log().Warning("SPORTELLI_SMTP_URL is unset: e-mails to citizens will not be sent");
  }
  SmsRoutes* sms = nullptr;
  if (config.sms) {
    ASSIGN_OR_RETURN(sms, AddSms(kit, *config.sms, config, repository));
  } else {
    kit.log().Warning("SPORTELLI_SMS_CONFIG_FILE is unset: SMS to citizens will not be sent");
  }
  auto* planner = kit.Own(
      std::make_unique<MessagePlanner>(repository, source, &kit.clock(), config.policy, sms));
  events::GroupConsumer::Options consuming;
  for (const std::string& comune : config.comuni) {
    consuming.streams.push_back(events::TenantStream(comune));
  }
  consuming.group = "notifications";
  consuming.consumer = config.instance;
  auto* consumer = kit.Own(std::make_unique<events::GroupConsumer>(
      &kit.background_redis(), consuming,
      [planner](const events::StreamEntry& entry) { return planner->Handle(entry); }, &kit.log()));
  kit.AddWorker([consumer] { consumer->Start(); }, [consumer] { consumer->Stop(); });
  auto* sender = kit.Own(std::make_unique<MessageSender>(
      repository, source, email, sms, &kit.clock(), &kit.log(), &kit.registry(), config.policy,
      MessageSender::Options{
          .tenants = config.comuni, .templates = templates, .opt_outs = opt_outs}));
  auto* outage = kit.Own(
      std::make_unique<events::OutageLog>(&kit.log(), "message sender", nlohmann::json::object()));
  auto* worker = kit.Own(std::make_unique<events::Worker>([sender, outage] {
    absl::StatusOr<int> sent = sender->RunOnce();
    if (!sent.ok()) {
      outage->Failed(sent.status());
      return absl::Seconds(2);
    }
    outage->Succeeded();
    return *sent == 0 ? absl::Seconds(1) : absl::ZeroDuration();
  }));
  kit.AddWorker([worker] { worker->Start(); }, [worker] { worker->Stop(); });
  return absl::OkStatus();
}

absl::Status Build(server::ServiceKit& kit, const Config& config) {
  auto* messages = kit.Own(std::make_unique<PostgresMessagesRepository>(&kit.pool()));
  auto* directory = kit.Own(std::make_unique<tenants_client::GrpcDirectory>(
      kit.ChannelTo(config.tenants.address), config.tenants.options, &kit.clock()));
  // The feed's blocking reads get connections of their own: they never wait behind the kit's
  // other background work, nor hold it up.
  redis::RedisClient::Options feed_redis = kit.background_redis().options();
  feed_redis.pool_size = 1;
  ASSIGN_OR_RETURN(std::unique_ptr<redis::RedisClient> redis,
                   redis::RedisClient::Create(feed_redis));
  auto* feed_connection = kit.Own(std::move(redis));
  auto* feed = kit.Own(std::make_unique<LiveFeed>(feed_connection, &kit.clock(), &kit.log(),
                                                  &kit.registry(), config.feed));
  auto* templates = kit.Own(std::make_unique<PostgresTemplatesRepository>(&kit.pool()));
  auto* opt_outs = kit.Own(std::make_unique<PostgresOptOutsRepository>(&kit.pool()));
  AppointmentSource* source = nullptr;
  if (!config.comuni.empty()) {
    ASSIGN_OR_RETURN(std::unique_ptr<ServiceIdentity> made,
                     ServiceIdentity::Create(config.service_key_pem, config.issuer, config.audience,
                                             &kit.clock()));
    auto* identity = kit.Own(std::move(made));
    source = kit.Own(std::make_unique<GrpcAppointmentSource>(
        kit.ChannelTo(config.scheduling_address), kit.ChannelTo(config.tenants.address), identity,
        config.dependency_deadline));
  }
  kit.AddService(kit.Own(std::make_unique<NotificationsGrpcService>(
      feed, directory, messages, templates, opt_outs, source, &kit.clock(), &kit.log(),
      config.policy.portal_url, &kit.handler())));
  kit.AddWorker([feed] { feed->Start(); }, [feed] { feed->Stop(); });
  RETURN_IF_ERROR(AddCitizenMessages(kit, config, messages, templates, opt_outs, source));
  // SIGTERM: the streams end with UNAVAILABLE at once, so that clients resume on another replica
  // instead of waiting for the shutdown deadline.
  kit.AddDrainHook([feed] { feed->Drain(); });
  // A comune's configuration changed (a desk removed): what this replica knows of it is stale.
  events::AddStreamTail(
      kit, std::string(events::kDirectoryStream),
      [directory](const events::v1::Event& event) { directory->Forget(event.tenant()); },
      [directory] { directory->ForgetAll(); });
  return absl::OkStatus();
}

}  // namespace sportelli::notifications

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  return server::RunMain(
      argc, argv,
      {.name = "notifications",
       .grpc_service = "sportelli.notifications.v1.NotificationsService",
       .migrations = &notifications::Migrations(),
       .components = {},
       .threads = 16,
       .pool_size = 4,
       .uses_redis = true,
       .configure = server::Configure<notifications::Config>(notifications::ReadConfig,
                                                             notifications::Build),
       .commands = {server::MaintainCommand("notifications", [](config::EnvReader& env) {
         const absl::Duration keep =
             env.Duration("SPORTELLI_MESSAGE_RETENTION", absl::Hours(24 * 90), absl::Hours(24 * 7),
                          absl::Hours(24 * 730));
         // Messages first: a link goes in the same run as its appointment's last message.
         return std::vector<pg::RetentionStep>{notifications::MessagesRetention(keep),
                                               notifications::CancelLinksRetention(keep)};
       })}});
}
