#include "sportelli/redis/client.h"

#include <hiredis/hiredis.h>
#include <poll.h>

#include <cerrno>
#include <climits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "hiredis_reply.h"
#include "sigpipe_guard.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::redis {
namespace {

using internal::ReplyFromHiredis;
using internal::ReplyPtr;
using internal::SigpipeGuard;

constexpr absl::string_view kUnavailableReason = "REDIS_UNAVAILABLE";

absl::Status Unavailable(absl::string_view message) {
  return status::Error(absl::StatusCode::kUnavailable, message, kUnavailableReason);
}

// Commands that change the state of the connection they run on. On a pooled connection that
// state would leak into the next, unrelated caller, so they are refused up front.
constexpr absl::string_view kRefusedCommands[] = {
    "SUBSCRIBE", "PSUBSCRIBE", "SSUBSCRIBE", "MONITOR", "SYNC",  "PSYNC",   "SELECT",
    "AUTH",      "HELLO",      "RESET",      "QUIT",    "WATCH", "UNWATCH",
};

// Tracks MULTI ... EXEC/DISCARD across the commands of one request, so that a transaction is
// never left open on a connection that goes back to the pool.
class CommandChecker final {
 public:
  explicit CommandChecker(bool in_pipeline) : in_pipeline_(in_pipeline) {}

  absl::Status Check(const std::vector<std::string>& argv) {
    if (argv.empty()) return absl::InvalidArgumentError("empty redis command");
    if (argv.size() > static_cast<size_t>(INT_MAX)) {
      return absl::InvalidArgumentError("redis command has too many arguments");
    }
    const std::string& name = argv.front();
    for (absl::string_view refused : kRefusedCommands) {
      if (absl::EqualsIgnoreCase(name, refused)) return NotOnPooledConnections(refused);
    }
    // CLIENT REPLY OFF|SKIP silences replies the next caller would wait for.
    if (absl::EqualsIgnoreCase(name, "CLIENT") && argv.size() > 1 &&
        absl::EqualsIgnoreCase(argv[1], "REPLY")) {
      return NotOnPooledConnections("CLIENT REPLY");
    }
    const bool opens = absl::EqualsIgnoreCase(name, "MULTI");
    const bool closes =
        absl::EqualsIgnoreCase(name, "EXEC") || absl::EqualsIgnoreCase(name, "DISCARD");
    if ((opens || closes) && !in_pipeline_) {
      return absl::InvalidArgumentError(absl::StrCat(
          "redis ", absl::AsciiStrToUpper(name),
          " is only supported inside a Pipeline, where the transaction keeps its connection"));
    }
    if (opens) in_multi_ = true;
    if (closes) in_multi_ = false;
    return absl::OkStatus();
  }

  // Called after the last command of a pipeline.
  absl::Status Finish() const {
    if (in_multi_) {
      return absl::InvalidArgumentError(
          "redis pipeline opens a transaction with MULTI and does not close it with EXEC or "
          "DISCARD");
    }
    return absl::OkStatus();
  }

 private:
  static absl::Status NotOnPooledConnections(absl::string_view name) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis command ", name, " is not supported on pooled connections"));
  }

  const bool in_pipeline_;
  bool in_multi_ = false;
};

// The argv of one command in the shape hiredis wants: pointers and lengths, no copies.
class ArgvView final {
 public:
  explicit ArgvView(const std::vector<std::string>& argv) {
    pointers_.reserve(argv.size());
    lengths_.reserve(argv.size());
    for (const std::string& arg : argv) {
      pointers_.push_back(arg.data());
      lengths_.push_back(arg.size());
    }
  }
  // Fits: CommandChecker refused more than INT_MAX arguments.
  int argc() const { return static_cast<int>(pointers_.size()); }
  const char** argv() { return pointers_.data(); }
  const size_t* lengths() const { return lengths_.data(); }

 private:
  std::vector<const char*> pointers_;
  std::vector<size_t> lengths_;
};

// An idle connection should have nothing to read. If it does, the server has closed it (idle
// `timeout`, CLIENT KILL, restart) or sent something unexpected: either way it is unusable, and
// finding out now costs one poll() instead of a failed command.
bool StillOpen(const redisContext& context) {
  pollfd fd = {context.fd, POLLIN, 0};
  const int ready = poll(&fd, 1, 0);
  return ready == 0 || (ready < 0 && errno == EINTR);
}

bool ValidTimeout(absl::Duration timeout) {
  // SO_RCVTIMEO treats a zero timeval as "no timeout": anything that rounds to zero, or an
  // infinite duration, would let a call hang.
  return timeout >= absl::Milliseconds(1) && timeout < absl::Hours(24);
}

}  // namespace

// Exclusive use of one connection; gives it back (or closes it, if broken) on destruction.
class RedisClient::Lease final {
 public:
  Lease(RedisClient* client, ContextPtr context) : client_(client), context_(std::move(context)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (context_ != nullptr) client_->Release(std::move(context_), reusable_);
  }

