// Internal to sportelli::pg (exposed for its unit tests): SQL identifier checks shared by the
// migration runner and the idempotency store.
//
//   ASSIGN_OR_RETURN(std::string table, internal::QuoteQualifiedName("tenants.request_ids"));
//   // -> "\"tenants\".\"request_ids\"", safe to splice into SQL text.
#ifndef SPORTELLI_PG_INTERNAL_UTIL_H_
#define SPORTELLI_PG_INTERNAL_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::pg::internal {

// Lower-case ASCII letter or underscore, then letters, digits, underscores; at most 63 bytes
// (PostgreSQL's identifier limit, beyond which it silently truncates). Deliberately narrower than
// what PostgreSQL accepts: these names come from our own code, and a narrow rule makes splicing
// them into SQL text obviously safe.
bool IsSimpleIdentifier(absl::string_view name);

// "name" or "schema.name", each part a simple identifier, rendered double-quoted.
// INVALID_ARGUMENT otherwise.
absl::StatusOr<std::string> QuoteQualifiedName(absl::string_view name);

}  // namespace sportelli::pg::internal

#endif  // SPORTELLI_PG_INTERNAL_UTIL_H_
