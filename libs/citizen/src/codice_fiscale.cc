#include "sportelli/citizen/codice_fiscale.h"

#include <array>
#include <tuple>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace sportelli::citizen {
namespace {

constexpr absl::string_view kMonthLetters = "ABCDEHLMPRST";   // January..December
constexpr absl::string_view kOmocodiaLetters = "LMNPQRSTUV";  // stand for 0..9
// Indexes of the characters that are digits in the original code, and so may be replaced by
// omocodic letters: year, day, the three digits of the place code.
constexpr std::array<size_t, 7> kDigitPositions = {6, 7, 9, 10, 12, 13, 14};
constexpr size_t kMonthPosition = 8;
constexpr size_t kDayPosition = 9;
constexpr size_t kYearPosition = 6;
constexpr size_t kPlacePosition = 11;
constexpr size_t kCheckPosition = 15;
// Women's days are stored plus 40.
constexpr int kFemaleDayOffset = 40;

// Values of a character in an odd position (1st, 3rd, ... counting from 1), indexed by
// letter; a digit has the value of the letter at the same index (0 as A, 9 as J).
// clang-format off
constexpr std::array<int, 26> kOddValues = {
//  A  B  C  D  E   F   G   H   I   J  K  L   M   N   O  P  Q  R   S   T   U   V   W   X   Y   Z
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24, 23};
// clang-format on

bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsDigitPosition(size_t index) {
  for (size_t position : kDigitPositions) {
    if (position == index) return true;
  }
  return false;
}

// The digit a character stands for in a digit position: itself, or its omocodic letter's
// value. -1 for anything else.
int DigitValue(char c) {
  if (IsDigit(c)) return c - '0';
  const size_t index = kOmocodiaLetters.find(c);
  return index == absl::string_view::npos ? -1 : static_cast<int>(index);
}

// Two digit positions read as a number (e.g. the year or the day).
int TwoDigits(absl::string_view code, size_t position) {
  return DigitValue(code[position]) * 10 + DigitValue(code[position + 1]);
}

// Ordinal 0..25 of a letter, or 0..9 of a digit: the "even" value, and the index into
// kOddValues. Only called on upper-case ASCII letters and digits.
int Ordinal(char c) { return IsDigit(c) ? c - '0' : c - 'A'; }

// Strips surrounding ASCII whitespace and upper-cases ASCII letters: what users get wrong
// without meaning a different code. Inner spaces are kept, so they fail the format check
// ("RSS MRA..." may be two fields pasted together).
std::string Canonical(absl::string_view value) {
  return absl::AsciiStrToUpper(absl::StripAsciiWhitespace(value));
}

std::optional<CodiceFiscaleError> CheckCanonical(absl::string_view code) {
  if (code.size() != kCodiceFiscaleLength) return CodiceFiscaleError::kLength;
  for (size_t i = 0; i < code.size(); ++i) {
    // Non-ASCII bytes (any byte of a multi-byte UTF-8 sequence) fail both tests.
    const bool ok = IsDigitPosition(i) ? DigitValue(code[i]) >= 0 : IsUpper(code[i]);
    if (!ok) return CodiceFiscaleError::kFormat;
  }
  if (kMonthLetters.find(code[kMonthPosition]) == absl::string_view::npos) {
    return CodiceFiscaleError::kMonth;
  }
  const int day = TwoDigits(code, kDayPosition);
  const bool male_day = day >= 1 && day <= 31;
  const bool female_day = day >= 1 + kFemaleDayOffset && day <= 31 + kFemaleDayOffset;
  if (!male_day && !female_day) return CodiceFiscaleError::kDay;
  if (CodiceFiscaleCheckCharacter(code.substr(0, kCheckPosition)) != code[kCheckPosition]) {
    return CodiceFiscaleError::kChecksum;
  }
  return std::nullopt;
}

absl::Status InvalidCode(absl::string_view why) {
  // `why` describes the rule, never the value.
  return status::Error(absl::StatusCode::kInvalidArgument,
                       absl::StrCat("invalid codice fiscale: ", why), "INVALID_CODICE_FISCALE");
}

}  // namespace

