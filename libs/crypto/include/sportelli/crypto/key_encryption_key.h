// The top of the key hierarchy: the key-encryption key (KEK) that wraps each comune's data keys.
// Behind an interface so that a KMS or a Vault transit engine can hold it later without any
// service changing; today it is read from a file (a Kubernetes Secret mounted as a file).
//
//   key file (SPORTELLI_KEK_FILE), one version a line, the highest wraps, every one unwraps:
//     # sportelli key-encryption keys
//     1 3q2+7w... (base64 of 32 random bytes)
//     2 Zm9vYmFy...
//
//   ASSIGN_OR_RETURN(auto kek, crypto::FileKeyEncryptionKey::Parse(contents));
//   ASSIGN_OR_RETURN(std::string wrapped, kek->Wrap(data_key.bytes(), "scheduling/capannori/3"));
//
// Rotation of the KEK: add a line with a higher version and roll the services out; new data keys
// are wrapped with it, `keys rewrap` re-wraps the old ones, then the old line can be removed.
#ifndef SPORTELLI_CRYPTO_KEY_ENCRYPTION_KEY_H_
#define SPORTELLI_CRYPTO_KEY_ENCRYPTION_KEY_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/crypto/aead.h"

namespace sportelli::crypto {

class KeyEncryptionKey {
 public:
  virtual ~KeyEncryptionKey() = default;

  // `data_key` sealed for `context` (which data key it is: unwrapping it as another fails).
  virtual absl::StatusOr<std::string> Wrap(absl::string_view data_key,
                                           absl::string_view context) const = 0;
  // DATA_LOSS when altered or wrapped for another context; FAILED_PRECONDITION when the KEK
  // version that wrapped it is no longer held.
  virtual absl::StatusOr<std::string> Unwrap(absl::string_view wrapped,
                                             absl::string_view context) const = 0;
  // The version Wrap uses: a data key wrapped under an older one is due for re-wrapping.
  virtual uint32_t current_version() const = 0;
};

class FileKeyEncryptionKey final : public KeyEncryptionKey {
 public:
  // The key file's contents (see above). INVALID_ARGUMENT naming the line when a line is not
  // "<version> <base64 of 32 bytes>", a version repeats, or there is no key at all.
  static absl::StatusOr<std::unique_ptr<FileKeyEncryptionKey>> Parse(absl::string_view contents);
  // A fresh key file with one random version-1 key: what `scripts/up` writes for development.
  static std::string GenerateFile();

  absl::StatusOr<std::string> Wrap(absl::string_view data_key,
                                   absl::string_view context) const override;
  absl::StatusOr<std::string> Unwrap(absl::string_view wrapped,
                                     absl::string_view context) const override;
  uint32_t current_version() const override { return keys_.rbegin()->first; }

 private:
  explicit FileKeyEncryptionKey(std::map<uint32_t, AeadKey> keys) : keys_(std::move(keys)) {}
  std::map<uint32_t, AeadKey> keys_;  // never empty
};

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_KEY_ENCRYPTION_KEY_H_
