// Statements prepared once per connection, for the hot paths.
//
//   pqxx::result rows = pg::ExecPrepared(tx, "SELECT name FROM tenants.desks WHERE id = $1", id);
//
// The pool reuses connections, so a statement prepared on first use is parsed and planned once
// per connection instead of once per call (a booking runs a dozen statements; parsing and
// planning them each time was a measurable share of PostgreSQL's CPU). The statement is named
// after its text, so callers need no registry of names and two call sites with the same text
// share one statement.
//
// `sql` must be a fixed text with $n parameters — never built from request data, which would
// prepare a new statement per value. Text that varies over a small, fixed set (a schema name
// from configuration) is fine. PostgreSQL replans a prepared statement by itself when a
// migration changes a table it uses. Row-level security is unaffected: the policies read the
// transaction's `app.tenant_id` when the statement runs, not when it is planned.
#ifndef SPORTELLI_PG_PREPARED_H_
#define SPORTELLI_PG_PREPARED_H_

#include <pqxx/pqxx>
#include <string>
#include <utility>

namespace sportelli::pg {

namespace internal {
// "s_" and a digest of `sql`: stable within a process, which is all a connection needs.
std::string PreparedName(const std::string& sql);
}  // namespace internal

template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& sql, Args&&... args) {
  const std::string name = internal::PreparedName(sql);
  // A no-op when the connection already knows the name; libpqxx prepares it on the server on
  // first execution, and again by itself after a reconnect.
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_PREPARED_H_
