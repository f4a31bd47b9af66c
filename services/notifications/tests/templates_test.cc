// The comuni's texts and the citizens' opt-outs through the API, on a real gRPC server over a
// throwaway PostgreSQL: who may read and change them, what is refused (and that a refusal changes
// nothing), how a change reaches the next message a citizen gets, and the SMS length each text
// reports. Scheduling is replaced by its answers (FakeSource).
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "gmock/gmock.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/notifications/citizen_messages.h"
#include "services/notifications/notifications_grpc_service.h"
#include "services/notifications/postgres_messages_repository.h"
#include "services/notifications/templates_repository.h"
#include "services/notifications/tests/fake_source.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/clock/clock.h"
#include "sportelli/events/outbox.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/server.h"
#include "sportelli/testing/grpc_failure.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_identity.h"
#include "sportelli/testing/test_server.h"

namespace sportelli::notifications {

const std::vector<pg::Migration>& Migrations();

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

constexpr char kTenant[] = "capannori";
constexpr char kReminder[] = "tenants/capannori/messageTemplates/reminder-it";

class TemplatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate("notifications", Migrations(), {}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 4}));
    templates_ = std::make_unique<PostgresTemplatesRepository>(pool_.get());
    opt_outs_ = std::make_unique<PostgresOptOutsRepository>(pool_.get());
    messages_ = std::make_unique<PostgresMessagesRepository>(pool_.get());
    registry_ = std::make_shared<prometheus::Registry>();
    metrics_ = std::make_unique<server::RpcMetrics>("notifications", *registry_);
    handler_ = std::make_unique<server::RpcHandler>(
        "notifications.sportelli", &identity_.verifier(), metrics_.get(), &logger_);
    // The feed and the directory are not used by these RPCs.
    service_ = std::make_unique<NotificationsGrpcService>(
        /*feed=*/nullptr, /*directory=*/nullptr, messages_.get(), templates_.get(), opt_outs_.get(),
        &source_, &clock_, &logger_, "https://prenota.comune.capannori.lu.it", handler_.get());
    server::ServerOptions options =
        sportelli::testing::TestServerOptions("sportelli.notifications.v1.NotificationsService", 4);
    options.shutdown_grace = absl::ZeroDuration();
    server_ = std::make_unique<server::Server>(options, &logger_, registry_);
    server_->AddService(service_.get());
    ASSERT_OK(server_->Start());
    stub_ = v1::NotificationsService::NewStub(sportelli::testing::ChannelTo(*server_));
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  std::unique_ptr<grpc::ClientContext> As(const std::string& tenant,
                                          std::vector<std::string> roles) {
    auto context = std::make_unique<grpc::ClientContext>();
    context->AddMetadata("authorization",
                         "Bearer " + identity_.Token(tenant, std::move(roles), "admin-1"));
    return context;
  }
  grpc::Status Update(const std::string& name, const std::string& subject, const std::string& body,
                      v1::MessageTemplate* out, std::vector<std::string> roles = {"tenant_admin"},
                      const std::string& tenant = kTenant) {
    v1::UpdateMessageTemplateRequest request;
    request.mutable_message_template()->set_name(name);
    request.mutable_message_template()->set_subject(subject);
    request.mutable_message_template()->set_body(body);
    return stub_->UpdateMessageTemplate(As(tenant, std::move(roles)).get(), request, out);
  }
  // The messages' policy on Rome's clock, with the portal at `portal_url`.
  static MessagePolicy RomePolicy(std::string portal_url = MessagePolicy().portal_url) {
    MessagePolicy policy;
    policy.zone = Rome();
    policy.portal_url = std::move(portal_url);
    return policy;
  }

  // Books appointment a1 for Thursday 3 December 2026, 09:30, by e-mail, then runs the planner
  // and a sender made with `policy` and `options`: at once (its confirmation) and two days
  // before (its reminder). What was sent is in `email`.
  void ConfirmAndRemind(const MessagePolicy& policy, const MessageSender::Options& options,
                        RecordingEmail& email) {
    const absl::Time start = Local(2026, 12, 3, 9, 30);
    source_.appointments["capannori/a1"] =
        AppointmentNow{"sede", true, start, "", "maria.rossi@example.it", PreferredContact::kEmail};
    MessagePlanner planner(messages_.get(), &source_, &clock_, policy);
    MessageSender sender(messages_.get(), &source_, &email, nullptr, &clock_, &logger_, nullptr,
                         policy, options);
    events::v1::Event booked =
        events::NewEvent(kTenant, "tenants/capannori/appointments/a1", clock_.Now());
    booked.mutable_appointment_booked()->set_desk("tenants/capannori/desks/sede");
    api::ToTimestamp(start, booked.mutable_appointment_booked()->mutable_start_time());
    ASSERT_OK(planner.Handle(events::StreamEntry{"{capannori}:events", "1-0", booked}));
    ASSERT_OK(sender.RunOnce().status());  // the confirmation
    clock_.Set(Local(2026, 12, 1, 9, 30));
    ASSERT_OK(sender.RunOnce().status());  // the reminder
  }

  v1::MessageTemplate Get(const std::string& name) {
    v1::GetMessageTemplateRequest request;
    request.set_name(name);
    v1::MessageTemplate out;
    EXPECT_TRUE(stub_->GetMessageTemplate(As(kTenant, {"coordinator"}).get(), request, &out).ok());
    return out;
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<PostgresTemplatesRepository> templates_;
  std::unique_ptr<PostgresOptOutsRepository> opt_outs_;
  FakeSource source_;
  std::unique_ptr<PostgresMessagesRepository> messages_;
  clock::FakeClock clock_{Local(2026, 11, 30, 10)};
  logging::Logger logger_{"notifications-test", logging::Level::kError};
  sportelli::testing::TestIdentity identity_;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<server::RpcMetrics> metrics_;
  std::unique_ptr<server::RpcHandler> handler_;
  std::unique_ptr<NotificationsGrpcService> service_;
  std::unique_ptr<server::Server> server_;
  std::unique_ptr<v1::NotificationsService::Stub> stub_;
};

