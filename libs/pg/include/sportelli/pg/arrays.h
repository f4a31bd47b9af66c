// Lists as one bound parameter: a PostgreSQL array literal of text values, for statements that
// handle many rows at once (`... FROM unnest($1::text[]) ...`), so that one prepared statement
// serves any number of rows.
//
//   pg::ExecPrepared(tx, "SELECT ... WHERE id = ANY ($1::text[])", pg::TextArray(ids));
#ifndef SPORTELLI_PG_ARRAYS_H_
#define SPORTELLI_PG_ARRAYS_H_

#include <string>
#include <vector>

namespace sportelli::pg {

// `{"a","b\"c"}`: every element quoted and escaped, so any content is safe; the literal is still
// sent as a bound parameter, never spliced into SQL. An empty list is `{}`.
std::string TextArray(const std::vector<std::string>& values);

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_ARRAYS_H_
