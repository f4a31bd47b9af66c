#include "sportelli/server/bootstrap.h"

#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace sportelli::server {

TokenConfig ReadTokenConfig(config::EnvReader& env) {
  TokenConfig config;
  config.public_keys_file = env.String("SPORTELLI_JWT_PUBLIC_KEY_FILE", "");
  config.public_keys_pem = env.FileContents("SPORTELLI_JWT_PUBLIC_KEY_FILE");
  config.issuer = env.String("SPORTELLI_JWT_ISSUER");
  config.audience = env.String("SPORTELLI_JWT_AUDIENCE");
  config.verifier.max_lifetime = env.Duration("SPORTELLI_JWT_MAX_LIFETIME", absl::Hours(12),
                                              absl::Minutes(1), absl::Hours(24 * 7));
  config.verifier.lead_tenant = env.String("SPORTELLI_LEAD_TENANT", "capannori");
  return config;
}

auth::TokenVerifier TokenVerifierOrExit(const TokenConfig& config, const clock::Clock* clock,
                                        const std::string& program) {
  auth::VerifierOptions options = config.verifier;
  options.clock = clock;
  absl::StatusOr<auth::TokenVerifier> verifier =
      auth::TokenVerifier::Create(config.public_keys_pem, config.issuer, config.audience, options);
  if (!verifier.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError(absl::StrCat("SPORTELLI_JWT_PUBLIC_KEY_FILE: ",
                                                                  verifier.status().message())),
                          program);
  }
  return *std::move(verifier);
}

KeyFileWatcher::KeyFileWatcher(std::string path, std::string current_contents,
                               auth::TokenVerifier* verifier, logging::Logger* log,
                               absl::Duration interval)
    : path_(std::move(path)),
      contents_(std::move(current_contents)),
      verifier_(verifier),
      log_(log),
      interval_(interval) {
  thread_ = std::thread([this] {
    while (!stop_.WaitForNotificationWithTimeout(interval_)) CheckNow();
  });
}

KeyFileWatcher::~KeyFileWatcher() {
  stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

bool KeyFileWatcher::CheckNow() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) return false;  // mid-update (Kubernetes swaps a symlink): next time
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().empty() || contents.str() == contents_) return false;
  if (absl::Status replaced = verifier_->ReplaceKeys(contents.str()); !replaced.ok()) {
    log_->Error("the JWT public key file changed but does not parse; keeping the keys in use",
                {{"error", std::string(replaced.message())}});
    contents_ = contents.str();  // logged once per bad version
    return false;
  }
  contents_ = contents.str();
  log_->Info("JWT public keys reloaded", {{"keys", verifier_->key_count()}});
  return true;
}

redis::RedisClient::Options ReadRedisOptions(config::EnvReader& env) {
  redis::RedisClient::Options options;
  const config::EnvReader::Endpoint endpoint =
      env.HostAndPort("SPORTELLI_REDIS_ADDR", "127.0.0.1:6379");
  options.host = endpoint.host;
  options.port = endpoint.port;
  const absl::Duration timeout = env.Duration("SPORTELLI_REDIS_TIMEOUT", absl::Milliseconds(100),
                                              absl::Milliseconds(1), absl::Seconds(10));
  options.connect_timeout = timeout;
  options.command_timeout = timeout;
  options.acquire_timeout = timeout;
  const std::string username = env.String("SPORTELLI_REDIS_USERNAME", "");
  if (!username.empty()) options.username = username;
  const std::string password = env.OptionalSecretFile("SPORTELLI_REDIS_PASSWORD_FILE");
  if (!password.empty()) options.password = password;
  return options;
}

std::unique_ptr<redis::RedisClient> RedisClientOrExit(const redis::RedisClient::Options& options,
                                                      const std::string& program) {
  absl::StatusOr<std::unique_ptr<redis::RedisClient>> client = redis::RedisClient::Create(options);
  if (!client.ok()) {
    config::ExitIfInvalid(absl::InvalidArgumentError(
                              absl::StrCat("SPORTELLI_REDIS_ADDR: ", client.status().message())),
                          program);
  }
  return *std::move(client);
}

int RunUntilTerminated(Server& server, logging::Logger& log) {
  if (absl::Status started = server.Start(); !started.ok()) {
    log.Error("cannot start", {{"error", std::string(started.message())}});
    return 1;
  }
  const int signal = WaitForTerminationSignal();
  log.Info("signal received", {{"signal", signal}});
  server.Shutdown();
  return 0;
}

}  // namespace sportelli::server
