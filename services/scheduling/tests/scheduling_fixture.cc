#include "services/scheduling/tests/scheduling_fixture.h"

#include <cstdlib>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/scheduling/proto_mapping.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/crypto/random.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/status/macros.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_redis.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::scheduling {
const std::vector<pg::Migration>& Migrations();
}

namespace sportelli::scheduling::testing {

const absl::Time kTestStart = absl::FromCivil(absl::CivilMinute(2026, 6, 1, 8, 0), Rome());

std::string CodiceFiscale(int n) {
  // RSSMRA80A01H501 + check, with the surname letters varied by n: distinct valid codes.
  std::string code = "RSSMRA80A01H501";
  code[0] = static_cast<char>('A' + n % 26);
  code[1] = static_cast<char>('A' + (n / 26) % 26);
  code[2] = static_cast<char>('A' + (n / 676) % 26);
  return code + *citizen::CodiceFiscaleCheckCharacter(code);
}

void SchedulingTest::SetUp() {
  ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
  ASSERT_OK(db_->Migrate("scheduling", Migrations(),
                         {pg::RequestIdsComponent(), events::OutboxComponent(),
                          keyring::KeysComponent(), audit::AuditComponent()}));
  ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 16}));
  ASSERT_OK_AND_ASSIGN(admin_pool_, pg::ConnectionPool::Create(db_->admin_dsn(), {.max_size = 2}));

  ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options redis_options,
                       sportelli::testing::TestRedisOptions());
  redis_options.command_timeout = absl::Milliseconds(200);
  redis_options.connect_timeout = absl::Milliseconds(200);
  redis_options.pool_size = 16;
  ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(redis_options));
  redis_options.command_timeout = absl::Seconds(1);  // blocks in XREAD
  redis_options.pool_size = 1;
  ASSERT_OK_AND_ASSIGN(follower_redis_, redis::RedisClient::Create(redis_options));

  std::random_device random;
  const std::string suffix = absl::StrCat(random() % 1000000000);
  tenant_ = "capannori-" + suffix;
  other_tenant_ = "lucca-" + suffix;
  using tenants_client::DeskInfo;
  directory_.AddDesk(tenant_, "sede", DeskInfo{3, true, true, {"colloquio", "lungo"}});
  directory_.AddDesk(tenant_, "solo", DeskInfo{1, true, false, {"colloquio"}});
  directory_.AddDesk(tenant_, "sportello", DeskInfo{2, false, true, {}});
  directory_.AddDesk(other_tenant_, "sede", DeskInfo{3, true, true, {"colloquio"}});
  secret_ = std::make_unique<crypto::SecretKey>(*crypto::SecretKey::Create(std::string(32, 'k')));
  kek_ = *crypto::FileKeyEncryptionKey::Parse(crypto::FileKeyEncryptionKey::GenerateFile());
  keyring_ = std::make_unique<keyring::Keyring>(kek_.get(), "scheduling", &clock_);
  audit_ = std::make_unique<audit::AuditLog>("scheduling", &clock_);
  StartServer(BookingRules{});
}

void SchedulingTest::StartServer(BookingRules rules) {
  if (server_) server_->Shutdown();
  registry_ = std::make_shared<prometheus::Registry>();
  repository_ =
      std::make_unique<PostgresSchedulingRepository>(pool_.get(), keyring_.get(), audit_.get());
  cache_ = std::make_unique<RedisAvailabilityCache>(redis_.get());
  if (hot_days_) hot_days_->Stop();
  hot_days_ = std::make_unique<HotDays>(
      follower_redis_.get(), *registry_, &logger_,
      HotDaysOptions{.block = absl::Milliseconds(100), .error_wait = absl::Milliseconds(100)});
  hot_days_->Start();
  availability_ = std::make_unique<Availability>(
      repository_.get(), cache_.get(), &clock_, *registry_, &logger_,
      AvailabilityOptions{.ttl = absl::Minutes(5), .retry_after = absl::Milliseconds(200)},
      hot_days_.get());
  metrics_ = std::make_unique<server::RpcMetrics>("scheduling", *registry_);
  handler_ = std::make_unique<server::RpcHandler>("scheduling.sportelli", &identity_.verifier(),
                                                  metrics_.get(), &logger_);
  waiting_room_ =
      std::make_unique<WaitingRoom>(redis_.get(), secret_.get(), &clock_, rules.waiting_room);
  booking_ = std::make_unique<BookingService>(repository_.get(), &directory_, availability_.get(),
                                              secret_.get(), rules, &clock_, registry_.get(),
                                              waiting_room_.get());
  service_ = std::make_unique<SchedulingGrpcService>(booking_.get(), handler_.get());
  audit_service_ = std::make_unique<audit::AuditGrpcService>(
      "scheduling", pool_.get(), audit_.get(), secret_.get(), handler_.get(), &clock_,
      [this](pqxx::work& tx, const std::string& tenant,
             const std::string& index) -> absl::StatusOr<nlohmann::json> {
        ASSIGN_OR_RETURN(std::vector<Appointment> held,
                         repository_->AppointmentsOfCitizen(tx, tenant, index));
        return nlohmann::json{{"appointments", AppointmentsJson(held)}};
      });
  // 256 threads: 200 concurrent callers in one test, none turned away.
  server_ = std::make_unique<server::Server>(
      sportelli::testing::TestServerOptions("sportelli.scheduling.v1.SchedulingService", 256),
      &logger_, registry_);
  server_->AddService(service_.get());
  server_->AddService(audit_service_.get());
  ASSERT_OK(server_->Start());
  auto channel = sportelli::testing::ChannelTo(*server_);
  stub_ = v1::SchedulingService::NewStub(channel);
  audit_stub_ = audit::v1::AuditService::NewStub(channel);
}

