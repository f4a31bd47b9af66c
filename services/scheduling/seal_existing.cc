#include "services/scheduling/seal_existing.h"

#include <iostream>

#include "services/scheduling/postgres_scheduling_repository.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/server/database.h"

namespace sportelli::scheduling {

namespace {
constexpr int kBatch = 200;
}  // namespace

int SealExisting(logging::Logger& log, const std::vector<std::string>& tenants) {
  if (tenants.empty()) {
    std::cerr << "usage: sportelli-scheduling seal-existing TENANT...\n";
    return 2;
  }
  config::EnvReader env;
  const std::string kek_file = env.FileContents("SPORTELLI_KEK_FILE");
  server::DatabaseConfig database = server::ReadDatabaseConfig(env, 1);
  config::ExitIfInvalid(env.Finish(), "scheduling");
  absl::StatusOr<std::unique_ptr<crypto::FileKeyEncryptionKey>> kek =
      crypto::FileKeyEncryptionKey::Parse(kek_file);
  if (!kek.ok()) {
    log.Error("unusable key-encryption key file", {{"error", std::string(kek.status().message())}});
    return 2;
  }
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, "scheduling");
  const clock::Clock& clock = clock::SystemClock::Instance();
  keyring::Keyring keyring(kek->get(), "scheduling", &clock);
  const audit::AuditLog audit("scheduling", &clock);  // unused: sealing reads nothing out
  PostgresSchedulingRepository repository(pool.get(), &keyring, &audit);
  for (const std::string& tenant : tenants) {
    int sealed = 0;
    for (;;) {
      absl::StatusOr<int> batch = repository.SealClearCitizens(tenant, kBatch);
      if (!batch.ok()) {
        log.Error("seal-existing failed", {{"tenant", tenant},
                                           {"sealed", sealed},
                                           {"error", std::string(batch.status().message())}});
        return 1;
      }
      sealed += *batch;
      if (*batch < kBatch) break;
    }
    log.Info("citizens sealed", {{"tenant", tenant}, {"appointments", sealed}});
  }
  return 0;
}

}  // namespace sportelli::scheduling
