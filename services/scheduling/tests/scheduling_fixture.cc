#include "services/scheduling/tests/scheduling_fixture.h"

#include <cstdlib>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/scheduling/domain/codice_fiscale.h"
#include "services/scheduling/proto_mapping.h"
#include "sportelli/auth/keys.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling {
const std::vector<pg::Migration>& Migrations();
}

namespace sportelli::scheduling::testing {

constexpr char kIssuer[] = "https://idp.test";
constexpr char kAudience[] = "sportelli-test";

const absl::Time kTestStart = absl::FromCivil(absl::CivilMinute(2026, 6, 1, 8, 0), Rome());

absl::TimeZone Rome() {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Europe/Rome", &zone)) std::abort();
  return zone;
}

std::string CodiceFiscale(int n) {
  // RSSMRA80A01H501 + check, with the surname letters varied by n: distinct valid codes.
  std::string code = "RSSMRA80A01H501";
  code[0] = static_cast<char>('A' + n % 26);
  code[1] = static_cast<char>('A' + (n / 26) % 26);
  code[2] = static_cast<char>('A' + (n / 676) % 26);
  return code + *CodiceFiscaleCheckCharacter(code);
}

void FakeDirectory::AddDesk(const std::string& tenant, const std::string& desk, DeskInfo info) {
  absl::MutexLock lock(&mu_);
  desks_[tenant + "/" + desk] = std::move(info);
}

void FakeDirectory::SetHours(int open_hour, int close_hour) {
  absl::MutexLock lock(&mu_);
  open_hour_ = open_hour;
  close_hour_ = close_hour;
}

absl::StatusOr<DeskInfo> FakeDirectory::GetDesk(const std::string&, const std::string& tenant_id,
                                                const std::string& desk_id) {
  absl::MutexLock lock(&mu_);
  auto it = desks_.find(tenant_id + "/" + desk_id);
  if (it == desks_.end()) return status::NotFound("desk");
  return it->second;
}

absl::StatusOr<ServiceInfo> FakeDirectory::GetService(const std::string&, const std::string&,
                                                      const std::string& service_id) {
  if (service_id == "colloquio") return ServiceInfo{absl::Minutes(30)};
  if (service_id == "lungo") return ServiceInfo{absl::Minutes(60)};
  return status::NotFound("service");
}

absl::StatusOr<OpenHours> FakeDirectory::GetOpenHours(const std::string&, const std::string&,
                                                      const std::string&, absl::CivilDay first,
                                                      absl::CivilDay last) {
  absl::MutexLock lock(&mu_);
  OpenHours hours{{}, Rome()};
  for (absl::CivilDay day = first; day <= last; ++day) {
    hours.intervals.push_back(
        {absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), open_hour_), Rome()),
         absl::FromCivil(absl::CivilHour(day.year(), day.month(), day.day(), close_hour_),
                         Rome())});
  }
  return hours;
}

absl::StatusOr<absl::TimeZone> FakeDirectory::GetTimeZone(const std::string&, const std::string&) {
  return Rome();
}

