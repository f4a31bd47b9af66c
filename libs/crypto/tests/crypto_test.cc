#include <set>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::crypto {
namespace {

TEST(HashesTest, Sha256OfKnownInput) {
  // FIPS 180-2 test vector.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256("abc").size(), 32u);
  EXPECT_EQ(absl::BytesToHexString(Sha256("abc")), Sha256Hex("abc"));
}

TEST(HashesTest, HmacSha256OfRfc4231Vectors) {
  // RFC 4231, test cases 1 and 2.
  EXPECT_EQ(absl::BytesToHexString(HmacSha256(std::string(20, '\x0b'), "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  EXPECT_EQ(absl::BytesToHexString(HmacSha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HashesTest, ConstantTimeEqualsComparesWholeValues) {
  EXPECT_TRUE(ConstantTimeEquals("token", "token"));
  EXPECT_FALSE(ConstantTimeEquals("token", "tokem"));
  EXPECT_FALSE(ConstantTimeEquals("token", "token2"));
  EXPECT_TRUE(ConstantTimeEquals("", ""));
}

TEST(RandomTest, ResourceIdsAreValidAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = RandomResourceId("a");
    ASSERT_EQ(id.size(), 25u);
    ASSERT_EQ(id[0], 'a');
    for (char c : id) ASSERT_TRUE((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTest, UuidsAreVersion4) {
  const std::string uuid = RandomUuid();
  ASSERT_EQ(uuid.size(), 36u);
  EXPECT_EQ(uuid[14], '4');
  EXPECT_TRUE(uuid[19] == '8' || uuid[19] == '9' || uuid[19] == 'a' || uuid[19] == 'b');
  EXPECT_NE(RandomUuid(), uuid);
  EXPECT_EQ(RandomBytes(16).size(), 16u);
}

TEST(SecretKeyTest, ShortKeysAreRefused) {
  EXPECT_FALSE(SecretKey::Create(std::string(31, 'k')).ok());
  EXPECT_TRUE(SecretKey::Create(std::string(32, 'k')).ok());
}

TEST(SecretKeyTest, DigestsDependOnPurposeTenantAndKey) {
  const SecretKey key = *SecretKey::Create(std::string(32, 'k'));
  const SecretKey other = *SecretKey::Create(std::string(32, 'q'));
  const std::string digest = key.Hmac("citizen-index", "capannori", "RSSMRA80A41E715N");
  EXPECT_EQ(digest.size(), 32u);
  EXPECT_EQ(digest, key.Hmac("citizen-index", "capannori", "RSSMRA80A41E715N"));
  EXPECT_NE(digest, key.Hmac("citizen-index", "lucca", "RSSMRA80A41E715N"));
  EXPECT_NE(digest, key.Hmac("cancel-token", "capannori", "RSSMRA80A41E715N"));
  EXPECT_NE(digest, other.Hmac("citizen-index", "capannori", "RSSMRA80A41E715N"));
  // The separator keeps ("a\nb", "c") and ("a", "b\nc") apart only if purposes and tenants
  // never contain it: both are ids ([a-z0-9-]).
}

}  // namespace
}  // namespace sportelli::crypto