TEST_F(TemplatesTest, EveryKindAndLanguageIsListedBuiltInUntilTheComuneWritesItsOwn) {
  v1::ListMessageTemplatesRequest request;
  request.set_parent("tenants/capannori");
  v1::ListMessageTemplatesResponse listed;
  ASSERT_TRUE(
      stub_->ListMessageTemplates(As(kTenant, {"tenant_admin"}).get(), request, &listed).ok());
  ASSERT_THAT(listed.message_templates(), SizeIs(14));  // 7 kinds × 2 languages
  for (const v1::MessageTemplate& t : listed.message_templates()) {
    EXPECT_FALSE(t.custom()) << t.name();
    EXPECT_FALSE(t.body().empty()) << t.name();
    EXPECT_GE(t.sms_length().segments(), 1) << t.name();
  }
  const v1::MessageTemplate reminder = Get(kReminder);
  EXPECT_EQ(reminder.kind(), v1::NOTIFICATION_KIND_REMINDER);
  EXPECT_EQ(reminder.language_code(), "it");
  EXPECT_FALSE(reminder.sms_length().ucs2());
  // The built-in reminders fit one SMS, measured with a long date, a long address and the
  // comune's (38-character) portal address in the short cancel link.
  for (const char* id :
       {"reminder-it", "reminder-en", "same-day-reminder-it", "same-day-reminder-en"}) {
    const v1::MessageTemplate built_in =
        Get(std::string("tenants/capannori/messageTemplates/") + id);
    EXPECT_EQ(built_in.sms_length().segments(), 1) << id << ": " << built_in.body();
    EXPECT_FALSE(built_in.sms_length().ucs2()) << id;
  }
}

