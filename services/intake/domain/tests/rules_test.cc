#include "services/intake/domain/rules.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::intake {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

const absl::CivilDay kToday(2026, 11, 30);

// Maria Rossi, born 1 January 1980 (RSSMRA80A41E715N: day 41 is a woman's 1st).
Person Maria() {
  Person person;
  person.identity.given_name = "Maria";
  person.identity.family_name = "Rossi";
  person.identity.codice_fiscale = "RSSMRA80A41E715N";
  person.identity.birth_date = absl::CivilDay(1980, 1, 1);
  person.identity.sex = Sex::kFemale;
  person.identity.citizenship = "IT";
  person.identity.address = {"Via Roma 1", "55012", "Capannori", "LU"};
  person.identity.phone_number = "+393331234567";
  person.identity.email = "maria@example.org";
  person.privacy_notice_version = "2026-01";
  return person;
}

std::vector<std::pair<std::string, std::string>> Problems(const status::FieldViolations& v) {
  return v.violations();
}

std::vector<std::string> Fields(const status::FieldViolations& v) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : v.violations()) fields.push_back(field);
  return fields;
}

TEST(ValidateNewPersonTest, AWholePersonPasses) {
  EXPECT_THAT(Problems(ValidateNewPerson(Maria(), kToday)), IsEmpty());
}

TEST(ValidateNewPersonTest, APersonWithoutCodiceFiscaleIsAllowed) {
  Person person = Maria();
  person.identity.codice_fiscale.clear();
  person.identity.address = {};
  person.identity.phone_number.clear();
  person.identity.email.clear();
  person.identity.citizenship.clear();
  EXPECT_THAT(Problems(ValidateNewPerson(person, kToday)), IsEmpty());
}

TEST(ValidateNewPersonTest, BirthDateAndSexMustAgreeWithTheCode) {
  Person person = Maria();
  person.identity.birth_date = absl::CivilDay(1980, 1, 2);
  person.identity.sex = Sex::kMale;
  EXPECT_THAT(Fields(ValidateNewPerson(person, kToday)),
              ElementsAre("person.birth_date", "person.sex"));
}

TEST(ValidateNewPersonTest, ACentenarianMatchesTheTwoDigitYear) {
  Person person = Maria();
  std::string code = "RSSMRA20A41E715";
  code += *citizen::CodiceFiscaleCheckCharacter(code);
  person.identity.codice_fiscale = code;
  person.identity.birth_date = absl::CivilDay(1920, 1, 1);
  // The decoder guesses 2020 for "20" on 2026-11-30; the person is 106.
  const status::FieldViolations problems = ValidateNewPerson(person, kToday);
  for (const auto& [field, description] : problems.violations()) {
    EXPECT_NE(field, "person.birth_date") << description;
  }
}

TEST(ValidateNewPersonTest, EveryBadFieldIsReportedAtOnce) {
  Person person = Maria();
  person.identity.given_name = "";
  person.identity.family_name = "R0ss1";
  person.identity.codice_fiscale = "RSSMRA80A41E715X";
  person.identity.birth_date = kToday + 1;
  person.identity.citizenship = "ITA";
  person.identity.address = {"Via\x01Roma", "5501", std::string(201, 'a'), "Lucca"};
  person.identity.phone_number = "3331234567";
  person.identity.email = "maria@";
  person.privacy_notice_version = "";
  person.consents = {{ConsentKind::kContactBySms, true, {}, ""},
                     {ConsentKind::kContactBySms, false, {}, ""}};
  EXPECT_THAT(
      Fields(ValidateNewPerson(person, kToday)),
      ElementsAre("person.given_name", "person.family_name", "person.birth_date",
                  "person.codice_fiscale", "person.citizenship", "person.address.street_address",
                  "person.address.locality", "person.address.postal_code",
                  "person.address.province", "person.phone_number", "person.email",
                  "person.privacy_notice_version", "person.consents[1].kind"));
}

TEST(ValidateNewPersonTest, NoPersonalDataInTheDescriptions) {
  Person person = Maria();
  person.identity.codice_fiscale = "RSSMRA80A41E715X";
  person.identity.email = "maria@";
  const status::FieldViolations problems = ValidateNewPerson(person, kToday);
  for (const auto& [field, description] : problems.violations()) {
    EXPECT_EQ(description.find("RSSMRA"), std::string::npos) << field;
    EXPECT_EQ(description.find("maria"), std::string::npos) << field;
  }
}

