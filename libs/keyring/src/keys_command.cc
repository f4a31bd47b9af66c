#include "sportelli/keyring/keys_command.h"

#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/server/database.h"

namespace sportelli::keyring {
namespace {

constexpr char kUsage[] =
    "usage: keys rotate TENANT | keys rewrap TENANT | keys retire TENANT VERSION |\n"
    "       keys shred-citizen TENANT CODICE_FISCALE\n";
constexpr int kRewrapBatch = 500;

int Run(const std::string& schema, logging::Logger& log, const std::vector<std::string>& args) {
  if (args.size() < 2) {
    std::cerr << kUsage;
    return 2;
  }
  const std::string& action = args[0];
  const std::string& tenant = args[1];
  config::EnvReader env;
  const std::string kek_file = env.FileContents("SPORTELLI_KEK_FILE");
  const std::string secret =
      action == "shred-citizen" ? env.FileContents("SPORTELLI_SECRET_KEY_FILE") : "";
  server::DatabaseConfig database = server::ReadDatabaseConfig(env, 1);
  config::ExitIfInvalid(env.Finish(), schema);
  absl::StatusOr<std::unique_ptr<crypto::FileKeyEncryptionKey>> kek =
      crypto::FileKeyEncryptionKey::Parse(kek_file);
  if (!kek.ok()) {
    log.Error("unusable key-encryption key file", {{"error", std::string(kek.status().message())}});
    return 2;
  }
  std::unique_ptr<pg::ConnectionPool> pool = server::OpenDatabasePool(database, schema);
  Keyring keyring(kek->get(), schema, &clock::SystemClock::Instance(), absl::ZeroDuration());
  const auto failed = [&](const absl::Status& status) {
    log.Error("keys failed",
              {{"action", action}, {"tenant", tenant}, {"error", std::string(status.message())}});
    return 1;
  };

  if (action == "rotate" && args.size() == 2) {
    absl::StatusOr<uint32_t> version = pool->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) { return keyring.Rotate(tx, tenant); });
    if (!version.ok()) return failed(version.status());
    log.Info("data key rotated", {{"tenant", tenant}, {"version", static_cast<int>(*version)}});
    return 0;
  }
  if (action == "rewrap" && args.size() == 2) {
    RewrapReport total;
    for (;;) {  // one short transaction a batch: the service keeps running meanwhile
      absl::StatusOr<RewrapReport> batch = pool->RunInTenantTransaction(
          tenant, [&](pqxx::work& tx) { return keyring.Rewrap(tx, tenant, kRewrapBatch); });
      if (!batch.ok()) return failed(batch.status());
      total.data_keys += batch->data_keys;
      total.subject_keys += batch->subject_keys;
      if (batch->subject_keys < kRewrapBatch) break;
    }
    log.Info(
        "keys rewrapped",
        {{"tenant", tenant}, {"data_keys", total.data_keys}, {"citizen_keys", total.subject_keys}});
    return 0;
  }
  uint32_t version = 0;
  if (action == "retire" && args.size() == 3 && absl::SimpleAtoi(args[2], &version)) {
    absl::Status retired = pool->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) { return keyring.Retire(tx, tenant, version); });
    if (!retired.ok()) return failed(retired);
    log.Info("data key retired", {{"tenant", tenant}, {"version", static_cast<int>(version)}});
    return 0;
  }
  if (action == "shred-citizen" && args.size() == 3) {
    absl::StatusOr<crypto::SecretKey> key = crypto::SecretKey::Create(secret);
    absl::StatusOr<std::string> code = citizen::NormalizeCodiceFiscale(args[2]);
    if (!key.ok() || !code.ok()) {
      // Never the code itself in the log: it is personal data.
      log.Error("keys failed",
                {{"action", action}, {"error", "unusable secret key or codice fiscale"}});
      return 2;
    }
    const std::string index = citizen::CitizenIndex(*key, tenant, *code);
    absl::StatusOr<bool> shredded = pool->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) { return keyring.ShredSubject(tx, tenant, index); });
    if (!shredded.ok()) return failed(shredded.status());
    log.Info("citizen key shredded", {{"tenant", tenant}, {"found", *shredded}});
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

}  // namespace

server::Command KeysCommand(std::string schema) {
  return {"keys", [schema](logging::Logger& log, const std::vector<std::string>& args) {
            return Run(schema, log, args);
          }};
}

}  // namespace sportelli::keyring
