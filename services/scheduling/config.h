// The scheduling service's own settings (the kit reads the common ones: server, database,
// Redis, tokens), read from the environment once at start; docs/operations.md lists them.
#ifndef SPORTELLI_SERVICES_SCHEDULING_CONFIG_H_
#define SPORTELLI_SERVICES_SCHEDULING_CONFIG_H_

#include <string>

#include "services/scheduling/booking_service.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/tenants_client/settings.h"

namespace sportelli::scheduling {

struct Config {
  BookingRules rules;
  tenants_client::DirectorySettings tenants;
  std::string secret_key;
  // The key-encryption key file (crypto/key_encryption_key.h): wraps the comuni's data keys.
  std::string key_encryption_keys;
  bool relay = true;
  // Availability days held in each replica (hot_days.h); 0 turns the memory off.
  int hot_days = 20000;
};

// Every problem is recorded on `env` (the caller exits listing them all).
Config ReadConfig(config::EnvReader& env);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_CONFIG_H_
