// sportelli-intake: the persons the desks listen to and their contacts with the desks, every
// personal field sealed under the person's own key and every access audited; the DPO's
// AuditService is served next to the API, and an outbox relay publishes its events.
//
//   sportelli-intake [serve]                 the gRPC server and the outbox relay (default)
//   sportelli-intake migrate                 the schema migrations, then exit
//   sportelli-intake keys ...                rotate, rewrap, retire, shred-citizen
//   sportelli-intake maintain [TENANT...]    retention: delete what is due
//   sportelli-intake seed-destinations TENANT...   each comune's starting referral catalog
//
// Configuration comes from environment variables (docs/operations.md).
#include "services/intake/config.h"
#include "services/intake/export.h"
#include "services/intake/intake.h"
#include "services/intake/intake_grpc_service.h"
#include "services/intake/postgres_intake_repository.h"
#include "services/intake/retention.h"
#include "services/intake/seed_destinations.h"
#include "sportelli/audit/audit_grpc_service.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/service_kit.h"
#include "sportelli/events/streams.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/keyring/keys_command.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/server/maintenance.h"
#include "sportelli/server/service_main.h"
#include "sportelli/tenants_client/grpc_directory.h"

namespace sportelli::intake {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

absl::Status Build(server::ServiceKit& kit, const Config& config) {
  auto* secret = kit.Own(
      std::make_unique<crypto::SecretKey>(*crypto::SecretKey::Create(config.keys.secret_key)));
  auto* directory = kit.Own(std::make_unique<tenants_client::GrpcDirectory>(
      kit.ChannelTo(config.tenants.address), config.tenants.options, &kit.clock()));
  auto* kek = kit.Own(*crypto::FileKeyEncryptionKey::Parse(config.keys.key_encryption_keys));
  auto* keyring = kit.Own(std::make_unique<keyring::Keyring>(kek, kSchema, &kit.clock()));
  auto* audit = kit.Own(std::make_unique<audit::AuditLog>(kSchema, &kit.clock()));
  auto* repository =
      kit.Own(std::make_unique<PostgresIntakeRepository>(&kit.pool(), keyring, audit));
  auto* appointments = kit.Own(std::make_unique<GrpcAppointmentReader>(
      kit.ChannelTo(config.scheduling_address), config.scheduling_deadline));
  auto* intake =
      kit.Own(std::make_unique<Intake>(repository, directory, appointments, secret, &kit.clock(),
                                       kit.registry(), config.max_attachment_bytes));
  kit.AddService(kit.Own(std::make_unique<IntakeGrpcService>(intake, &kit.handler())));
  // The DPO's API over this service's trail, and its part of a citizen's data (art. 15).
  kit.AddService(kit.Own(
      std::make_unique<audit::AuditGrpcService>(kSchema, &kit.pool(), audit, secret, &kit.handler(),
                                                &kit.clock(), CitizenDataExporter(repository))));
  // A comune's configuration changed: what this replica knows of it is stale.
  events::AddStreamTail(
      kit, std::string(events::kDirectoryStream),
      [directory](const events::v1::Event& event) { directory->Forget(event.tenant()); },
      [directory] { directory->ForgetAll(); });
  if (config.relay) events::AddOutboxRelay(kit, kSchema);
  return absl::OkStatus();
}

// The kit's tables, then intake's records and its audit trail (retention.h).
std::vector<pg::RetentionStep> MaintainSteps(config::EnvReader& env) {
  std::vector<pg::RetentionStep> steps = events::KitRetentionSteps(kSchema, env);
  for (pg::RetentionStep& step : RetentionSteps(ReadRetention(env))) {
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace sportelli::intake

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  return server::RunMain(
      argc, argv,
      {.name = "intake",
       .grpc_service = "sportelli.intake.v1.IntakeService",
       .migrations = &intake::Migrations(),
       .components = {pg::RequestIdsComponent(), events::OutboxComponent(),
                      keyring::KeysComponent(), audit::AuditComponent()},
       .threads = 32,
       .pool_size = 8,
       // An attachment (SPORTELLI_MAX_ATTACHMENT_BYTES, 5 MiB) and its request around it.
       .max_receive_bytes = 6 * 1024 * 1024,
       .uses_redis = true,
       .configure = server::Configure<intake::Config>(intake::ReadConfig, intake::Build),
       .commands = {keyring::KeysCommand(intake::kSchema),
                    {"seed-destinations", intake::SeedDestinations},
                    server::MaintainCommand(intake::kSchema, intake::MaintainSteps)}});
}
