// Rewriting libpq connection strings without string surgery: parse with libpq itself (key/value
// or postgresql:// URI form), override some keywords, and render a key/value string with correct
// quoting. The pool uses it to impose connect_timeout; tests use it to point an admin DSN at a
// freshly created database and role.
//
//   absl::StatusOr<std::string> dsn = pg::OverrideConninfo(
//       "postgresql://app@db:5432/sportelli", {{"connect_timeout", "3"}});
//   // -> "user='app' dbname='sportelli' host='db' port='5432' connect_timeout='3'"
//
// Error messages never echo the input: it may contain a password.
#ifndef SPORTELLI_PG_CONNINFO_H_
#define SPORTELLI_PG_CONNINFO_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::pg {

// INVALID_ARGUMENT when libpq cannot parse `conninfo` or an override names an unknown keyword.
// Keywords of `overrides` replace those of `conninfo`; the others keep libpq's keyword order.
absl::StatusOr<std::string> OverrideConninfo(
    absl::string_view conninfo, const std::vector<std::pair<std::string, std::string>>& overrides);

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_CONNINFO_H_
