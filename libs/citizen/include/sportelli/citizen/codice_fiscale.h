// The Italian codice fiscale of a natural person: checking one a citizen typed when booking,
// turning it into the one canonical spelling stored and compared, and (for later features
// such as age-based services) reading the birth date and sex it encodes.
//
//   FieldViolations violations;
//   CheckCodiceFiscale("citizen.codice_fiscale", request.citizen().codice_fiscale(), violations);
//   RETURN_IF_ERROR(violations.ToStatus());
//   ASSIGN_OR_RETURN(std::string code, NormalizeCodiceFiscale(request.citizen().codice_fiscale()));
//
// Layout (DM 23/12/1976, 16 characters): surname (3 letters), name (3 letters), year (2
// digits), month (one letter of "ABCDEHLMPRST"), day (2 digits, plus 40 for women), place of
// birth (the Belfiore code: a letter and 3 digits), check letter. When two people would get
// the same code the Agenzia delle Entrate replaces digits, from the right, with the letters
// "LMNPQRSTUV" (0..9): "omocodia". Any digit position may hold such a letter here; the order
// of substitution is not enforced, because a desk must never turn away a citizen whose real
// code we failed to foresee, and the check letter still catches typing mistakes.
//
// Deliberately not checked: that the day exists in that month (31 April; 29 February depends
// on the century, which the code does not record), and that the Belfiore code names a real
// comune or country. Codes with such content have been issued by mistake and stay valid; only
// DecodeCodiceFiscale, which must produce a real date, refuses an impossible one. The
// 11-digit numeric codes (provisional codes, legal persons) are refused: a booking is made
// by a person with a definitive code.
//
// A codice fiscale is personal data, and so is everything decoded from it: none of these
// functions puts the value or any part of it into a message, and callers must not log them.
#ifndef SPORTELLI_CITIZEN_CODICE_FISCALE_H_
#define SPORTELLI_CITIZEN_CODICE_FISCALE_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "sportelli/status/errors.h"

namespace sportelli::citizen {

inline constexpr size_t kCodiceFiscaleLength = 16;

// What is wrong with a code, in the order the checks run (the first failing one is reported).
enum class CodiceFiscaleError {
  kLength,    // not 16 characters once surrounding whitespace is stripped
  kFormat,    // a character of the wrong kind for its position (inner space, non-ASCII...)
  kMonth,     // the month letter is not one of "ABCDEHLMPRST"
  kDay,       // the day is not 01..31 (men) or 41..71 (women)
  kChecksum,  // the check letter does not match the first 15 characters
};

// A plain-English description for a field violation ("must be 16 characters"); it never
// contains the value.
absl::string_view DescribeCodiceFiscaleError(CodiceFiscaleError error);

// nullopt when `value` is a valid code after stripping surrounding ASCII whitespace and
// upper-casing ASCII letters; otherwise the first problem found. An empty value is kLength.
std::optional<CodiceFiscaleError> CheckCodiceFiscale(absl::string_view value);

// Appends at most one violation on `field`: "is required" for an empty (or blank) value,
// otherwise the description of the problem CheckCodiceFiscale finds.
void CheckCodiceFiscale(absl::string_view field, absl::string_view value,
                        status::FieldViolations& violations);

// The canonical form: 16 upper-case characters, omocodic letters kept as issued (they are
// part of the person's code, not a spelling variant). INVALID_ARGUMENT with reason
// "INVALID_CODICE_FISCALE" when the code is not valid.
absl::StatusOr<std::string> NormalizeCodiceFiscale(absl::string_view value);

// The check letter of the first 15 characters of a code, which must be upper-case ASCII
// letters or digits (nullopt otherwise). For tools that build test or seed codes.
std::optional<char> CodiceFiscaleCheckCharacter(absl::string_view first_fifteen);

enum class Sex { kMale, kFemale };

// What a code says about its holder. Personal data: never log it or put it in a status.
struct CodiceFiscaleData {
  absl::CivilDay birth_date;
  Sex sex = Sex::kMale;
  // The Belfiore code of the comune (or "Z" + 3 digits for a foreign country) with omocodic
  // letters turned back into digits, e.g. "A562".
  std::string birthplace_code;
};

// Decodes a valid code. The code records only two digits of the year; the century chosen is
// the latest that does not put the birth after `today` (the caller's local day, Europe/Rome
// for every desk; a birth on `today` itself is accepted). On 10 March 2026, year 26 with
// 5 March is 2026 and year 26 with 20 December is 1926. A person aged 100 or more is thus
// taken to be 100 years younger, which nothing in the code can tell apart.
// INVALID_ARGUMENT with reason "INVALID_CODICE_FISCALE" when the code is not valid or its
// date does not exist in the chosen year (31 April, 29 February of a common year).
absl::StatusOr<CodiceFiscaleData> DecodeCodiceFiscale(absl::string_view value,
                                                      absl::CivilDay today);

}  // namespace sportelli::citizen

#endif  // SPORTELLI_CITIZEN_CODICE_FISCALE_H_
