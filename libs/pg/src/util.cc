#include "sportelli/pg/internal/util.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sportelli::pg::internal {

bool IsSimpleIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

absl::StatusOr<std::string> QuoteQualifiedName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat("not a [schema.]name identifier: ", name));
  }
  std::string quoted;
  for (absl::string_view part : parts) {
    if (!IsSimpleIdentifier(part)) {
      return absl::InvalidArgumentError(absl::StrCat("not a [schema.]name identifier: ", name));
    }
    absl::StrAppend(&quoted, quoted.empty() ? "" : ".", "\"", part, "\"");
  }
  return quoted;
}

}  // namespace sportelli::pg::internal
