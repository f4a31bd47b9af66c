// Pieces of a service's `serve` bootstrap shared by every binary (RunMain in service_main.h
// puts them together): the token verification settings and the key file that may rotate, the
// Redis settings, and running the server until SIGTERM/SIGINT.
#ifndef SPORTELLI_SERVER_BOOTSTRAP_H_
#define SPORTELLI_SERVER_BOOTSTRAP_H_

#include <string>
#include <thread>

#include "absl/synchronization/notification.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/redis/client.h"
#include "sportelli/server/server.h"

namespace sportelli::server {

struct TokenConfig {
  std::string public_keys_file;
  std::string public_keys_pem;
  std::string issuer;
  std::string audience;
  auth::VerifierOptions verifier;
};

// SPORTELLI_JWT_PUBLIC_KEY_FILE (its contents), SPORTELLI_JWT_ISSUER, SPORTELLI_JWT_AUDIENCE,
// all required; SPORTELLI_JWT_MAX_LIFETIME [12h], SPORTELLI_LEAD_TENANT [capannori] (the comune
// whose tokens may carry the federation role).
TokenConfig ReadTokenConfig(config::EnvReader& env);

// The verifier on `clock`, or the process stops (config::ExitIfInvalid) naming the key file.
auth::TokenVerifier TokenVerifierOrExit(const TokenConfig& config, const clock::Clock* clock,
                                        const std::string& program);

// Re-reads the public key file every `interval` and gives the verifier the new keys when it
// changed (Kubernetes updates a mounted Secret in place), so the identity provider's keys
// rotate without restarting anything. A file that does not parse is logged and ignored: the
// keys in use stay.
class KeyFileWatcher final {
 public:
  // `verifier` and `log` must outlive the watcher.
  KeyFileWatcher(std::string path, std::string current_contents, auth::TokenVerifier* verifier,
                 logging::Logger* log, absl::Duration interval = absl::Seconds(10));
  ~KeyFileWatcher();  // stops the thread

  // Reads the file once and applies a change; true when the keys were replaced.
  bool CheckNow();

 private:
  const std::string path_;
  std::string contents_;
  auth::TokenVerifier* const verifier_;
  logging::Logger* const log_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

// SPORTELLI_REDIS_ADDR [127.0.0.1:6379], SPORTELLI_REDIS_TIMEOUT [100ms: each command, the
// connection and the wait for a pooled connection; a citizen's request must not wait long on
// a cache], SPORTELLI_REDIS_USERNAME, SPORTELLI_REDIS_PASSWORD_FILE (AUTH; optional).
redis::RedisClient::Options ReadRedisOptions(config::EnvReader& env);

// A client on `options`, or the process stops naming SPORTELLI_REDIS_ADDR.
std::unique_ptr<redis::RedisClient> RedisClientOrExit(const redis::RedisClient::Options& options,
                                                      const std::string& program);

// Starts `server`, waits for SIGTERM or SIGINT (BlockTerminationSignals must have run first),
// then stops it gracefully. The process's exit code: 0, or 1 when the server cannot start.
int RunUntilTerminated(Server& server, logging::Logger& log);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_BOOTSTRAP_H_
