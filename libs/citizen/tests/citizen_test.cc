#include "sportelli/citizen/citizen.h"

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::citizen {
namespace {

using ::sportelli::status::FieldViolations;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;

// A valid code (check letter computed by hand, see codice_fiscale_test.cc).
constexpr char kCodiceFiscale[] = "DLCMRG82H52B648G";

Citizen ValidCitizen() {
  Citizen citizen;
  citizen.given_name = "Maria-Grazia";
  citizen.family_name = "D'Angelo";
  citizen.codice_fiscale = kCodiceFiscale;
  citizen.phone_e164 = "+393331234567";
  citizen.email = "maria.dangelo@example.it";
  citizen.preferred_contact = ContactChannel::kSms;
  citizen.privacy_notice_acknowledged = true;
  return citizen;
}

std::vector<std::string> Fields(const FieldViolations& violations) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : violations.violations()) fields.push_back(field);
  return fields;
}

// The violations of a citizen that is valid except for its given name.
std::vector<std::pair<std::string, std::string>> GivenName(const std::string& name) {
  Citizen citizen = ValidCitizen();
  citizen.given_name = name;
  return ValidateCitizen(citizen).violations();
}

TEST(ValidateCitizenTest, ValidCitizenPasses) {
  EXPECT_THAT(ValidateCitizen(ValidCitizen()).violations(), IsEmpty());
}

// --- Names -------------------------------------------------------------------------------

TEST(PersonNameTest, ItalianAndForeignNamesInLatinScript) {
  for (const std::string name :
       {"D'Angelo", "De Luca", "Maria-Grazia", "Niccolò", "Pietro Paolo", "G. Battista",
        "D\u2019Angelo",               // typographic apostrophe, as phones type it
        "Nicolo\u0300",                // decomposed accent (NFD)
        "\u015eahin", "Nguy\u1ec5n",   // Şahin, Nguyễn
        "Ioana \u0218tef\u0103nescu",  // Romanian comma-below letters
        "  Anna  ", "Å", "Zoë"}) {
    EXPECT_THAT(GivenName(name), IsEmpty()) << name;
  }
}

TEST(PersonNameTest, RequiredAfterTrimming) {
  EXPECT_THAT(GivenName(""), ElementsAre(Pair("given_name", "is required")));
  EXPECT_THAT(GivenName(" \t "), ElementsAre(Pair("given_name", "is required")));
}

TEST(PersonNameTest, OnlyLettersAndNamePunctuation) {
  const std::string rule = "must contain only letters, spaces, apostrophes, hyphens and dots";
  for (const std::string name : {"Anna1", "Anna\tMaria", "Anna\nMaria", "Anna_Maria", "Anna;",
                                 "\u0410\u043d\u043d\u0430",  // Cyrillic
                                 "Anna \xf0\x9f\x98\x80",     // emoji
                                 "Anna \xc3\x97", "Anna\x7f"}) {
    EXPECT_THAT(GivenName(name), ElementsAre(Pair("given_name", rule))) << name;
  }
}

TEST(PersonNameTest, AtLeastOneLetter) {
  EXPECT_THAT(GivenName("'-."), ElementsAre(Pair("given_name", "must contain a letter")));
  EXPECT_THAT(GivenName("\u0300"), ElementsAre(Pair("given_name", "must contain a letter")));
}

TEST(PersonNameTest, ValidUtf8) {
  for (const std::string name : {"Ann\xc3", "\xc0\xaf", "Nicol\xed\xa0\x80", "\xff"}) {
    EXPECT_THAT(GivenName(name), ElementsAre(Pair("given_name", "must be valid UTF-8"))) << name;
  }
}

