// Text formats every service checks the same way: well-formed UTF-8 (one code point at a time,
// so callers can count and classify characters) and E.164 phone numbers. Pure functions.
//
//   char32_t code_point = 0;
//   size_t size = Utf8SequenceLength(rest, code_point);  // 0: malformed
//   if (IsE164PhoneNumber("+390583428252")) { ... }
#ifndef SPORTELLI_API_TEXT_H_
#define SPORTELLI_API_TEXT_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace sportelli::api {

// The length in bytes of the well-formed UTF-8 sequence at the start of `text` (which must not
// be empty), with its code point in `code_point`; 0 when it is malformed. Overlong forms,
// surrogates and code points past U+10FFFF are refused, as RFC 3629 requires.
size_t Utf8SequenceLength(absl::string_view text, char32_t& code_point);

// `+` then 8 to 15 digits, the first not 0 (ITU-T E.164), e.g. "+390583428252".
bool IsE164PhoneNumber(absl::string_view value);

}  // namespace sportelli::api

#endif  // SPORTELLI_API_TEXT_H_
