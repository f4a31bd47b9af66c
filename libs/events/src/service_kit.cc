#include "sportelli/events/service_kit.h"

#include "sportelli/events/outbox.h"

namespace sportelli::events {

void AddOutboxRelay(server::ServiceKit& kit, const std::string& schema,
                    std::function<std::vector<std::string>(absl::string_view type)> extra_streams) {
  RelayOptions options;
  options.schema = schema;
  options.service = kit.log().service();
  options.extra_streams = std::move(extra_streams);
  OutboxRelay* relay = kit.Own(std::make_unique<OutboxRelay>(
      &kit.background_pool(), &kit.background_redis(), &kit.log(), &kit.registry(), options));
  kit.AddWorker([relay] { relay->Start(); }, [relay] { relay->Stop(); });
}

void AddStreamTail(server::ServiceKit& kit, std::string stream, StreamTail::Handler handler,
                   std::function<void()> on_gap) {
  StreamTail* tail =
      kit.Own(std::make_unique<StreamTail>(&kit.background_redis(), std::move(stream),
                                           std::move(handler), std::move(on_gap), &kit.log()));
  kit.AddWorker([tail] { tail->Start(); }, [tail] { tail->Stop(); });
}

std::vector<pg::RetentionStep> KitRetentionSteps(const std::string& schema,
                                                 config::EnvReader& env) {
  const absl::Duration request_ids = env.Duration("SPORTELLI_RETAIN_REQUEST_IDS", absl::Hours(24),
                                                  absl::Hours(1), absl::Hours(24 * 30));
  const absl::Duration outbox = env.Duration("SPORTELLI_RETAIN_OUTBOX", absl::Hours(24 * 7),
                                             absl::Hours(1), absl::Hours(24 * 365));
  return {pg::RequestIdsRetention(schema, request_ids), OutboxRetention(schema, outbox)};
}

}  // namespace sportelli::events
