#include "sportelli/auth/tokens.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "jwt/jwt.hpp"
#include "nlohmann/json.hpp"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "sportelli/auth/keys.h"
#include "sportelli/clock/clock.h"
#include "sportelli/status/errors.h"

namespace sportelli::auth {
namespace {

constexpr char kIssuer[] = "https://idp.piana-di-lucca.example";
constexpr char kAudience[] = "sportelli";
// Every token here is minted and verified on one fake clock, set to a fixed day: the tests
// mean the same on any date they run.
const absl::Time kNow = absl::FromUnixSeconds(1780300800);  // 2026-06-01T08:00:00Z

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<KeyPairPem> keys = GenerateEs256KeyPair();
    ASSERT_TRUE(keys.ok()) << keys.status();
    keys_ = *keys;
  }

  VerifierOptions Options() {
    VerifierOptions options;
    options.lead_tenant = "capannori";
    options.clock = &clock_;
    return options;
  }

  TokenVerifier Verifier() {
    return *TokenVerifier::Create(keys_.public_key, kIssuer, kAudience, Options());
  }

  std::string Mint(MintOptions options, const std::string& issuer = kIssuer,
                   const std::string& audience = kAudience) {
    absl::StatusOr<TokenSigner> signer =
        TokenSigner::Create(keys_.private_key, issuer, audience, &clock_);
    EXPECT_TRUE(signer.ok()) << signer.status();
    absl::StatusOr<std::string> token = signer->Mint(options);
    EXPECT_TRUE(token.ok()) << token.status();
    return *token;
  }

  static MintOptions Operator() {
    MintOptions options;
    options.subject = "op-17";
    options.tenant = "capannori";
    options.roles = {"operator", "tenant_admin", "future_role"};
    return options;
  }

  static std::string B64(const std::string& text) { return absl::WebSafeBase64Escape(text); }

  void ExpectRejected(const std::string& token, const std::string& why = "") {
    absl::StatusOr<Caller> caller = Verifier().Verify(token);
    ASSERT_FALSE(caller.ok());
    EXPECT_EQ(caller.status().code(), absl::StatusCode::kUnauthenticated);
    if (!why.empty()) {
      EXPECT_EQ(caller.status().message(), why);
    }
  }

  KeyPairPem keys_;
  clock::FakeClock clock_{kNow};
};

TEST_F(TokensTest, ValidTokenGivesTheCaller) {
  absl::StatusOr<Caller> caller = Verifier().Verify(Mint(Operator()));
  ASSERT_TRUE(caller.ok()) << caller.status();
  EXPECT_EQ(caller->subject, "op-17");
  EXPECT_EQ(caller->tenant, "capannori");
  EXPECT_TRUE(caller->HasRole(Role::kOperator));
  EXPECT_TRUE(caller->HasRole(Role::kTenantAdmin));
  EXPECT_FALSE(caller->HasRole(Role::kPortal));
  EXPECT_EQ(caller->roles.size(), 2u);  // the unknown role is ignored
}

TEST_F(TokensTest, ARememberedTokenIsStillRefusedOnceItExpires) {
  VerifierOptions no_leeway = Options();
  no_leeway.leeway = absl::ZeroDuration();
  absl::StatusOr<TokenVerifier> verifier =
      TokenVerifier::Create(keys_.public_key, kIssuer, kAudience, no_leeway);
  ASSERT_TRUE(verifier.ok());
  MintOptions options = Operator();
  options.ttl = absl::Seconds(2);
  const std::string token = Mint(options);
  ASSERT_TRUE(verifier->Verify(token).ok());
  absl::StatusOr<Caller> again = verifier->Verify(token);  // from memory
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->subject, "op-17");
  clock_.Advance(absl::Seconds(3));
  absl::StatusOr<Caller> late = verifier->Verify(token);
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.status().message(), "token expired");
  // A tampered copy of a remembered token is not the remembered token.
  std::string tampered = Mint(Operator());
  ASSERT_TRUE(verifier->Verify(tampered).ok());
  char& c = tampered[tampered.size() - 10];  // inside the signature, not its padding bits
  c = c == 'A' ? 'B' : 'A';
  EXPECT_FALSE(verifier->Verify(tampered).ok());
}

TEST_F(TokensTest, ExpiredTokenIsRejected) {
  MintOptions options = Operator();
  options.issued_at = kNow - absl::Hours(2);
  options.ttl = absl::Hours(1);
  ExpectRejected(Mint(options), "token expired");
}

TEST_F(TokensTest, NotYetValidTokenIsRejected) {
  MintOptions options = Operator();
  options.not_before = kNow + absl::Minutes(10);
  ExpectRejected(Mint(options), "token not yet valid");
  options.not_before.reset();
  options.issued_at = kNow + absl::Minutes(10);
  ExpectRejected(Mint(options), "token issued in the future");
}

