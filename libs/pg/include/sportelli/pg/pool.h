// A bounded pool of PostgreSQL connections and the transaction helpers every repository uses.
//
// Repositories never see an exception: RunInTransaction / RunInTenantTransaction open a
// transaction, set the tenant context for row-level security, run the callback, commit when it
// returns OK and roll back otherwise, and turn libpqxx failures into absl::Status values whose
// messages never contain SQL error text (it can quote personal data from rows).
//
//   ASSIGN_OR_RETURN(std::unique_ptr<pg::ConnectionPool> pool,
//                    pg::ConnectionPool::Create(config.pg_dsn, {.max_size = 8}));
//
//   absl::StatusOr<Desk> PostgresDeskRepository::Get(const std::string& tenant, int64_t id) {
//     return pool_.RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Desk> {
//       // No WHERE tenant_id = ...: the RLS policy only lets this tenant's rows through.
//       pqxx::result rows = tx.exec_params("SELECT name FROM desks WHERE id = $1", id);
//       if (rows.empty()) return status::NotFound("desk");
//       return Desk{rows[0][0].as<std::string>()};
//     });
//   }
//
// Failure mapping (status messages carry the SQLSTATE, e.g. "database error (sqlstate 23505)"):
//   23505 unique violation          -> ALREADY_EXISTS       reason RESOURCE_ALREADY_EXISTS
//   23P01 exclusion violation       -> FAILED_PRECONDITION  reason RESOURCE_CONFLICT
//   40001 serialization, 40P01 deadlock -> retried up to PoolOptions::max_conflict_retries
//                                      times, then ABORTED  reason TRANSACTION_CONFLICT
//   other 40xxx rollbacks           -> ABORTED              reason TRANSACTION_CONFLICT
//   57014 statement timeout         -> DEADLINE_EXCEEDED    reason STATEMENT_TIMEOUT
//   55P03 lock timeout              -> ABORTED              reason LOCK_TIMEOUT
//   request deadline already passed -> DEADLINE_EXCEEDED    reason DEADLINE_EXCEEDED (nothing
//                                      is sent to the database)
//   lost connection (08xxx)         -> retried once on a new connection, then UNAVAILABLE
//   BEGIN fails on a lent connection -> the connection is closed and the transaction retried once
//                                      on a new one (a session left inside a transaction)
//   COMMIT fails                    -> the error's own status; the connection is closed (libpqxx
//                                      sends no ROLLBACK after a failed COMMIT)
//   57P01/57P02/57P03, 53300        -> UNAVAILABLE          reason DEPENDENCY_UNAVAILABLE
//   connection lost during COMMIT   -> UNAVAILABLE          reason COMMIT_IN_DOUBT (never retried:
//                                      the transaction may have committed)
//   pool exhausted                  -> UNAVAILABLE          reason POOL_EXHAUSTED
//   anything else (including an exception the callback throws) -> INTERNAL
// TransactionOptions::constraint_errors overrides the mapping for named constraints.
//
// Because of the retries the callback may run more than once: it must only touch the database
// through `tx` (no e-mails, no Redis writes from inside), and must not swallow pqxx exceptions
// (a failed statement aborts the transaction; catching it and returning OK would make COMMIT a
// silent ROLLBACK). Connections are reused, so prepared statements pay off:
// `tx.conn().prepare("desk_by_id", "SELECT ...")` is a no-op when already declared on that
// connection, then `tx.exec_prepared("desk_by_id", id)`. Do not change session state (SET
// without LOCAL, LISTEN, session advisory locks) on a pooled connection: it would leak into the
// next borrower.
#ifndef SPORTELLI_PG_POOL_H_
#define SPORTELLI_PG_POOL_H_

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/connection"
#include "pqxx/result"  // what tx.exec returns: callers iterate it
#include "pqxx/transaction"
#include "sportelli/pg/transaction_options.h"
#include "sportelli/status/errors.h"

