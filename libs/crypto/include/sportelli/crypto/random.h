// Identifiers nobody can guess, from the operating system's CSPRNG (OpenSSL RAND_bytes).
//
//   std::string id = crypto::RandomResourceId("a");   // "a" + 24 characters, a valid AIP-122 id
//   std::string event_id = crypto::RandomUuid();      // "3f0e7a4e-2b7c-4d7e-9a61-1c1d2e3f4a5b"
//
// If the OS cannot provide entropy these throw std::runtime_error: no identifier may then be
// made, and the RPC frame turns the exception into INTERNAL.
#ifndef SPORTELLI_CRYPTO_RANDOM_H_
#define SPORTELLI_CRYPTO_RANDOM_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace sportelli::crypto {

// `size` random bytes.
std::string RandomBytes(size_t size);
// `prefix` followed by 24 random characters of a-z and 2-7 (120 bits): a valid resource id
// when the prefix starts with a letter.
std::string RandomResourceId(absl::string_view prefix);
// A random (version 4) UUID in its canonical lower-case form.
std::string RandomUuid();

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_RANDOM_H_
