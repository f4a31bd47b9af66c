// Resource ids and resource names (https://google.aip.dev/122), checked the same way by every
// service so that a name valid in one API is valid in all of them.
//
// A pattern alternates literal collection segments and `{variable}` segments; parsing returns
// the variables' values in pattern order:
//
//   constexpr absl::string_view kDeskPattern = "tenants/{tenant}/desks/{desk}";
//   ASSIGN_OR_RETURN(std::vector<std::string> ids,
//                    ParseResourceName(request.name(), kDeskPattern, "name"));
//   // ids[0] == "capannori", ids[1] == "sede-centrale"
//   std::string name = FormatResourceName(kDeskPattern, {ids[0], ids[1]});
//
// To report a bad name together with other bad fields of the same request, use the overload
// that appends to a FieldViolations instead of returning a status.
//
// Error descriptions never repeat the submitted value: a client may put anything in a name,
// and descriptions reach logs.
#ifndef SPORTELLI_API_RESOURCE_NAME_H_
#define SPORTELLI_API_RESOURCE_NAME_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {

// What a valid id looks like, in words; the description of every id violation.
inline constexpr absl::string_view kResourceIdRule =
    "must be 1 to 63 characters of a-z, 0-9 and '-', start with a letter and not end with '-'";

// True when `id` matches the AIP-122 id syntax `^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$`: safe in
// URLs, DNS labels, Redis keys and file names without escaping.
bool IsValidResourceId(absl::string_view id);

// Adds a violation on `field` when `id` is not a valid resource id.
void CheckResourceId(absl::string_view field, absl::string_view id,
                     status::FieldViolations& violations);

// The values of the `{variable}` segments of `name`, in pattern order, when `name` has the
// shape of `pattern` and every variable segment is a valid resource id. Otherwise
// INVALID_ARGUMENT (reason INVALID_FIELDS) with one violation on `field`. A malformed pattern
// is a programming error and yields INTERNAL.
absl::StatusOr<std::vector<std::string>> ParseResourceName(absl::string_view name,
                                                           absl::string_view pattern,
                                                           absl::string_view field);

// As above, but adds the violation (or the INTERNAL error's message) to `violations` and
// returns nullopt, so a request's other fields are checked too before answering.
std::optional<std::vector<std::string>> ParseResourceName(absl::string_view name,
                                                          absl::string_view pattern,
                                                          absl::string_view field,
                                                          status::FieldViolations& violations);

// The name built from `pattern` with its variables replaced by `ids`, in order.
// Precondition: exactly one id per variable (checked by assert in debug builds); a missing id
// becomes an empty segment and extra ids are ignored, which ParseResourceName would reject.
std::string FormatResourceName(absl::string_view pattern, absl::Span<const absl::string_view> ids);

}  // namespace sportelli::api

#endif  // SPORTELLI_API_RESOURCE_NAME_H_
