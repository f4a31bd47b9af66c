// Authenticated encryption of personal data at rest (AES-256-GCM, OpenSSL), and the sealed form
// every layer of the key hierarchy stores: a field sealed under a citizen's key, a citizen's key
// sealed under the comune's data key, a data key sealed under the key-encryption key.
//
//   const crypto::Binding where{tenant, "appointments", "family_name", appointment_id};
//   std::string sealed = key.Seal(family_name, where);          // store this
//   ASSIGN_OR_RETURN(std::string clear, key.Open(sealed, where));  // DATA_LOSS if moved
//
// A sealed value is: format byte 0x01, the key's version (4 bytes, big-endian), a random 96-bit
// nonce, the ciphertext, the 16-byte tag. The header and the binding are authenticated: a value
// copied into another row, column, table or comune, or altered in any byte, fails to open, and
// its key version cannot be changed to make an old key try it. Random nonces are safe far beyond
// this use (NIST SP 800-38D: up to 2^32 messages per key; a citizen's key seals a handful).
#ifndef SPORTELLI_CRYPTO_AEAD_H_
#define SPORTELLI_CRYPTO_AEAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::crypto {

// Where a sealed value belongs. Every part is bound into the authentication; none is stored.
struct Binding {
  std::string tenant;
  std::string table;
  std::string column;
  std::string row;

  // The associated data: each part length-prefixed, so no two bindings give the same bytes.
  std::string Encode() const;
};

inline constexpr size_t kAeadKeyBytes = 32;

class AeadKey final {
 public:
  // `bytes`: 32 bytes of key. INVALID_ARGUMENT otherwise (the message never shows the key).
  static absl::StatusOr<AeadKey> Create(std::string bytes, uint32_t version);
  // A new random key (OpenSSL RAND_bytes; throws std::runtime_error if the OS has no entropy).
  static AeadKey Generate(uint32_t version);

  uint32_t version() const { return version_; }
  // The raw key, to be sealed under the key above it. Never log it.
  const std::string& bytes() const { return bytes_; }

  std::string Seal(absl::string_view plaintext, const Binding& binding) const;
  // DATA_LOSS when the value was altered, is not a sealed value, or belongs to another binding;
  // FAILED_PRECONDITION when it was sealed under another version of the key.
  absl::StatusOr<std::string> Open(absl::string_view sealed, const Binding& binding) const;

 private:
  AeadKey(std::string bytes, uint32_t version) : bytes_(std::move(bytes)), version_(version) {}
  std::string bytes_;
  uint32_t version_;
};

// The version of the key a value was sealed under; DATA_LOSS when it is not a sealed value.
absl::StatusOr<uint32_t> SealedKeyVersion(absl::string_view sealed);

}  // namespace sportelli::crypto

#endif  // SPORTELLI_CRYPTO_AEAD_H_
