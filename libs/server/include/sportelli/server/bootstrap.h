// The rest of a service's `serve` bootstrap shared by every binary: reading the token
// verification settings, and running the server until SIGTERM/SIGINT.
//
//   server::TokenConfig tokens = server::ReadTokenConfig(env);
//   config::ExitIfInvalid(env.Finish(), kProgram);
//   auth::TokenVerifier verifier = server::TokenVerifierOrExit(tokens, kProgram);
//   ...
//   return server::RunUntilTerminated(server, log);
#ifndef SPORTELLI_SERVER_BOOTSTRAP_H_
#define SPORTELLI_SERVER_BOOTSTRAP_H_

#include <string>

#include "sportelli/auth/tokens.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/logging/logger.h"
#include "sportelli/server/server.h"

namespace sportelli::server {

struct TokenConfig {
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

// Starts `server`, waits for SIGTERM or SIGINT (BlockTerminationSignals must have run first),
// then stops it gracefully. The process's exit code: 0, or 1 when the server cannot start.
int RunUntilTerminated(Server& server, logging::Logger& log);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_BOOTSTRAP_H_
