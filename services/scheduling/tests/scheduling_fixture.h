// The scheduling service as its clients see it: the real SchedulingGrpcService on a gRPC server
// (localhost, random port) over PostgreSQL (a throwaway database, migrated) and the Redis that
// scripts/test starts, called through the generated stub. Only the tenants service is replaced,
// by FakeDirectory's fixed answers, so that each test chooses desks, capacities and hours.
//
// Every test gets its own tenant ids (random suffix): test binaries share one Redis, and the
// cache and stream keys carry the tenant.
#ifndef SPORTELLI_SERVICES_SCHEDULING_TESTS_SCHEDULING_FIXTURE_H_
#define SPORTELLI_SERVICES_SCHEDULING_TESTS_SCHEDULING_FIXTURE_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "services/scheduling/availability.h"
#include "services/scheduling/availability_cache.h"
#include "services/scheduling/booking_service.h"
#include "services/scheduling/hot_days.h"
#include "services/scheduling/postgres_scheduling_repository.h"
#include "services/scheduling/scheduling_grpc_service.h"
#include "services/scheduling/tests/fake_directory.h"
#include "sportelli/audit/audit_grpc_service.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/pg/pool.h"
#include "sportelli/redis/client.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/server.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_identity.h"

namespace sportelli::scheduling::testing {

// Monday 1 June 2026, 08:00 Europe/Rome: the service's "now" when a test starts.
extern const absl::Time kTestStart;

using sportelli::testing::Decode;
using sportelli::testing::Failure;
using sportelli::testing::Fields;

// A valid codice fiscale, different for each `n` (the checksum computed).
std::string CodiceFiscale(int n);

class SchedulingTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Starts (again) the server with `rules` (the defaults are those of production).
  void StartServer(BookingRules rules);

  std::string Token(const std::string& tenant, std::vector<std::string> roles) {
    return identity_.Token(tenant, std::move(roles));
  }
  std::string Operator() { return Token(tenant_, {"operator"}); }
  std::string Portal() { return Token(tenant_, {"portal"}); }

  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::SchedulingService::Stub::*method)(grpc::ClientContext*,
                                                                        const Request&, Response*),
                    const std::string& token, const Request& request, Response* response,
                    const std::string& forwarded_for = "") {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(30)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    // A portal's visitor, as the portal names them.
    if (!forwarded_for.empty()) context.AddMetadata("x-forwarded-for", forwarded_for);
    return (stub_.get()->*method)(&context, request, response);
  }

  std::string DeskName(const std::string& desk) const;
  std::string ServiceName() const;
  // 09:00 + 30 min * index, Europe/Rome, `days_ahead` days after the day of kTestStart.
  absl::Time SlotStart(int days_ahead, int index) const;
  v1::CreateAppointmentRequest Booking(const std::string& desk, absl::Time start, int citizen,
                                       v1::Channel channel = v1::CHANNEL_WEB);
  // ListAvailableSlots of one local day, every slot (full ones too) by start.
  std::map<absl::Time, int> Seats(const std::string& desk, absl::Time day_of, v1::Channel channel,
                                  const std::string& token = "");
  // `call(i)` for each i in [0, n), each from its own thread, all at once; the statuses in order.
  static std::vector<grpc::Status> AllAtOnce(int n, const std::function<grpc::Status(int)>& call);
  // Each request sent by its own thread, all at once; the statuses in the requests' order.
  std::vector<grpc::Status> BookAllAtOnce(const std::vector<v1::CreateAppointmentRequest>& requests,
                                          const std::string& token);
  // The OK ones among `results`; every other must be `code` with `reason`.
  static int OkOthersRefused(const std::vector<grpc::Status>& results, grpc::StatusCode code,
                             const std::string& reason);
  // The OK ones among `results`; every other must be FAILED_PRECONDITION SLOT_FULL.
  static int ConfirmedOthersSlotFull(const std::vector<grpc::Status>& results) {
    return OkOthersRefused(results, grpc::StatusCode::FAILED_PRECONDITION, "SLOT_FULL");
  }
  // Rows of scheduling.appointments not cancelled at `start` (read as the superuser).
  int BookedAt(const std::string& desk, absl::Time start);

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;        // the runtime role, as the service runs
  std::unique_ptr<pg::ConnectionPool> admin_pool_;  // superuser, for checks
  std::unique_ptr<redis::RedisClient> redis_;
  std::string tenant_;
  std::string other_tenant_;
  FakeDirectory directory_;
  logging::Logger logger_{"scheduling-test", logging::Level::kWarning};
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<PostgresSchedulingRepository> repository_;
  std::unique_ptr<RedisAvailabilityCache> cache_;
  // The service's days held in memory, following the changes stream as in production.
  std::unique_ptr<redis::RedisClient> follower_redis_;
  std::unique_ptr<HotDays> hot_days_;
  std::unique_ptr<Availability> availability_;
  sportelli::testing::TestIdentity identity_;
  std::unique_ptr<crypto::SecretKey> secret_;
  std::unique_ptr<crypto::FileKeyEncryptionKey> kek_;
  std::unique_ptr<keyring::Keyring> keyring_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<WaitingRoom> waiting_room_;
  std::unique_ptr<BookingService> booking_;
  std::unique_ptr<SchedulingGrpcService> service_;
  std::unique_ptr<audit::AuditGrpcService> audit_service_;
  std::unique_ptr<audit::v1::AuditService::Stub> audit_stub_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::SchedulingService::Stub> stub_;
  // The service's clock: a fixed Monday morning (kTestStart), moved only by the tests. Tokens
  // are minted and verified on the system clock, which the service never reads.
  clock::FakeClock clock_{kTestStart};
};

}  // namespace sportelli::scheduling::testing

#endif  // SPORTELLI_SERVICES_SCHEDULING_TESTS_SCHEDULING_FIXTURE_H_
