// EC P-256 key pairs in PEM, for the dev key `scripts/up` creates once and for tests.
// Production keys come from the identity provider; services only ever see the public half.
#ifndef SPORTELLI_AUTH_KEYS_H_
#define SPORTELLI_AUTH_KEYS_H_

#include <string>

#include "absl/status/statusor.h"

namespace sportelli::auth {

struct KeyPairPem {
  std::string private_key;  // PKCS#8 "BEGIN PRIVATE KEY"
  std::string public_key;   // SubjectPublicKeyInfo "BEGIN PUBLIC KEY"
};

absl::StatusOr<KeyPairPem> GenerateEs256KeyPair();

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_KEYS_H_
