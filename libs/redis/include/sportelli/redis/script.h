// A Lua script run with EVALSHA: loaded once (SCRIPT LOAD) on first use, loaded again when Redis
// answers NOSCRIPT (a restart, a SCRIPT FLUSH, a failover), so callers send only its SHA1 and
// never its text after the first call. Thread-safe.
//
//   static redis::Script kTake(R"lua( return redis.call('INCRBY', KEYS[1], ARGV[1]) )lua");
//   ASSIGN_OR_RETURN(int64_t total, redis::AsInteger(kTake.Run(client, {key}, {"2"})));
#ifndef SPORTELLI_REDIS_SCRIPT_H_
#define SPORTELLI_REDIS_SCRIPT_H_

#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sportelli/redis/client.h"
#include "sportelli/redis/reply.h"

namespace sportelli::redis {

class Script final {
 public:
  explicit Script(std::string text) : text_(std::move(text)) {}

  // The script's reply (an error reply included), or the client's failure.
  absl::StatusOr<Reply> Run(RedisClient& client, const std::vector<std::string>& keys,
                            const std::vector<std::string>& args);

 private:
  absl::StatusOr<std::string> Sha(RedisClient& client, bool reload);

  const std::string text_;
  absl::Mutex mu_;
  std::string sha_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::redis

#endif  // SPORTELLI_REDIS_SCRIPT_H_
