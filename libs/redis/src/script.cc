#include "sportelli/redis/script.h"

#include "absl/strings/str_cat.h"

namespace sportelli::redis {

absl::StatusOr<std::string> Script::Sha(RedisClient& client, bool reload) {
  absl::MutexLock lock(&mu_);
  if (!sha_.empty() && !reload) return sha_;
  absl::StatusOr<std::string> sha = AsString(client.Command({"SCRIPT", "LOAD", text_}));
  if (!sha.ok()) return sha.status();
  sha_ = *std::move(sha);
  return sha_;
}

absl::StatusOr<Reply> Script::Run(RedisClient& client, const std::vector<std::string>& keys,
                                  const std::vector<std::string>& args) {
  absl::StatusOr<std::string> sha = Sha(client, /*reload=*/false);
  if (!sha.ok()) return sha.status();
  std::vector<std::string> argv = {"EVALSHA", *sha, absl::StrCat(keys.size())};
  argv.insert(argv.end(), keys.begin(), keys.end());
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<Reply> reply = client.Command(argv);
  if (reply.ok() && reply->is_error() && reply->error_code() == "NOSCRIPT") {
    sha = Sha(client, /*reload=*/true);
    if (!sha.ok()) return sha.status();
    argv[1] = *sha;
    reply = client.Command(argv);
  }
  return reply;
}

}  // namespace sportelli::redis
