// A service's secret key and the keyed derivations made with it (HMAC-SHA256): blind indexes
// (sportelli/citizen/blind_index.h), the cancel tokens of appointments, and whatever keyed
// digest comes next. Every derivation names its purpose and its tenant, so the same value
// gives unrelated digests in two comuni or for two uses, and one can never be presented as
// the other.
//
//   ASSIGN_OR_RETURN(crypto::SecretKey key, crypto::SecretKey::Create(file_contents));
//   std::string digest = key.Hmac("cancel-token", tenant, appointment_id);  // 32 raw bytes
#ifndef SPORTELLI_CRYPTO_SECRET_KEY_H_
#define SPORTELLI_CRYPTO_SECRET_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::crypto {

class SecretKey final {
 public:
  // At least 32 bytes (256 bits); INVALID_ARGUMENT otherwise. The message never shows the key.
  static absl::StatusOr<SecretKey> Create(std::string key);

  // HMAC-SHA256(key, purpose "\n" tenant "\n" value): 32 raw bytes.
  std::string Hmac(absl::string_view purpose, absl::string_view tenant,
                   absl::string_view value) const;

 private:
  explicit SecretKey(std::string key) : key_(std::move(key)) {}
  std::string key_;
};

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_SECRET_KEY_H_
