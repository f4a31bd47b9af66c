// sportelli-notifications: the live feed of each comune's desks for the operator app and the
// queue displays (WatchEvents), read from the comuni's event streams.
//
//   sportelli-notifications [serve]     the gRPC server and the feed (default)
//   sportelli-notifications migrate     the schema migrations, then exit
//   sportelli-notifications maintain    retention (nothing is kept yet: a no-op, for the CronJob)
//
// Configuration comes from environment variables (docs/operations.md).
#include "services/notifications/config.h"
#include "services/notifications/live_feed.h"
#include "services/notifications/notifications_grpc_service.h"
#include "sportelli/events/service_kit.h"
#include "sportelli/events/streams.h"
#include "sportelli/server/maintenance.h"
#include "sportelli/server/service_main.h"
#include "sportelli/status/macros.h"
#include "sportelli/tenants_client/grpc_directory.h"

namespace sportelli::notifications {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

absl::Status Build(server::ServiceKit& kit, const Config& config) {
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
  kit.AddService(
      kit.Own(std::make_unique<NotificationsGrpcService>(feed, directory, &kit.handler())));
  kit.AddWorker([feed] { feed->Start(); }, [feed] { feed->Stop(); });
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
       .commands = {server::MaintainCommand(
           "notifications", [](config::EnvReader&) { return std::vector<pg::RetentionStep>(); })}});
}
