#include "sportelli/api/field_mask.h"

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {
namespace {

bool Lists(absl::Span<const absl::string_view> list, absl::string_view path) {
  return std::find(list.begin(), list.end(), path) != list.end();
}

}  // namespace

bool UpdateMask::Contains(absl::string_view path) const {
  return std::find(paths_.begin(), paths_.end(), path) != paths_.end();
}

absl::StatusOr<UpdateMask> ValidateUpdateMask(absl::Span<const absl::string_view> paths,
                                              absl::Span<const absl::string_view> updatable,
                                              absl::Span<const absl::string_view> immutable,
                                              absl::string_view field) {
  status::FieldViolations violations;
  const std::string field_name(field);
  if (Lists(paths, "*")) {
    if (paths.size() != 1) {
      violations.Add(field_name, "\"*\" must be the only path when present");
      return violations.ToStatus();
    }
    return UpdateMask(std::vector<std::string>(updatable.begin(), updatable.end()));
  }
  std::vector<std::string> accepted;
  absl::flat_hash_set<absl::string_view> seen;
  for (size_t i = 0; i < paths.size(); ++i) {
    const absl::string_view path = paths[i];
    if (path.empty()) {
      violations.Add(field_name, absl::StrCat("paths[", i, "] is empty"));
    } else if (Lists(updatable, path)) {
      // Repeating a path changes nothing, so it is accepted rather than rejected.
      if (seen.insert(path).second) accepted.emplace_back(path);
    } else if (Lists(immutable, path)) {
      violations.Add(field_name,
                     absl::StrCat("paths[", i, "] names a field that cannot be changed"));
    } else {
      violations.Add(field_name, absl::StrCat("paths[", i, "] is not a field of the resource"));
    }
  }
  if (!violations.empty()) return violations.ToStatus();
  return UpdateMask(std::move(accepted));
}

}  // namespace sportelli::api
