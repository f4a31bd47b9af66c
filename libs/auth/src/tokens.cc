#include "sportelli/auth/tokens.h"

#include <chrono>
#include <exception>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "jwt/jwt.hpp"
#include "openssl/bio.h"
#include "openssl/evp.h"
#include "openssl/pem.h"
#include "sportelli/status/errors.h"

namespace sportelli::auth {
namespace {

absl::Status Reject(absl::string_view why) {
  return status::Error(absl::StatusCode::kUnauthenticated, why, "INVALID_TOKEN");
}

// Claims other than the signature are checked here rather than by cpp-jwt, which only knows
// string audiences and treats `exp` as optional.
absl::Status CheckTimes(const nlohmann::json& claims, absl::Duration leeway) {
  const int64_t now = absl::ToUnixSeconds(absl::Now());
  const int64_t slack = absl::ToInt64Seconds(leeway);
  auto exp = claims.find("exp");
  if (exp == claims.end() || !exp->is_number_integer()) return Reject("token has no valid exp");
  if (now > exp->get<int64_t>() + slack) return Reject("token expired");
  auto nbf = claims.find("nbf");
  if (nbf != claims.end()) {
    if (!nbf->is_number_integer()) return Reject("token has an invalid nbf");
    if (now + slack < nbf->get<int64_t>()) return Reject("token not yet valid");
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

}  // namespace

struct TokenVerifier::VerifiedTokens {
  struct Entry {
    Caller caller;
    absl::Time not_before;  // leeway applied
    absl::Time expires;     // leeway applied
  };
  static constexpr size_t kMaxEntries = 10000;
  absl::Mutex mu;
  absl::flat_hash_map<std::string, Entry> entries ABSL_GUARDED_BY(mu);
};

TokenVerifier::TokenVerifier(std::vector<std::string> public_keys_pem, std::string issuer,
                             std::string audience, absl::Duration leeway)
    : public_keys_pem_(std::move(public_keys_pem)),
      verified_(std::make_shared<VerifiedTokens>()),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)),
      leeway_(leeway) {}

absl::StatusOr<TokenVerifier> TokenVerifier::Create(std::string public_keys_pem, std::string issuer,
                                                    std::string audience, absl::Duration leeway) {
  if (issuer.empty() || audience.empty()) {
    return absl::InvalidArgumentError("the JWT issuer and audience must be set");
  }
  constexpr absl::string_view kBegin = "-----BEGIN PUBLIC KEY-----";
  constexpr absl::string_view kEnd = "-----END PUBLIC KEY-----";
  std::vector<std::string> keys;
  absl::string_view rest = public_keys_pem;
  for (size_t begin = rest.find(kBegin); begin != absl::string_view::npos;
       begin = rest.find(kBegin)) {
    const size_t end = rest.find(kEnd, begin);
    if (end == absl::string_view::npos)
      return absl::InvalidArgumentError("a PEM public key is truncated");
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
  return TokenVerifier(std::move(keys), std::move(issuer), std::move(audience), leeway);
}

absl::StatusOr<Caller> TokenVerifier::Verify(absl::string_view token) const {
  const absl::Time now = absl::Now();
  {
    absl::MutexLock lock(&verified_->mu);
    auto it = verified_->entries.find(token);
    if (it != verified_->entries.end()) {
      if (now >= it->second.not_before && now < it->second.expires) return it->second.caller;
      verified_->entries.erase(it);  // verified again below, which says what is wrong
    }
  }
  absl::Time not_before = absl::InfinitePast();
  absl::Time expires = absl::InfiniteFuture();
  absl::StatusOr<Caller> caller = VerifySignatureAndClaims(token, not_before, expires);
  if (caller.ok()) {
    absl::MutexLock lock(&verified_->mu);
    // A crude bound: tokens live hours, so forgetting them all now and then costs one
    // verification each.
    if (verified_->entries.size() >= VerifiedTokens::kMaxEntries) verified_->entries.clear();
    verified_->entries[std::string(token)] = {*caller, not_before - leeway_, expires + leeway_};
  }
  return caller;
}

absl::StatusOr<Caller> TokenVerifier::VerifySignatureAndClaims(absl::string_view token,
                                                               absl::Time& not_before,
                                                               absl::Time& expires) const {
  using namespace jwt::params;  // NOLINT: cpp-jwt's named parameters
  nlohmann::json claims;
  bool verified = false;
  for (const std::string& key : public_keys_pem_) {
    try {
      std::error_code error;
      // Only ES256 is accepted; cpp-jwt refuses any other `alg` before checking the signature.
      jwt::jwt_object decoded = jwt::decode(
          jwt::string_view(token.data(), token.size()), algorithms({"ES256"}), error, secret(key),
          verify(true), leeway(static_cast<uint32_t>(absl::ToInt64Seconds(leeway_))));
      // cpp-jwt checks exp and nbf (with the leeway) before the signature, so these answers are
      // the same for every key: say what is wrong rather than "invalid signature".
      if (error == jwt::VerificationErrc::TokenExpired) return Reject("token expired");
      if (error == jwt::VerificationErrc::ImmatureSignature) return Reject("token not yet valid");
      if (error || decoded.header().algo() != jwt::algorithm::ES256) continue;
      claims = decoded.payload().create_json_obj();
      verified = true;
      break;
    } catch (const std::exception&) {
      return Reject("token is malformed");
    }
  }
  if (!verified) return Reject("token signature or format is invalid");

  if (absl::Status times = CheckTimes(claims, leeway_); !times.ok()) return times;
  if (auto exp = claims.find("exp"); exp != claims.end() && exp->is_number()) {
    expires = absl::FromUnixSeconds(exp->get<int64_t>());
  }
  if (auto nbf = claims.find("nbf"); nbf != claims.end() && nbf->is_number()) {
    not_before = absl::FromUnixSeconds(nbf->get<int64_t>());
  }
  auto iss = claims.find("iss");
  if (iss == claims.end() || !iss->is_string() || iss->get<std::string>() != issuer_) {
    return Reject("token issuer not accepted");
  }
  auto aud = claims.find("aud");
  if (aud == claims.end() || !AudienceMatches(*aud, audience_)) {
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
  return caller;
}

TokenSigner::TokenSigner(std::string private_key_pem, std::string issuer, std::string audience)
    : private_key_pem_(std::move(private_key_pem)),
      issuer_(std::move(issuer)),
      audience_(std::move(audience)) {}

absl::StatusOr<TokenSigner> TokenSigner::Create(std::string private_key_pem, std::string issuer,
                                                std::string audience) {
  if (private_key_pem.find("PRIVATE KEY") == std::string::npos) {
    return absl::InvalidArgumentError("the signing key must be a PEM private key");
  }
  return TokenSigner(std::move(private_key_pem), std::move(issuer), std::move(audience));
}

absl::StatusOr<std::string> TokenSigner::Mint(const MintOptions& options) const {
  using namespace jwt::params;  // NOLINT: cpp-jwt's named parameters
  try {
    jwt::jwt_object token{algorithm("ES256"), secret(private_key_pem_)};
    token.add_claim("iss", issuer_)
        .add_claim("aud", audience_)
        .add_claim("sub", options.subject)
        .add_claim("tenant", options.tenant)
        .add_claim("roles", options.roles)
        .add_claim("iat", absl::ToUnixSeconds(options.now))
        .add_claim("exp", absl::ToUnixSeconds(options.now + options.ttl));
    if (options.not_before) token.add_claim("nbf", absl::ToUnixSeconds(*options.not_before));
    return token.signature();
  } catch (const std::exception& e) {
    return absl::InternalError(absl::StrCat("cannot sign token: ", e.what()));
  }
}

}  // namespace sportelli::auth
