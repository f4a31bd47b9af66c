#include "sportelli/pg/pool.h"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"  // SleepFor
#include "pqxx/nontransaction"
#include "sportelli/clock/request_deadline.h"
#include "sportelli/pg/conninfo.h"
#include "sportelli/pg/internal/errors.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/status/errors.h"

namespace sportelli::pg {
namespace {

using internal::Failure;
using internal::FailureKind;

// How far a transaction got when it failed.
enum class Stage { kBegin, kBody, kCommit };

// libpq takes whole seconds.
int64_t CeilSeconds(absl::Duration d) {
  const int64_t seconds = absl::ToInt64Seconds(d);
  return d > absl::Seconds(seconds) ? seconds + 1 : seconds;
}

// Up to 2^attempt ms of jitter (capped at 64 ms), so that the two sides of a conflict do not
// collide again in lockstep.
void ConflictBackoff(int attempt) {
  thread_local absl::BitGen gen;
  const int64_t max_ms = int64_t{1} << std::min(attempt, 6);
  absl::SleepFor(absl::Milliseconds(absl::Uniform<int64_t>(absl::IntervalClosed, gen, 1, max_ms)));
}

int64_t CeilMilliseconds(absl::Duration d) {
  return absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
}

// The time a transaction may use: the request's, when sooner than the pool's bound. Zero:
// none set. DEADLINE_EXCEEDED when the request's time is already up.
absl::StatusOr<absl::Duration> StatementTimeout(const PoolOptions& pool) {
  absl::Duration timeout = pool.statement_timeout;
  if (std::optional<absl::Duration> remaining = clock::RemainingRequestTime()) {
    if (*remaining < absl::Milliseconds(1)) {
      return status::Error(absl::StatusCode::kDeadlineExceeded,
                           "the caller's deadline passed before the database was used",
                           "DEADLINE_EXCEEDED");
    }
    if (timeout == absl::ZeroDuration() || *remaining < timeout) timeout = *remaining;
  }
  return timeout;
}

// SET TRANSACTION must come before any query of the transaction (it fixes the snapshot rules),
// so it precedes set_config. One round trip sets every setting.
void PrepareTransaction(pqxx::work& tx, const TransactionOptions& options, const PoolOptions& pool,
                        absl::Duration statement_timeout) {
  if (options.isolation != Isolation::kReadCommitted || options.read_only) {
    std::string sql = "SET TRANSACTION";
    switch (options.isolation) {
      case Isolation::kReadCommitted:
        break;
      case Isolation::kRepeatableRead:
        sql += " ISOLATION LEVEL REPEATABLE READ";
        break;
      case Isolation::kSerializable:
        sql += " ISOLATION LEVEL SERIALIZABLE";
        break;
    }
    if (options.read_only)
      sql += options.isolation == Isolation::kReadCommitted ? " READ ONLY" : ", READ ONLY";
    tx.exec(sql);
  }
  std::vector<std::string> params;
  std::vector<std::string> calls;
  auto add = [&params, &calls](const std::string& name, const std::string& value) {
    params.push_back(name);
    params.push_back(value);
    calls.push_back(
        absl::StrCat("set_config($", params.size() - 1, ", $", params.size(), ", true)"));
  };
  if (options.tenant_id.has_value()) add("app.tenant_id", *options.tenant_id);
  for (const auto& [name, value] : options.settings) add(name, value);
  if (statement_timeout > absl::ZeroDuration()) {
    add("statement_timeout", absl::StrCat(CeilMilliseconds(statement_timeout)));
  }
  if (pool.lock_timeout > absl::ZeroDuration()) {
    add("lock_timeout", absl::StrCat(CeilMilliseconds(pool.lock_timeout)));
  }
  if (calls.empty()) return;
  // Prepared: the text varies only with which settings a pool uses, a handful per process.
  ExecPrepared(tx, absl::StrCat("SELECT ", absl::StrJoin(calls, ", ")),
               pqxx::prepare::make_dynamic_params(params));
}

}  // namespace

// ---- PooledConnection ----

PooledConnection::PooledConnection(ConnectionPool* pool,
                                   std::unique_ptr<pqxx::connection> connection)
    : pool_(pool), connection_(std::move(connection)) {}

PooledConnection::PooledConnection(PooledConnection&& other) noexcept
    : pool_(std::exchange(other.pool_, nullptr)),
      connection_(std::move(other.connection_)),
      discard_(other.discard_) {}

PooledConnection& PooledConnection::operator=(PooledConnection&& other) noexcept {
  if (this != &other) {
    Return();
    pool_ = std::exchange(other.pool_, nullptr);
    connection_ = std::move(other.connection_);
    discard_ = other.discard_;
  }
  return *this;
}

PooledConnection::~PooledConnection() { Return(); }

void PooledConnection::Return() noexcept {
  if (pool_ != nullptr && connection_ != nullptr) {
    pool_->Release(std::move(connection_), discard_);
  }
  pool_ = nullptr;
  connection_.reset();
  discard_ = false;
}

// ---- ConnectionPool ----

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(absl::string_view conninfo,
                                                                       PoolOptions options) {
  if (options.max_size < 1) return absl::InvalidArgumentError("pool max_size must be at least 1");
  if (options.acquire_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("pool acquire_timeout must not be negative");
  }
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("pool connect_timeout must be positive");
  }
  if (options.max_conflict_retries < 0) {
    return absl::InvalidArgumentError("pool max_conflict_retries must not be negative");
  }
  if (options.statement_timeout < absl::ZeroDuration() ||
      options.lock_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("pool statement and lock timeouts must not be negative");
  }
  absl::StatusOr<std::string> effective = OverrideConninfo(
      conninfo, {{"connect_timeout", absl::StrCat(CeilSeconds(options.connect_timeout))}});
  if (!effective.ok()) return effective.status();
  return absl::WrapUnique(new ConnectionPool(*std::move(effective), options));
}

