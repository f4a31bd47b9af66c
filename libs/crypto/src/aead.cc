#include "sportelli/crypto/aead.h"

#include <openssl/evp.h>

#include <memory>

#include "absl/strings/str_cat.h"
#include "sportelli/crypto/random.h"

namespace sportelli::crypto {
namespace {

constexpr unsigned char kFormat = 0x01;
constexpr size_t kHeaderBytes = 1 + 4;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

CipherContext NewContext() {
  CipherContext context(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  if (!context) throw std::bad_alloc();
  return context;
}

void AppendLengthPrefixed(std::string& out, absl::string_view part) {
  const uint32_t size = static_cast<uint32_t>(part.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(part.data(), part.size());
}

std::string Header(uint32_t version) {
  std::string header(1, static_cast<char>(kFormat));
  for (int shift = 24; shift >= 0; shift -= 8)
    header.push_back(static_cast<char>(version >> shift));
  return header;
}

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::Status CannotOpen() {
  return absl::DataLossError(
      "a sealed value could not be opened: it was altered, or belongs to another row, column, "
      "table or comune");
}

}  // namespace

std::string Binding::Encode() const {
  std::string out = "sportelli-binding-v1";
  for (absl::string_view part : {absl::string_view(tenant), absl::string_view(table),
                                 absl::string_view(column), absl::string_view(row)}) {
    AppendLengthPrefixed(out, part);
  }
  return out;
}

absl::StatusOr<AeadKey> AeadKey::Create(std::string bytes, uint32_t version) {
  if (bytes.size() != kAeadKeyBytes) {
    return absl::InvalidArgumentError("an encryption key must be exactly 32 bytes");
  }
  return AeadKey(std::move(bytes), version);
}

AeadKey AeadKey::Generate(uint32_t version) { return AeadKey(RandomBytes(kAeadKeyBytes), version); }

std::string AeadKey::Seal(absl::string_view plaintext, const Binding& binding) const {
  const std::string header = Header(version_);
  const std::string nonce = RandomBytes(kNonceBytes);
  const std::string aad = header + binding.Encode();
  std::string out = header + nonce;
  const size_t body = out.size();
  out.resize(body + plaintext.size() + kTagBytes);
  auto* cipher_out = reinterpret_cast<unsigned char*>(out.data() + body);

  CipherContext context = NewContext();
  int length = 0;
  // Each call fails only on a broken OpenSSL or memory exhaustion: nothing a caller could act on.
  if (EVP_EncryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, Bytes(bytes_), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(context.get(), nullptr, &length, Bytes(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_EncryptUpdate(context.get(), cipher_out, &length, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(context.get(), cipher_out + length, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes,
                          cipher_out + plaintext.size()) != 1) {
    throw std::runtime_error("AES-256-GCM encryption failed");
  }
  return out;
}

absl::StatusOr<std::string> AeadKey::Open(absl::string_view sealed, const Binding& binding) const {
  absl::StatusOr<uint32_t> version = SealedKeyVersion(sealed);
  if (!version.ok()) return version.status();
  if (*version != version_) {
    return absl::FailedPreconditionError(
        absl::StrCat("the value was sealed under key version ", *version, ", not ", version_));
  }
  const absl::string_view header = sealed.substr(0, kHeaderBytes);
  const absl::string_view nonce = sealed.substr(kHeaderBytes, kNonceBytes);
  const absl::string_view cipher = sealed.substr(
      kHeaderBytes + kNonceBytes, sealed.size() - kHeaderBytes - kNonceBytes - kTagBytes);
  std::string tag(sealed.substr(sealed.size() - kTagBytes));
  const std::string aad = std::string(header) + binding.Encode();

  std::string plain(cipher.size(), '\0');
  CipherContext context = NewContext();
  int length = 0;
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, Bytes(bytes_), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(context.get(), nullptr, &length, Bytes(aad),
                        static_cast<int>(aad.size())) != 1 ||
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        Bytes(cipher), static_cast<int>(cipher.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return CannotOpen();
  }
  int final_length = 0;
  if (EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + length,
                          &final_length) != 1) {
    return CannotOpen();  // the tag did not match: altered, or another binding or key
  }
  return plain;
}

absl::StatusOr<uint32_t> SealedKeyVersion(absl::string_view sealed) {
  if (sealed.size() < kHeaderBytes + kNonceBytes + kTagBytes ||
      static_cast<unsigned char>(sealed[0]) != kFormat) {
    return absl::DataLossError("the value is not a sealed value of a known format");
  }
  uint32_t version = 0;
  for (size_t i = 1; i < kHeaderBytes; ++i) {
    version = (version << 8) | static_cast<unsigned char>(sealed[i]);
  }
  return version;
}

}  // namespace sportelli::crypto