  redisContext* get() const { return context_.get(); }
  // Closes the connection instead of returning it to the pool, whatever its `err` says.
  void Discard() { reusable_ = false; }

 private:
  RedisClient* client_;
  ContextPtr context_;
  bool reusable_ = true;
};

void RedisClient::ContextDeleter::operator()(redisContext* context) const { redisFree(context); }

absl::StatusOr<std::unique_ptr<RedisClient>> RedisClient::Create(Options options) {
  if (options.host.empty()) return absl::InvalidArgumentError("redis host is empty");
  if (options.port < 1 || options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis port ", options.port, " is out of range"));
  }
  if (options.pool_size < 1) {
    return absl::InvalidArgumentError("redis pool_size must be at least 1");
  }
  if (!ValidTimeout(options.connect_timeout) || !ValidTimeout(options.command_timeout) ||
      !ValidTimeout(options.acquire_timeout)) {
    return absl::InvalidArgumentError("redis timeouts must be between 1 ms and 24 h");
  }
  return std::unique_ptr<RedisClient>(new RedisClient(std::move(options)));
}

RedisClient::RedisClient(Options options) : options_(std::move(options)) {}

RedisClient::~RedisClient() = default;

RedisClient::Stats RedisClient::stats() const {
  Stats stats;
  stats.connections_opened = connections_opened_.load(std::memory_order_relaxed);
  stats.connect_failures = connect_failures_.load(std::memory_order_relaxed);
  stats.connections_closed = connections_closed_.load(std::memory_order_relaxed);
  stats.io_errors = io_errors_.load(std::memory_order_relaxed);
  stats.timeouts = timeouts_.load(std::memory_order_relaxed);
  stats.pool_exhausted = pool_exhausted_.load(std::memory_order_relaxed);
  stats.error_replies = error_replies_.load(std::memory_order_relaxed);
  return stats;
}

bool RedisClient::CanAcquire() const { return !idle_.empty() || open_ < options_.pool_size; }

absl::StatusOr<RedisClient::Lease> RedisClient::Acquire() {
  ContextPtr context;
  std::vector<ContextPtr> stale;  // closed after unlocking: close(2) need not hold up others
  {
    absl::MutexLock lock(&mu_);
    if (!mu_.AwaitWithTimeout(absl::Condition(this, &RedisClient::CanAcquire),
                              options_.acquire_timeout)) {
      pool_exhausted_.fetch_add(1, std::memory_order_relaxed);
      return status::Error(absl::StatusCode::kUnavailable,
                           absl::StrCat("no redis connection became free within ",
                                        absl::FormatDuration(options_.acquire_timeout)),
                           "REDIS_POOL_EXHAUSTED");
    }
    while (!idle_.empty()) {
      ContextPtr candidate = std::move(idle_.back());  // most recently used first
      idle_.pop_back();
      if (StillOpen(*candidate)) {
        context = std::move(candidate);
        break;
      }
      --open_;
      stale.push_back(std::move(candidate));
    }
    // No reusable connection: CanAcquire() held and every stale one freed its slot, so there is
    // room for a new one. Reserve it now, connect without the lock.
    if (context == nullptr) ++open_;
  }
  connections_closed_.fetch_add(stale.size(), std::memory_order_relaxed);
  stale.clear();

  if (context == nullptr) {
    absl::StatusOr<ContextPtr> connected = Connect();
    if (!connected.ok()) {
      absl::MutexLock lock(&mu_);
      --open_;
      return connected.status();
    }
    context = *std::move(connected);
  }
  return Lease(this, std::move(context));
}

void RedisClient::Release(ContextPtr context, bool reusable) {
  // A context with `err` set is never reused: its socket may still carry the reply to a
  // command that timed out, which the next caller would read as its own.
  if (reusable && context->err == 0) {
    absl::MutexLock lock(&mu_);
    idle_.push_back(std::move(context));
    return;
  }
  context.reset();
  connections_closed_.fetch_add(1, std::memory_order_relaxed);
  absl::MutexLock lock(&mu_);
  --open_;
}

