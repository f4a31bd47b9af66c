// The intake service's own settings (the kit reads the common ones: server, database, Redis,
// tokens), read from the environment once at start; docs/operations.md lists them.
#ifndef SPORTELLI_SERVICES_INTAKE_CONFIG_H_
#define SPORTELLI_SERVICES_INTAKE_CONFIG_H_

#include <cstdint>
#include <string>

#include "sportelli/config/env_reader.h"
#include "sportelli/keyring/key_settings.h"
#include "sportelli/tenants_client/settings.h"

namespace sportelli::intake {

struct Config {
  tenants_client::DirectorySettings tenants;
  // sportelli-scheduling, read with the caller's token for contacts from an appointment.
  std::string scheduling_address;
  absl::Duration scheduling_deadline;
  keyring::KeySettings keys;
  bool relay = true;
  // SPORTELLI_MAX_ATTACHMENT_BYTES: the largest attachment body accepted.
  int64_t max_attachment_bytes = 0;
};

// Every problem is recorded on `env` (the caller exits listing them all).
Config ReadConfig(config::EnvReader& env);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_CONFIG_H_