TEST(PersonNameTest, AtMostOneHundredCodePoints) {
  std::string hundred;
  for (int i = 0; i < 100; ++i) hundred += "\xc3\xa0";  // "à": 200 bytes, 100 code points
  EXPECT_THAT(GivenName(hundred), IsEmpty());
  EXPECT_THAT(GivenName("  " + hundred + "  "), IsEmpty());
  EXPECT_THAT(GivenName(hundred + "a"),
              ElementsAre(Pair("given_name", "must be at most 100 characters")));
}

TEST(PersonNameTest, FamilyNameHasTheSameRules) {
  Citizen citizen = ValidCitizen();
  citizen.family_name = "De Luca 2";
  EXPECT_THAT(Fields(ValidateCitizen(citizen)), ElementsAre("family_name"));
  citizen.family_name = "";
  EXPECT_THAT(ValidateCitizen(citizen).violations(),
              ElementsAre(Pair("family_name", "is required")));
}

// --- Codice fiscale ----------------------------------------------------------------------

TEST(ValidateCitizenTest, CodiceFiscaleIsRequiredAndChecked) {
  Citizen citizen = ValidCitizen();
  citizen.codice_fiscale = " dlcmrg82h52b648g ";
  EXPECT_THAT(ValidateCitizen(citizen).violations(), IsEmpty());
  citizen.codice_fiscale = "";
  EXPECT_THAT(ValidateCitizen(citizen).violations(),
              ElementsAre(Pair("codice_fiscale", "is required")));
  citizen.codice_fiscale = "DLCMRG82H52B648X";
  EXPECT_THAT(ValidateCitizen(citizen).violations(),
              ElementsAre(Pair("codice_fiscale", "must end with the right check letter")));
}

// --- Phone and email ---------------------------------------------------------------------

struct StringCase {
  std::string value;
  bool valid;
};

void PrintTo(const StringCase& c, std::ostream* os) { *os << "\"" << c.value << "\""; }

std::string Repeat(char c, size_t n) { return std::string(n, c); }

