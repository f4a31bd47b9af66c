#include "sportelli/tenants_client/settings.h"

namespace sportelli::tenants_client {

DirectorySettings ReadDirectorySettings(config::EnvReader& env) {
  DirectorySettings settings;
  settings.address = env.HostPort("SPORTELLI_TENANTS_ADDR", "127.0.0.1:8080");
  settings.options.deadline = env.Duration("SPORTELLI_TENANTS_DEADLINE", absl::Seconds(1),
                                           absl::Milliseconds(10), absl::Seconds(30));
  settings.options.ttl = env.Duration("SPORTELLI_TENANTS_CACHE_TTL", absl::Seconds(30),
                                      absl::ZeroDuration(), absl::Hours(1));
  return settings;
}

}  // namespace sportelli::tenants_client
