#include "sportelli/auth/tokens.h"

#include <chrono>
#include <exception>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "jwt/jwt.hpp"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::auth {
namespace {

absl::Status Reject(absl::string_view why) {
  return status::Error(absl::StatusCode::kUnauthenticated, why, "INVALID_TOKEN");
}

// cpp-jwt checks exp and nbf against the system clock on its own and cannot be told not to.
// It is given a leeway so wide that it never refuses a token for its times; CheckTimes decides,
// against the injected clock. (Below ten years: cpp-jwt subtracts it from nbf unsigned.)
constexpr uint32_t kLibraryLeewaySeconds = 10 * 365 * 24 * 3600;

std::optional<int64_t> IntegerClaim(const nlohmann::json& claims, const char* name) {
  auto it = claims.find(name);
  if (it == claims.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

// Claims other than the signature are checked here rather than by cpp-jwt, which only knows
// string audiences, treats `exp` as optional and reads the system clock.
absl::Status CheckTimes(const nlohmann::json& claims, absl::Time now,
                        const VerifierOptions& options) {
  const int64_t now_s = absl::ToUnixSeconds(now);
  const int64_t slack = absl::ToInt64Seconds(options.leeway);
  std::optional<int64_t> exp = IntegerClaim(claims, "exp");
  if (!exp) return Reject("token has no valid exp");
  if (now_s > *exp + slack) return Reject("token expired");
  std::optional<int64_t> iat = IntegerClaim(claims, "iat");
  if (!iat) return Reject("token has no valid iat");
  if (*iat > now_s + slack) return Reject("token issued in the future");
  if (*exp - *iat > absl::ToInt64Seconds(options.max_lifetime)) {
    return Reject("token lifetime exceeds the maximum");
  }
  if (claims.contains("nbf")) {
    std::optional<int64_t> nbf = IntegerClaim(claims, "nbf");
    if (!nbf) return Reject("token has an invalid nbf");
    if (now_s + slack < *nbf) return Reject("token not yet valid");
  }
  return absl::OkStatus();
}

bool AudienceMatches(const nlohmann::json& aud, const std::string& wanted) {
  if (aud.is_string()) return aud.get<std::string>() == wanted;
  if (aud.is_array()) {
    for (const auto& entry : aud) {
      if (entry.is_string() && entry.get<std::string>() == wanted) return true;
    }
  }
  return false;
}

// Parses with OpenSSL, so a wrong file (a certificate, an RSA key, another curve) stops the
// service at start instead of rejecting every call later.
bool IsP256PublicKey(const std::string& pem) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free);
  if (!bio) return false;
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr), EVP_PKEY_free);
  if (!key || !EVP_PKEY_is_a(key.get(), "EC")) return false;
  char group[64] = {0};
  size_t length = 0;
  if (EVP_PKEY_get_group_name(key.get(), group, sizeof(group), &length) != 1) return false;
  return std::string(group, length) == "prime256v1";
}

absl::StatusOr<std::vector<std::string>> ParseKeySet(absl::string_view public_keys_pem) {
  constexpr absl::string_view kBegin = "-----BEGIN PUBLIC KEY-----";
  constexpr absl::string_view kEnd = "-----END PUBLIC KEY-----";
  std::vector<std::string> keys;
  absl::string_view rest = public_keys_pem;
  for (size_t begin = rest.find(kBegin); begin != absl::string_view::npos;
       begin = rest.find(kBegin)) {
    const size_t end = rest.find(kEnd, begin);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError("a PEM public key is truncated");
    }
    std::string pem(rest.substr(begin, end + kEnd.size() - begin));
    pem += '\n';
    if (!IsP256PublicKey(pem)) {
      return absl::InvalidArgumentError(
          absl::StrCat("key ", keys.size() + 1, " is not an EC P-256 public key"));
    }
    keys.push_back(std::move(pem));
    rest = rest.substr(end + kEnd.size());
  }
  if (keys.empty()) return absl::InvalidArgumentError("no PEM public key found");
  return keys;
}

}  // namespace

struct TokenVerifier::State {
  struct Entry {
    Caller caller;
    absl::Time not_before;  // leeway applied
    absl::Time expires;     // leeway applied
  };
  static constexpr size_t kMaxEntries = 10000;

