// JWT verification (services) and minting (the dev CLI and tests), ES256 only.
//
// The algorithm is pinned: a token whose header names anything else — `none`, HS256 (the classic
// "public key used as HMAC secret" attack), RS256 — is rejected before its signature is looked
// at. `iss`, `aud`, `exp` (required) and `nbf` (when present) are checked with a small leeway
// for clock skew. Built on cpp-jwt (Debian's libcpp-jwt-dev, OpenSSL underneath).
//
//   ASSIGN_OR_RETURN(TokenVerifier verifier,
//                    TokenVerifier::Create(public_key_pem, "https://idp.example", "sportelli"));
//   ASSIGN_OR_RETURN(Caller caller, verifier.Verify(token));
#ifndef SPORTELLI_AUTH_TOKENS_H_
#define SPORTELLI_AUTH_TOKENS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sportelli/auth/caller.h"

namespace sportelli::auth {

class TokenVerifier final {
 public:
  // `public_keys_pem`: one or more EC P-256 public keys ("BEGIN PUBLIC KEY" blocks, one after
  // the other). A token signed by any of them is accepted, so keys rotate without a gap: add
  // the new key, roll the services, switch the issuer to it, later remove the old one.
  // INVALID_ARGUMENT when a block is not a P-256 public key or there is none.
  static absl::StatusOr<TokenVerifier> Create(std::string public_keys_pem, std::string issuer,
                                              std::string audience,
                                              absl::Duration leeway = absl::Seconds(30));

  // UNAUTHENTICATED for anything wrong with the token (the message says what, never echoes
  // claims), including a token that carries no role this version knows; OK gives the caller.
  //
  // A token verified once is remembered (up to 10,000 of them) until it expires: portals and
  // the operator app send the same token for many calls, and checking an ES256 signature costs
  // far more than the rest of a typical RPC. A remembered token is still refused from its
  // expiry on; thread-safe.
  absl::StatusOr<Caller> Verify(absl::string_view token) const;

  size_t key_count() const { return public_keys_pem_.size(); }

 private:
  TokenVerifier(std::vector<std::string> public_keys_pem, std::string issuer, std::string audience,
                absl::Duration leeway);

  absl::StatusOr<Caller> VerifySignatureAndClaims(absl::string_view token, absl::Time& not_before,
                                                  absl::Time& expires) const;

  struct VerifiedTokens;
  std::vector<std::string> public_keys_pem_;
  std::shared_ptr<VerifiedTokens> verified_;
  std::string issuer_;
  std::string audience_;
  absl::Duration leeway_;
};

struct MintOptions {
  std::string subject;
  std::string tenant;
  std::vector<std::string> roles;  // role names; unknown names are passed through
  absl::Duration ttl = absl::Hours(8);
  absl::Time now = absl::Now();
  std::optional<absl::Time> not_before;
};

class TokenSigner final {
 public:
  // `private_key_pem`: an EC P-256 private key (PKCS#8 or SEC1 PEM).
  static absl::StatusOr<TokenSigner> Create(std::string private_key_pem, std::string issuer,
                                            std::string audience);

  absl::StatusOr<std::string> Mint(const MintOptions& options) const;

 private:
  TokenSigner(std::string private_key_pem, std::string issuer, std::string audience);

  std::string private_key_pem_;
  std::string issuer_;
  std::string audience_;
};

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_TOKENS_H_
