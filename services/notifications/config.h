// The notifications service's own settings (the kit reads the common ones: server, database,
// Redis, tokens), read from the environment once at start; docs/operations.md lists them.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_

#include <string>

#include "services/notifications/live_feed.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/tenants_client/settings.h"

namespace sportelli::notifications {

struct Config {
  tenants_client::DirectorySettings tenants;
  LiveFeed::Options feed;
};

// Every problem is recorded on `env` (the caller exits listing them all).
Config ReadConfig(config::EnvReader& env);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_
