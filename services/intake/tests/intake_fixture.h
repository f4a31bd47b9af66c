// The intake service as its clients see it: the real IntakeGrpcService (and the DPO's
// AuditService) on a gRPC server (localhost, random port) over a throwaway PostgreSQL database,
// migrated, called through the generated stubs with real tokens. Only the tenants service is
// replaced, by FakeDirectory's fixed answers. Each test gets its own comuni (random suffix).
#ifndef SPORTELLI_SERVICES_INTAKE_TESTS_INTAKE_FIXTURE_H_
#define SPORTELLI_SERVICES_INTAKE_TESTS_INTAKE_FIXTURE_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/intake/intake.h"
#include "services/intake/intake_grpc_service.h"
#include "services/intake/postgres_intake_repository.h"
#include "sportelli/audit/audit_grpc_service.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/intake/v1/intake_service.grpc.pb.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/server.h"
#include "sportelli/tenants_client/fake_directory.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_identity.h"

namespace sportelli::intake::testing {

// Monday 30 November 2026, 10:00 Europe/Rome: the service's "now" when a test starts.
extern const absl::Time kTestStart;
// The largest attachment the service under test accepts (below gRPC's message limit).
inline constexpr int64_t kTestMaxAttachmentBytes = 64 * 1024;

using sportelli::testing::Decode;
using sportelli::testing::Failure;
using sportelli::testing::Fields;

// A valid codice fiscale of a woman born on 1 January 1980, different for each `n`.
std::string CodiceFiscale(int n);

// Scheduling's appointments as the tests set them (the e2e path test reads the real service).
class FakeAppointments final : public AppointmentReader {
 public:
  void Set(const std::string& tenant, const std::string& id, AppointmentFacts facts) {
    facts_[tenant + "/" + id] = std::move(facts);
  }
  absl::StatusOr<AppointmentFacts> Get(const auth::OnBehalfOf&, const std::string& tenant,
                                       const std::string& id) override {
    auto found = facts_.find(tenant + "/" + id);
    if (found == facts_.end()) return status::NotFound("appointment");
    return found->second;
  }

 private:
  std::map<std::string, AppointmentFacts> facts_;
};

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::string Token(const std::string& tenant, std::vector<std::string> roles,
                    const std::string& subject = "operatrice-1") {
    return identity_.Token(tenant, std::move(roles), subject);
  }
  std::string Operator() { return Token(tenant_, {"operator"}); }

  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(Stub* stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(30)));
    if (!token.empty()) context.AddMetadata("authorization", "Bearer " + token);
    return (stub->*method)(&context, request, response);
  }
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::IntakeService::Stub::*method)(grpc::ClientContext*,
                                                                    const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    return Call(stub_.get(), method, token, request, response);
  }

  // Maria Rossi (CodiceFiscale(n)), with a phone, an address and one consent; a new request id.
  v1::CreatePersonRequest NewPerson(int n);
  // Registers NewPerson(n) as the operator; its resource name.
  std::string Register(int n);
  // A walk-in at the desk "sede" half an hour ago, for `person` (a name, or empty).
  v1::CreateContactRequest NewContact(const std::string& person);
  std::string Desk(const std::string& desk = "sede") const;

  // One value of the database, as the superuser.
  std::string AdminQuery(const std::string& sql);
  // Whether `needle` (plain ASCII) appears anywhere in a row of intake.`table`, as bytes: sealed
  // values must hide it.
  bool InClear(const std::string& table, const std::string& needle);

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;        // the runtime role, as the service runs
  std::unique_ptr<pg::ConnectionPool> admin_pool_;  // superuser, for checks
  std::string tenant_;
  std::string other_tenant_;
  tenants_client::testing::FakeDirectory directory_;
  FakeAppointments appointments_;
  logging::Logger logger_{"intake-test", logging::Level::kWarning};
  std::shared_ptr<prometheus::Registry> registry_;
  sportelli::testing::TestIdentity identity_;
  std::unique_ptr<crypto::SecretKey> secret_;
  std::unique_ptr<crypto::FileKeyEncryptionKey> kek_;
  std::unique_ptr<keyring::Keyring> keyring_;
  std::unique_ptr<audit::AuditLog> audit_;
  std::unique_ptr<PostgresIntakeRepository> repository_;
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<IntakeGrpcService> service_;
  std::unique_ptr<audit::AuditGrpcService> audit_service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::IntakeService::Stub> stub_;
  std::unique_ptr<audit::v1::AuditService::Stub> audit_stub_;
  clock::FakeClock clock_{kTestStart};
};

}  // namespace sportelli::intake::testing

#endif  // SPORTELLI_SERVICES_INTAKE_TESTS_INTAKE_FIXTURE_H_
