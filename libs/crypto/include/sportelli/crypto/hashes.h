// Hashes and comparisons every service uses, over OpenSSL: SHA-256 (raw and hex), HMAC-SHA256
// and a comparison whose time does not depend on where two secrets differ.
//
//   const std::string stored = crypto::Sha256(token);           // keep only the hash
//   if (!crypto::ConstantTimeEquals(crypto::Sha256(presented), stored)) return NotFound(...);
#ifndef SPORTELLI_CRYPTO_HASHES_H_
#define SPORTELLI_CRYPTO_HASHES_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sportelli::crypto {

// SHA-256: 32 raw bytes.
std::string Sha256(absl::string_view data);
// SHA-256 as 64 lower-case hexadecimal characters.
std::string Sha256Hex(absl::string_view data);
// HMAC-SHA256 of `data` under `key` (any length): 32 raw bytes. For signatures agreed with
// another party (a provider's callbacks); the service's own derivations use SecretKey::Hmac.
std::string HmacSha256(absl::string_view key, absl::string_view data);
// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_HASHES_H_
