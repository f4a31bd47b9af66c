// JWT verification (services) and minting (the dev CLI and tests), ES256 only.
//
// The algorithm is pinned: a token whose header names anything else — `none`, HS256 (the classic
// "public key used as HMAC secret" attack), RS256 — is rejected before its signature is looked
// at. `iss`, `aud`, `exp` and `iat` (required) and `nbf` (when present) are checked with a small
// leeway for clock skew, against the injected clock; a token may live at most
// `max_lifetime` (exp - iat), and the `federation` role is accepted only in a token of the lead
// comune. Built on cpp-jwt (Debian's libcpp-jwt-dev, OpenSSL underneath).
//
//   ASSIGN_OR_RETURN(TokenVerifier verifier,
//                    TokenVerifier::Create(public_key_pem, "https://idp.example", "sportelli",
//                                          {.lead_tenant = "capannori", .clock = &clock}));
//   ASSIGN_OR_RETURN(Caller caller, verifier.Verify(token));
#ifndef SPORTELLI_AUTH_TOKENS_H_
#define SPORTELLI_AUTH_TOKENS_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sportelli/auth/caller.h"
#include "sportelli/clock/clock.h"

namespace sportelli::auth {

struct VerifierOptions {
  // Tolerated clock skew between the identity provider and this service.
  absl::Duration leeway = absl::Seconds(30);
  // The longest exp - iat accepted: a stolen token is worth at most a working day.
  absl::Duration max_lifetime = absl::Hours(12);
  // The comune whose tokens may carry the `federation` role (the capofila). Empty: no token
  // may carry it.
  std::string lead_tenant;
  // The system clock when null. Must outlive the verifier.
  const clock::Clock* clock = nullptr;
};

// Thread-safe. Copies share their keys and their memory of verified tokens.
class TokenVerifier final {
 public:
  // `public_keys_pem`: one or more EC P-256 public keys ("BEGIN PUBLIC KEY" blocks, one after
  // the other). A token signed by any of them is accepted, so keys rotate without a gap: add
  // the new key, switch the issuer to it, later remove the old one (see ReplaceKeys).
  // INVALID_ARGUMENT when a block is not a P-256 public key or there is none.
  static absl::StatusOr<TokenVerifier> Create(std::string public_keys_pem, std::string issuer,
                                              std::string audience, VerifierOptions options = {});

  // UNAUTHENTICATED for anything wrong with the token (the message says what, never echoes
  // claims), including a token that carries no role this version knows; OK gives the caller.
  //
  // A token verified once is remembered (up to 10,000 of them) until it expires: portals and
  // the operator app send the same token for many calls, and checking an ES256 signature costs
  // far more than the rest of a typical RPC. A remembered token is still refused from its
  // expiry on.
  absl::StatusOr<Caller> Verify(absl::string_view token) const;

  // Swaps the key set (a rotated key file), with the checks of Create; on error the old keys
  // stay. Remembered tokens are forgotten, so a token of a removed key is refused at once.
  absl::Status ReplaceKeys(const std::string& public_keys_pem);

  size_t key_count() const;

 private:
  struct State;
  explicit TokenVerifier(std::shared_ptr<State> state) : state_(std::move(state)) {}

  absl::StatusOr<Caller> VerifySignatureAndClaims(absl::string_view token, absl::Time now,
                                                  absl::Time& not_before,
                                                  absl::Time& expires) const;

  std::shared_ptr<State> state_;
};

struct MintOptions {
  std::string subject;
  std::string tenant;
  std::vector<std::string> roles;  // role names; unknown names are passed through
  std::string destination;         // the `destination` claim of a partner; empty: none
  absl::Duration ttl = absl::Hours(8);
  // `iat`; the signer's clock when unset.
  std::optional<absl::Time> issued_at;
  std::optional<absl::Time> not_before;
};

class TokenSigner final {
 public:
  // `private_key_pem`: an EC P-256 private key (PKCS#8 or SEC1 PEM). `clock` (the system clock
  // when null) must outlive the signer.
  static absl::StatusOr<TokenSigner> Create(std::string private_key_pem, std::string issuer,
                                            std::string audience,
                                            const clock::Clock* clock = nullptr);

  absl::StatusOr<std::string> Mint(const MintOptions& options) const;

 private:
  TokenSigner(std::string private_key_pem, std::string issuer, std::string audience,
              const clock::Clock* clock);

  std::string private_key_pem_;
  std::string issuer_;
  std::string audience_;
  const clock::Clock* clock_;
};

}  // namespace sportelli::auth

#endif  // SPORTELLI_AUTH_TOKENS_H_