ConnectionPool::ConnectionPool(std::string conninfo, PoolOptions options)
    : conninfo_(std::move(conninfo)), options_(options) {}

ConnectionPool::~ConnectionPool() {
  absl::MutexLock lock(&mu_);
  // A PooledConnection outliving its pool would return into freed memory.
  assert(in_use_ == 0 && "every PooledConnection must be destroyed before its ConnectionPool");
}

bool ConnectionPool::CanLendLocked() const { return !idle_.empty() || size_ < options_.max_size; }

absl::StatusOr<PooledConnection> ConnectionPool::Acquire() { return AcquireImpl(false); }

absl::StatusOr<PooledConnection> ConnectionPool::AcquireImpl(bool fresh) {
  // Connections to close, destroyed after the lock is released (closing does socket I/O).
  std::vector<std::unique_ptr<pqxx::connection>> doomed;
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &ConnectionPool::CanLendLocked),
                              options_.acquire_timeout)) {
      ++acquire_timeouts_;
      return status::Error(absl::StatusCode::kUnavailable,
                           "no database connection available before the timeout", "POOL_EXHAUSTED");
    }
    if (!fresh) {
      // Most recently used first: it is the likeliest to be warm. PQstatus is a cheap local
      // check; a connection the server closed while idle still looks fine here and is caught by
      // the transaction retry instead.
      while (!idle_.empty()) {
        std::unique_ptr<pqxx::connection> candidate = std::move(idle_.back());
        idle_.pop_back();
        if (candidate->is_open()) {
          ++in_use_;
          return PooledConnection(this, std::move(candidate));
        }
        --size_;
        ++discarded_;
        doomed.push_back(std::move(candidate));
      }
    } else if (size_ >= options_.max_size) {
      // Full but with an idle connection (CanLendLocked): make room by closing the least recently
      // used one.
      doomed.push_back(std::move(idle_.front()));
      idle_.pop_front();
      --size_;
      ++discarded_;
    }
    // Reserve the slot now so concurrent callers cannot overshoot max_size while we connect.
    ++size_;
    ++in_use_;
  }
  doomed.clear();
  try {
    return PooledConnection(this, std::make_unique<pqxx::connection>(conninfo_));
  } catch (...) {
    // pqxx throws broken_connection with libpq's text; it names hosts and roles, so it is left out
    // of the status (which reaches clients) as well.
    CancelReservation();
    return status::Unavailable("cannot connect to the database");
  }
}

void ConnectionPool::CancelReservation() noexcept {
  absl::MutexLock lock(&mu_);
  --size_;
  --in_use_;
  ++connect_failures_;
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection, bool discard) noexcept {
  const bool reusable = !discard && connection->is_open();
  std::unique_ptr<pqxx::connection> doomed;  // declared before the lock: destroyed after it
  absl::MutexLock lock(&mu_);
  --in_use_;
  if (reusable) {
    idle_.push_back(std::move(connection));
  } else {
    --size_;
    ++discarded_;
    doomed = std::move(connection);
  }
}

