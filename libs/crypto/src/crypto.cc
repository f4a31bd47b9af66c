#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <stdexcept>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::crypto {
namespace {

constexpr size_t kMinKeyBytes = 32;

void FillRandom(unsigned char* out, size_t size) {
  // RAND_bytes fails only when the OS cannot provide entropy: no identifier may then be made.
  if (RAND_bytes(out, static_cast<int>(size)) != 1) {
    throw std::runtime_error("the operating system's random source failed");
  }
}

}  // namespace

std::string Sha256(absl::string_view data) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

std::string Sha256Hex(absl::string_view data) { return absl::BytesToHexString(Sha256(data)); }

std::string HmacSha256(absl::string_view key, absl::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string RandomBytes(size_t size) {
  std::string bytes(size, '\0');
  FillRandom(reinterpret_cast<unsigned char*>(bytes.data()), size);
  return bytes;
}

std::string RandomResourceId(absl::string_view prefix) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::array<unsigned char, 24> bytes{};
  FillRandom(bytes.data(), bytes.size());
  std::string id(prefix);
  for (unsigned char b : bytes) id.push_back(kAlphabet[b & 31]);  // 32 symbols: no bias
  return id;
}

std::string RandomUuid() {
  std::array<unsigned char, 16> b{};
  FillRandom(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return text;
}

absl::StatusOr<SecretKey> SecretKey::Create(std::string key) {
  if (key.size() < kMinKeyBytes) {
    return absl::InvalidArgumentError("the secret key must be at least 32 bytes");
  }
  return SecretKey(std::move(key));
}

std::string SecretKey::Hmac(absl::string_view purpose, absl::string_view tenant,
                            absl::string_view value) const {
  const std::string message = absl::StrCat(purpose, "\n", tenant, "\n", value);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(),
       &length);
  return std::string(reinterpret_cast<const char*>(digest.data()), length);
}

}  // namespace sportelli::crypto
