// How long an SMS is, as the network counts it: which encoding the text needs and how many
// segments (each billed as one SMS) it takes. Used to keep the comuni's SMS texts to one segment
// and to tell an operator what a text will cost.
//
//   const SmsLength length = MeasureSms(text);
//   if (length.segments > 1) ...  // billed as length.segments messages
//
// Encoding (3GPP TS 23.038). A text made only of characters of the GSM 03.38 default alphabet
// and its extension table is sent in GSM-7: a default character is one 7-bit unit, an extension
// character (^ { } \ [ ~ ] | € and form feed) two, an escape and the character. Italian needs
// nothing else for à è é ì ò ù (all in the default alphabet), but the default alphabet has no
// capital È, nor á í ó ú, nor typographic quotes: one such character and the whole text goes
// in UCS-2, counted in UTF-16 code units (a character outside the Basic Multilingual Plane, such
// as an emoji, is two), so it fits 70 units in one segment instead of 160.
//
// Segments. Up to 160 GSM-7 units (70 UCS-2) fit one SMS. A longer text is split in segments of
// 153 units (67 UCS-2), the rest of each being the concatenation header; a segment never ends
// between an escape and its character, nor between the two halves of a surrogate pair, so such a
// character that would straddle a boundary starts the next segment and the text may need one
// segment more than units / 153 rounded up.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SMS_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SMS_H_

#include <cstddef>

#include "absl/strings/string_view.h"

namespace sportelli::notifications {

enum class SmsEncoding { kGsm7, kUcs2 };

struct SmsLength {
  SmsEncoding encoding = SmsEncoding::kGsm7;
  // 7-bit units (GSM-7) or UTF-16 code units (UCS-2) of the whole text, with no segment
  // padding: the count an operator compares with 160 or 70.
  int units = 0;
  // SMS the text is billed as; 0 for an empty text.
  int segments = 0;
};

inline constexpr int kGsm7SingleSegmentUnits = 160;
inline constexpr int kGsm7MultiSegmentUnits = 153;
inline constexpr int kUcs2SingleSegmentUnits = 70;
inline constexpr int kUcs2MultiSegmentUnits = 67;

// The encoding, length and segments of `utf8`. A byte that is not part of valid UTF-8 (a stray
// continuation byte, a truncated sequence, an overlong form, a surrogate) makes the text UCS-2
// and counts as one unit: the gateway replaces it with U+FFFD, one UTF-16 unit.
SmsLength MeasureSms(absl::string_view utf8);

// Whether `text` is well-formed UTF-8 (no overlong forms, no surrogates, nothing above
// U+10FFFF): what every text sent to a citizen must be, whatever the channel.
bool IsWellFormedUtf8(absl::string_view text);

namespace internal {

// One character decoded from UTF-8, for the text checks of this library (MeasureSms, the
// deny-list of messages.h). `valid` is false for a byte that does not start valid UTF-8; it is
// then taken alone (`length` 1) and `code_point` is U+FFFD.
struct DecodedChar {
  char32_t code_point = 0;
  int length = 1;
  bool valid = true;
};

// The character starting at `text[pos]`; `pos` must be less than `text.size()`. Strict UTF-8:
// overlong forms, surrogates and code points past U+10FFFF are invalid.
DecodedChar DecodeUtf8At(absl::string_view text, size_t pos);

}  // namespace internal
}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_SMS_H_
