// Service tests: the real TenantsGrpcService on a real gRPC server (localhost, random port) over
// the real PostgreSQL repository (a throwaway database per test, migrated and seeded), called
// through the generated stub exactly as the portals and the operator app call it.
#include <functional>
#include <memory>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "services/tenants/postgres_tenants_repository.h"
#include "services/tenants/seed.h"
#include "services/tenants/tenants_grpc_service.h"
#include "sportelli/api/pagination.h"
#include "sportelli/auth/keys.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/server.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::tenants {
const std::vector<pg::Migration>& Migrations();

namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

using sportelli::testing::Decode;
using sportelli::testing::Failure;
using sportelli::testing::Fields;

google::type::Date Date(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

v1::WeeklyInterval Interval(google::type::DayOfWeek day, int start_hour, int end_hour) {
  v1::WeeklyInterval interval;
  interval.set_day_of_week(day);
  interval.mutable_start_time()->set_hours(start_hour);
  interval.mutable_end_time()->set_hours(end_hour);
  return interval;
}

int64_t Utc(int year, int month, int day, int hour, int minute = 0) {
  return absl::ToUnixSeconds(
      absl::FromCivil(absl::CivilMinute(year, month, day, hour, minute), absl::UTCTimeZone()));
}

class TenantsServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate("tenants", Migrations(),
                           {pg::RequestIdsComponent(), events::OutboxComponent()}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 4}));
    repository_ =
        std::make_unique<PostgresTenantsRepository>(pool_.get(), &clock::SystemClock::Instance());
    ASSERT_OK(ApplySeed(PianaDiLuccaSeed(), *repository_).status());

    metrics_ = std::make_unique<server::RpcMetrics>("tenants", *registry_);
    handler_ = std::make_unique<server::RpcHandler>("tenants.sportelli", &identity_.verifier(),
                                                    metrics_.get(), &logger_);
    service_ = std::make_unique<TenantsGrpcService>(repository_.get(), handler_.get());

    server_ = std::make_unique<server::Server>(
        sportelli::testing::TestServerOptions("sportelli.tenants.v1.TenantsService"), &logger_,
        registry_);
    server_->AddService(service_.get());
    ASSERT_OK(server_->Start());
    stub_ = v1::TenantsService::NewStub(sportelli::testing::ChannelTo(*server_));
  }

  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::string Token(const std::string& tenant, std::vector<std::string> roles) {
    return identity_.Token(tenant, std::move(roles));
  }
  std::string Admin(const std::string& tenant = "capannori") {
    return Token(tenant, {"tenant_admin"});
  }
  std::string Operator(const std::string& tenant = "capannori") {
    return Token(tenant, {"operator"});
  }
  std::string Portal(const std::string& tenant = "capannori") { return Token(tenant, {"portal"}); }

  // Calls `method` on the stub with `token` (none when empty).
  template <typename Request, typename Response>
  grpc::Status Call(grpc::Status (v1::TenantsService::Stub::*method)(grpc::ClientContext*,
                                                                     const Request&, Response*),
                    const std::string& token, const Request& request, Response* response) {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(10)));
    if (!token.empty()) context.AddMetadata("authorization", absl::StrCat("Bearer ", token));
    return ((*stub_).*method)(&context, request, response);
  }

  v1::Desk NewDesk() {
    v1::Desk desk;
    desk.set_display_name("Sportello sociale - Lammari");
    desk.mutable_address()->set_street("Via del Casalino 1");
    desk.mutable_address()->set_postal_code("55013");
    desk.mutable_address()->set_locality("Lammari");
    desk.mutable_address()->set_province("LU");
    desk.set_booking_mode(v1::BOOKING_MODE_APPOINTMENT_ONLY);
    *desk.add_opening_hours() = Interval(google::type::MONDAY, 9, 12);
    desk.add_services("tenants/capannori/services/ascolto-accoglienza");
    desk.set_capacity(1);
    return desk;
  }

  v1::CreateDeskRequest CreateDeskRequest(const std::string& id,
                                          const std::string& request_id = "") {
    v1::CreateDeskRequest request;
    request.set_parent("tenants/capannori");
    request.set_desk_id(id);
    *request.mutable_desk() = NewDesk();
    request.set_request_id(request_id);
    return request;
  }

  int CountDesks(const std::string& tenant) {
    v1::ListDesksRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    v1::ListDesksResponse response;
    EXPECT_TRUE(
        Call(&v1::TenantsService::Stub::ListDesks, Operator(tenant), request, &response).ok());
    return response.desks_size();
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<PostgresTenantsRepository> repository_;
  sportelli::testing::TestIdentity identity_;
  std::ostringstream log_;
  logging::Logger logger_{"tenants", logging::Level::kWarning, &log_};
  std::shared_ptr<prometheus::Registry> registry_ = std::make_shared<prometheus::Registry>();
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<TenantsGrpcService> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::TenantsService::Stub> stub_;
};

using Stub = v1::TenantsService::Stub;

// ---- authentication --------------------------------------------------------------------------

TEST_F(TenantsServiceTest, NoTokenIsUnauthenticated) {
  v1::ListDesksRequest request;
  request.set_parent("tenants/capannori");
  v1::ListDesksResponse response;
  grpc::Status status = Call(&Stub::ListDesks, "", request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Decode(status).reason, "MISSING_TOKEN");
}