TEST_F(TokensTest, SmallClockSkewIsTolerated) {
  MintOptions options = Operator();
  options.not_before = kNow + absl::Seconds(5);
  options.issued_at = kNow + absl::Seconds(5);
  EXPECT_TRUE(Verifier().Verify(Mint(options)).ok());
}

TEST_F(TokensTest, ATokenLivingLongerThanTheMaximumIsRejected) {
  MintOptions options = Operator();
  options.ttl = absl::Hours(12);
  EXPECT_TRUE(Verifier().Verify(Mint(options)).ok());
  options.ttl = absl::Hours(12) + absl::Seconds(1);
  ExpectRejected(Mint(options), "token lifetime exceeds the maximum");
  options.ttl = absl::Hours(24 * 365);  // a "never expires" token
  ExpectRejected(Mint(options), "token lifetime exceeds the maximum");
}

TEST_F(TokensTest, ATokenWithoutIssuedAtIsRejected) {
  // Properly signed with the trusted key, every claim present but iat: its lifetime is unknown.
  using namespace jwt::params;  // NOLINT: cpp-jwt's named parameters
  jwt::jwt_object object{algorithm("ES256"), secret(keys_.private_key)};
  object.add_claim("iss", kIssuer)
      .add_claim("aud", kAudience)
      .add_claim("sub", "x")
      .add_claim("tenant", "capannori")
      .add_claim("roles", std::vector<std::string>{"operator"})
      .add_claim("exp", absl::ToUnixSeconds(kNow) + 600);
  ExpectRejected(object.signature(), "token has no valid iat");
  object.add_claim("iat", absl::ToUnixSeconds(kNow));
  EXPECT_TRUE(Verifier().Verify(object.signature()).ok());
}

TEST_F(TokensTest, TheFederationRoleBelongsToTheLeadComuneOnly) {
  MintOptions options = Operator();
  options.roles = {"federation"};
  options.tenant = "capannori";
  absl::StatusOr<Caller> lead = Verifier().Verify(Mint(options));
  ASSERT_TRUE(lead.ok()) << lead.status();
  EXPECT_TRUE(lead->HasRole(Role::kFederation));
  options.tenant = "lucca";
  ExpectRejected(Mint(options), "the federation role belongs to the lead comune only");
  options.roles = {"operator", "federation"};
  ExpectRejected(Mint(options), "the federation role belongs to the lead comune only");
}

TEST_F(TokensTest, APartnerTokenNamesItsDestinationAndCarriesNoOtherRole) {
  MintOptions options = Operator();
  options.roles = {"partner"};
  ExpectRejected(Mint(options), "a partner token names its destination");
  options.destination = "d-punto-insieme";
  absl::StatusOr<Caller> partner = Verifier().Verify(Mint(options));
  ASSERT_TRUE(partner.ok()) << partner.status();
  EXPECT_TRUE(partner->HasRole(Role::kPartner));
  EXPECT_EQ(partner->destination, "d-punto-insieme");
  EXPECT_FALSE(partner->IsStaff());
  // A staff role next to it would open the comune's cases to the body.
  options.roles = {"partner", "operator"};
  ExpectRejected(Mint(options), "the partner role comes alone");
  // The claim means nothing without the role.
  options.roles = {"operator"};
  absl::StatusOr<Caller> staff = Verifier().Verify(Mint(options));
  ASSERT_TRUE(staff.ok());
  EXPECT_TRUE(staff->destination.empty());
}

TEST_F(TokensTest, ReplacedKeysTakeEffectAtOnce) {
  TokenVerifier verifier = Verifier();
  const std::string old_token = Mint(Operator());
  ASSERT_TRUE(verifier.Verify(old_token).ok());  // remembered from now on
  KeyPairPem next = *GenerateEs256KeyPair();
  EXPECT_FALSE(verifier.ReplaceKeys("not a key").ok());
  EXPECT_TRUE(verifier.Verify(old_token).ok()) << "a bad key file must not drop the keys in use";
  ASSERT_TRUE(verifier.ReplaceKeys(next.public_key).ok());
  EXPECT_EQ(verifier.key_count(), 1u);
  EXPECT_FALSE(verifier.Verify(old_token).ok()) << "a token of a removed key is refused at once";
  const std::string new_token =
      *TokenSigner::Create(next.private_key, kIssuer, kAudience, &clock_)->Mint(Operator());
  EXPECT_TRUE(verifier.Verify(new_token).ok());
}

TEST_F(TokensTest, WrongAudienceIsRejected) {
  ExpectRejected(Mint(Operator(), kIssuer, "another-system"), "token audience not accepted");
}