void SchedulingTest::TearDown() {
  if (server_) server_->Shutdown();
  if (hot_days_) hot_days_->Stop();
}

std::string SchedulingTest::DeskName(const std::string& desk) const {
  return absl::StrCat("tenants/", tenant_, "/desks/", desk);
}

std::string SchedulingTest::ServiceName() const {
  return absl::StrCat("tenants/", tenant_, "/services/colloquio");
}

absl::Time SchedulingTest::SlotStart(int days_ahead, int index) const {
  const absl::CivilDay day = absl::ToCivilDay(kTestStart, Rome()) + days_ahead;
  return absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 9, 0), Rome()) +
         absl::Minutes(30) * index;
}

v1::CreateAppointmentRequest SchedulingTest::Booking(const std::string& desk, absl::Time start,
                                                     int citizen, v1::Channel channel) {
  v1::CreateAppointmentRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant_));
  v1::Appointment* a = request.mutable_appointment();
  a->set_desk(DeskName(desk));
  a->set_service(ServiceName());
  api::ToTimestamp(start, a->mutable_start_time());
  a->set_channel(channel);
  v1::Citizen* c = a->mutable_citizen();
  c->set_given_name("Maria");
  c->set_family_name("D'Angelo");
  c->set_codice_fiscale(CodiceFiscale(citizen));
  c->set_phone_number("+393331234567");
  c->set_preferred_contact(v1::CONTACT_CHANNEL_SMS);
  c->set_privacy_notice_acknowledged(true);
  request.set_request_id(crypto::RandomUuid());
  return request;
}

std::map<absl::Time, int> SchedulingTest::Seats(const std::string& desk, absl::Time day_of,
                                                v1::Channel channel, const std::string& token) {
  v1::ListAvailableSlotsRequest request;
  request.set_desk(DeskName(desk));
  request.set_service(ServiceName());
  *request.mutable_start_date() = api::ToDate(absl::ToCivilDay(day_of, Rome()));
  *request.mutable_end_date() = api::ToDate(absl::ToCivilDay(day_of, Rome()));
  request.set_channel(channel);
  request.set_include_full(true);
  v1::ListAvailableSlotsResponse response;
  const grpc::Status status = Call(&v1::SchedulingService::Stub::ListAvailableSlots,
                                   token.empty() ? Operator() : token, request, &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  std::map<absl::Time, int> seats;
  for (const v1::Slot& slot : response.slots()) {
    seats[absl::FromUnixSeconds(slot.start_time().seconds())] = slot.remaining_capacity();
  }
  return seats;
}

std::vector<grpc::Status> SchedulingTest::AllAtOnce(int n,
                                                    const std::function<grpc::Status(int)>& call) {
  std::vector<grpc::Status> results(n);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back([&, i] { results[i] = call(i); });
  for (std::thread& t : threads) t.join();
  return results;
}

std::vector<grpc::Status> SchedulingTest::BookAllAtOnce(
    const std::vector<v1::CreateAppointmentRequest>& requests, const std::string& token) {
  return AllAtOnce(static_cast<int>(requests.size()), [&](int i) {
    v1::Appointment response;
    return Call(&v1::SchedulingService::Stub::CreateAppointment, token, requests[i], &response);
  });
}

int SchedulingTest::OkOthersRefused(const std::vector<grpc::Status>& results, grpc::StatusCode code,
                                    const std::string& reason) {
  int ok = 0;
  for (const grpc::Status& status : results) {
    if (status.ok()) {
      ++ok;
      continue;
    }
    const Failure failure = Decode(status);
    EXPECT_EQ(failure.code, code) << status.error_message();
    EXPECT_EQ(failure.reason, reason);
  }
  return ok;
}

int SchedulingTest::BookedAt(const std::string& desk, absl::Time start) {
  absl::StatusOr<int> count =
      admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<int> {
        return tx
            .exec_params(
                "SELECT count(*) FROM scheduling.appointments WHERE tenant_id = $1 "
                "AND desk_id = $2 AND start_time = to_timestamp($3) AND state <> "
                "'CANCELLED'",
                tenant_, desk, absl::ToUnixSeconds(start))[0][0]
            .as<int>();
      });
  EXPECT_TRUE(count.ok()) << count.status();
  return count.ok() ? *count : -1;
}

}  // namespace sportelli::scheduling::testing