  std::string issuer;
  std::string audience;
  VerifierOptions options;
  const clock::Clock* clock;

  mutable absl::Mutex mu;
  std::shared_ptr<const std::vector<std::string>> keys ABSL_GUARDED_BY(mu);
  absl::flat_hash_map<std::string, Entry> verified ABSL_GUARDED_BY(mu);
};

absl::StatusOr<TokenVerifier> TokenVerifier::Create(std::string public_keys_pem, std::string issuer,
                                                    std::string audience, VerifierOptions options) {
  if (issuer.empty() || audience.empty()) {
    return absl::InvalidArgumentError("the JWT issuer and audience must be set");
  }
  if (options.leeway < absl::ZeroDuration() || options.max_lifetime <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("the JWT leeway and maximum lifetime must be positive");
  }
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ParseKeySet(public_keys_pem));
  auto state = std::make_shared<State>();
  state->issuer = std::move(issuer);
  state->audience = std::move(audience);
  state->clock = options.clock != nullptr ? options.clock : &clock::SystemClock::Instance();
  state->options = std::move(options);
  state->keys = std::make_shared<const std::vector<std::string>>(std::move(keys));
  return TokenVerifier(std::move(state));
}

absl::Status TokenVerifier::ReplaceKeys(const std::string& public_keys_pem) {
  ASSIGN_OR_RETURN(std::vector<std::string> keys, ParseKeySet(public_keys_pem));
  absl::MutexLock lock(&state_->mu);
  state_->keys = std::make_shared<const std::vector<std::string>>(std::move(keys));
  state_->verified.clear();
  return absl::OkStatus();
}

size_t TokenVerifier::key_count() const {
  absl::MutexLock lock(&state_->mu);
  return state_->keys->size();
}

absl::StatusOr<Caller> TokenVerifier::Verify(absl::string_view token) const {
  const absl::Time now = state_->clock->Now();
  {
    absl::MutexLock lock(&state_->mu);
    auto it = state_->verified.find(token);
    if (it != state_->verified.end()) {
      if (now >= it->second.not_before && now < it->second.expires) return it->second.caller;
      state_->verified.erase(it);  // verified again below, which says what is wrong
    }
  }
  absl::Time not_before = absl::InfinitePast();
  absl::Time expires = absl::InfiniteFuture();
  absl::StatusOr<Caller> caller = VerifySignatureAndClaims(token, now, not_before, expires);
  if (caller.ok()) {
    const absl::Duration leeway = state_->options.leeway;
    absl::MutexLock lock(&state_->mu);
    // A crude bound: tokens live hours, so forgetting them all now and then costs one
    // verification each.
    if (state_->verified.size() >= State::kMaxEntries) state_->verified.clear();
    state_->verified[std::string(token)] = {*caller, not_before - leeway, expires + leeway};
  }
  return caller;
}

