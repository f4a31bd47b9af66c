#include "services/notifications/config.h"

namespace sportelli::notifications {

Config ReadConfig(config::EnvReader& env) {
  Config config;
  config.tenants = tenants_client::ReadDirectorySettings(env);
  config.feed.heartbeat = env.Duration("SPORTELLI_WATCH_HEARTBEAT", absl::Seconds(15),
                                       absl::Milliseconds(100), absl::Minutes(10));
  config.feed.max_watchers = env.Int("SPORTELLI_WATCH_MAX_STREAMS", 20000, 1, 1000000);
  return config;
}

}  // namespace sportelli::notifications
