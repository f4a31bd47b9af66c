#include "services/intake/config.h"

#include "services/intake/domain/case_records.h"

namespace sportelli::intake {

Config ReadConfig(config::EnvReader& env) {
  Config config;
  config.tenants = tenants_client::ReadDirectorySettings(env);
  config.scheduling_address = env.HostPort("SPORTELLI_SCHEDULING_ADDR", "127.0.0.1:8081");
  config.scheduling_deadline = env.Duration("SPORTELLI_SCHEDULING_DEADLINE", absl::Seconds(1),
                                            absl::Milliseconds(10), absl::Seconds(30));
  config.keys = keyring::ReadKeySettings(env);
  config.relay = env.Bool("SPORTELLI_RELAY_ENABLED", true);
  // Bodies arrive in one message: SPORTELLI_GRPC_MAX_RECEIVE_BYTES must stay above this.
  config.max_attachment_bytes =
      env.Int("SPORTELLI_MAX_ATTACHMENT_BYTES", static_cast<int>(kDefaultMaxAttachmentBytes), 1024,
              64 * 1024 * 1024);
  return config;
}

}  // namespace sportelli::intake