void SchedulingTest::SetUp() {
  ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
  ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->app_dsn(), {.max_size = 16}));
  ASSERT_OK_AND_ASSIGN(admin_pool_, pg::ConnectionPool::Create(db_->admin_dsn(), {.max_size = 2}));
  ASSERT_OK(pg::ApplyMigrations(*pool_, "scheduling", Migrations()).status());

  redis::RedisClient::Options redis_options;
  redis_options.host = sportelli::testing::RequireEnv("SPORTELLI_TEST_REDIS_HOST");
  ASSERT_TRUE(absl::SimpleAtoi(sportelli::testing::RequireEnv("SPORTELLI_TEST_REDIS_PORT"),
                               &redis_options.port));
  redis_options.command_timeout = absl::Milliseconds(200);
  redis_options.connect_timeout = absl::Milliseconds(200);
  redis_options.pool_size = 16;
  ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(redis_options));

  std::random_device random;
  const std::string suffix = absl::StrCat(random() % 1000000000);
  tenant_ = "capannori-" + suffix;
  other_tenant_ = "lucca-" + suffix;
  directory_.AddDesk(tenant_, "sede", DeskInfo{3, true, true, {"colloquio", "lungo"}});
  directory_.AddDesk(tenant_, "solo", DeskInfo{1, true, false, {"colloquio"}});
  directory_.AddDesk(tenant_, "sportello", DeskInfo{2, false, true, {}});
  directory_.AddDesk(other_tenant_, "sede", DeskInfo{3, true, true, {"colloquio"}});

  auth::KeyPairPem keys = *auth::GenerateEs256KeyPair();
  verifier_ = std::make_unique<auth::TokenVerifier>(
      *auth::TokenVerifier::Create(keys.public_key, kIssuer, kAudience));
  signer_ = std::make_unique<auth::TokenSigner>(
      *auth::TokenSigner::Create(keys.private_key, kIssuer, kAudience));
  secret_ = std::make_unique<SecretKey>(*SecretKey::Create(std::string(32, 'k')));
  StartServer(BookingRules{});
}

void SchedulingTest::StartServer(BookingRules rules) {
  if (server_) server_->Shutdown();
  registry_ = std::make_shared<prometheus::Registry>();
  repository_ = std::make_unique<PostgresSchedulingRepository>(pool_.get());
  cache_ = std::make_unique<RedisAvailabilityCache>(redis_.get());
  availability_ = std::make_unique<Availability>(
      repository_.get(), cache_.get(), &clock_, *registry_, &logger_,
      AvailabilityOptions{.ttl = absl::Minutes(5), .retry_after = absl::Milliseconds(200)});
  metrics_ = std::make_unique<server::RpcMetrics>("scheduling", *registry_);
  handler_ = std::make_unique<server::RpcHandler>("scheduling.sportelli", verifier_.get(),
                                                  metrics_.get(), &logger_);
  service_ =
      std::make_unique<SchedulingGrpcService>(repository_.get(), &directory_, availability_.get(),
                                              secret_.get(), handler_.get(), rules, &clock_);
  server::ServerOptions options;
  options.service_name = "sportelli.scheduling.v1.SchedulingService";
  options.listen_address = "127.0.0.1:0";
  options.metrics_address = "";
  options.threads = 256;  // 200 concurrent callers in one test, none turned away
  options.shutdown_grace = absl::ZeroDuration();
  options.shutdown_deadline = absl::Seconds(1);
  server_ = std::make_unique<server::Server>(options, &logger_, registry_);
  server_->AddService(service_.get());
  ASSERT_OK(server_->Start());
  stub_ = v1::SchedulingService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", server_->port()), grpc::InsecureChannelCredentials()));
}

void SchedulingTest::TearDown() {
  if (server_) server_->Shutdown();
}

std::string SchedulingTest::Token(const std::string& tenant, std::vector<std::string> roles) {
  auth::MintOptions options;
  options.subject = "test-user";
  options.tenant = tenant;
  options.roles = std::move(roles);
  return *signer_->Mint(options);
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
  ToTimestamp(start, a->mutable_start_time());
  a->set_channel(channel);
  v1::Citizen* c = a->mutable_citizen();
  c->set_given_name("Maria");
  c->set_family_name("D'Angelo");
  c->set_codice_fiscale(CodiceFiscale(citizen));
  c->set_phone_number("+393331234567");
  c->set_preferred_contact(v1::CONTACT_CHANNEL_SMS);
  c->set_privacy_notice_acknowledged(true);
  request.set_request_id(RandomUuid());
  return request;
}

std::map<absl::Time, int> SchedulingTest::Seats(const std::string& desk, absl::Time day_of,
                                                v1::Channel channel, const std::string& token) {
  v1::ListAvailableSlotsRequest request;
  request.set_desk(DeskName(desk));
  request.set_service(ServiceName());
  *request.mutable_start_date() = ToDate(absl::ToCivilDay(day_of, Rome()));
  *request.mutable_end_date() = ToDate(absl::ToCivilDay(day_of, Rome()));
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