TEST_F(TokensTest, WrongIssuerIsRejected) {
  ExpectRejected(Mint(Operator(), "https://evil.example", kAudience), "token issuer not accepted");
}

TEST_F(TokensTest, AlgNoneIsRejected) {
  nlohmann::json claims = {
      {"iss", kIssuer},    {"aud", kAudience},          {"sub", "x"},
      {"tenant", "lucca"}, {"roles", {"tenant_admin"}}, {"exp", absl::ToUnixSeconds(kNow) + 600}};
  std::string header = B64(R"({"alg":"none","typ":"JWT"})");
  ExpectRejected(absl::StrCat(header, ".", B64(claims.dump()), "."));
  ExpectRejected(absl::StrCat(header, ".", B64(claims.dump())));
}

TEST_F(TokensTest, TamperedPayloadIsRejected) {
  std::string token = Mint(Operator());
  std::vector<std::string> parts = absl::StrSplit(token, '.');
  ASSERT_EQ(parts.size(), 3u);
  std::string payload;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(parts[1], &payload));
  nlohmann::json claims = nlohmann::json::parse(payload);
  claims["tenant"] = "lucca";
  ExpectRejected(absl::StrCat(parts[0], ".", B64(claims.dump()), ".", parts[2]));
}

TEST_F(TokensTest, Hs256SignedWithThePublicKeyIsRejected) {
  nlohmann::json claims = {{"iss", kIssuer},
                           {"aud", kAudience},
                           {"sub", "x"},
                           {"tenant", "capannori"},
                           {"roles", {"tenant_admin"}},
                           {"exp", absl::ToUnixSeconds(kNow) + 600}};
  std::string signing_input =
      absl::StrCat(B64(R"({"alg":"HS256","typ":"JWT"})"), ".", B64(claims.dump()));
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), keys_.public_key.data(), static_cast<int>(keys_.public_key.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac,
       &mac_length);
  std::string signature(reinterpret_cast<char*>(mac), mac_length);
  ExpectRejected(absl::StrCat(signing_input, ".", B64(signature)));
}

TEST_F(TokensTest, TokenFromAnotherKeyIsRejected) {
  KeyPairPem other = *GenerateEs256KeyPair();
  absl::StatusOr<TokenSigner> signer =
      TokenSigner::Create(other.private_key, kIssuer, kAudience, &clock_);
  ASSERT_TRUE(signer.ok());
  ExpectRejected(*signer->Mint(Operator()));
}

TEST_F(TokensTest, GarbageIsRejected) {
  ExpectRejected("");
  ExpectRejected("not-a-token");
  ExpectRejected("a.b.c");
  ExpectRejected("....");
  ExpectRejected(absl::StrCat(B64("{"), ".", B64("{"), ".", B64("x")));
}

TEST_F(TokensTest, TokenWithoutTenantIsRejected) {
  MintOptions options = Operator();
  options.tenant = "";
  ExpectRejected(Mint(options));
}

TEST_F(TokensTest, TokenWithoutAKnownRoleIsRejected) {
  MintOptions options = Operator();
  options.roles = {"superuser"};
  ExpectRejected(Mint(options));
  options.roles = {};
  ExpectRejected(Mint(options));
}

TEST_F(TokensTest, SeveralKeysAllowRotationWithoutAGap) {
  KeyPairPem next = *GenerateEs256KeyPair();
  absl::StatusOr<TokenVerifier> both =
      TokenVerifier::Create(keys_.public_key + next.public_key, kIssuer, kAudience, Options());
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->key_count(), 2u);
  std::string old_token = Mint(Operator());
  std::string new_token =
      *TokenSigner::Create(next.private_key, kIssuer, kAudience, &clock_)->Mint(Operator());
  EXPECT_TRUE(both->Verify(old_token).ok());
  EXPECT_TRUE(both->Verify(new_token).ok());
  // Once the old key is removed, its tokens stop working.
  EXPECT_FALSE(TokenVerifier::Create(next.public_key, kIssuer, kAudience, Options())
                   ->Verify(old_token)
                   .ok());
}

TEST(TokenVerifierCreateTest, RejectsAnythingButP256PublicKeys) {
  EXPECT_FALSE(TokenVerifier::Create("secret", "iss", "aud").ok());
  EXPECT_FALSE(TokenVerifier::Create("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                                     "iss", "aud")
                   .ok());
  KeyPairPem keys = *GenerateEs256KeyPair();
  EXPECT_FALSE(TokenVerifier::Create(keys.private_key, "iss", "aud").ok());  // the private half
  EXPECT_FALSE(TokenVerifier::Create(keys.public_key, "", "aud").ok());
  EXPECT_TRUE(TokenVerifier::Create(keys.public_key, "iss", "aud").ok());
}

}  // namespace
}  // namespace sportelli::auth
