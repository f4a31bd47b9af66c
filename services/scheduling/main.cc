// sportelli-scheduling: slots, availability (cached in Redis), appointments, holds and the
// walk-in queue; an outbox relay publishes its events, and a tail of the directory stream keeps
// what it caches of the tenants service fresh. Citizens' data is sealed under their own keys
// and every access to it audited; the DPO's AuditService is served next to the API.
//
//   sportelli-scheduling [serve]                 the gRPC server and the outbox relay (default)
//   sportelli-scheduling migrate                 the schema migrations, then exit
//   sportelli-scheduling keys ...                rotate, rewrap, retire, shred-citizen
//   sportelli-scheduling seal-existing TENANT... seal citizens stored before encryption
//   sportelli-scheduling maintain [TENANT...]    retention: delete and anonymize what is due
//
// Configuration comes from environment variables (docs/operations.md).
#include "services/scheduling/availability.h"
#include "services/scheduling/booking_service.h"
#include "services/scheduling/config.h"
#include "services/scheduling/hot_days.h"
#include "services/scheduling/postgres_scheduling_repository.h"
#include "services/scheduling/proto_mapping.h"
#include "services/scheduling/retention.h"
#include "services/scheduling/scheduling_grpc_service.h"
#include "services/scheduling/seal_existing.h"
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
#include "sportelli/status/macros.h"
#include "sportelli/tenants_client/grpc_directory.h"

namespace sportelli::scheduling {

const std::vector<pg::Migration>& Migrations();  // generated from migrations/

absl::Status Build(server::ServiceKit& kit, const Config& config) {
  auto* secret =
      kit.Own(std::make_unique<crypto::SecretKey>(*crypto::SecretKey::Create(config.secret_key)));
  auto* directory = kit.Own(std::make_unique<tenants_client::GrpcDirectory>(
      kit.ChannelTo(config.tenants.address), config.tenants.options, &kit.clock()));
  auto* kek = kit.Own(*crypto::FileKeyEncryptionKey::Parse(config.key_encryption_keys));
  auto* keyring = kit.Own(std::make_unique<keyring::Keyring>(kek, "scheduling", &kit.clock()));
  auto* audit = kit.Own(std::make_unique<audit::AuditLog>("scheduling", &kit.clock()));
  auto* repository =
      kit.Own(std::make_unique<PostgresSchedulingRepository>(&kit.pool(), keyring, audit));
  auto* cache = kit.Own(std::make_unique<RedisAvailabilityCache>(&kit.redis()));
  HotDays* hot_days = nullptr;
  if (config.hot_days > 0) {
    hot_days = kit.Own(std::make_unique<HotDays>(
        &kit.background_redis(), kit.registry(), &kit.log(),
        HotDaysOptions{.max_days = static_cast<size_t>(config.hot_days)}));
    kit.AddWorker([hot_days] { hot_days->Start(); }, [hot_days] { hot_days->Stop(); });
  }
  auto* availability =
      kit.Own(std::make_unique<Availability>(repository, cache, &kit.clock(), kit.registry(),
                                             &kit.log(), AvailabilityOptions{}, hot_days));
  auto* waiting_room = kit.Own(
      std::make_unique<WaitingRoom>(&kit.redis(), secret, &kit.clock(), config.rules.waiting_room));
  auto* booking = kit.Own(std::make_unique<BookingService>(repository, directory, availability,
                                                           secret, config.rules, &kit.clock(),
                                                           &kit.registry(), waiting_room));
  kit.AddService(kit.Own(std::make_unique<SchedulingGrpcService>(booking, &kit.handler())));
  // The DPO's API over this service's trail, and its part of a citizen's data (art. 15).
  kit.AddService(kit.Own(std::make_unique<audit::AuditGrpcService>(
      "scheduling", &kit.pool(), audit, secret, &kit.handler(), &kit.clock(),
      [repository](pqxx::work& tx, const std::string& tenant,
                   const std::string& citizen_index) -> absl::StatusOr<nlohmann::json> {
        ASSIGN_OR_RETURN(std::vector<Appointment> held,
                         repository->AppointmentsOfCitizen(tx, tenant, citizen_index));
        return nlohmann::json{{"appointments", AppointmentsJson(held)}};
      })));
  // A comune's configuration changed: what this replica knows of it is stale.
  events::AddStreamTail(
      kit, std::string(events::kDirectoryStream),
      [directory, booking](const events::v1::Event& event) {
        directory->Forget(event.tenant());
        booking->ConfigurationChanged(event.tenant());
      },
      // After a read failure the tail resumes where it was: only entries trimmed meanwhile or
      // lost with Redis's data are missed, and the latter took the availability values along.
      [directory] { directory->ForgetAll(); });
  if (config.relay) events::AddOutboxRelay(kit, "scheduling");
  return absl::OkStatus();
}

// The kit's tables first, then scheduling's own.
std::vector<pg::RetentionStep> AllRetentionSteps(config::EnvReader& env) {
  std::vector<pg::RetentionStep> steps = events::KitRetentionSteps("scheduling", env);
  for (pg::RetentionStep& step : RetentionSteps(ReadRetention(env))) {
    steps.push_back(std::move(step));
  }
  return steps;
}

}  // namespace sportelli::scheduling

int main(int argc, char** argv) {
  using namespace sportelli;  // NOLINT: main only wires
  return server::RunMain(
      argc, argv,
      {.name = "scheduling",
       .grpc_service = "sportelli.scheduling.v1.SchedulingService",
       .migrations = &scheduling::Migrations(),
       .components = {pg::RequestIdsComponent(), events::OutboxComponent(),
                      keyring::KeysComponent(), audit::AuditComponent()},
       // Bookings wait on row locks and commits: 64 threads over 16 connections
       // queue a click-day burst for a connection instead of refusing it.
       .threads = 64,
       .pool_size = 16,
       .max_receive_bytes = 64 * 1024,
       .uses_redis = true,
       .configure =
           server::Configure<scheduling::Config>(scheduling::ReadConfig, scheduling::Build),
       .commands = {keyring::KeysCommand("scheduling"),
                    {"seal-existing", scheduling::SealExisting},
                    server::MaintainCommand("scheduling", scheduling::AllRetentionSteps)}});
}