TEST_F(TemplatesTest, AnAdministratorsTextIsCheckedStoredAndUsedForTheNextMessage) {
  v1::MessageTemplate stored;
  ASSERT_TRUE(Update(kReminder, "Comune di {comune}: promemoria",
                     "Promemoria: appuntamento {date} alle {time} presso {address}. Per "
                     "annullare l'appuntamento: {cancel_link}",
                     &stored)
                  .ok());
  EXPECT_TRUE(stored.custom());
  // With a long date, a long address and the comune's link, that is two SMS: the measure tells
  // the administrator; without the address, one.
  EXPECT_EQ(stored.sms_length().segments(), 2);
  EXPECT_FALSE(stored.sms_length().ucs2());
  v1::MessageTemplate shorter;
  ASSERT_TRUE(Update(kReminder, "Comune di {comune}: promemoria",
                     "Promemoria: {date} ore {time}. Annulla: {cancel_link}", &shorter)
                  .ok());
  EXPECT_EQ(shorter.sms_length().segments(), 1);
  EXPECT_LE(shorter.sms_length().units(), 160);
  ASSERT_TRUE(Update(kReminder, "Comune di {comune}: promemoria",
                     "Promemoria: {date} ore {time}, {address}. Annulla: {cancel_link}", &stored)
                  .ok());
  EXPECT_EQ(api::FromTimestamp(stored.update_time()), clock_.Now());
  EXPECT_EQ(Get(kReminder).body(),
            "Promemoria: {date} ore {time}, {address}. Annulla: {cancel_link}");

  // The sender uses it for the comune's next reminder.
  RecordingEmail email;
  ConfirmAndRemind(RomePolicy(),
                   MessageSender::Options{.tenants = {kTenant}, .templates = templates_.get()},
                   email);
  ASSERT_THAT(email.sent, SizeIs(2));  // the built-in confirmation, then the comune's reminder
  EXPECT_THAT(email.sent[0].body, HasSubstr("confermato"));
  EXPECT_EQ(email.sent[1].subject, "Comune di Capannori: promemoria");
  EXPECT_THAT(email.sent[1].body, ::testing::StartsWith("Promemoria: giovedì 3 dicembre 2026 ore "
                                                        "09:30, Piazza Aldo Moro 1"));

  // Reset: the built-in text again.
  v1::ResetMessageTemplateRequest reset;
  reset.set_name(kReminder);
  v1::MessageTemplate after;
  ASSERT_TRUE(stub_->ResetMessageTemplate(As(kTenant, {"tenant_admin"}).get(), reset, &after).ok());
  EXPECT_FALSE(after.custom());
  EXPECT_FALSE(Get(kReminder).custom());
}

