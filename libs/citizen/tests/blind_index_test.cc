#include "sportelli/citizen/blind_index.h"

#include "gtest/gtest.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::citizen {
namespace {

TEST(BlindIndexTest, OneCodeOneIndexPerComune) {
  const crypto::SecretKey key = *crypto::SecretKey::Create(std::string(32, 'k'));
  const std::string code = *NormalizeCodiceFiscale(" rssmra80a41e715n ");
  EXPECT_EQ(CitizenIndex(key, "capannori", code),
            CitizenIndex(key, "capannori", *NormalizeCodiceFiscale("RSSMRA80A41E715N")));
  EXPECT_NE(CitizenIndex(key, "capannori", code), CitizenIndex(key, "lucca", code));
  EXPECT_EQ(CitizenIndex(key, "capannori", code).size(), 32u);
  // The index is the digest scheduling stored before the library existed: existing rows keep
  // matching.
  EXPECT_EQ(CitizenIndex(key, "capannori", code), key.Hmac("citizen-index", "capannori", code));
}

}  // namespace
}  // namespace sportelli::citizen
