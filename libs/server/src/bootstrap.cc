#include "sportelli/server/bootstrap.h"

#include "absl/strings/str_cat.h"

namespace sportelli::server {

TokenConfig ReadTokenConfig(config::EnvReader& env) {
  TokenConfig config;
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