namespace sportelli::pg {

struct PoolOptions {
  // Upper bound on open connections; keep the sum over all replicas below the server's
  // max_connections.
  int max_size = 8;
  // How long Acquire waits for a free connection before answering POOL_EXHAUSTED. Opening a new
  // connection is bounded separately by connect_timeout.
  absl::Duration acquire_timeout = absl::Seconds(2);
  // libpq connect_timeout: whole seconds, rounded up; libpq treats anything below 2 s as 2 s.
  // Overrides a connect_timeout in the conninfo string.
  absl::Duration connect_timeout = absl::Seconds(5);
  // Extra attempts of a transaction after a serialization failure or deadlock.
  int max_conflict_retries = 3;
  // Upper bounds on each statement and on each lock wait of a transaction (SET LOCAL
  // statement_timeout / lock_timeout); zero leaves the server's setting. A request deadline
  // (sportelli/clock/request_deadline.h) lowers statement_timeout to the time it has left.
  absl::Duration statement_timeout = absl::ZeroDuration();
  absl::Duration lock_timeout = absl::ZeroDuration();
};

// Point-in-time counters for metrics (the caller decides how to export them).
struct PoolStats {
  int max_size = 0;
  int size = 0;                        // open connections, idle + in use
  int in_use = 0;                      // lent out right now
  uint64_t acquire_timeouts = 0;       // Acquire calls that ended in POOL_EXHAUSTED
  uint64_t connect_failures = 0;       // failed attempts to open a connection
  uint64_t discarded_connections = 0;  // closed because broken (or discarded by their user)
};

class ConnectionPool;

// A connection borrowed from a ConnectionPool; returned to it on destruction (RAII, move-only).
// The pool must outlive every PooledConnection it lends.
class PooledConnection final {
 public:
  PooledConnection(PooledConnection&& other) noexcept;
  PooledConnection& operator=(PooledConnection&& other) noexcept;
  PooledConnection(const PooledConnection&) = delete;
  PooledConnection& operator=(const PooledConnection&) = delete;
  ~PooledConnection();

  pqxx::connection& operator*() const { return *connection_; }
  pqxx::connection* operator->() const { return connection_.get(); }
  pqxx::connection& get() const { return *connection_; }

  // Closes the connection instead of returning it: for a broken session, or one holding state
  // the next borrower must not inherit. The pool opens a new one when needed.
  void Discard() { discard_ = true; }

 private:
  friend class ConnectionPool;
  PooledConnection(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection);
  void Return() noexcept;

  ConnectionPool* pool_;
  std::unique_ptr<pqxx::connection> connection_;
  bool discard_ = false;
};

// Thread-safe. Connections are opened lazily (a service starts, and reports not-ready, while the
// database is down) and at most PoolOptions::max_size exist at a time.
class ConnectionPool final {
 public:
  // `conninfo` is a libpq connection string, key/value or URI form. INVALID_ARGUMENT when it does
  // not parse or the options are out of range. Nothing is connected yet.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(absl::string_view conninfo,
                                                                PoolOptions options = {});

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  ~ConnectionPool();

  // Lends an open connection: an idle one, or a new one while below max_size; otherwise waits
  // up to acquire_timeout (UNAVAILABLE, reason POOL_EXHAUSTED). A failed connect answers
  // UNAVAILABLE (reason DEPENDENCY_UNAVAILABLE). Prefer the RunIn* helpers, which also recover
  // from connections that turn out to be broken.
  absl::StatusOr<PooledConnection> Acquire();

  // `SELECT 1` on a pooled connection, for readiness probes. A stale connection (e.g. after a
  // server restart) is replaced once before answering UNAVAILABLE.
  absl::Status Ping();

