// The secrets of a service that holds personal data, read once at start from files the
// environment names (docs/operations.md, "Key hierarchy"):
//   SPORTELLI_SECRET_KEY_FILE  at least 32 bytes: keys the blind indexes and request fingerprints
//   SPORTELLI_KEK_FILE         the key-encryption key lines (crypto/key_encryption_key.h)
// Both are required; a problem is recorded on `env`, which reports every problem at once.
#ifndef SPORTELLI_KEYRING_KEY_SETTINGS_H_
#define SPORTELLI_KEYRING_KEY_SETTINGS_H_

#include <string>

#include "sportelli/config/env_reader.h"

namespace sportelli::keyring {

struct KeySettings {
  std::string secret_key;
  std::string key_encryption_keys;
};

KeySettings ReadKeySettings(config::EnvReader& env);

}  // namespace sportelli::keyring

#endif  // SPORTELLI_KEYRING_KEY_SETTINGS_H_