absl::StatusOr<RedisClient::ContextPtr> RedisClient::Connect() {
  const std::string endpoint = absl::StrCat(options_.host, ":", options_.port);
  auto fail = [&](absl::string_view why) {
    connect_failures_.fetch_add(1, std::memory_order_relaxed);
    return Unavailable(absl::StrCat("cannot connect to redis at ", endpoint, ": ", why));
  };

  ContextPtr context(redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                             absl::ToTimeval(options_.connect_timeout)));
  if (context == nullptr) return fail("out of memory");
  if (context->err != 0) return fail(context->errstr);
  // Dead peers on idle connections are then noticed by the kernel, not by the next command.
  if (redisEnableKeepAlive(context.get()) != REDIS_OK) return fail(context->errstr);

  if (options_.password.has_value()) {
    // AUTH is part of connecting, so it runs under the connect timeout.
    if (redisSetTimeout(context.get(), absl::ToTimeval(options_.connect_timeout)) != REDIS_OK) {
      return fail(context->errstr);
    }
    std::vector<std::string> auth = {"AUTH"};
    if (options_.username.has_value()) auth.push_back(*options_.username);
    auth.push_back(*options_.password);
    ArgvView view(auth);
    ReplyPtr reply;
    {
      SigpipeGuard guard;
      reply.reset(static_cast<redisReply*>(
          redisCommandArgv(context.get(), view.argc(), view.argv(), view.lengths())));
    }
    if (reply == nullptr) return fail(absl::StrCat("AUTH failed: ", context->errstr));
    const Reply auth_reply = ReplyFromHiredis(*reply);
    if (auth_reply.is_error()) {
      // Only the code (WRONGPASS, NOAUTH, ...): never the text, never the credentials.
      return fail(
          absl::StrCat("credentials rejected (", ErrorReplyToStatus(auth_reply).message(), ")"));
    }
  }

  if (redisSetTimeout(context.get(), absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
    return fail(context->errstr);
  }
  connections_opened_.fetch_add(1, std::memory_order_relaxed);
  return context;
}

absl::Status RedisClient::IoError(const redisContext& context, int saved_errno,
                                  absl::string_view what) {
  io_errors_.fetch_add(1, std::memory_order_relaxed);
  if (context.err == REDIS_ERR_PROTOCOL) {
    return status::Error(
        absl::StatusCode::kInternal,
        absl::StrCat("redis ", what, " got a reply it cannot parse: ", context.errstr),
        "REDIS_PROTOCOL_ERROR");
  }
  // hiredis reports an expired SO_RCVTIMEO/SO_SNDTIMEO as an I/O error with errno EAGAIN.
  if (context.err == REDIS_ERR_IO && (saved_errno == EAGAIN || saved_errno == EWOULDBLOCK)) {
    timeouts_.fetch_add(1, std::memory_order_relaxed);
    return Unavailable(absl::StrCat("redis ", what, " timed out after ",
                                    absl::FormatDuration(options_.command_timeout)));
  }
  return Unavailable(absl::StrCat(
      "redis ", what, " failed: ", context.err != 0 ? context.errstr : "unknown error"));
}

absl::StatusOr<Reply> RedisClient::Command(const std::vector<std::string>& argv) {
  RETURN_IF_ERROR(CommandChecker(/*in_pipeline=*/false).Check(argv));
  ASSIGN_OR_RETURN(Lease lease, Acquire());

  ArgvView view(argv);
  ReplyPtr raw;
  int saved_errno = 0;
  {
    SigpipeGuard guard;
    raw.reset(static_cast<redisReply*>(
        redisCommandArgv(lease.get(), view.argc(), view.argv(), view.lengths())));
    saved_errno = errno;
  }
  if (raw == nullptr) {
    // hiredis sets `err` on every failure; discarding explicitly does not depend on it.
    lease.Discard();
    return IoError(*lease.get(), saved_errno, "command");
  }
  Reply reply = ReplyFromHiredis(*raw);
  if (reply.is_error()) error_replies_.fetch_add(1, std::memory_order_relaxed);
  return reply;
}

absl::StatusOr<std::vector<Reply>> RedisClient::Pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  CommandChecker checker(/*in_pipeline=*/true);
  for (const std::vector<std::string>& argv : commands) RETURN_IF_ERROR(checker.Check(argv));
  RETURN_IF_ERROR(checker.Finish());
  if (commands.empty()) return std::vector<Reply>();

  ASSIGN_OR_RETURN(Lease lease, Acquire());
  redisContext* context = lease.get();
  std::vector<Reply> replies;
  replies.reserve(commands.size());
  uint64_t error_replies = 0;
  int saved_errno = 0;
  bool failed = false;
  {
    SigpipeGuard guard;
    // Appending only formats into the output buffer; the first redisGetReply writes it all
    // and then reads, so the whole pipeline is one round trip.
    for (const std::vector<std::string>& argv : commands) {
      ArgvView view(argv);
      if (redisAppendCommandArgv(context, view.argc(), view.argv(), view.lengths()) != REDIS_OK) {
        saved_errno = errno;
        failed = true;
        break;
      }
    }
    for (size_t i = 0; !failed && i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(context, &raw) != REDIS_OK || raw == nullptr) {
        saved_errno = errno;
        failed = true;
        break;
      }
      ReplyPtr owned(static_cast<redisReply*>(raw));
      replies.push_back(ReplyFromHiredis(*owned));
      if (replies.back().is_error()) ++error_replies;
    }
  }
  if (failed) {
    // Unread replies or a half-written buffer: the connection must not be reused.
    lease.Discard();
    return IoError(*context, saved_errno, "pipeline");
  }
  error_replies_.fetch_add(error_replies, std::memory_order_relaxed);
  return replies;
}

absl::Status RedisClient::Ping() {
  ASSIGN_OR_RETURN(Reply reply, Command({"PING"}));
  return ExpectStatus(reply, "PONG");
}

}  // namespace sportelli::redis
