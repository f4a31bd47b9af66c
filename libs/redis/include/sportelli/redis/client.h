// A thread-safe, synchronous Redis client over a small bounded pool of hiredis connections,
// for caches, rate limits, locks (Lua scripts via EVAL/EVALSHA) and streams.
//
// Commands are argument vectors, sent as binary-safe RESP bulk strings: values may contain
// any byte, including NUL, and nothing is ever formatted into a command string.
//
//   RedisClient::Options options;
//   options.host = config.redis_host;
//   options.port = config.redis_port;
//   ASSIGN_OR_RETURN(std::unique_ptr<RedisClient> redis, RedisClient::Create(options));
//
//   RETURN_IF_ERROR(ExpectStatus(redis->Command({"SET", key, value, "PX", "60000"}), "OK"));
//   ASSIGN_OR_RETURN(std::optional<std::string> cached,
//                    AsOptionalString(redis->Command({"GET", key})));
//
//   // One round trip for several commands; replies come back in order.
//   ASSIGN_OR_RETURN(std::vector<Reply> replies,
//                    redis->Pipeline({{"INCR", counter}, {"PEXPIRE", counter, "1000"}}));
//
// Errors. Command and Pipeline return a status only when no reply could be obtained:
//   - UNAVAILABLE, reason "REDIS_UNAVAILABLE": cannot connect, connection lost, credentials
//     rejected, or no reply within `command_timeout`. The connection concerned is closed and
//     never reused; the next call opens a new one, so a restarted Redis is picked up without
//     intervention. Pipelines are not atomic: after a failure, some of their commands may
//     have run.
//   - UNAVAILABLE, reason "REDIS_POOL_EXHAUSTED": every connection stayed busy for
//     `acquire_timeout`.
//   - INTERNAL, reason "REDIS_PROTOCOL_ERROR": an answer hiredis 0.14 cannot parse (e.g. a
//     script returning arrays nested deeper than 8 levels); the connection is closed.
//   - INVALID_ARGUMENT: an empty command, or one that would leave a pooled connection in a
//     special state (see Command); nothing is sent.
// A Redis *error reply* (WRONGTYPE, NOSCRIPT, ...) is not such a failure: it arrives as a Reply
// of type kError, and reply.h has the helpers that turn it into a status when wanted.
//
// Time bounds. A call waits at most `acquire_timeout` for a free connection, `connect_timeout`
// to open one, and `command_timeout` for each socket read or write, so a down or hung Redis
// makes calls fail in bounded time; they never hang, throw or crash (a write to a connection
// the server has closed fails with EPIPE instead of raising SIGPIPE). Host names are resolved
// with getaddrinfo, which has no timeout of its own: prefer a name the local resolver answers
// quickly (a Kubernetes Service name, an IP address).
//
// Blocking commands (BLPOP, XREAD BLOCK, ...) must block for less than `command_timeout`, or
// they fail with UNAVAILABLE.
#ifndef SPORTELLI_REDIS_CLIENT_H_
#define SPORTELLI_REDIS_CLIENT_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sportelli/redis/reply.h"

struct redisContext;

namespace sportelli::redis {

class RedisClient final {
 public:
  struct Options {
    std::string host = "127.0.0.1";
    int port = 6379;
    // Bounds opening a TCP connection (and the AUTH that follows it).
    absl::Duration connect_timeout = absl::Milliseconds(500);
    // Bounds each socket read and write of a command: a reply slower than this is a failure.
    absl::Duration command_timeout = absl::Seconds(1);
    // Connections are opened lazily, up to this many; calls beyond it wait for a free one.
    int pool_size = 4;
    // How long a call waits for a free connection before failing.
    absl::Duration acquire_timeout = absl::Seconds(1);
    // ACL user name (Redis 6+); unset means the `default` user. Ignored without a password.
    std::optional<std::string> username;
    // Sent with AUTH on every new connection when set.
    std::optional<std::string> password;
  };

