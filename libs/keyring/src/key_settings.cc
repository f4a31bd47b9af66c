#include "sportelli/keyring/key_settings.h"

#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::keyring {

KeySettings ReadKeySettings(config::EnvReader& env) {
  KeySettings settings;
  settings.secret_key = env.FileContents("SPORTELLI_SECRET_KEY_FILE");
  if (!settings.secret_key.empty() && !crypto::SecretKey::Create(settings.secret_key).ok()) {
    env.Reject("SPORTELLI_SECRET_KEY_FILE", "the secret key must be at least 32 bytes");
  }
  settings.key_encryption_keys = env.FileContents("SPORTELLI_KEK_FILE");
  if (!settings.key_encryption_keys.empty()) {
    if (auto kek = crypto::FileKeyEncryptionKey::Parse(settings.key_encryption_keys); !kek.ok()) {
      env.Reject("SPORTELLI_KEK_FILE", std::string(kek.status().message()));
    }
  }
  return settings;
}

}  // namespace sportelli::keyring
