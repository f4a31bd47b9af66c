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

TEST(FamilyNameIndexTest, OneNameAsTypedOneIndex) {
  const crypto::SecretKey key = *crypto::SecretKey::Create(std::string(32, 'k'));
  EXPECT_EQ(*NormalizeFamilyName("  d’Angelò  "), "D'ANGELO");
  EXPECT_EQ(*NormalizeFamilyName("Niccolò"), *NormalizeFamilyName("NICCOLO"));
  EXPECT_EQ(*NormalizeFamilyName("Nguyễn"), "NGUYEN");
  EXPECT_EQ(*NormalizeFamilyName("Şahin"), "SAHIN");
  EXPECT_EQ(*NormalizeFamilyName("De   Luca"), "DE LUCA");
  EXPECT_NE(*NormalizeFamilyName("De Luca"), *NormalizeFamilyName("Deluca"));
  EXPECT_EQ(*NormalizeFamilyName("Rossi-Bianchi"), "ROSSI-BIANCHI");
  EXPECT_EQ(NormalizeFamilyName("   ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(NormalizeFamilyName("\xff\xfe").status().code(), absl::StatusCode::kInvalidArgument);

  const std::string index = FamilyNameIndex(key, "capannori", *NormalizeFamilyName("D'Angelo"));
  EXPECT_EQ(index, FamilyNameIndex(key, "capannori", *NormalizeFamilyName("d’angelo")));
  EXPECT_NE(index, FamilyNameIndex(key, "lucca", *NormalizeFamilyName("D'Angelo")));
  // Never the same digest as a codice fiscale's, whatever the text.
  EXPECT_NE(FamilyNameIndex(key, "capannori", "X"), CitizenIndex(key, "capannori", "X"));
}

TEST(FamilyNameBirthIndexTest, NameAndDateTogether) {
  const crypto::SecretKey key = *crypto::SecretKey::Create(std::string(32, 'k'));
  const std::string rossi = *NormalizeFamilyName("Rossi");
  const absl::CivilDay born(1980, 1, 1);
  const std::string index = FamilyNameBirthIndex(key, "capannori", rossi, born);
  EXPECT_EQ(index.size(), 32u);
  EXPECT_EQ(index, FamilyNameBirthIndex(key, "capannori", *NormalizeFamilyName(" rossi "), born));
  EXPECT_NE(index, FamilyNameBirthIndex(key, "capannori", rossi, born + 1));
  EXPECT_NE(index, FamilyNameBirthIndex(key, "lucca", rossi, born));
  EXPECT_NE(index, FamilyNameIndex(key, "capannori", rossi));
}

}  // namespace
}  // namespace sportelli::citizen
