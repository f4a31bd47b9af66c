#include "sportelli/events/service_kit.h"

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

}  // namespace sportelli::events
