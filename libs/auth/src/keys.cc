#include "sportelli/auth/keys.h"

#include <memory>

#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"

namespace sportelli::auth {
namespace {

struct BioDeleter {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::string Drain(BIO* bio) {
  char* data = nullptr;
  long length = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(length));
}

}  // namespace

absl::StatusOr<KeyPairPem> GenerateEs256KeyPair() {
  std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) return absl::InternalError("EC key generation failed");
  std::unique_ptr<BIO, BioDeleter> private_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioDeleter> public_bio(BIO_new(BIO_s_mem()));
  if (!private_bio || !public_bio ||
      PEM_write_bio_PrivateKey(private_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1 ||
      PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
    return absl::InternalError("PEM encoding of the key failed");
  }
  return KeyPairPem{Drain(private_bio.get()), Drain(public_bio.get())};
}

}  // namespace sportelli::auth