TEST_F(TenantsServiceTest, TokenFromAnotherKeyIsUnauthenticated) {
  auth::KeyPairPem other = *auth::GenerateEs256KeyPair();
  auth::MintOptions options;
  options.subject = "x";
  options.tenant = "capannori";
  options.roles = {"tenant_admin"};
  std::string forged =
      *auth::TokenSigner::Create(other.private_key, sportelli::testing::TestIdentity::kIssuer,
                                 sportelli::testing::TestIdentity::kAudience)
           ->Mint(options);
  v1::ListDesksRequest request;
  request.set_parent("tenants/capannori");
  v1::ListDesksResponse response;
  EXPECT_EQ(Call(&Stub::ListDesks, forged, request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

// ---- tenants ---------------------------------------------------------------------------------

TEST_F(TenantsServiceTest, GetTenantReturnsTheComune) {
  v1::GetTenantRequest request;
  request.set_name("tenants/capannori");
  v1::Tenant tenant;
  ASSERT_TRUE(Call(&Stub::GetTenant, Portal(), request, &tenant).ok());
  EXPECT_EQ(tenant.display_name(), "Comune di Capannori");
  EXPECT_TRUE(tenant.lead());
  EXPECT_EQ(tenant.address().street(), "Piazza Aldo Moro 1");
  EXPECT_EQ(tenant.address().postal_code(), "55012");
  EXPECT_EQ(tenant.time_zone(), "Europe/Rome");
}

TEST_F(TenantsServiceTest, GetTenantErrors) {
  v1::Tenant tenant;
  v1::GetTenantRequest request;
  request.set_name("tenants/lucca");
  EXPECT_EQ(Call(&Stub::GetTenant, Admin("capannori"), request, &tenant).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  request.set_name("comuni/lucca");
  grpc::Status bad = Call(&Stub::GetTenant, Admin(), request, &tenant);
  EXPECT_EQ(bad.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(Decode(bad)), ElementsAre("name"));
  request.set_name("tenants/pisa");
  EXPECT_EQ(
      Call(&Stub::GetTenant, Token("capannori", {"federation"}), request, &tenant).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

TEST_F(TenantsServiceTest, ListTenantsShowsOnlyTheCallersComune) {
  v1::ListTenantsRequest request;
  v1::ListTenantsResponse response;
  ASSERT_TRUE(Call(&Stub::ListTenants, Admin("porcari"), request, &response).ok());
  ASSERT_THAT(response.tenants(), SizeIs(1));
  EXPECT_EQ(response.tenants(0).name(), "tenants/porcari");
  EXPECT_THAT(response.next_page_token(), IsEmpty());
}

TEST_F(TenantsServiceTest, FederationListsAllSevenComuniAcrossPages) {
  std::vector<std::string> names;
  v1::ListTenantsRequest request;
  request.set_page_size(3);
  int pages = 0;
  do {
    v1::ListTenantsResponse response;
    ASSERT_TRUE(
        Call(&Stub::ListTenants, Token("capannori", {"federation"}), request, &response).ok());
    EXPECT_LE(response.tenants_size(), 3);
    for (const auto& tenant : response.tenants()) names.push_back(tenant.name());
    request.set_page_token(response.next_page_token());
    ++pages;
  } while (!request.page_token().empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(names, ElementsAre("tenants/altopascio", "tenants/capannori", "tenants/lucca",
                                 "tenants/montecarlo", "tenants/pescaglia", "tenants/porcari",
                                 "tenants/villa-basilica"));
}

// ---- desks -----------------------------------------------------------------------------------

TEST_F(TenantsServiceTest, CapannoriHasItsThreeDesks) {
  v1::ListDesksRequest request;
  request.set_parent("tenants/capannori");
  v1::ListDesksResponse response;
  ASSERT_TRUE(Call(&Stub::ListDesks, Portal(), request, &response).ok());
  std::vector<std::string> names;
  for (const auto& desk : response.desks()) names.push_back(desk.name());
  EXPECT_THAT(names, ElementsAre("tenants/capannori/desks/casa-salute-marlia",
                                 "tenants/capannori/desks/san-leonardo-in-treponzio",
                                 "tenants/capannori/desks/sede-centrale"));
  EXPECT_EQ(response.desks(0).booking_mode(), v1::BOOKING_MODE_APPOINTMENT_ONLY);
  EXPECT_EQ(response.desks(1).booking_mode(), v1::BOOKING_MODE_APPOINTMENT_ONLY);
  EXPECT_EQ(response.desks(2).address().street(), "Piazza Aldo Moro 1");
  EXPECT_FALSE(response.desks(2).opening_hours().empty());
  EXPECT_THAT(response.desks(2).services(), SizeIs(4));
}

TEST_F(TenantsServiceTest, ListDesksPaginates) {
  v1::ListDesksRequest request;
  request.set_parent("tenants/capannori");
  request.set_page_size(2);
  v1::ListDesksResponse first;
  ASSERT_TRUE(Call(&Stub::ListDesks, Portal(), request, &first).ok());
  ASSERT_THAT(first.desks(), SizeIs(2));
  ASSERT_FALSE(first.next_page_token().empty());
  request.set_page_token(first.next_page_token());
  v1::ListDesksResponse second;
  ASSERT_TRUE(Call(&Stub::ListDesks, Portal(), request, &second).ok());
  ASSERT_THAT(second.desks(), SizeIs(1));
  EXPECT_EQ(second.desks(0).name(), "tenants/capannori/desks/sede-centrale");
  EXPECT_TRUE(second.next_page_token().empty());

  // A token is bound to its query: reusing it for another comune's list is rejected.
  v1::ListDesksRequest other;
  other.set_parent("tenants/lucca");
  other.set_page_token(first.next_page_token());
  v1::ListDesksResponse ignored;
  grpc::Status status = Call(&Stub::ListDesks, Portal("lucca"), other, &ignored);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Decode(status).reason, "INVALID_PAGE_TOKEN");
  request.set_page_size(-1);
  EXPECT_EQ(Call(&Stub::ListDesks, Portal(), request, &ignored).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TenantsServiceTest, AHandMadePageTokenCannotSmuggleArbitraryBytes) {
  v1::ListDesksRequest request;
  request.set_parent("tenants/capannori");
  request.set_page_token(api::EncodePageToken("x' OR 1=1 --\xff", request.parent()));
  v1::ListDesksResponse response;
  grpc::Status status = Call(&Stub::ListDesks, Portal(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Decode(status).reason, "INVALID_PAGE_TOKEN");
}

TEST_F(TenantsServiceTest, ADeskForAComuneNotInTheDirectoryIsNotFound) {
  // A token for a comune that has not been seeded yet: the write finds no parent.
  v1::CreateDeskRequest request = CreateDeskRequest("sportello");
  request.set_parent("tenants/massarosa");
  request.mutable_desk()->clear_services();
  v1::Desk desk;
  grpc::Status status = Call(&Stub::CreateDesk, Admin("massarosa"), request, &desk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Decode(status).reason, "RESOURCE_NOT_FOUND");
}

TEST_F(TenantsServiceTest, GetDeskAndNotFound) {
  v1::GetDeskRequest request;
  request.set_name("tenants/capannori/desks/casa-salute-marlia");
  v1::Desk desk;
  ASSERT_TRUE(Call(&Stub::GetDesk, Portal(), request, &desk).ok());
  EXPECT_EQ(desk.display_name(), "Sportello sociale - Casa della Salute di Marlia");
  request.set_name("tenants/capannori/desks/nowhere");
  grpc::Status status = Call(&Stub::GetDesk, Portal(), request, &desk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Decode(status).reason, "RESOURCE_NOT_FOUND");
}

TEST_F(TenantsServiceTest, CreateDeskNeedsTenantAdmin) {
  v1::Desk desk;
  grpc::Status status = Call(&Stub::CreateDesk, Operator(), CreateDeskRequest("lammari"), &desk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Decode(status).reason, "ROLE_REQUIRED");
  EXPECT_EQ(CountDesks("capannori"), 3);
}

TEST_F(TenantsServiceTest, CreateDeskThenGetIt) {
  v1::Desk created;
  ASSERT_TRUE(Call(&Stub::CreateDesk, Admin(), CreateDeskRequest("lammari"), &created).ok());
  EXPECT_EQ(created.name(), "tenants/capannori/desks/lammari");
  EXPECT_EQ(created.capacity(), 1);
  EXPECT_TRUE(created.has_create_time());
  v1::GetDeskRequest get;
  get.set_name(created.name());
  v1::Desk fetched;
  ASSERT_TRUE(Call(&Stub::GetDesk, Portal(), get, &fetched).ok());
  EXPECT_EQ(fetched.SerializeAsString(), created.SerializeAsString());
  EXPECT_EQ(CountDesks("capannori"), 4);

  grpc::Status again = Call(&Stub::CreateDesk, Admin(), CreateDeskRequest("lammari"), &fetched);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::ALREADY_EXISTS);
}

TEST_F(TenantsServiceTest, CreateDeskRetryWithSameRequestIdReturnsTheFirstResult) {
  const std::string request_id = "3f0e7a4e-2b7c-4d7e-9a61-1c1d2e3f4a5b";
  v1::Desk first, second;
  ASSERT_TRUE(
      Call(&Stub::CreateDesk, Admin(), CreateDeskRequest("lammari", request_id), &first).ok());
  ASSERT_TRUE(
      Call(&Stub::CreateDesk, Admin(), CreateDeskRequest("lammari", request_id), &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(CountDesks("capannori"), 4);

  v1::CreateDeskRequest different = CreateDeskRequest("lammari", request_id);
  different.mutable_desk()->set_capacity(3);
  grpc::Status reused = Call(&Stub::CreateDesk, Admin(), different, &second);
  EXPECT_EQ(reused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Decode(reused).reason, "REQUEST_ID_REUSED");
}

TEST_F(TenantsServiceTest, InvalidDeskReportsEveryFieldAndWritesNothing) {
  v1::CreateDeskRequest request = CreateDeskRequest("Bad Id!");
  request.set_request_id("not-a-uuid");
  v1::Desk* desk = request.mutable_desk();
  desk->set_display_name("");
  desk->set_capacity(0);
  desk->mutable_address()->set_postal_code("5501");
  desk->clear_opening_hours();
  *desk->add_opening_hours() = Interval(google::type::MONDAY, 9, 12);
  *desk->add_opening_hours() = Interval(google::type::MONDAY, 11, 13);   // overlaps
  *desk->add_opening_hours() = Interval(google::type::TUESDAY, 14, 10);  // ends before it starts
  desk->add_services("tenants/lucca/services/ascolto-accoglienza");      // another comune's
  v1::Desk response;
  grpc::Status status = Call(&Stub::CreateDesk, Admin(), request, &response);
  ASSERT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  Failure failure = Decode(status);
  EXPECT_EQ(failure.reason, "INVALID_FIELDS");
  std::vector<std::string> fields = Fields(failure);
  for (const char* expected : {"desk_id", "request_id", "desk.display_name", "desk.capacity",
                               "desk.address.postal_code", "desk.services[1]"}) {
    EXPECT_THAT(fields, ::testing::Contains(expected)) << expected;
  }
  EXPECT_THAT(fields, ::testing::Contains(::testing::StartsWith("desk.opening_hours[1]")));
  EXPECT_THAT(fields, ::testing::Contains(::testing::StartsWith("desk.opening_hours[2]")));
  EXPECT_EQ(CountDesks("capannori"), 3);
}

TEST_F(TenantsServiceTest, DeskOfferingAMissingServiceIsAFailedPrecondition) {
  v1::CreateDeskRequest request = CreateDeskRequest("lammari");
  request.mutable_desk()->add_services("tenants/capannori/services/does-not-exist");
  v1::Desk desk;
  grpc::Status status = Call(&Stub::CreateDesk, Admin(), request, &desk);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(Decode(status).reason, "REFERENCED_RESOURCE_NOT_FOUND");
  EXPECT_EQ(CountDesks("capannori"), 3);
}

TEST_F(TenantsServiceTest, UpdateDeskChangesOnlyTheMaskedFields) {
  v1::UpdateDeskRequest request;
  request.mutable_desk()->set_name("tenants/capannori/desks/sede-centrale");
  request.mutable_desk()->set_capacity(3);
  request.mutable_desk()->set_display_name("ignored: not in the mask");
  request.mutable_update_mask()->add_paths("capacity");
  v1::Desk updated;
  ASSERT_TRUE(Call(&Stub::UpdateDesk, Admin(), request, &updated).ok());
  EXPECT_EQ(updated.capacity(), 3);
  EXPECT_EQ(updated.display_name(), "Sportello sociale - Sede centrale");
  EXPECT_FALSE(updated.opening_hours().empty());

  request.mutable_update_mask()->add_paths("create_time");
  grpc::Status immutable = Call(&Stub::UpdateDesk, Admin(), request, &updated);
  EXPECT_EQ(immutable.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(Decode(immutable)), ElementsAre("update_mask"));
}

TEST_F(TenantsServiceTest, UpdateDeskWithOverlappingHoursChangesNothing) {
  v1::UpdateDeskRequest request;
  request.mutable_desk()->set_name("tenants/capannori/desks/sede-centrale");
  *request.mutable_desk()->add_opening_hours() = Interval(google::type::FRIDAY, 9, 13);
  *request.mutable_desk()->add_opening_hours() = Interval(google::type::FRIDAY, 12, 14);
  request.mutable_update_mask()->add_paths("opening_hours");
  v1::Desk updated;
  EXPECT_EQ(Call(&Stub::UpdateDesk, Admin(), request, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::GetDeskRequest get;
  get.set_name("tenants/capannori/desks/sede-centrale");
  v1::Desk desk;
  ASSERT_TRUE(Call(&Stub::GetDesk, Portal(), get, &desk).ok());
  EXPECT_THAT(desk.opening_hours(), SizeIs(7));

  request.mutable_desk()->set_name("tenants/capannori/desks/nowhere");
  request.mutable_desk()->clear_opening_hours();
  request.mutable_desk()->set_capacity(2);
  request.mutable_update_mask()->set_paths(0, "capacity");
  EXPECT_EQ(Call(&Stub::UpdateDesk, Admin(), request, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TenantsServiceTest, DeleteDesk) {
  v1::DeleteDeskRequest request;
  request.set_name("tenants/capannori/desks/san-leonardo-in-treponzio");
  google::protobuf::Empty empty;
  EXPECT_EQ(Call(&Stub::DeleteDesk, Operator(), request, &empty).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Call(&Stub::DeleteDesk, Admin(), request, &empty).ok());
  EXPECT_EQ(CountDesks("capannori"), 2);
  EXPECT_EQ(Call(&Stub::DeleteDesk, Admin(), request, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// ---- services --------------------------------------------------------------------------------

TEST_F(TenantsServiceTest, ServiceCatalog) {
  v1::ListServicesRequest list;
  list.set_parent("tenants/villa-basilica");
  v1::ListServicesResponse services;
  ASSERT_TRUE(Call(&Stub::ListServices, Portal("villa-basilica"), list, &services).ok());
  std::vector<std::string> names;
  for (const auto& service : services.services()) names.push_back(service.display_name());
  EXPECT_THAT(names, UnorderedElementsAre("Ascolto e accoglienza", "Informazione e orientamento",
                                          "Accesso al Punto Insieme",
                                          "Accompagnamento all'inserimento socio-economico"));

  v1::CreateServiceRequest create;
  create.set_parent("tenants/villa-basilica");
  create.set_service_id("sostegno-affitto");
  create.mutable_service()->set_display_name("Sostegno all'affitto");
  create.mutable_service()->set_duration_minutes(30);
  v1::Service created;
  ASSERT_TRUE(Call(&Stub::CreateService, Admin("villa-basilica"), create, &created).ok());
  EXPECT_EQ(created.name(), "tenants/villa-basilica/services/sostegno-affitto");

  v1::UpdateServiceRequest update;
  update.mutable_service()->set_name(created.name());
  update.mutable_service()->set_duration_minutes(45);  // empty mask: the populated fields
  v1::Service updated;
  ASSERT_TRUE(Call(&Stub::UpdateService, Admin("villa-basilica"), update, &updated).ok());
  EXPECT_EQ(updated.duration_minutes(), 45);
  EXPECT_EQ(updated.display_name(), "Sostegno all'affitto");

  update.mutable_service()->set_duration_minutes(7);
  grpc::Status invalid = Call(&Stub::UpdateService, Admin("villa-basilica"), update, &updated);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(Decode(invalid)), ElementsAre("service.duration_minutes"));

  v1::GetServiceRequest get;
  get.set_name(created.name());
  v1::Service fetched;
  ASSERT_TRUE(Call(&Stub::GetService, Portal("villa-basilica"), get, &fetched).ok());
  EXPECT_EQ(fetched.duration_minutes(), 45);
  get.set_name("tenants/villa-basilica/services/none");
  EXPECT_EQ(Call(&Stub::GetService, Portal("villa-basilica"), get, &fetched).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

// ---- channels --------------------------------------------------------------------------------

TEST_F(TenantsServiceTest, CapannoriPhoneLineHours) {
  v1::GetChannelRequest request;
  request.set_name("tenants/capannori/channels/linea-telefonica");
  v1::Channel channel;
  ASSERT_TRUE(Call(&Stub::GetChannel, Operator(), request, &channel).ok());
  EXPECT_EQ(channel.kind(), v1::CHANNEL_KIND_PHONE);
  EXPECT_EQ(channel.phone_number(), "+390583428252");
  int morning = 0, afternoon = 0;
  for (const auto& interval : channel.opening_hours()) {
    if (interval.start_time().hours() == 9 && interval.end_time().hours() == 13) ++morning;
    if (interval.start_time().hours() == 14 && interval.end_time().hours() == 16) {
      ++afternoon;
      EXPECT_TRUE(interval.day_of_week() == google::type::TUESDAY ||
                  interval.day_of_week() == google::type::THURSDAY);
    }
  }
  EXPECT_EQ(morning, 5);
  EXPECT_EQ(afternoon, 2);
}

TEST_F(TenantsServiceTest, ChannelCreateUpdateList) {
  v1::CreateChannelRequest create;
  create.set_parent("tenants/porcari");
  create.set_channel_id("portale");
  create.mutable_channel()->set_display_name("Portale del Comune");
  create.mutable_channel()->set_kind(v1::CHANNEL_KIND_WEB);
  v1::Channel created;
  ASSERT_TRUE(Call(&Stub::CreateChannel, Admin("porcari"), create, &created).ok());

  create.set_channel_id("telefono");
  create.mutable_channel()->set_kind(v1::CHANNEL_KIND_PHONE);  // a phone line without a number
  grpc::Status invalid = Call(&Stub::CreateChannel, Admin("porcari"), create, &created);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(Decode(invalid)), ElementsAre("channel.phone_number"));

  v1::UpdateChannelRequest update;
  update.mutable_channel()->set_name("tenants/porcari/channels/portale");
  *update.mutable_channel()->add_opening_hours() = Interval(google::type::SATURDAY, 9, 12);
  v1::Channel updated;
  ASSERT_TRUE(Call(&Stub::UpdateChannel, Admin("porcari"), update, &updated).ok());
  EXPECT_THAT(updated.opening_hours(), SizeIs(1));

  v1::ListChannelsRequest list;
  list.set_parent("tenants/porcari");
  v1::ListChannelsResponse channels;
  ASSERT_TRUE(Call(&Stub::ListChannels, Portal("porcari"), list, &channels).ok());
  ASSERT_THAT(channels.channels(), SizeIs(1));
  EXPECT_EQ(channels.channels(0).display_name(), "Portale del Comune");
}

// ---- closures, holidays and open intervals ---------------------------------------------------

v1::ComputeOpenIntervalsRequest IntervalsRequest(const std::string& desk, google::type::Date from,
                                                 google::type::Date to) {
  v1::ComputeOpenIntervalsRequest request;
  request.set_desk(desk);
  *request.mutable_start_date() = from;
  *request.mutable_end_date() = to;
  return request;
}

std::vector<std::pair<int64_t, int64_t>> Spans(const v1::ComputeOpenIntervalsResponse& response) {
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (const auto& interval : response.intervals()) {
    spans.emplace_back(interval.start_time().seconds(), interval.end_time().seconds());
  }
  return spans;
}

TEST_F(TenantsServiceTest, OpenIntervalsAcrossTheSpringDstSwitchAndEasterMonday) {
  // Sede centrale: Mon-Fri 09:00-12:30, Tue/Thu also 15:00-17:30 (Europe/Rome).
  // Friday 27 March 2026 is still CET (UTC+1); Monday 30 March is CEST (UTC+2).
  v1::ComputeOpenIntervalsResponse response;
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal(),
                   IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 3, 27),
                                    Date(2026, 3, 30)),
                   &response)
                  .ok());
  EXPECT_EQ(response.time_zone(), "Europe/Rome");
  EXPECT_THAT(Spans(response), ElementsAre(Pair(Utc(2026, 3, 27, 8), Utc(2026, 3, 27, 11, 30)),
                                           Pair(Utc(2026, 3, 30, 7), Utc(2026, 3, 30, 10, 30))));
  // Easter Monday 2026-04-06 is a national holiday: closed.
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal(),
                   IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 4, 6),
                                    Date(2026, 4, 6)),
                   &response)
                  .ok());
  EXPECT_THAT(response.intervals(), IsEmpty());
}

TEST_F(TenantsServiceTest, OpenIntervalsAfterTheAutumnSwitch) {
  // Friday 23 October 2026 is CEST (UTC+2), Monday 26 October CET (UTC+1).
  v1::ComputeOpenIntervalsResponse response;
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal(),
                   IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 10, 23),
                                    Date(2026, 10, 26)),
                   &response)
                  .ok());
  EXPECT_THAT(Spans(response), ElementsAre(Pair(Utc(2026, 10, 23, 7), Utc(2026, 10, 23, 10, 30)),
                                           Pair(Utc(2026, 10, 26, 8), Utc(2026, 10, 26, 11, 30))));
}

TEST_F(TenantsServiceTest, ClosureRemovesDaysUntilDeleted) {
  v1::CreateClosureRequest create;
  create.set_parent("tenants/capannori/desks/casa-salute-marlia");
  create.set_closure_id("ferie-2026");
  *create.mutable_closure()->mutable_start_date() = Date(2026, 8, 1);
  *create.mutable_closure()->mutable_end_date() = Date(2026, 8, 31);
  create.mutable_closure()->set_reason("Ferie estive");
  v1::Closure closure;
  ASSERT_TRUE(Call(&Stub::CreateClosure, Admin(), create, &closure).ok());
  EXPECT_EQ(closure.name(), "tenants/capannori/desks/casa-salute-marlia/closures/ferie-2026");

  // Marlia opens on Wednesdays: 29 July is open, every Wednesday of August is closed.
  auto request = IntervalsRequest("tenants/capannori/desks/casa-salute-marlia", Date(2026, 7, 27),
                                  Date(2026, 9, 4));
  v1::ComputeOpenIntervalsResponse response;
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal(), request, &response).ok());
  EXPECT_THAT(Spans(response), ElementsAre(Pair(Utc(2026, 7, 29, 7), Utc(2026, 7, 29, 10)),
                                           Pair(Utc(2026, 9, 2, 7), Utc(2026, 9, 2, 10))));

  v1::ListClosuresRequest list;
  list.set_parent("tenants/capannori/desks/casa-salute-marlia");
  v1::ListClosuresResponse closures;
  ASSERT_TRUE(Call(&Stub::ListClosures, Portal(), list, &closures).ok());
  ASSERT_THAT(closures.closures(), SizeIs(1));
  EXPECT_EQ(closures.closures(0).reason(), "Ferie estive");

  v1::DeleteClosureRequest remove;
  remove.set_name(closure.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(Call(&Stub::DeleteClosure, Admin(), remove, &empty).ok());
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal(), request, &response).ok());
  EXPECT_THAT(response.intervals(), SizeIs(6));  // Wednesdays 29 Jul, 5, 12, 19, 26 Aug, 2 Sep
  EXPECT_EQ(Call(&Stub::DeleteClosure, Admin(), remove, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TenantsServiceTest, InvalidClosureAndDateRange) {
  v1::CreateClosureRequest create;
  create.set_parent("tenants/capannori/desks/casa-salute-marlia");
  create.set_closure_id("rovescia");
  *create.mutable_closure()->mutable_start_date() = Date(2026, 8, 31);
  *create.mutable_closure()->mutable_end_date() = Date(2026, 8, 1);
  v1::Closure closure;
  grpc::Status status = Call(&Stub::CreateClosure, Admin(), create, &closure);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(Decode(status)), ElementsAre("closure.end_date"));
  *create.mutable_closure()->mutable_start_date() = Date(2026, 2, 30);
  status = Call(&Stub::CreateClosure, Admin(), create, &closure);
  EXPECT_THAT(Fields(Decode(status)), ::testing::Contains("closure.start_date"));
  create.set_parent("tenants/capannori/desks/nowhere");
  *create.mutable_closure()->mutable_start_date() = Date(2026, 8, 1);
  EXPECT_EQ(Call(&Stub::CreateClosure, Admin(), create, &closure).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::ComputeOpenIntervalsResponse response;
  status = Call(
      &Stub::ComputeOpenIntervals, Portal(),
      IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 5, 2), Date(2026, 5, 1)),
      &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status = Call(
      &Stub::ComputeOpenIntervals, Portal(),
      IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 1, 1), Date(2028, 1, 1)),
      &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  status =
      Call(&Stub::ComputeOpenIntervals, Portal(),
           IntervalsRequest("tenants/capannori/desks/nowhere", Date(2026, 5, 1), Date(2026, 5, 2)),
           &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TenantsServiceTest, PatronSaintClosesTheComuneDesk) {
  v1::ListHolidaysRequest list;
  list.set_parent("tenants/lucca");
  v1::ListHolidaysResponse holidays;
  ASSERT_TRUE(Call(&Stub::ListHolidays, Portal("lucca"), list, &holidays).ok());
  ASSERT_THAT(holidays.holidays(), SizeIs(1));
  EXPECT_TRUE(holidays.holidays(0).recurring());
  EXPECT_EQ(holidays.holidays(0).date().month(), 7);
  EXPECT_EQ(holidays.holidays(0).date().day(), 12);

  // 12 July 2027 is a Monday: Lucca's desk is closed, Porcari's (no such holiday) is open.
  v1::ComputeOpenIntervalsResponse response;
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal("lucca"),
                   IntervalsRequest("tenants/lucca/desks/sportello-sociale", Date(2027, 7, 12),
                                    Date(2027, 7, 12)),
                   &response)
                  .ok());
  EXPECT_THAT(response.intervals(), IsEmpty());
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal("porcari"),
                   IntervalsRequest("tenants/porcari/desks/sportello-sociale", Date(2027, 7, 12),
                                    Date(2027, 7, 12)),
                   &response)
                  .ok());
  EXPECT_THAT(response.intervals(), SizeIs(1));

  v1::CreateHolidayRequest create;
  create.set_parent("tenants/porcari");
  create.set_holiday_id("patrono");
  create.mutable_holiday()->set_display_name("Festa del patrono");
  *create.mutable_holiday()->mutable_date() = Date(0, 7, 12);
  create.mutable_holiday()->set_recurring(true);
  v1::Holiday holiday;
  ASSERT_TRUE(Call(&Stub::CreateHoliday, Admin("porcari"), create, &holiday).ok());
  ASSERT_TRUE(Call(&Stub::ComputeOpenIntervals, Portal("porcari"),
                   IntervalsRequest("tenants/porcari/desks/sportello-sociale", Date(2027, 7, 12),
                                    Date(2027, 7, 12)),
                   &response)
                  .ok());
  EXPECT_THAT(response.intervals(), IsEmpty());

  v1::DeleteHolidayRequest remove;
  remove.set_name(holiday.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(Call(&Stub::DeleteHoliday, Admin("porcari"), remove, &empty).ok());
  EXPECT_EQ(Call(&Stub::DeleteHoliday, Admin("porcari"), remove, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);

  *create.mutable_holiday()->mutable_date() = Date(2027, 7, 12);  // recurring with a year
  EXPECT_EQ(Call(&Stub::CreateHoliday, Admin("porcari"), create, &holiday).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---- operators -------------------------------------------------------------------------------

TEST_F(TenantsServiceTest, OperatorsAreStaffOnly) {
  v1::CreateOperatorRequest create;
  create.set_parent("tenants/capannori");
  create.set_operator_id("anna");
  create.mutable_operator_()->set_display_name("Anna");
  create.mutable_operator_()->set_subject("idp|anna");
  create.mutable_operator_()->add_roles(v1::OPERATOR_ROLE_OPERATOR);
  create.mutable_operator_()->add_desks("tenants/capannori/desks/sede-centrale");
  v1::Operator created;
  ASSERT_TRUE(Call(&Stub::CreateOperator, Admin(), create, &created).ok());
  EXPECT_EQ(created.name(), "tenants/capannori/operators/anna");

  create.set_operator_id("anna-bis");  // same subject
  EXPECT_EQ(Call(&Stub::CreateOperator, Admin(), create, &created).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::ListOperatorsRequest list;
  list.set_parent("tenants/capannori");
  v1::ListOperatorsResponse operators;
  EXPECT_EQ(Call(&Stub::ListOperators, Portal(), list, &operators).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  ASSERT_TRUE(Call(&Stub::ListOperators, Operator(), list, &operators).ok());
  ASSERT_THAT(operators.operators(), SizeIs(1));

  v1::GetOperatorRequest get;
  get.set_name("tenants/capannori/operators/anna");
  v1::Operator fetched;
  ASSERT_TRUE(Call(&Stub::GetOperator, Token("capannori", {"coordinator"}), get, &fetched).ok());
  EXPECT_EQ(fetched.subject(), "idp|anna");

  v1::UpdateOperatorRequest update;
  update.mutable_operator_()->set_name("tenants/capannori/operators/anna");
  update.mutable_operator_()->add_roles(v1::OPERATOR_ROLE_COORDINATOR);
  update.mutable_update_mask()->add_paths("roles");
  v1::Operator updated;
  ASSERT_TRUE(Call(&Stub::UpdateOperator, Admin(), update, &updated).ok());
  EXPECT_THAT(updated.roles(), ElementsAre(v1::OPERATOR_ROLE_COORDINATOR));
  EXPECT_EQ(updated.display_name(), "Anna");

  update.mutable_operator_()->clear_roles();  // at least one role
  EXPECT_EQ(Call(&Stub::UpdateOperator, Admin(), update, &updated).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// ---- tenant isolation: every RPC, another comune's token ------------------------------------

TEST_F(TenantsServiceTest, EveryRpcDeniesAnotherTenant) {
  // A Lucca administrator (and Lucca federation reader, where relevant) aims at Capannori.
  const std::string lucca = Token("lucca", {"tenant_admin", "operator"});
  google::protobuf::Empty empty;
  struct Case {
    const char* rpc;
    std::function<grpc::Status()> call;
  };
  std::vector<Case> cases = {
      {"GetTenant",
       [&] {
         v1::GetTenantRequest r;
         r.set_name("tenants/capannori");
         v1::Tenant t;
         return Call(&Stub::GetTenant, lucca, r, &t);
       }},
      {"GetDesk",
       [&] {
         v1::GetDeskRequest r;
         r.set_name("tenants/capannori/desks/sede-centrale");
         v1::Desk d;
         return Call(&Stub::GetDesk, lucca, r, &d);
       }},
      {"ListDesks",
       [&] {
         v1::ListDesksRequest r;
         r.set_parent("tenants/capannori");
         v1::ListDesksResponse d;
         return Call(&Stub::ListDesks, lucca, r, &d);
       }},
      {"CreateDesk",
       [&] {
         v1::Desk d;
         return Call(&Stub::CreateDesk, lucca, CreateDeskRequest("intrusa"), &d);
       }},
      {"UpdateDesk",
       [&] {
         v1::UpdateDeskRequest r;
         r.mutable_desk()->set_name("tenants/capannori/desks/sede-centrale");
         r.mutable_desk()->set_capacity(9);
         v1::Desk d;
         return Call(&Stub::UpdateDesk, lucca, r, &d);
       }},
      {"DeleteDesk",
       [&] {
         v1::DeleteDeskRequest r;
         r.set_name("tenants/capannori/desks/sede-centrale");
         return Call(&Stub::DeleteDesk, lucca, r, &empty);
       }},
      {"GetService",
       [&] {
         v1::GetServiceRequest r;
         r.set_name("tenants/capannori/services/ascolto-accoglienza");
         v1::Service s;
         return Call(&Stub::GetService, lucca, r, &s);
       }},
      {"ListServices",
       [&] {
         v1::ListServicesRequest r;
         r.set_parent("tenants/capannori");
         v1::ListServicesResponse s;
         return Call(&Stub::ListServices, lucca, r, &s);
       }},
      {"CreateService",
       [&] {
         v1::CreateServiceRequest r;
         r.set_parent("tenants/capannori");
         r.set_service_id("x");
         r.mutable_service()->set_display_name("X");
         r.mutable_service()->set_duration_minutes(30);
         v1::Service s;
         return Call(&Stub::CreateService, lucca, r, &s);
       }},
      {"UpdateService",
       [&] {
         v1::UpdateServiceRequest r;
         r.mutable_service()->set_name("tenants/capannori/services/ascolto-accoglienza");
         r.mutable_service()->set_duration_minutes(5);
         v1::Service s;
         return Call(&Stub::UpdateService, lucca, r, &s);
       }},
      {"GetChannel",
       [&] {
         v1::GetChannelRequest r;
         r.set_name("tenants/capannori/channels/linea-telefonica");
         v1::Channel c;
         return Call(&Stub::GetChannel, lucca, r, &c);
       }},
      {"ListChannels",
       [&] {
         v1::ListChannelsRequest r;
         r.set_parent("tenants/capannori");
         v1::ListChannelsResponse c;
         return Call(&Stub::ListChannels, lucca, r, &c);
       }},
      {"CreateChannel",
       [&] {
         v1::CreateChannelRequest r;
         r.set_parent("tenants/capannori");
         r.set_channel_id("x");
         r.mutable_channel()->set_display_name("X");
         r.mutable_channel()->set_kind(v1::CHANNEL_KIND_WEB);
         v1::Channel c;
         return Call(&Stub::CreateChannel, lucca, r, &c);
       }},
      {"UpdateChannel",
       [&] {
         v1::UpdateChannelRequest r;
         r.mutable_channel()->set_name("tenants/capannori/channels/linea-telefonica");
         r.mutable_channel()->set_display_name("X");
         v1::Channel c;
         return Call(&Stub::UpdateChannel, lucca, r, &c);
       }},
      {"ListClosures",
       [&] {
         v1::ListClosuresRequest r;
         r.set_parent("tenants/capannori/desks/sede-centrale");
         v1::ListClosuresResponse c;
         return Call(&Stub::ListClosures, lucca, r, &c);
       }},
      {"CreateClosure",
       [&] {
         v1::CreateClosureRequest r;
         r.set_parent("tenants/capannori/desks/sede-centrale");
         r.set_closure_id("x");
         *r.mutable_closure()->mutable_start_date() = Date(2026, 8, 1);
         *r.mutable_closure()->mutable_end_date() = Date(2026, 8, 2);
         v1::Closure c;
         return Call(&Stub::CreateClosure, lucca, r, &c);
       }},
      {"DeleteClosure",
       [&] {
         v1::DeleteClosureRequest r;
         r.set_name("tenants/capannori/desks/sede-centrale/closures/x");
         return Call(&Stub::DeleteClosure, lucca, r, &empty);
       }},
      {"ListHolidays",
       [&] {
         v1::ListHolidaysRequest r;
         r.set_parent("tenants/capannori");
         v1::ListHolidaysResponse h;
         return Call(&Stub::ListHolidays, lucca, r, &h);
       }},
      {"CreateHoliday",
       [&] {
         v1::CreateHolidayRequest r;
         r.set_parent("tenants/capannori");
         r.set_holiday_id("x");
         r.mutable_holiday()->set_display_name("X");
         *r.mutable_holiday()->mutable_date() = Date(2026, 8, 3);
         v1::Holiday h;
         return Call(&Stub::CreateHoliday, lucca, r, &h);
       }},
      {"DeleteHoliday",
       [&] {
         v1::DeleteHolidayRequest r;
         r.set_name("tenants/capannori/holidays/x");
         return Call(&Stub::DeleteHoliday, lucca, r, &empty);
       }},
      {"ComputeOpenIntervals",
       [&] {
         v1::ComputeOpenIntervalsResponse o;
         return Call(&Stub::ComputeOpenIntervals, lucca,
                     IntervalsRequest("tenants/capannori/desks/sede-centrale", Date(2026, 5, 4),
                                      Date(2026, 5, 5)),
                     &o);
       }},
      {"GetOperator",
       [&] {
         v1::GetOperatorRequest r;
         r.set_name("tenants/capannori/operators/anna");
         v1::Operator o;
         return Call(&Stub::GetOperator, lucca, r, &o);
       }},
      {"ListOperators",
       [&] {
         v1::ListOperatorsRequest r;
         r.set_parent("tenants/capannori");
         v1::ListOperatorsResponse o;
         return Call(&Stub::ListOperators, lucca, r, &o);
       }},
      {"CreateOperator",
       [&] {
         v1::CreateOperatorRequest r;
         r.set_parent("tenants/capannori");
         r.set_operator_id("x");
         r.mutable_operator_()->set_display_name("X");
         r.mutable_operator_()->set_subject("x");
         r.mutable_operator_()->add_roles(v1::OPERATOR_ROLE_OPERATOR);
         v1::Operator o;
         return Call(&Stub::CreateOperator, lucca, r, &o);
       }},
      {"UpdateOperator",
       [&] {
         v1::UpdateOperatorRequest r;
         r.mutable_operator_()->set_name("tenants/capannori/operators/anna");
         r.mutable_operator_()->set_display_name("X");
         v1::Operator o;
         return Call(&Stub::UpdateOperator, lucca, r, &o);
       }},
  };
  for (const Case& test : cases) {
    grpc::Status status = test.call();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << test.rpc;
    EXPECT_EQ(Decode(status).reason, "TENANT_MISMATCH") << test.rpc;
  }
  // Nothing of Capannori changed.
  EXPECT_EQ(CountDesks("capannori"), 3);
  // The one RPC not scoped by a name, ListTenants, shows only the caller's comune.
  v1::ListTenantsRequest list;
  v1::ListTenantsResponse tenants;
  ASSERT_TRUE(Call(&Stub::ListTenants, lucca, list, &tenants).ok());
  ASSERT_THAT(tenants.tenants(), SizeIs(1));
  EXPECT_EQ(tenants.tenants(0).name(), "tenants/lucca");
  // Every RPC of TenantsService but ListTenants has a case: a new RPC without one fails here.
  const auto* service =
      v1::GetTenantRequest::descriptor()->file()->FindServiceByName("TenantsService");
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(static_cast<int>(cases.size()), service->method_count() - 1);
}

}  // namespace
}  // namespace sportelli::tenants