class CitizenEmailTest : public ::testing::TestWithParam<StringCase> {};
TEST_P(CitizenEmailTest, Rule) { EXPECT_EQ(IsPlausibleEmail(GetParam().value), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(
    Emails, CitizenEmailTest,
    ::testing::Values(
        StringCase{"maria.dangelo@example.it", true}, StringCase{"a@b.it", true},
        StringCase{"nome+tag@servizi.comune.capannori.lu.it", true},
        StringCase{"o'neill@example.ie", true}, StringCase{"x@xn--80ak6aa92e.com", true},
        StringCase{"Maria@Example.IT", true}, StringCase{Repeat('l', 64) + "@example.it", true},
        StringCase{Repeat('l', 65) + "@example.it", false},
        // 254 in all: 64 + 1 + 189 (labels of 63, 63, 61 and two dots).
        StringCase{
            Repeat('l', 64) + "@" + Repeat('d', 63) + "." + Repeat('d', 63) + "." + Repeat('d', 61),
            true},
        StringCase{
            Repeat('l', 64) + "@" + Repeat('d', 63) + "." + Repeat('d', 63) + "." + Repeat('d', 62),
            false},
        StringCase{"maria", false}, StringCase{"@example.it", false}, StringCase{"maria@", false},
        StringCase{"maria@example", false}, StringCase{"maria@@example.it", false},
        StringCase{"maria@x@example.it", false}, StringCase{"ma ria@example.it", false},
        StringCase{" maria@example.it", false}, StringCase{"maria@example.it ", false},
        StringCase{"maria@example..it", false}, StringCase{"maria@.example.it", false},
        StringCase{"maria@example.it.", false}, StringCase{"maria@gmail,com", false},
        StringCase{"maria@exa_mple.it", false}, StringCase{"jos\xc3\xa9@example.it", false},
        StringCase{"maria\t@example.it", false}, StringCase{"", false}));

TEST(ValidateCitizenTest, PhoneAndEmailAreOptionalButValidWhenSet) {
  Citizen phone_only = ValidCitizen();
  phone_only.email = "";
  EXPECT_THAT(ValidateCitizen(phone_only).violations(), IsEmpty());

  Citizen email_only = ValidCitizen();
  email_only.phone_e164 = "";
  email_only.preferred_contact = ContactChannel::kEmail;
  EXPECT_THAT(ValidateCitizen(email_only).violations(), IsEmpty());

  Citizen bad = ValidCitizen();
  bad.phone_e164 = "333 1234567";
  bad.email = "maria.dangelo@example";
  EXPECT_THAT(ValidateCitizen(bad).violations(),
              ElementsAre(Pair("phone_number",
                               "must be an E.164 number: '+' then 8 to 15 digits, the first not 0"),
                          Pair("email", "must be an email address such as nome@example.it")));
}

TEST(ValidateCitizenTest, PhoneOrEmailIsRequired) {
  Citizen citizen = ValidCitizen();
  citizen.phone_e164 = "";
  citizen.email = "";
  citizen.preferred_contact = ContactChannel::kNone;
  EXPECT_THAT(ValidateCitizen(citizen).violations(),
              ElementsAre(Pair("phone_number", "is required when email is empty"),
                          Pair("email", "is required when phone_number is empty")));
}

TEST(ValidateCitizenTest, MalformedContactStillCountsAsGiven) {
  // The phone is wrong, but given: one violation on it, none saying a contact is missing.
  Citizen citizen = ValidCitizen();
  citizen.phone_e164 = "0583428252";
  citizen.email = "";
  EXPECT_THAT(Fields(ValidateCitizen(citizen)), ElementsAre("phone_number"));
}

// --- Preferred contact -------------------------------------------------------------------

TEST(PreferredContactTest, MustBePossibleWithTheGivenData) {
  Citizen no_phone = ValidCitizen();
  no_phone.phone_e164 = "";
  no_phone.preferred_contact = ContactChannel::kSms;
  EXPECT_THAT(ValidateCitizen(no_phone).violations(),
              ElementsAre(Pair("preferred_contact", "SMS needs a phone_number")));
  no_phone.preferred_contact = ContactChannel::kPhoneCall;
  EXPECT_THAT(ValidateCitizen(no_phone).violations(),
              ElementsAre(Pair("preferred_contact", "a phone call needs a phone_number")));
  no_phone.preferred_contact = ContactChannel::kEmail;
  EXPECT_THAT(ValidateCitizen(no_phone).violations(), IsEmpty());
  no_phone.preferred_contact = ContactChannel::kNone;
  EXPECT_THAT(ValidateCitizen(no_phone).violations(), IsEmpty());

  Citizen no_email = ValidCitizen();
  no_email.email = "";
  no_email.preferred_contact = ContactChannel::kEmail;
  EXPECT_THAT(ValidateCitizen(no_email).violations(),
              ElementsAre(Pair("preferred_contact", "email contact needs an email")));
  for (ContactChannel ok :
       {ContactChannel::kSms, ContactChannel::kPhoneCall, ContactChannel::kNone}) {
    no_email.preferred_contact = ok;
    EXPECT_THAT(ValidateCitizen(no_email).violations(), IsEmpty());
  }
}

TEST(PreferredContactTest, MalformedChannelFieldIsReportedOnlyOnThatField) {
  Citizen citizen = ValidCitizen();
  citizen.phone_e164 = "+39";
  citizen.preferred_contact = ContactChannel::kSms;
  EXPECT_THAT(Fields(ValidateCitizen(citizen)), ElementsAre("phone_number"));
}

TEST(PreferredContactTest, MustBeSpecified) {
  Citizen citizen = ValidCitizen();
  citizen.preferred_contact = static_cast<ContactChannel>(-1);
  EXPECT_THAT(ValidateCitizen(citizen).violations(),
              ElementsAre(Pair("preferred_contact", "must be specified")));
}

// --- Privacy notice ----------------------------------------------------------------------

TEST(ValidateCitizenTest, PrivacyNoticeMustBeAcknowledged) {
  Citizen citizen = ValidCitizen();
  citizen.privacy_notice_acknowledged = false;
  EXPECT_THAT(Fields(ValidateCitizen(citizen)), ElementsAre("privacy_notice_acknowledged"));
}

// --- Everything at once ------------------------------------------------------------------

TEST(ValidateCitizenTest, EveryProblemIsReportedInOrderWithoutPersonalData) {
  Citizen citizen;
  citizen.given_name = "Giovanni99";
  citizen.family_name = "   ";
  citizen.codice_fiscale = "RSSMRA85T10A562X";
  citizen.phone_e164 = "";
  citizen.email = "";
  citizen.preferred_contact = ContactChannel::kEmail;
  citizen.privacy_notice_acknowledged = false;
  const FieldViolations violations = ValidateCitizen(citizen);
  EXPECT_THAT(Fields(violations),
              ElementsAre("given_name", "family_name", "codice_fiscale", "phone_number", "email",
                          "preferred_contact", "privacy_notice_acknowledged"));
  for (const auto& [field, description] : violations.violations()) {
    EXPECT_THAT(description, Not(HasSubstr("Giovanni")));
    EXPECT_THAT(description, Not(HasSubstr("RSSMRA")));
  }

  // What the gRPC layer returns: the same violations under "citizen.".
  FieldViolations request;
  request.Merge(violations, "citizen.");
  const absl::Status status = request.ToStatus();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  const auto fields = status::FieldViolationsOf(status);
  ASSERT_EQ(fields.size(), 7u);
  EXPECT_EQ(fields[2].first, "citizen.codice_fiscale");
  EXPECT_THAT(std::string(status.message()), Not(HasSubstr("RSSMRA")));
}

TEST(ValidateCitizenTest, BadContactDetailsDoNotLeakIntoDescriptions) {
  Citizen citizen = ValidCitizen();
  citizen.phone_e164 = "+39 333 7654321";
  citizen.email = "segreto@@example.it";
  // Kept in a variable: a range-for over a member of a temporary would dangle.
  const FieldViolations violations = ValidateCitizen(citizen);
  ASSERT_EQ(violations.size(), 2u);
  for (const auto& [field, description] : violations.violations()) {
    EXPECT_THAT(description, Not(HasSubstr("7654321")));
    EXPECT_THAT(description, Not(HasSubstr("segreto")));
  }
}

// --- Normalisation -----------------------------------------------------------------------

TEST(NormalizedCitizenTest, CanonicalNamesAndCode) {
  Citizen citizen = ValidCitizen();
  citizen.given_name = "  Maria   Grazia ";
  citizen.family_name = "D\u2019Angelo";
  citizen.codice_fiscale = " dlcmrg82h52b648g\n";
  ASSERT_THAT(ValidateCitizen(citizen).violations(), IsEmpty());
  const Citizen stored = NormalizedCitizen(citizen);
  EXPECT_EQ(stored.given_name, "Maria Grazia");
  EXPECT_EQ(stored.family_name, "D'Angelo");
  EXPECT_EQ(stored.codice_fiscale, kCodiceFiscale);
  EXPECT_EQ(stored.phone_e164, citizen.phone_e164);
  EXPECT_EQ(stored.email, citizen.email);
  EXPECT_EQ(stored.preferred_contact, citizen.preferred_contact);
  EXPECT_TRUE(stored.privacy_notice_acknowledged);
  EXPECT_THAT(ValidateCitizen(stored).violations(), IsEmpty());
}

TEST(NormalizedCitizenTest, InvalidCodeIsLeftAsIs) {
  Citizen citizen = ValidCitizen();
  citizen.codice_fiscale = "abc";
  EXPECT_EQ(NormalizedCitizen(citizen).codice_fiscale, "abc");
}

}  // namespace
}  // namespace sportelli::citizen
