// Update masks (https://google.aip.dev/134, https://google.aip.dev/161): which fields an
// Update call may change, checked before anything is written.
//
// Each Update method lists the paths a client may change and, to give a precise message, the
// ones it may not (output-only or immutable fields such as `name` or `create_time`):
//
//   ASSIGN_OR_RETURN(UpdateMask mask,
//                    ValidateUpdateMask(request.update_mask().paths(),
//                                       {"display_name", "address", "opening_hours"},
//                                       {"name", "create_time", "update_time"}));
//   if (mask.empty()) {
//     // AIP-134: an empty mask means "every field the client populated". Only the caller
//     // knows which fields of its message are populated (proto3 presence, non-default
//     // values), so it builds that list itself and applies it the same way.
//   }
//   if (mask.Contains("display_name")) desk.display_name = request.desk().display_name();
//
// Paths match exactly: "address" does not admit "address.street" unless that path is listed
// as updatable too (and the caller then applies it). "*" alone means every updatable path.
#ifndef SPORTELLI_API_FIELD_MASK_H_
#define SPORTELLI_API_FIELD_MASK_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace sportelli::api {

// A validated update mask: only updatable paths, each once, in the client's order ("*"
// expanded to every updatable path).
class UpdateMask final {
 public:
  UpdateMask() = default;
  explicit UpdateMask(std::vector<std::string> paths) : paths_(std::move(paths)) {}

  bool empty() const { return paths_.empty(); }
  bool Contains(absl::string_view path) const;
  const std::vector<std::string>& paths() const { return paths_; }

 private:
  std::vector<std::string> paths_;
};

// The mask made of `paths` when each one is in `updatable` (or is the lone "*"). Otherwise
// INVALID_ARGUMENT (reason INVALID_FIELDS) with one violation on `field` per bad path; a path
// in `immutable` gets "cannot be changed", any other unknown path "is not a field of the
// resource". Descriptions identify paths by index, never by their text.
absl::StatusOr<UpdateMask> ValidateUpdateMask(absl::Span<const absl::string_view> paths,
                                              absl::Span<const absl::string_view> updatable,
                                              absl::Span<const absl::string_view> immutable = {},
                                              absl::string_view field = "update_mask");

// The same for any range of strings, such as a FieldMask's repeated `paths`.
template <typename Paths>
absl::StatusOr<UpdateMask> ValidateUpdateMask(const Paths& paths,
                                              absl::Span<const absl::string_view> updatable,
                                              absl::Span<const absl::string_view> immutable = {},
                                              absl::string_view field = "update_mask") {
  std::vector<absl::string_view> views;
  for (const auto& path : paths) views.emplace_back(path);
  return ValidateUpdateMask(absl::Span<const absl::string_view>(views), updatable, immutable,
                            field);
}

}  // namespace sportelli::api

#endif  // SPORTELLI_API_FIELD_MASK_H_