absl::StatusOr<Caller> TokenVerifier::VerifySignatureAndClaims(absl::string_view token,
                                                               absl::Time now,
                                                               absl::Time& not_before,
                                                               absl::Time& expires) const {
  using namespace jwt::params;  // NOLINT: cpp-jwt's named parameters
  std::shared_ptr<const std::vector<std::string>> keys;
  {
    absl::MutexLock lock(&state_->mu);
    keys = state_->keys;
  }
  nlohmann::json claims;
  bool verified = false;
  for (const std::string& key : *keys) {
    try {
      std::error_code error;
      // Only ES256 is accepted; cpp-jwt refuses any other `alg` before checking the signature.
      jwt::jwt_object decoded =
          jwt::decode(jwt::string_view(token.data(), token.size()), algorithms({"ES256"}), error,
                      secret(key), verify(true), leeway(kLibraryLeewaySeconds));
      if (error || decoded.header().algo() != jwt::algorithm::ES256) continue;
      claims = decoded.payload().create_json_obj();
      verified = true;
      break;
    } catch (const std::exception&) {
      return Reject("token is malformed");
    }
  }
  if (!verified) return Reject("token signature or format is invalid");

  if (absl::Status times = CheckTimes(claims, now, state_->options); !times.ok()) return times;
  if (auto exp = claims.find("exp"); exp != claims.end() && exp->is_number()) {
    expires = absl::FromUnixSeconds(exp->get<int64_t>());
  }
  if (auto nbf = claims.find("nbf"); nbf != claims.end() && nbf->is_number()) {
    not_before = absl::FromUnixSeconds(nbf->get<int64_t>());
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != state_->issuer) {
    return Reject("token issuer not accepted");
  }
  auto aud = claims.find("aud");
  if (aud == claims.end() || !AudienceMatches(*aud, state_->audience)) {
    return Reject("token audience not accepted");
  }

  Caller caller;
  auto sub = claims.find("sub");
  auto tenant = claims.find("tenant");
  auto roles = claims.find("roles");
  if (sub == claims.end() || !sub->is_string() || sub->get<std::string>().empty()) {
    return Reject("token has no subject");
  }
  if (tenant == claims.end() || !tenant->is_string() || tenant->get<std::string>().empty()) {
    return Reject("token has no tenant");
  }
  if (roles == claims.end() || !roles->is_array()) return Reject("token has no roles");
  caller.subject = sub->get<std::string>();
  caller.tenant = tenant->get<std::string>();
  for (const auto& role : *roles) {
    if (!role.is_string()) return Reject("token roles must be strings");
    // Roles this version does not know are ignored, so the identity provider can add roles
    // before the services learn them.
    if (std::optional<Role> parsed = ParseRole(role.get<std::string>()))
      caller.roles.insert(*parsed);
  }
  // A token that grants nothing this service knows is not a caller of it.
  if (caller.roles.empty()) return Reject("token has no known role");
  // Anonymised aggregates across comuni are the capofila's: the role anywhere else is a
  // misconfigured identity provider, and no call of such a token is trusted.
  if (caller.HasRole(Role::kFederation) && caller.tenant != state_->options.lead_tenant) {
    return Reject("the federation role belongs to the lead comune only");
  }
  // A partner is outside the comune's staff: its token names the one destination it acts for,
  // and carries no other role (a staff role would open the comune's cases to it).
  if (caller.HasRole(Role::kPartner)) {
    auto destination = claims.find("destination");
    if (destination == claims.end() || !destination->is_string() ||
        destination->get<std::string>().empty()) {
      return Reject("a partner token names its destination");
    }
    if (caller.roles.size() != 1) return Reject("the partner role comes alone");
    caller.destination = destination->get<std::string>();
  }
  return caller;
}

TokenSigner::TokenSigner(std::string private_key_pem, std::string issuer, std::string audience,
                         const clock::Clock* clock)
    : private_key_pem_(std::move(private_key_pem)),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      clock_(clock != nullptr ? clock : &clock::SystemClock::Instance()) {}

absl::StatusOr<TokenSigner> TokenSigner::Create(std::string private_key_pem, std::string issuer,
                                                std::string audience, const clock::Clock* clock) {
  if (private_key_pem.find("PRIVATE KEY") == std::string::npos) {
    return absl::InvalidArgumentError("the signing key must be a PEM private key");
  }
  return TokenSigner(std::move(private_key_pem), std::move(issuer), std::move(audience), clock);
}

absl::StatusOr<std::string> TokenSigner::Mint(const MintOptions& options) const {
  using namespace jwt::params;  // NOLINT: cpp-jwt's named parameters
  try {
    const absl::Time issued_at = options.issued_at.value_or(clock_->Now());
    jwt::jwt_object token{algorithm("ES256"), secret(private_key_pem_)};
    token.add_claim("iss", issuer_)
        .add_claim("aud", audience_)
        .add_claim("sub", options.subject)
        .add_claim("tenant", options.tenant)
        .add_claim("roles", options.roles)
        .add_claim("iat", absl::ToUnixSeconds(issued_at))
        .add_claim("exp", absl::ToUnixSeconds(issued_at + options.ttl));
    if (options.not_before) token.add_claim("nbf", absl::ToUnixSeconds(*options.not_before));
    if (!options.destination.empty()) token.add_claim("destination", options.destination);
    return token.signature();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot sign token: ", e.what()));
  }
}

}  // namespace sportelli::auth
