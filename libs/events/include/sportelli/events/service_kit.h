// Events in a service built on the kit (sportelli/server/service_main.h): the outbox relay and a
// stream tail as workers of the service, started after its server and stopped after it (so the
// events of the last RPCs still go out).
//
//   absl::Status Build(server::ServiceKit& kit, const Config& config) {
//     ...
//     if (config.relay) events::AddOutboxRelay(kit, "scheduling");
//     events::AddStreamTail(kit, std::string(events::kDirectoryStream),
//                           [&](const events::v1::Event& e) { directory->Forget(e.tenant()); },
//                           [&] { directory->ForgetAll(); });
//   }
#ifndef SPORTELLI_EVENTS_SERVICE_KIT_H_
#define SPORTELLI_EVENTS_SERVICE_KIT_H_

#include <functional>
#include <string>

#include "sportelli/events/consumer.h"
#include "sportelli/events/relay.h"
#include "sportelli/pg/retention.h"
#include "sportelli/server/service_main.h"

namespace sportelli::events {

// Publishes `<schema>.outbox` from the kit's background pool and Redis, metrics labelled with
// the service's name. `extra_streams` as in RelayOptions.
void AddOutboxRelay(
    server::ServiceKit& kit, const std::string& schema,
    std::function<std::vector<std::string>(absl::string_view type)> extra_streams = nullptr);

// Tails `stream` on the kit's background Redis.
void AddStreamTail(server::ServiceKit& kit, std::string stream, StreamTail::Handler handler,
                   std::function<void()> on_gap);

// The retention of the kit's own tables in `schema`, for a service's `maintain` subcommand
// (sportelli/server/maintenance.h): request ids after SPORTELLI_RETAIN_REQUEST_IDS [24h], outbox
// rows published more than SPORTELLI_RETAIN_OUTBOX [168h] ago.
std::vector<pg::RetentionStep> KitRetentionSteps(const std::string& schema, config::EnvReader& env);

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_SERVICE_KIT_H_