PoolStats ConnectionPool::Stats() const {
  absl::MutexLock lock(&mu_);
  PoolStats stats;
  stats.max_size = options_.max_size;
  stats.size = size_;
  stats.in_use = in_use_;
  stats.acquire_timeouts = acquire_timeouts_;
  stats.connect_failures = connect_failures_;
  stats.discarded_connections = discarded_;
  return stats;
}

int ConnectionPool::size() const {
  absl::MutexLock lock(&mu_);
  return size_;
}

int ConnectionPool::in_use() const {
  absl::MutexLock lock(&mu_);
  return in_use_;
}

absl::Status ConnectionPool::Ping() {
  for (int attempt = 0;; ++attempt) {
    absl::StatusOr<PooledConnection> connection = AcquireImpl(/*fresh=*/attempt > 0);
    if (!connection.ok()) return connection.status();
    try {
      pqxx::nontransaction tx(**connection);
      tx.exec("SELECT 1");
      return absl::OkStatus();
    } catch (...) {
      Failure failure = internal::ClassifyException(std::current_exception(), {});
      const bool broken =
          failure.kind == FailureKind::kBrokenConnection || !(*connection)->is_open();
      if (!broken) return failure.status;
      connection->Discard();
      if (attempt > 0) return status::Unavailable("database connection lost");
    }
  }
}

absl::Status ConnectionPool::RunTransaction(const TransactionOptions& options,
                                            absl::FunctionRef<absl::Status(pqxx::work&)> body) {
  bool reconnected = false;
  bool fresh = false;
  int conflicts = 0;
  for (;;) {
    if (absl::StatusOr<absl::Duration> timeout = StatementTimeout(options_); !timeout.ok()) {
      return timeout.status();
    }
    absl::StatusOr<PooledConnection> connection = AcquireImpl(std::exchange(fresh, false));
    if (!connection.ok()) return connection.status();
    // Again: waiting for a connection may have used the caller's last milliseconds.
    absl::StatusOr<absl::Duration> timeout = StatementTimeout(options_);
    if (!timeout.ok()) return timeout.status();
    Failure failure{FailureKind::kFinal, absl::OkStatus()};
    Stage stage = Stage::kBegin;
    try {
      pqxx::work tx(**connection);
      stage = Stage::kBody;
      PrepareTransaction(tx, options, options_, *timeout);
      absl::Status status = body(tx);
      if (!status.ok()) {
        tx.abort();  // explicit, so the connection goes back idle rather than mid-transaction
        return status;
      }
      stage = Stage::kCommit;
      tx.commit();
      return absl::OkStatus();
    } catch (...) {
      failure = internal::ClassifyException(std::current_exception(), options.constraint_errors);
    }
    // pqxx::work's destructor has rolled back by now (or the connection is gone), except after a
    // failed COMMIT: libpqxx then sends no ROLLBACK.
    if (failure.kind == FailureKind::kCommitInDoubt) {
      connection->Discard();
      return failure.status;
    }
    if (!(*connection)->is_open()) {
      // Whatever the server said last (e.g. 57P01 before closing), the session is gone and the
      // transaction did not commit (a loss during COMMIT is kCommitInDoubt above).
      failure = {FailureKind::kBrokenConnection, status::Unavailable("database connection lost")};
    } else if (stage == Stage::kCommit) {
      // A COMMIT refused before the server ended the transaction (a statement timeout that fired
      // as it arrived) leaves the session inside an aborted transaction, where every later
      // statement, BEGIN included, fails with 25P02. The session is not worth finding out.
      connection->Discard();
    } else if (stage == Stage::kBegin) {
      // The session this connection was lent in could not begin a transaction: whatever left it
      // so, it is not reused, and the transaction runs on a new one (nothing was done yet).
      failure = {FailureKind::kBrokenConnection, failure.status};
    }
    switch (failure.kind) {
      case FailureKind::kBrokenConnection:
        connection->Discard();
        if (reconnected) return failure.status;
        reconnected = true;
        fresh = true;
        break;
      case FailureKind::kConflict:
        if (conflicts >= options_.max_conflict_retries) return failure.status;
        ++conflicts;
        ConflictBackoff(conflicts);
        break;
      case FailureKind::kCommitInDoubt:
      case FailureKind::kFinal:
        return failure.status;
    }
  }
}

}  // namespace sportelli::pg
