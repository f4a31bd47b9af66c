#include "sportelli/testing/test_identity.h"

#include <cstdlib>

namespace sportelli::testing {

TestIdentity::TestIdentity() {
  absl::StatusOr<auth::KeyPairPem> keys = auth::GenerateEs256KeyPair();
  if (!keys.ok()) std::abort();
  keys_ = *std::move(keys);
  auth::VerifierOptions options;
  options.lead_tenant = "capannori";
  verifier_ = std::make_unique<auth::TokenVerifier>(
      *auth::TokenVerifier::Create(keys_.public_key, kIssuer, kAudience, options));
  signer_ = std::make_unique<auth::TokenSigner>(
      *auth::TokenSigner::Create(keys_.private_key, kIssuer, kAudience));
}

std::string TestIdentity::Token(const std::string& tenant, std::vector<std::string> roles,
                                const std::string& subject) const {
  auth::MintOptions options;
  options.subject = subject;
  options.tenant = tenant;
  options.roles = std::move(roles);
  return *signer_->Mint(options);
}

std::string TestIdentity::PartnerToken(const std::string& tenant, const std::string& destination,
                                       const std::string& subject) const {
  auth::MintOptions options;
  options.subject = subject;
  options.tenant = tenant;
  options.roles = {"partner"};
  options.destination = destination;
  return *signer_->Mint(options);
}

std::string TestIdentity::Bearer(const std::string& tenant, std::vector<std::string> roles,
                                 const std::string& subject) const {
  return "Bearer " + Token(tenant, std::move(roles), subject);
}

}  // namespace sportelli::testing
