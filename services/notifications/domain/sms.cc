#include "services/notifications/domain/sms.h"

#include <string_view>
#include <vector>

namespace sportelli::notifications {
namespace {

// The GSM 03.38 default alphabet in code order, 0x00 to 0x7F, without 0x1B (the escape to the
// extension table, not a character). Rows of 16; 0x24 is the currency sign ¤, not the dollar
// ($ is 0x02), and 0x09 is the capital Ç.
constexpr std::u32string_view kGsm7Default =
    U"@£$¥èéùìòÇ\nØø\rÅå"  // 0x00
    U"Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"     // 0x10 (0x1B escape left out)
    U" !\"#¤%&'()*+,-./"   // 0x20
    U"0123456789:;<=>?"    // 0x30
    U"¡ABCDEFGHIJKLMNO"    // 0x40
    U"PQRSTUVWXYZÄÖÑÜ§"    // 0x50
    U"¿abcdefghijklmno"    // 0x60
    U"pqrstuvwxyzäöñüà";   // 0x70
static_assert(kGsm7Default.size() == 127);

// The extension table: each is sent as the escape 0x1B and a second code, two units.
constexpr std::u32string_view kGsm7Extension = U"\f^{}\\[~]|€";
static_assert(kGsm7Extension.size() == 10);

// How many segments `costs` (units per character, in order) take when each segment holds at
// most `per_segment` units and no character is split across two.
int FillSegments(const std::vector<int>& costs, int per_segment) {
  int segments = 1;
  int used = 0;
  for (int cost : costs) {
    if (used + cost > per_segment) {
      ++segments;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

SmsLength Measure(SmsEncoding encoding, const std::vector<int>& costs) {
  int units = 0;
  for (int cost : costs) units += cost;
  const bool gsm = encoding == SmsEncoding::kGsm7;
  const int single = gsm ? kGsm7SingleSegmentUnits : kUcs2SingleSegmentUnits;
  const int multi = gsm ? kGsm7MultiSegmentUnits : kUcs2MultiSegmentUnits;
  int segments = 0;
  if (units > single) {
    segments = FillSegments(costs, multi);
  } else if (units > 0) {
    segments = 1;
  }
  return {.encoding = encoding, .units = units, .segments = segments};
}

}  // namespace

namespace internal {

DecodedChar DecodeUtf8At(absl::string_view text, size_t pos) {
  constexpr DecodedChar kInvalid{.code_point = 0xFFFD, .length = 1, .valid = false};
  const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(pos);
  if (lead < 0x80) return {.code_point = lead, .length = 1, .valid = true};
  int length = 0;
  char32_t code_point = 0;
  char32_t min = 0;
  if ((lead & 0xE0) == 0xC0) {
    length = 2, code_point = lead & 0x1F, min = 0x80;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3, code_point = lead & 0x0F, min = 0x800;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4, code_point = lead & 0x07, min = 0x10000;
  } else {
    return kInvalid;  // a continuation byte, or 0xF8..0xFF
  }
  if (pos + length > text.size()) return kInvalid;
  for (int i = 1; i < length; ++i) {
    const unsigned char next = byte(pos + i);
    if ((next & 0xC0) != 0x80) return kInvalid;
    code_point = (code_point << 6) | (next & 0x3F);
  }
  if (code_point < min || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return kInvalid;
  }
  return {.code_point = code_point, .length = length, .valid = true};
}

}  // namespace internal

SmsLength MeasureSms(absl::string_view utf8) {
  std::vector<int> gsm_costs;
  std::vector<int> ucs2_costs;
  bool gsm = true;
  for (size_t pos = 0; pos < utf8.size();) {
    const internal::DecodedChar c = internal::DecodeUtf8At(utf8, pos);
    pos += c.length;
    ucs2_costs.push_back(c.code_point > 0xFFFF ? 2 : 1);
    if (!gsm) continue;
    if (c.valid && kGsm7Default.find(c.code_point) != std::u32string_view::npos) {
      gsm_costs.push_back(1);
    } else if (c.valid && kGsm7Extension.find(c.code_point) != std::u32string_view::npos) {
      gsm_costs.push_back(2);
    } else {
      gsm = false;
    }
  }
  return gsm ? Measure(SmsEncoding::kGsm7, gsm_costs) : Measure(SmsEncoding::kUcs2, ucs2_costs);
}

bool IsWellFormedUtf8(absl::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const internal::DecodedChar c = internal::DecodeUtf8At(text, i);
    if (!c.valid) return false;
    i += c.length;
  }
  return true;
}

}  // namespace sportelli::notifications