  // Counters since creation, for metrics. Each is monotonic.
  struct Stats {
    uint64_t connections_opened = 0;  // successful connects (the first ones and reconnects)
    uint64_t connect_failures = 0;    // refused, timed out, unresolvable, AUTH rejected
    uint64_t connections_closed = 0;  // broken connections dropped (I/O error, timeout, stale)
    uint64_t io_errors = 0;           // commands or pipelines that lost their connection
    uint64_t timeouts = 0;            // ... of which because of command_timeout
    uint64_t pool_exhausted = 0;      // calls that found no free connection in time
    uint64_t error_replies = 0;       // Redis error replies (WRONGTYPE, NOSCRIPT, ...)
  };

  // INVALID_ARGUMENT for an empty host, a port outside 1..65535, a pool_size below 1 or a
  // timeout outside [1 ms, 24 h). Does not connect: the first command does.
  static absl::StatusOr<std::unique_ptr<RedisClient>> Create(Options options);

  // Closes every idle connection. No call may be in flight on this client.
  ~RedisClient();

  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  // Sends one command, e.g. {"SET", key, value} or {"EVALSHA", sha, "1", key, arg}, and
  // returns its reply, an error reply included.
  //
  // Connections are shared, so commands that would leave one in a special state for the next
  // caller are refused with INVALID_ARGUMENT, before anything is sent:
  //   - SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, MONITOR, SYNC, PSYNC (push modes);
  //   - SELECT, AUTH, HELLO, RESET, QUIT, CLIENT REPLY (connection settings);
  //   - WATCH, UNWATCH (optimistic locking needs a connection held across round trips: use a
  //     Lua script instead);
  //   - MULTI, EXEC, DISCARD outside a Pipeline.
  absl::StatusOr<Reply> Command(const std::vector<std::string>& argv);

  // Sends every command, then reads every reply: one round trip on one connection. Returns one
  // reply per command, in order, error replies in place. An empty list succeeds at once.
  // The refusals of Command apply, except that MULTI is allowed when a later EXEC or DISCARD of
  // the same pipeline closes it: {{"MULTI"}, {"INCR", a}, {"INCR", b}, {"EXEC"}}.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      const std::vector<std::vector<std::string>>& commands);

  // OK when Redis answers PING with PONG (for readiness checks); otherwise the failure, with an
  // error reply mapped as in ErrorReplyToStatus (LOADING -> UNAVAILABLE).
  absl::Status Ping();

  Stats stats() const;
  const Options& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  class Lease;

  explicit RedisClient(Options options);

  // A healthy connection for exclusive use until the lease is destroyed.
  absl::StatusOr<Lease> Acquire();
  absl::StatusOr<ContextPtr> Connect();
  bool CanAcquire() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Called by ~Lease: keeps a healthy connection for reuse, closes a broken one.
  void Release(ContextPtr context, bool reusable);
  // Maps the error recorded in `context` (after a failed hiredis call that left `saved_errno`)
  // to a status and counts it.
  absl::Status IoError(const redisContext& context, int saved_errno, absl::string_view what);

  const Options options_;

  mutable absl::Mutex mu_;
  std::vector<ContextPtr> idle_ ABSL_GUARDED_BY(mu_);
  // Connections in existence: idle, leased, or being opened.
  int open_ ABSL_GUARDED_BY(mu_) = 0;

  std::atomic<uint64_t> connections_opened_{0};
  std::atomic<uint64_t> connect_failures_{0};
  std::atomic<uint64_t> connections_closed_{0};
  std::atomic<uint64_t> io_errors_{0};
  std::atomic<uint64_t> timeouts_{0};
  std::atomic<uint64_t> pool_exhausted_{0};
  std::atomic<uint64_t> error_replies_{0};
};

}  // namespace sportelli::redis

#endif  // SPORTELLI_REDIS_CLIENT_H_