  // Runs `fn(pqxx::work&)` in a transaction with `app.tenant_id` = tenant_id (transaction-local,
  // so it never leaks to the next borrower of the connection). `fn` returns absl::Status or
  // absl::StatusOr<T>; so does this. An empty tenant_id is a caller bug: INTERNAL.
  template <typename Fn>
  std::invoke_result_t<Fn&, pqxx::work&> RunInTenantTransaction(absl::string_view tenant_id,
                                                                Fn&& fn);

  // Without tenant context: migrations, seeding, administrative reads.
  template <typename Fn>
  std::invoke_result_t<Fn&, pqxx::work&> RunInTransaction(Fn&& fn);

  // Full control: tenant, extra settings, isolation, read-only, constraint mapping.
  template <typename Fn>
  std::invoke_result_t<Fn&, pqxx::work&> RunInTransaction(const TransactionOptions& options,
                                                          Fn&& fn);

  PoolStats Stats() const;
  int size() const;
  int in_use() const;

 private:
  friend class PooledConnection;

  ConnectionPool(std::string conninfo, PoolOptions options);

  // `fresh`: never reuse an idle connection (if the pool is full, close the least recently used
  // idle one to make room). Used for the retry after a broken connection: after a server restart
  // every idle connection is stale, and the retry must not pick another one.
  absl::StatusOr<PooledConnection> AcquireImpl(bool fresh);
  bool CanLendLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Release(std::unique_ptr<pqxx::connection> connection, bool discard) noexcept;
  void CancelReservation() noexcept;

  // The type-erased core of the RunIn* templates: retries and exception mapping live here.
  absl::Status RunTransaction(const TransactionOptions& options,
                              absl::FunctionRef<absl::Status(pqxx::work&)> body);

  const std::string conninfo_;
  const PoolOptions options_;

  mutable absl::Mutex mu_;
  std::deque<std::unique_ptr<pqxx::connection>> idle_ ABSL_GUARDED_BY(mu_);  // back = most recent
  int size_ ABSL_GUARDED_BY(mu_) = 0;
  int in_use_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acquire_timeouts_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t connect_failures_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t discarded_ ABSL_GUARDED_BY(mu_) = 0;
};

// ---- Implementation details of the templates above. ----

namespace internal {

template <typename T>
struct IsStatusOr : std::false_type {};
template <typename T>
struct IsStatusOr<absl::StatusOr<T>> : std::true_type {};

}  // namespace internal

template <typename Fn>
std::invoke_result_t<Fn&, pqxx::work&> ConnectionPool::RunInTenantTransaction(
    absl::string_view tenant_id, Fn&& fn) {
  if (tenant_id.empty()) {
    return status::Internal("tenant transaction requested without a tenant id");
  }
  TransactionOptions options;
  options.tenant_id = std::string(tenant_id);
  return RunInTransaction(options, std::forward<Fn>(fn));
}

template <typename Fn>
std::invoke_result_t<Fn&, pqxx::work&> ConnectionPool::RunInTransaction(Fn&& fn) {
  return RunInTransaction(TransactionOptions{}, std::forward<Fn>(fn));
}

template <typename Fn>
std::invoke_result_t<Fn&, pqxx::work&> ConnectionPool::RunInTransaction(
    const TransactionOptions& options, Fn&& fn) {
  using Result = std::invoke_result_t<Fn&, pqxx::work&>;
  if constexpr (std::is_same_v<Result, absl::Status>) {
    return RunTransaction(options, [&fn](pqxx::work& tx) -> absl::Status { return fn(tx); });
  } else {
    static_assert(internal::IsStatusOr<Result>::value,
                  "the transaction callback must return absl::Status or absl::StatusOr<T>");
    std::optional<typename Result::value_type> value;
    absl::Status status = RunTransaction(options, [&fn, &value](pqxx::work& tx) -> absl::Status {
      value.reset();  // a retried attempt must not see the previous attempt's value
      Result result = fn(tx);
      if (!result.ok()) return result.status();
      value.emplace(*std::move(result));
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return *std::move(value);
  }
}

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_POOL_H_
