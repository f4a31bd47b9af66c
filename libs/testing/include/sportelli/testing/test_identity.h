// Tokens for service tests: a fresh ES256 key pair, a verifier that trusts it (lead comune
// "capannori", the system clock, as a service would) and tokens minted for any tenant and
// roles. Every service test authenticates the same way, through the real verifier.
//
//   sportelli::testing::TestIdentity identity;
//   RpcHandler handler("tenants.sportelli", &identity.verifier(), &metrics, &log);
//   context.AddMetadata("authorization", identity.Bearer("capannori", {"tenant_admin"}));
#ifndef SPORTELLI_TESTING_TEST_IDENTITY_H_
#define SPORTELLI_TESTING_TEST_IDENTITY_H_

#include <memory>
#include <string>
#include <vector>

#include "sportelli/auth/keys.h"
#include "sportelli/auth/tokens.h"

namespace sportelli::testing {

class TestIdentity final {
 public:
  static constexpr char kIssuer[] = "https://idp.test";
  static constexpr char kAudience[] = "sportelli-test";

  TestIdentity();

  const auth::TokenVerifier& verifier() const { return *verifier_; }
  const auth::KeyPairPem& keys() const { return keys_; }

  std::string Token(const std::string& tenant, std::vector<std::string> roles,
                    const std::string& subject = "test-user") const;
  // A `partner` token acting for `destination` of `tenant`'s catalog.
  std::string PartnerToken(const std::string& tenant, const std::string& destination,
                           const std::string& subject = "partner-user") const;
  // "Bearer <token>", the `authorization` metadata value.
  std::string Bearer(const std::string& tenant, std::vector<std::string> roles,
                     const std::string& subject = "test-user") const;

 private:
  auth::KeyPairPem keys_;
  std::unique_ptr<auth::TokenVerifier> verifier_;
  std::unique_ptr<auth::TokenSigner> signer_;
};

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_TEST_IDENTITY_H_
