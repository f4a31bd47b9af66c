// The stored (and proto suffix) names of the intake domain's enums, one table per enum:
//
//   constexpr std::pair<NoteKind, const char*> kNoteKinds[] = {{NoteKind::kListening,
//   "LISTENING"}}; const char* NoteKindName(NoteKind kind) { return EnumName(kNoteKinds, kind); }
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_ENUM_NAMES_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_ENUM_NAMES_H_

#include <cstddef>
#include <optional>
#include <utility>

#include "absl/strings/string_view.h"

namespace sportelli::intake {

template <typename Enum, size_t N>
std::optional<Enum> ParseEnumName(const std::pair<Enum, const char*> (&names)[N],
                                  absl::string_view name) {
  for (const auto& [value, text] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
const char* EnumName(const std::pair<Enum, const char*> (&names)[N], Enum value) {
  for (const auto& [candidate, text] : names) {
    if (candidate == value) return text;
  }
  return "UNKNOWN";
}

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_ENUM_NAMES_H_