TEST_F(TemplatesTest, ATextThatRevealsTheServiceOrLacksTheFactsIsRefusedAndNothingChanges) {
  v1::MessageTemplate ignored;
  sportelli::testing::Failure refused = sportelli::testing::Decode(Update(
      kReminder, "Servizi sociali: promemoria", "Promemoria del colloquio {time}", &ignored));
  EXPECT_EQ(refused.code, grpc::StatusCode::INVALID_ARGUMENT);
  const std::vector<std::string> fields = sportelli::testing::Fields(refused);
  EXPECT_THAT(fields, ::testing::Contains("message_template.subject"));
  EXPECT_THAT(fields, ::testing::Contains("message_template.body"));
  for (const auto& [field, description] : refused.violations) {
    EXPECT_THAT(description, ::testing::Not(HasSubstr("colloquio {time}")));  // never echoed
  }
  // An unknown placeholder.
  refused = sportelli::testing::Decode(
      Update(kReminder, "Promemoria", "{date} {time} {codice_fiscale} {cancel_link}", &ignored));
  EXPECT_EQ(refused.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_FALSE(Get(kReminder).custom());
}

TEST_F(TemplatesTest, OnlyTheComunesAdministratorChangesItsTexts) {
  v1::MessageTemplate ignored;
  const std::string subject = "Comune di {comune}: promemoria";
  const std::string body = "Promemoria: {date} ore {time}, {address}. Annulla: {cancel_link}";
  for (const char* role : {"coordinator", "operator", "portal", "dpo"}) {
    EXPECT_EQ(Update(kReminder, subject, body, &ignored, {role}).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  EXPECT_EQ(Update(kReminder, subject, body, &ignored, {"tenant_admin"}, "lucca").error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Reading: coordinators yes, operators no.
  v1::GetMessageTemplateRequest get;
  get.set_name(kReminder);
  EXPECT_EQ(stub_->GetMessageTemplate(As(kTenant, {"operator"}).get(), get, &ignored).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_FALSE(Get(kReminder).custom());
  // A template the service does not have.
  get.set_name("tenants/capannori/messageTemplates/birthday-it");
  EXPECT_EQ(
      stub_->GetMessageTemplate(As(kTenant, {"tenant_admin"}).get(), get, &ignored).error_code(),
      grpc::StatusCode::NOT_FOUND);
  // Lucca's administrator does not see Capannori's change.
  ASSERT_TRUE(Update(kReminder, subject, body, &ignored).ok());
  get.set_name("tenants/lucca/messageTemplates/reminder-it");
  v1::MessageTemplate lucca;
  ASSERT_TRUE(stub_->GetMessageTemplate(As("lucca", {"tenant_admin"}).get(), get, &lucca).ok());
  EXPECT_FALSE(lucca.custom());
}

TEST_F(TemplatesTest, AMessagesShortLinkLeadsThePortalToItsAppointment) {
  RecordingEmail email;
  ConfirmAndRemind(RomePolicy("https://prenota.comune.capannori.lu.it"),
                   MessageSender::Options{.tenants = {kTenant}}, email);
  ASSERT_THAT(email.sent, SizeIs(2));
  const std::string prefix = "https://prenota.comune.capannori.lu.it/c/";
  const size_t at = email.sent[0].body.find(prefix);
  ASSERT_NE(at, std::string::npos) << email.sent[0].body;
  const std::string link = email.sent[0].body.substr(at, prefix.size() + 10);
  // One link per appointment: the reminder has the confirmation's.
  EXPECT_THAT(email.sent[1].body, HasSubstr(link));

  // The portal (of whichever comune: the link does not say) learns the appointment.
  v1::GetCancelLinkRequest request;
  request.set_name("cancelLinks/" + link.substr(prefix.size()));
  v1::CancelLink found;
  ASSERT_TRUE(stub_->GetCancelLink(As("lucca", {"portal"}).get(), request, &found).ok());
  EXPECT_EQ(found.name(), request.name());
  EXPECT_EQ(found.appointment(), "tenants/capannori/appointments/a1");
  // Nobody else asks.
  for (const char* role : {"operator", "coordinator", "tenant_admin", "notifier"}) {
    EXPECT_EQ(stub_->GetCancelLink(As(kTenant, {role}).get(), request, &found).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  // A code that names nothing, and names that are not a link's.
  request.set_name("cancelLinks/aaaaaaaaaa");
  EXPECT_EQ(stub_->GetCancelLink(As(kTenant, {"portal"}).get(), request, &found).error_code(),
            grpc::StatusCode::NOT_FOUND);
  for (const char* name : {"", "cancelLinks/", "cancelLinks/AAAAAAAAAA", "cancelLinks/aaaaaaaaa1",
                           "cancelLinks/aaaaaaaaaaa", "tenants/capannori/appointments/a1"}) {
    request.set_name(name);
    const sportelli::testing::Failure failure = sportelli::testing::Decode(
        stub_->GetCancelLink(As(kTenant, {"portal"}).get(), request, &found));
    EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT) << name;
    EXPECT_THAT(sportelli::testing::Fields(failure), ElementsAre("name")) << name;
  }
}

// --- Opt-outs
// -------------------------------------------------------------------------------------

class OptOutTest : public TemplatesTest {
 protected:
  void Booked(const std::string& id, absl::Time start, const std::string& citizen) {
    source_.appointments[std::string("capannori/") + id] = AppointmentNow{
        "sede", true, start, "", "maria.rossi@example.it", PreferredContact::kEmail, citizen};
  }
  grpc::Status OptOut(const std::string& appointment, std::vector<v1::NotificationKind> kinds,
                      v1::MessagePreferences* out, std::vector<std::string> roles = {"portal"},
                      const std::string& tenant = kTenant) {
    v1::UpdateMessagePreferencesRequest request;
    request.mutable_message_preferences()->set_name("tenants/capannori/appointments/" +
                                                    appointment + "/messagePreferences");
    for (v1::NotificationKind kind : kinds) {
      request.mutable_message_preferences()->add_opted_out_kinds(kind);
    }
    return stub_->UpdateMessagePreferences(As(tenant, std::move(roles)).get(), request, out);
  }
};

TEST_F(OptOutTest, ACitizenWhoOptedOutOfRemindersGetsTheirConfirmationsButNoReminder) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start, "citizen-maria");
  Booked("a2", start + absl::Hours(24), "citizen-maria");  // another of hers
  Booked("b1", start, "citizen-giulia");
  v1::MessagePreferences stored;
  ASSERT_TRUE(OptOut("a1", {v1::NOTIFICATION_KIND_REMINDER}, &stored).ok());
  EXPECT_THAT(stored.opted_out_kinds(), ElementsAre(v1::NOTIFICATION_KIND_REMINDER));
  // Read back through her other appointment, by an operator.
  v1::GetMessagePreferencesRequest get;
  get.set_name("tenants/capannori/appointments/a2/messagePreferences");
  v1::MessagePreferences read;
  ASSERT_TRUE(stub_->GetMessagePreferences(As(kTenant, {"operator"}).get(), get, &read).ok());
  EXPECT_THAT(read.opted_out_kinds(), ElementsAre(v1::NOTIFICATION_KIND_REMINDER));

  RecordingEmail email;
  MessagePolicy policy;
  policy.zone = Rome();
  MessagePlanner planner(messages_.get(), &source_, &clock_, policy);
  MessageSender sender(messages_.get(), &source_, &email, nullptr, &clock_, &logger_, nullptr,
                       policy,
                       MessageSender::Options{.tenants = {kTenant}, .opt_outs = opt_outs_.get()});
  for (const char* id : {"a1", "b1"}) {
    events::v1::Event booked = events::NewEvent(
        kTenant, std::string("tenants/capannori/appointments/") + id, clock_.Now());
    booked.mutable_appointment_booked()->set_desk("tenants/capannori/desks/sede");
    api::ToTimestamp(start, booked.mutable_appointment_booked()->mutable_start_time());
    ASSERT_OK(planner.Handle(events::StreamEntry{"{capannori}:events", "1-0", booked}));
  }
  ASSERT_OK(sender.RunOnce().status());
  EXPECT_THAT(email.sent, SizeIs(2));  // both confirmations
  clock_.Set(Local(2026, 12, 1, 9, 30));
  ASSERT_OK(sender.RunOnce().status());
  EXPECT_THAT(email.sent, SizeIs(3));  // Giulia's reminder only
  ASSERT_OK_AND_ASSIGN(std::vector<Message> hers, messages_->ListForAppointment(kTenant, "a1"));
  ASSERT_THAT(hers, SizeIs(2));
  EXPECT_EQ(hers[1].kind, MessageKind::kReminder);
  EXPECT_EQ(hers[1].state, MessageState::kDropped);
  EXPECT_EQ(hers[1].last_reason, "OPTED_OUT");

  // Opting back in: an empty list.
  ASSERT_TRUE(OptOut("a1", {}, &stored).ok());
  EXPECT_THAT(stored.opted_out_kinds(), SizeIs(0));
}

TEST_F(OptOutTest, OnlyTheComunesStaffAndPortalRecordChoicesAndBadInputChangesNothing) {
  Booked("a1", Local(2026, 12, 3, 9, 30), "citizen-maria");
  v1::MessagePreferences ignored;
  for (const char* role : {"tenant_admin", "dpo", "notifier"}) {
    EXPECT_EQ(OptOut("a1", {v1::NOTIFICATION_KIND_REMINDER}, &ignored, {role}).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << role;
  }
  EXPECT_EQ(
      OptOut("a1", {v1::NOTIFICATION_KIND_REMINDER}, &ignored, {"portal"}, "lucca").error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  const sportelli::testing::Failure invalid = sportelli::testing::Decode(OptOut(
      "a1", {v1::NOTIFICATION_KIND_REMINDER, static_cast<v1::NotificationKind>(42)}, &ignored));
  EXPECT_EQ(invalid.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(sportelli::testing::Fields(invalid),
              ElementsAre("message_preferences.opted_out_kinds[1]"));
  ASSERT_OK_AND_ASSIGN(std::set<MessageKind> kinds, opt_outs_->Get(kTenant, "citizen-maria"));
  EXPECT_TRUE(kinds.empty());
  // No such appointment; a citizen whose data was erased.
  EXPECT_EQ(OptOut("zz", {}, &ignored).error_code(), grpc::StatusCode::NOT_FOUND);
  Booked("erased", Local(2026, 12, 3, 9, 30), "");
  const sportelli::testing::Failure erased =
      sportelli::testing::Decode(OptOut("erased", {v1::NOTIFICATION_KIND_REMINDER}, &ignored));
  EXPECT_EQ(erased.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(erased.reason, "CITIZEN_ERASED");
}

}  // namespace
}  // namespace sportelli::notifications
