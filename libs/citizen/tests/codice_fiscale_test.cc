#include "sportelli/citizen/codice_fiscale.h"

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::citizen {
namespace {

using ::sportelli::status::FieldViolations;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Optional;
using ::testing::Pair;

// --- An independent reference for the check letter --------------------------------------
// Written from a different form of the official tables than the library's, so a shared
// mistake is unlikely: the odd-position value of a character is the index of its letter
// (digits read as A..J) in kOddByValue; the even-position value is its ordinal.
constexpr char kOddByValue[] = "BAKPLCQDREVOSFTGUHMINJWZYX";

int AsLetterIndex(char c) { return c >= '0' && c <= '9' ? c - '0' : c - 'A'; }

char ReferenceCheckLetter(const std::string& first15) {
  int sum = 0;
  for (size_t i = 0; i < first15.size(); ++i) {
    const char as_letter = static_cast<char>('A' + AsLetterIndex(first15[i]));
    sum += (i % 2 == 0) ? static_cast<int>(std::string(kOddByValue).find(as_letter))
                        : AsLetterIndex(first15[i]);
  }
  return static_cast<char>('A' + sum % 26);
}

// A whole code: the 15 characters given and their check letter.
std::string WithCheck(const std::string& first15) {
  return first15 + ReferenceCheckLetter(first15);
}

// Codes whose check letter was computed outside this code base: all with a separate Python
// script, the first three also by hand from the official tables. E.g. for the first: odd
// positions R S R 8 T 0 5 2 = 8+12+8+19+14+1+13+5 = 80, even positions S M A 5 1 A 6 =
// 18+12+0+5+1+0+6 = 42; 122 mod 26 = 18 = 'S'. The codes are illustrative: Mario Rossi's is the
// textbook example, Verdi's (born 1813) shows the century limit of DecodeCodiceFiscale.
constexpr const char* kRossi = "RSSMRA85T10A562S";    // Mario Rossi, M, 10 Dec 1985, Roma
constexpr const char* kBianchi = "BNCGLI70A41E715P";  // Giulia Bianchi, F, 1 Jan 1970, Lucca
constexpr const char* kPop = "POPANA90E55Z129G";      // Ana Pop, F, 15 May 1990, Romania
constexpr const char* kDeLuca = "DLCMRG82H52B648G";   // M. De Luca, F, 12 Jun 1982, Capannori
constexpr const char* kVerdi = "VRDGPP13R10B293P";    // Giuseppe Verdi, M, 10 Oct 1813, Busseto

TEST(ReferenceTest, AgreesWithTheHandComputedCodes) {
  for (const std::string code : {kRossi, kBianchi, kPop, kDeLuca, kVerdi}) {
    EXPECT_EQ(WithCheck(code.substr(0, 15)), code);
  }
}

// --- Valid codes -------------------------------------------------------------------------

TEST(CodiceFiscaleTest, AcceptsHandComputedCodes) {
  for (const char* code : {kRossi, kBianchi, kPop, kDeLuca, kVerdi}) {
    EXPECT_EQ(CheckCodiceFiscale(code), std::nullopt) << code;
  }
}

TEST(CodiceFiscaleTest, AcceptsEveryMonthAndDay) {
  for (char month : std::string("ABCDEHLMPRST")) {
    for (int day : {1, 9, 10, 28, 29, 30, 31, 41, 50, 69, 70, 71}) {
      const std::string two_digits = {static_cast<char>('0' + day / 10),
                                      static_cast<char>('0' + day % 10)};
      const std::string code = WithCheck("RSSMRA85" + std::string(1, month) + two_digits + "A562");
      EXPECT_EQ(CheckCodiceFiscale(code), std::nullopt) << code;
    }
  }
}

TEST(CodiceFiscaleTest, CheckCharacterMatchesTheReference) {
  // Every letter and digit in every position at least once, on top of a real code.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const std::string base = std::string(kRossi).substr(0, 15);
  for (size_t position = 0; position < 15; ++position) {
    for (char c : alphabet) {
      std::string first15 = base;
      first15[position] = c;
      EXPECT_THAT(CodiceFiscaleCheckCharacter(first15), Optional(ReferenceCheckLetter(first15)))
          << first15;
    }
  }
  EXPECT_EQ(CodiceFiscaleCheckCharacter("RSSMRA85T10A56"), std::nullopt);
  EXPECT_EQ(CodiceFiscaleCheckCharacter("rssmra85t10a562"), std::nullopt);
  EXPECT_EQ(CodiceFiscaleCheckCharacter("RSSMRA85T10 562"), std::nullopt);
}

// --- Omocodia ----------------------------------------------------------------------------

// The Agenzia replaces digits from the right: 14, 13, 12, 10, 9, 7, 6.
constexpr size_t kSubstitutionOrder[] = {14, 13, 12, 10, 9, 7, 6};
constexpr char kOmocodia[] = "LMNPQRSTUV";

std::string Omocodic(const std::string& code, size_t substitutions) {
  std::string first15 = code.substr(0, 15);
  for (size_t i = 0; i < substitutions; ++i) {
    const size_t position = kSubstitutionOrder[i];
    first15[position] = kOmocodia[first15[position] - '0'];
  }
  return WithCheck(first15);
}

TEST(OmocodiaTest, EverySubstitutionLevelIsAccepted) {
  for (const char* code : {kRossi, kBianchi, kPop, kDeLuca}) {
    for (size_t substitutions = 1; substitutions <= 7; ++substitutions) {
      const std::string omocode = Omocodic(code, substitutions);
      EXPECT_EQ(CheckCodiceFiscale(omocode), std::nullopt) << omocode;
    }
  }
  // The fully omocodic form of Mario Rossi's code, computed by hand from the tables.
  EXPECT_EQ(Omocodic(kRossi, 7), "RSSMRAURTMLARSNL");
  EXPECT_EQ(CheckCodiceFiscale("RSSMRAURTMLARSNL"), std::nullopt);
  EXPECT_EQ(CheckCodiceFiscale("RSSMRA85T10A56NH"), std::nullopt);
}

TEST(OmocodiaTest, SubstitutionOutOfOrderIsAccepted) {
  // Only the first year digit replaced: not what the Agenzia issues first, but accepted (see
  // codice_fiscale.h: a desk must not turn away a real code we failed to foresee).
  EXPECT_EQ(CheckCodiceFiscale(WithCheck("RSSMRAU5T10A562")), std::nullopt);
}

TEST(OmocodiaTest, OmocodicVariantNeedsItsOwnCheckLetter) {
  // The original check letter 'S' does not fit the substituted code (its own is 'H').
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A56NS"), Optional(CodiceFiscaleError::kChecksum));
}

TEST(OmocodiaTest, OnlyTheTenOmocodicLettersStandForDigits) {
  for (char letter : std::string("ABCDEFGHIJKOWXYZ")) {
    std::string first15 = std::string(kRossi).substr(0, 15);
    first15[14] = letter;
    EXPECT_THAT(CheckCodiceFiscale(WithCheck(first15)), Optional(CodiceFiscaleError::kFormat))
        << letter;
  }
}

// --- Invalid codes -----------------------------------------------------------------------

TEST(CodiceFiscaleTest, WrongCheckLetterIsRejected) {
  for (char c = 'A'; c <= 'Z'; ++c) {
    if (c == 'S') continue;
    std::string code = kRossi;
    code[15] = c;
    EXPECT_THAT(CheckCodiceFiscale(code), Optional(CodiceFiscaleError::kChecksum)) << code;
  }
  // Typical typing mistakes: one character changed, two swapped.
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA86T10A562S"), Optional(CodiceFiscaleError::kChecksum));
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA58T10A562S"), Optional(CodiceFiscaleError::kChecksum));
  // A digit where the check letter goes is a format error.
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A5621"), Optional(CodiceFiscaleError::kFormat));
}

TEST(CodiceFiscaleTest, WrongLengthIsRejected) {
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A562"), Optional(CodiceFiscaleError::kLength));
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A562SS"), Optional(CodiceFiscaleError::kLength));
  EXPECT_THAT(CheckCodiceFiscale(""), Optional(CodiceFiscaleError::kLength));
  EXPECT_THAT(CheckCodiceFiscale("   "), Optional(CodiceFiscaleError::kLength));
  // Provisional codes and legal persons' codes (11 digits) are not a person's definitive code.
  EXPECT_THAT(CheckCodiceFiscale("00138720469"), Optional(CodiceFiscaleError::kLength));
}

TEST(CodiceFiscaleTest, BadMonthLetterIsRejected) {
  for (char month : std::string("FGIJKNOQUVWXYZ")) {
    const std::string code = WithCheck("RSSMRA85" + std::string(1, month) + "10A562");
    EXPECT_THAT(CheckCodiceFiscale(code), Optional(CodiceFiscaleError::kMonth)) << code;
  }
  // A digit in the month position is a format error, not a month error.
  EXPECT_THAT(CheckCodiceFiscale(WithCheck("RSSMRA85110A562")),
              Optional(CodiceFiscaleError::kFormat));
}

TEST(CodiceFiscaleTest, BadDayIsRejected) {
  for (const std::string day : {"00", "32", "39", "40", "72", "80", "99"}) {
    const std::string code = WithCheck("RSSMRA85T" + day + "A562");
    EXPECT_THAT(CheckCodiceFiscale(code), Optional(CodiceFiscaleError::kDay)) << code;
  }
  // Omocodic letters count as their digits: "LL" is 00, "QM" is 41.
  EXPECT_THAT(CheckCodiceFiscale(WithCheck("RSSMRA85TLLA562")), Optional(CodiceFiscaleError::kDay));
  EXPECT_EQ(CheckCodiceFiscale(WithCheck("RSSMRA85TQMA562")), std::nullopt);
}

TEST(CodiceFiscaleTest, CharactersOfTheWrongKindAreRejected) {
  EXPECT_THAT(CheckCodiceFiscale(WithCheck("R5SMRA85T10A562")),
              Optional(CodiceFiscaleError::kFormat));
  EXPECT_THAT(CheckCodiceFiscale(WithCheck("RSSMRA8AT10A562")),
              Optional(CodiceFiscaleError::kFormat));
  EXPECT_THAT(CheckCodiceFiscale(WithCheck("RSSMRA85T105562")),
              Optional(CodiceFiscaleError::kFormat));
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A562-"), Optional(CodiceFiscaleError::kFormat));
}

TEST(CodiceFiscaleTest, InnerSpaceIsRejected) {
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10 562S"), Optional(CodiceFiscaleError::kFormat));
  EXPECT_THAT(CheckCodiceFiscale("RSS MRA85T10A562S"), Optional(CodiceFiscaleError::kLength));
  EXPECT_THAT(CheckCodiceFiscale("RSSMRA85T10A562\tS"), Optional(CodiceFiscaleError::kLength));
}

TEST(CodiceFiscaleTest, NonAsciiIsRejected) {
  // "À" (2 bytes in UTF-8) for "A": 17 bytes.
  EXPECT_THAT(CheckCodiceFiscale("RSSMR\xc3\x80"
                                 "85T10A562S"),
              Optional(CodiceFiscaleError::kLength));
  // "À" for "RA": 16 bytes, each outside the alphabet.
  EXPECT_THAT(CheckCodiceFiscale("RSSM\xc3\x80"
                                 "85T10A562S"),
              Optional(CodiceFiscaleError::kFormat));
  // A Cyrillic "А" that looks like "A", and a NUL byte.
  EXPECT_THAT(CheckCodiceFiscale("RSSMR\xd0\x90"
                                 "5T10A562S"),
              Optional(CodiceFiscaleError::kFormat));
  EXPECT_THAT(CheckCodiceFiscale(std::string("RSSMRA85T10A562\0", 16)),
              Optional(CodiceFiscaleError::kFormat));
}

// --- Normalisation -----------------------------------------------------------------------

TEST(NormalizeTest, UpperCasesAndStripsSurroundingWhitespace) {
  for (const char* input :
       {"rssmra85t10a562s", "  RSSMRA85T10A562S  ", "\tRssMra85t10A562s\n", "RSSMRA85T10A562S"}) {
    EXPECT_EQ(CheckCodiceFiscale(input), std::nullopt) << input;
    auto normalized = NormalizeCodiceFiscale(input);
    ASSERT_TRUE(normalized.ok()) << input;
    EXPECT_EQ(*normalized, kRossi);
  }
  EXPECT_EQ(*NormalizeCodiceFiscale("rssmraurtmlarsnl"), "RSSMRAURTMLARSNL");
}

TEST(NormalizeTest, InvalidCodeIsInvalidArgumentWithoutTheValue) {
  const std::string input = "RSSMRA85T10A562X";
  auto normalized = NormalizeCodiceFiscale(input);
  ASSERT_FALSE(normalized.ok());
  EXPECT_EQ(normalized.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::ReasonOf(normalized.status()), "INVALID_CODICE_FISCALE");
  EXPECT_THAT(std::string(normalized.status().message()), HasSubstr("check letter"));
  EXPECT_THAT(std::string(normalized.status().message()), Not(HasSubstr("RSSMRA")));
}

// --- Field check -------------------------------------------------------------------------

TEST(FieldCheckTest, OneViolationPerProblemNeverEchoingTheValue) {
  FieldViolations violations;
  CheckCodiceFiscale("codice_fiscale", kRossi, violations);
  CheckCodiceFiscale("codice_fiscale", " rssmra85t10a562s ", violations);
  EXPECT_TRUE(violations.empty());

  const std::vector<std::string> bad = {"",
                                        "   ",
                                        "RSSMRA85T10A562",
                                        "RSSMRA85T10 562S",
                                        WithCheck("RSSMRA85F10A562"),
                                        WithCheck("RSSMRA85T32A562"),
                                        "RSSMRA85T10A562X"};
  for (const std::string& value : bad) CheckCodiceFiscale("cf", value, violations);
  EXPECT_THAT(
      violations.violations(),
      ElementsAre(Pair("cf", "is required"), Pair("cf", "is required"),
                  Pair("cf", "must be 16 characters"),
                  Pair("cf", "must be letters and digits in the layout of a codice fiscale"),
                  Pair("cf", "must have a month letter among A B C D E H L M P R S T"),
                  Pair("cf", "must have a day of birth from 01 to 31, or 41 to 71"),
                  Pair("cf", "must end with the right check letter")));
  for (const auto& [field, description] : violations.violations()) {
    EXPECT_THAT(description, Not(HasSubstr("RSS")));
  }
}

// --- Decoding ----------------------------------------------------------------------------

constexpr absl::CivilDay kToday(2026, 3, 10);

TEST(DecodeTest, BirthDateSexAndPlace) {
  auto rossi = DecodeCodiceFiscale(kRossi, kToday);
  ASSERT_TRUE(rossi.ok());
  EXPECT_EQ(rossi->birth_date, absl::CivilDay(1985, 12, 10));
  EXPECT_EQ(rossi->sex, Sex::kMale);
  EXPECT_EQ(rossi->birthplace_code, "A562");

  auto bianchi = DecodeCodiceFiscale(kBianchi, kToday);
  ASSERT_TRUE(bianchi.ok());
  EXPECT_EQ(bianchi->birth_date, absl::CivilDay(1970, 1, 1));
  EXPECT_EQ(bianchi->sex, Sex::kFemale);
  EXPECT_EQ(bianchi->birthplace_code, "E715");

  auto pop = DecodeCodiceFiscale(" popana90e55z129g ", kToday);
  ASSERT_TRUE(pop.ok());
  EXPECT_EQ(pop->birth_date, absl::CivilDay(1990, 5, 15));
  EXPECT_EQ(pop->sex, Sex::kFemale);
  EXPECT_EQ(pop->birthplace_code, "Z129");
}

TEST(DecodeTest, OmocodicCodeDecodesLikeTheOriginal) {
  for (size_t substitutions = 1; substitutions <= 7; ++substitutions) {
    auto data = DecodeCodiceFiscale(Omocodic(kBianchi, substitutions), kToday);
    ASSERT_TRUE(data.ok()) << substitutions;
    EXPECT_EQ(data->birth_date, absl::CivilDay(1970, 1, 1));
    EXPECT_EQ(data->sex, Sex::kFemale);
    EXPECT_EQ(data->birthplace_code, "E715");
  }
}

TEST(DecodeTest, CenturyIsTheLatestNotInTheFuture) {
  const std::string march_5_26 = WithCheck("RSSMRA26C05A562");
  const std::string december_20_26 = WithCheck("RSSMRA26T20A562");
  EXPECT_EQ(DecodeCodiceFiscale(march_5_26, kToday)->birth_date, absl::CivilDay(2026, 3, 5));
  EXPECT_EQ(DecodeCodiceFiscale(december_20_26, kToday)->birth_date, absl::CivilDay(1926, 12, 20));
  // Born today is not in the future; tomorrow is.
  EXPECT_EQ(DecodeCodiceFiscale(december_20_26, absl::CivilDay(2026, 12, 20))->birth_date,
            absl::CivilDay(2026, 12, 20));
  EXPECT_EQ(DecodeCodiceFiscale(december_20_26, absl::CivilDay(2026, 12, 19))->birth_date,
            absl::CivilDay(1926, 12, 20));
  // The documented limit: Verdi (1813) reads as 2013, the latest century not in the future.
  EXPECT_EQ(DecodeCodiceFiscale(kVerdi, kToday)->birth_date, absl::CivilDay(2013, 10, 10));
  // Across a century boundary: on 1 January 2100, year 99 is 2099 and year 00 is 2100 only
  // for 1 January.
  EXPECT_EQ(
      DecodeCodiceFiscale(WithCheck("RSSMRA99T31A562"), absl::CivilDay(2100, 1, 1))->birth_date,
      absl::CivilDay(2099, 12, 31));
  EXPECT_EQ(
      DecodeCodiceFiscale(WithCheck("RSSMRA00A01A562"), absl::CivilDay(2100, 1, 1))->birth_date,
      absl::CivilDay(2100, 1, 1));
  EXPECT_EQ(
      DecodeCodiceFiscale(WithCheck("RSSMRA00A02A562"), absl::CivilDay(2100, 1, 1))->birth_date,
      absl::CivilDay(2000, 1, 2));
}

TEST(DecodeTest, LeapDayOnlyInLeapYears) {
  const std::string leap = "NGYVNA00B69G628F";  // F, 29 Feb 2000; check letter by hand
  EXPECT_EQ(CheckCodiceFiscale(leap), std::nullopt);
  auto data = DecodeCodiceFiscale(leap, kToday);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->birth_date, absl::CivilDay(2000, 2, 29));

  // 29 February 2001 and 31 April pass the check (see codice_fiscale.h) but cannot be decoded.
  for (const std::string& code : {WithCheck("NGYVNA01B69G628"), WithCheck("RSSMRA85D31A562")}) {
    EXPECT_EQ(CheckCodiceFiscale(code), std::nullopt) << code;
    auto impossible = DecodeCodiceFiscale(code, kToday);
    ASSERT_FALSE(impossible.ok()) << code;
    EXPECT_EQ(impossible.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(status::ReasonOf(impossible.status()), "INVALID_CODICE_FISCALE");
  }
}

TEST(DecodeTest, InvalidCodeIsNotDecoded) {
  auto data = DecodeCodiceFiscale("RSSMRA85T10A562X", kToday);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status::ReasonOf(data.status()), "INVALID_CODICE_FISCALE");
}

}  // namespace
}  // namespace sportelli::citizen
