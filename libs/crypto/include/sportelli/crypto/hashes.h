// Hashes and comparisons every service uses, over OpenSSL: SHA-256 (raw and hex) and a
// comparison whose time does not depend on where two secrets differ.
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
// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_HASHES_H_