absl::string_view DescribeCodiceFiscaleError(CodiceFiscaleError error) {
  switch (error) {
    case CodiceFiscaleError::kLength:
      return "must be 16 characters";
    case CodiceFiscaleError::kFormat:
      return "must be letters and digits in the layout of a codice fiscale";
    case CodiceFiscaleError::kMonth:
      return "must have a month letter among A B C D E H L M P R S T";
    case CodiceFiscaleError::kDay:
      return "must have a day of birth from 01 to 31, or 41 to 71";
    case CodiceFiscaleError::kChecksum:
      return "must end with the right check letter";
  }
  return "must be a valid codice fiscale";
}

std::optional<char> CodiceFiscaleCheckCharacter(absl::string_view first_fifteen) {
  if (first_fifteen.size() != kCheckPosition) return std::nullopt;
  int sum = 0;
  for (size_t i = 0; i < first_fifteen.size(); ++i) {
    const char c = first_fifteen[i];
    if (!IsUpper(c) && !IsDigit(c)) return std::nullopt;
    // Index 0 is the first character, an odd position in the official 1-based counting.
    sum += i % 2 == 0 ? kOddValues[Ordinal(c)] : Ordinal(c);
  }
  return static_cast<char>('A' + sum % 26);
}

std::optional<CodiceFiscaleError> CheckCodiceFiscale(absl::string_view value) {
  return CheckCanonical(Canonical(value));
}

void CheckCodiceFiscale(absl::string_view field, absl::string_view value,
                        status::FieldViolations& violations) {
  if (absl::StripAsciiWhitespace(value).empty()) {
    violations.Add(std::string(field), "is required");
  } else if (auto error = CheckCodiceFiscale(value)) {
    violations.Add(std::string(field), std::string(DescribeCodiceFiscaleError(*error)));
  }
}

absl::StatusOr<std::string> NormalizeCodiceFiscale(absl::string_view value) {
  std::string code = Canonical(value);
  if (auto error = CheckCanonical(code)) return InvalidCode(DescribeCodiceFiscaleError(*error));
  return code;
}

absl::StatusOr<CodiceFiscaleData> DecodeCodiceFiscale(absl::string_view value,
                                                      absl::CivilDay today) {
  const std::string code = Canonical(value);
  if (auto error = CheckCanonical(code)) return InvalidCode(DescribeCodiceFiscaleError(*error));

  CodiceFiscaleData data;
  int day = TwoDigits(code, kDayPosition);
  data.sex = day > kFemaleDayOffset ? Sex::kFemale : Sex::kMale;
  if (data.sex == Sex::kFemale) day -= kFemaleDayOffset;
  const int month = static_cast<int>(kMonthLetters.find(code[kMonthPosition])) + 1;

  // The latest century that does not put the birth after today. Compared as (year, month,
  // day) tuples rather than CivilDays, because CivilDay would silently move an impossible
  // date (29 February of a common year) to another one before the comparison.
  const absl::civil_year_t two_digit_year = TwoDigits(code, kYearPosition);
  absl::civil_year_t year = today.year() - today.year() % 100 + two_digit_year;
  if (std::make_tuple(year, month, day) >
      std::make_tuple(today.year(), today.month(), today.day())) {
    year -= 100;
  }
  data.birth_date = absl::CivilDay(year, month, day);
  if (data.birth_date.year() != year || data.birth_date.month() != month ||
      data.birth_date.day() != day) {
    return InvalidCode("the date of birth does not exist");
  }

  data.birthplace_code.push_back(code[kPlacePosition]);
  for (size_t i = kPlacePosition + 1; i < kCheckPosition; ++i) {
    data.birthplace_code.push_back(static_cast<char>('0' + DigitValue(code[i])));
  }
  return data;
}

}  // namespace sportelli::citizen