TEST(NormalizedIdentityTest, StoresOneSpellingOfEachValue) {
  Identity identity = Maria().identity;
  identity.given_name = "  Maria   Grazia ";
  identity.family_name = "d’Angelo";
  identity.codice_fiscale = "rssmra80a41e715n";
  identity.citizenship = "it";
  identity.address.province = "lu";
  identity.address.street_address = " Via Roma 1 ";
  const Identity stored = NormalizedIdentity(identity);
  EXPECT_EQ(stored.given_name, "Maria Grazia");
  EXPECT_EQ(stored.family_name, "d'Angelo");
  EXPECT_EQ(stored.codice_fiscale, "RSSMRA80A41E715N");
  EXPECT_EQ(stored.citizenship, "IT");
  EXPECT_EQ(stored.address.province, "LU");
  EXPECT_EQ(stored.address.street_address, "Via Roma 1");
}

const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2026, 11, 30, 10, 0, 0), absl::UTCTimeZone());

Contact WalkIn() {
  Contact contact;
  contact.person_id = "p1";
  contact.desk_id = "capannori-sede";
  contact.channel = ContactChannel::kWalkIn;
  contact.contact_time = kNow - absl::Minutes(30);
  contact.need_areas = {NeedArea::kEconomicHardship, NeedArea::kHousing};
  contact.information_given = "Bonus affitto: requisiti e scadenze.\nRipassa con l'ISEE.";
  contact.outcome = ContactOutcome::kCaseOpened;
  return contact;
}

TEST(ValidateNewContactTest, AWalkInPasses) {
  EXPECT_THAT(Problems(ValidateNewContact(WalkIn(), kNow)), IsEmpty());
}

TEST(ValidateNewContactTest, TimeWithinNinetyDaysAndNotAhead) {
  Contact contact = WalkIn();
  contact.contact_time = kNow + kClockSkew;
  EXPECT_THAT(Problems(ValidateNewContact(contact, kNow)), IsEmpty());
  contact.contact_time = kNow + kClockSkew + absl::Seconds(1);
  EXPECT_THAT(Fields(ValidateNewContact(contact, kNow)), ElementsAre("contact.contact_time"));
  contact.contact_time = kNow - kMaxContactAge;
  EXPECT_THAT(Problems(ValidateNewContact(contact, kNow)), IsEmpty());
  contact.contact_time = kNow - kMaxContactAge - absl::Seconds(1);
  EXPECT_THAT(Fields(ValidateNewContact(contact, kNow)), ElementsAre("contact.contact_time"));
}

TEST(ValidateNewContactTest, AnAnonymousContactOnlyGetsInformation) {
  Contact contact = WalkIn();
  contact.person_id.clear();
  EXPECT_THAT(Fields(ValidateNewContact(contact, kNow)), ElementsAre("contact.outcome"));
  contact.outcome = ContactOutcome::kInformationOnly;
  EXPECT_THAT(Problems(ValidateNewContact(contact, kNow)), IsEmpty());
}

TEST(ValidateNewContactTest, EveryBadFieldIsReportedAtOnce) {
  Contact contact = WalkIn();
  contact.need_areas = {NeedArea::kWork, NeedArea::kWork};
  contact.information_given = std::string(kMaxInformationLength + 1, 'x');
  contact.appointment_id = "a1";
  EXPECT_THAT(
      Fields(ValidateNewContact(contact, kNow)),
      ElementsAre("contact.need_areas[1]", "contact.information_given", "contact.appointment"));
  contact.need_areas.clear();
  contact.information_given = "\xff";
  EXPECT_THAT(
      Fields(ValidateNewContact(contact, kNow)),
      ElementsAre("contact.need_areas", "contact.information_given", "contact.appointment"));
}

TEST(ValidateNewContactTest, InformationIsCountedInCharactersNotBytes) {
  Contact contact = WalkIn();
  std::string text;
  for (int i = 0; i < kMaxInformationLength; ++i) text += "è";
  contact.information_given = text;
  EXPECT_THAT(Problems(ValidateNewContact(contact, kNow)), IsEmpty());
}

TEST(RecordsTest, StoredNamesRoundTrip) {
  for (NeedArea area : {NeedArea::kEconomicHardship, NeedArea::kOther}) {
    EXPECT_EQ(ParseNeedArea(NeedAreaName(area)), area);
  }
  EXPECT_EQ(ParseContactChannel("WALK_IN"), ContactChannel::kWalkIn);
  EXPECT_EQ(ParseContactOutcome("nonsense"), std::nullopt);
  EXPECT_EQ(ParseConsentKind(ConsentKindName(ConsentKind::kContactByEmail)),
            ConsentKind::kContactByEmail);
}

}  // namespace
}  // namespace sportelli::intake
