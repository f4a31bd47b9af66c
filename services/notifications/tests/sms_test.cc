// The SMS channel against a real HTTP provider: sms_provider.py (a fake provider speaking the
// documented shape, started per test on a free loopback port), the real sender, planner and
// PostgreSQL repository over a throwaway database, and the receipts endpoint on a real CivetWeb
// server that the fake provider posts its signed delivery receipts to. Only scheduling and
// tenants are replaced (FakeSource). The sender's clock is a FakeClock (retries are moved by
// the tests); the receipts' is the system clock, as the provider signs with its own time.
#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "services/notifications/citizen_messages.h"
#include "services/notifications/postgres_messages_repository.h"
#include "services/notifications/sms_receipts.h"
#include "services/notifications/sms_sender.h"
#include "services/notifications/sms_settings.h"
#include "services/notifications/tests/fake_source.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/pool.h"
#include "sportelli/testing/port_server.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::notifications {

const std::vector<pg::Migration>& Migrations();

namespace {

namespace ev1 = ::sportelli::events::v1;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

constexpr char kApiKey[] = "test-api-key-0123456789";
constexpr char kSecret[] = "receipt-secret-current-0123456789";
constexpr char kPreviousSecret[] = "receipt-secret-previous-012345678";
constexpr char kTenant[] = "capannori";

// --- A small HTTP client for the tests (libcurl): the provider's control and the receipts. ---

struct HttpReply {
  long status = 0;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t count, void* out) {
  static_cast<std::string*>(out)->append(data, size * count);
  return size * count;
}

HttpReply Http(const std::string& method, const std::string& url, const std::string& body = "",
               const std::vector<std::string>& headers = {}) {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  curl_slist* list = nullptr;
  for (const std::string& header : headers) list = curl_slist_append(list, header.c_str());
  list = curl_slist_append(list, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  EXPECT_EQ(curl_easy_perform(curl), CURLE_OK) << method << " " << url;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  return reply;
}

// The fake provider, as a child process.
class FakeProvider {
 public:
  void Start(double hang_seconds = 30) {
    ASSERT_OK_AND_ASSIGN(
        process_, sportelli::testing::PortServer::Start(
                      {"/usr/bin/python3", SMS_PROVIDER, "--api-key", kApiKey, "--secret", kSecret,
                       "--hang-seconds", absl::StrCat(hang_seconds)}));
  }
  std::string url() const { return absl::StrCat("http://127.0.0.1:", process_->port()); }
  void Control(const nlohmann::json& settings) {
    EXPECT_EQ(Http("POST", url() + "/control", settings.dump()).status, 204);
  }
  nlohmann::json Messages() { return nlohmann::json::parse(Http("GET", url() + "/messages").body); }
  nlohmann::json Receipts() { return nlohmann::json::parse(Http("GET", url() + "/receipts").body); }

 private:
  std::unique_ptr<sportelli::testing::PortServer> process_;
};

// --- The adapter alone ---------------------------------------------------------------------------

class HttpSmsSenderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(provider_.Start(/*hang_seconds=*/5)); }

  std::unique_ptr<HttpSmsSender> Sender(std::string api_key = kApiKey) {
    absl::StatusOr<std::unique_ptr<HttpSmsSender>> sender =
        HttpSmsSender::Create({.name = "fake",
                               .url = provider_.url(),
                               .api_key = std::move(api_key),
                               .callback_url = "",
                               .timeout = absl::Seconds(1)});
    EXPECT_OK(sender.status());
    return sender.ok() ? *std::move(sender) : nullptr;
  }
  static Sms Text(std::string to, std::string reference = "capannori/m-1") {
    return {.to = std::move(to),
            .from = "Capannori",
            .text = "Promemoria: appuntamento giovedì 3 dicembre 2026 alle 09:30.",
            .reference = std::move(reference)};
  }

  FakeProvider provider_;
};

TEST_F(HttpSmsSenderTest, AnAcceptedTextReachesTheProviderAsDocumented) {
  auto sender = Sender();
  const SmsResult sent = sender->Send(Text("+393331234567"));
  EXPECT_EQ(sent.outcome, SendOutcome::kAccepted);
  EXPECT_EQ(sent.reason, "");
  EXPECT_THAT(sent.provider_message_id, ::testing::StartsWith("fake-"));
  const nlohmann::json received = provider_.Messages();
  ASSERT_THAT(received, SizeIs(1));
  EXPECT_EQ(received[0]["to"], "+393331234567");
  EXPECT_EQ(received[0]["from"], "Capannori");
  EXPECT_EQ(received[0]["text"], "Promemoria: appuntamento giovedì 3 dicembre 2026 alle 09:30.");
  EXPECT_EQ(received[0]["reference"], "capannori/m-1");
  EXPECT_EQ(received[0]["id"], sent.provider_message_id);
}

TEST_F(HttpSmsSenderTest, ARetryWithTheSameReferenceIsNotSentTwice) {
  auto sender = Sender();
  const SmsResult first = sender->Send(Text("+393331234567"));
  const SmsResult again = sender->Send(Text("+393331234567"));
  EXPECT_EQ(again.outcome, SendOutcome::kAccepted);
  EXPECT_EQ(again.provider_message_id, first.provider_message_id);
  EXPECT_THAT(provider_.Messages(), SizeIs(1));
}

TEST_F(HttpSmsSenderTest, ThrottlingAndServerErrorsAreTemporary) {
  auto sender = Sender();
  SmsResult sent = sender->Send(Text("+393330000503"));
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "SMS_HTTP_503");
  sent = sender->Send(Text("+393330000429"));
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "SMS_HTTP_429");
  EXPECT_THAT(provider_.Messages(), IsEmpty());
}

TEST_F(HttpSmsSenderTest, ARefusedTextIsPermanent) {
  auto sender = Sender();
  SmsResult sent = sender->Send(Text("+393330000400"));
  EXPECT_EQ(sent.outcome, SendOutcome::kPermanentFailure);
  EXPECT_EQ(sent.reason, "SMS_HTTP_400");
  sent = sender->Send(Text("+393330000422"));
  EXPECT_EQ(sent.outcome, SendOutcome::kPermanentFailure);
  EXPECT_EQ(sent.reason, "SMS_HTTP_422");
}

TEST_F(HttpSmsSenderTest, AWrongKeyIsAConfigurationFaultSoTheTextWaits) {
  auto sender = Sender("not-the-key");
  const SmsResult sent = sender->Send(Text("+393331234567"));
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "AUTH_FAILED");
}

TEST_F(HttpSmsSenderTest, AProviderThatDoesNotAnswerTimesOutWithinTheLimit) {
  auto sender = Sender();
  const clock::Stopwatch watch;
  const SmsResult sent = sender->Send(Text("+393330009999"));
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "TIMEOUT");
  EXPECT_LT(watch.Elapsed(), absl::Seconds(4));
}

TEST_F(HttpSmsSenderTest, AConnectionClosedWithoutAnswerIsTemporary) {
  auto sender = Sender();
  const SmsResult sent = sender->Send(Text("+393330009998"));
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "CONNECTION_LOST");
}

TEST(HttpSmsSenderNoServerTest, NoProviderListeningIsConnectFailed) {
  // A port just released by a listener of our own: nobody listens there now.
  FakeProvider gone;
  ASSERT_NO_FATAL_FAILURE(gone.Start());
  const std::string url = gone.url();
  gone = FakeProvider();
  ASSERT_OK_AND_ASSIGN(auto sender, HttpSmsSender::Create({.name = "gone",
                                                           .url = url,
                                                           .api_key = kApiKey,
                                                           .callback_url = "",
                                                           .timeout = absl::Seconds(1)}));
  const SmsResult sent = sender->Send({.to = "+393331234567",
                                       .from = "Capannori",
                                       .text = "Promemoria",
                                       .reference = "capannori/m-1"});
  EXPECT_EQ(sent.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(sent.reason, "CONNECT_FAILED");
}

TEST_F(HttpSmsSenderTest, InvalidTextsAreRefusedBeforeAnythingIsSent) {
  auto sender = Sender();
  std::vector<Sms> invalid = {Text("3331234567"), Text("+39 333 1234567"), Text("+0331234567"),
                              Text("+393331234567", "capannori/m 1"), Text("+393331234567", "")};
  Sms long_sender = Text("+393331234567");
  long_sender.from = "ComuneDiCapannori";
  invalid.push_back(long_sender);
  Sms not_utf8 = Text("+393331234567");
  not_utf8.text = "Promemoria \xC3";
  invalid.push_back(not_utf8);
  Sms empty = Text("+393331234567");
  empty.text = "";
  invalid.push_back(empty);
  for (const Sms& sms : invalid) {
    const SmsResult sent = sender->Send(sms);
    EXPECT_EQ(sent.outcome, SendOutcome::kPermanentFailure) << sms.to << " " << sms.reference;
    EXPECT_EQ(sent.reason, "INVALID_MESSAGE");
  }
  EXPECT_THAT(provider_.Messages(), IsEmpty());
}

TEST(HttpSmsSenderCreateTest, RefusesConfigurationsThatCouldNeverWork) {
  const auto create = [](std::string name, std::string url, std::string key) {
    return HttpSmsSender::Create(
               {.name = std::move(name), .url = std::move(url), .api_key = std::move(key)})
        .status();
  };
  EXPECT_OK(create("acme", "https://api.acme.example/v1", "k"));
  EXPECT_OK(create("acme", "http://127.0.0.1:9000", "k"));
  EXPECT_THAT(create("acme", "http://api.acme.example/v1", "k"),
              sportelli::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(create("acme", "ftp://api.acme.example", "k"),
              sportelli::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(create("acme", "https://api.acme.example/v1", ""),
              sportelli::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(create("Acme SMS", "https://api.acme.example/v1", "k"),
              sportelli::testing::StatusIs(absl::StatusCode::kInvalidArgument));
}

// --- Receipt signatures --------------------------------------------------------------------------

TEST(ReceiptSignatureTest, EitherSecretOfARotationIsAcceptedWithinFiveMinutes) {
  const absl::Time now = absl::FromUnixSeconds(1796071200);
  const std::string body = R"({"reference":"capannori/m-1","status":"DELIVERED"})";
  const std::vector<std::string> secrets = {kSecret, kPreviousSecret};
  const std::string timestamp = "1796071200";
  EXPECT_OK(VerifyReceipt(secrets, timestamp, SignReceipt(kSecret, 1796071200, body), body, now));
  EXPECT_OK(
      VerifyReceipt(secrets, timestamp, SignReceipt(kPreviousSecret, 1796071200, body), body, now));
  // A provider sending both during its own rotation: one valid signature is enough.
  EXPECT_OK(VerifyReceipt(secrets, timestamp,
                          absl::StrCat(SignReceipt("another-secret-0123456789", 1796071200, body),
                                       ",", SignReceipt(kSecret, 1796071200, body)),
                          body, now));
  EXPECT_OK(
      VerifyReceipt(secrets, "1796070901", SignReceipt(kSecret, 1796070901, body), body, now));

  const auto refused = [&](const std::string& ts, const std::string& signature,
                           const std::string& signed_body) {
    return absl::IsUnauthenticated(VerifyReceipt(secrets, ts, signature, signed_body, now));
  };
  EXPECT_TRUE(refused(timestamp, SignReceipt("another-secret-0123456789", 1796071200, body), body));
  EXPECT_TRUE(refused(timestamp, SignReceipt(kSecret, 1796071200, body + " "), body));
  EXPECT_TRUE(refused("1796070899", SignReceipt(kSecret, 1796070899, body), body));  // stale
  EXPECT_TRUE(refused("1796071501", SignReceipt(kSecret, 1796071501, body), body));  // future
  EXPECT_TRUE(refused("", SignReceipt(kSecret, 1796071200, body), body));
  EXPECT_TRUE(refused(timestamp, "", body));
  EXPECT_TRUE(refused(timestamp, "v1=zz", body));
  // The timestamp is signed: a valid signature moved to another time is refused.
  EXPECT_TRUE(refused("1796071201", SignReceipt(kSecret, 1796071200, body), body));
}

// --- The channel end to end: planned, sent, receipted
// ----------------------------------------------

class SmsMessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(provider_.Start());
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate("notifications", Migrations(), {}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 4}));
    repository_ = std::make_unique<PostgresMessagesRepository>(pool_.get());
    receipts_ = std::make_unique<SmsReceipts>(
        repository_.get(), &clock::SystemClock::Instance(), &logger_, nullptr,
        std::vector<SmsReceipts::Provider>{{"fake", {kSecret, kPreviousSecret}},
                                           {"other", {"other-provider-secret-0123"}}},
        std::vector<std::string>{kTenant});
    ASSERT_OK_AND_ASSIGN(server_, ReceiptServer::Start(receipts_.get(), "127.0.0.1:0"));
    ASSERT_OK_AND_ASSIGN(sms_, HttpSmsSender::Create({.name = "fake",
                                                      .url = provider_.url(),
                                                      .api_key = kApiKey,
                                                      .callback_url = ReceiptUrl("fake"),
                                                      .timeout = absl::Seconds(2)}));
    routes_[kTenant] =
        SmsRoute{.sender = sms_.get(), .from = "Capannori", .same_day_reminder = true};
    policy_.zone = Rome();
    planner_ =
        std::make_unique<MessagePlanner>(repository_.get(), &source_, &clock_, policy_, &routes_);
    sender_ = std::make_unique<MessageSender>(repository_.get(), &source_, nullptr, &routes_,
                                              &clock_, &logger_, nullptr, policy_,
                                              MessageSender::Options{.tenants = {kTenant}});
  }

  std::string ReceiptUrl(const std::string& provider) const {
    return absl::StrCat("http://127.0.0.1:", server_->port(), "/sms/receipts/", provider);
  }

  // The citizen of `id` prefers SMS and gave a number.
  void BookedBySms(const std::string& id, absl::Time start,
                   const std::string& phone = "+393331234567") {
    source_.appointments[absl::StrCat(kTenant, "/", id)] =
        AppointmentNow{"sede", true, start, phone, "", PreferredContact::kSms};
  }
  absl::Status HandleBooked(const std::string& id, absl::Time start) {
    ev1::Event event = events::NewEvent(
        kTenant, absl::StrCat("tenants/", kTenant, "/appointments/", id), clock_.Now());
    event.mutable_appointment_booked()->set_desk("tenants/capannori/desks/sede");
    api::ToTimestamp(start, event.mutable_appointment_booked()->mutable_start_time());
    return planner_->Handle(events::StreamEntry{"{capannori}:events", "1-0", event});
  }

  const Message* Find(const std::string& id, MessageKind kind) {
    absl::StatusOr<std::vector<Message>> list = repository_->ListForAppointment(kTenant, id);
    EXPECT_OK(list.status());
    last_ = list.ok() ? *list : std::vector<Message>();
    for (const Message& m : last_) {
      if (m.kind == kind) return &m;
    }
    return nullptr;
  }
  // The receipts are posted by the provider's own thread: wait for the state they lead to.
  MessageState AwaitState(const std::string& id, MessageKind kind, MessageState wanted) {
    const clock::Stopwatch watch;
    MessageState state = MessageState::kCreated;
    while (watch.Elapsed() < absl::Seconds(10)) {
      const Message* m = Find(id, kind);
      if (m == nullptr) return state;
      state = m->state;
      if (state == wanted) return state;
      absl::SleepFor(absl::Milliseconds(20));
    }
    return state;
  }
  // Waits until the provider has posted `count` receipts.
  nlohmann::json AwaitReceipts(size_t count) {
    const clock::Stopwatch watch;
    nlohmann::json receipts = provider_.Receipts();
    while (receipts.size() < count && watch.Elapsed() < absl::Seconds(10)) {
      absl::SleepFor(absl::Milliseconds(20));
      receipts = provider_.Receipts();
    }
    return receipts;
  }

  HttpReply PostReceipt(const std::string& provider, const std::string& body,
                        const std::string& secret, int64_t at) {
    return Http("POST", ReceiptUrl(provider), body,
                {absl::StrCat("X-Sportelli-Timestamp: ", at),
                 absl::StrCat("X-Sportelli-Signature: ", SignReceipt(secret, at, body))});
  }
  static int64_t UnixNow() { return absl::ToUnixSeconds(clock::SystemClock::Instance().Now()); }

  FakeProvider provider_;
  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<PostgresMessagesRepository> repository_;
  logging::Logger logger_{"notifications-test", logging::Level::kError};
  std::unique_ptr<SmsReceipts> receipts_;
  std::unique_ptr<ReceiptServer> server_;
  std::unique_ptr<HttpSmsSender> sms_;
  SmsRoutes routes_;
  // Monday 30 November 2026, 10:00 in Capannori.
  clock::FakeClock clock_{Local(2026, 11, 30, 10)};
  FakeSource source_;
  MessagePolicy policy_;
  std::unique_ptr<MessagePlanner> planner_;
  std::unique_ptr<MessageSender> sender_;
  std::vector<Message> last_;
};

TEST_F(SmsMessagesTest, AConfirmationIsSentThenDeliveredByTheProvidersReceipt) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK_AND_ASSIGN(int attempted, sender_->RunOnce());
  EXPECT_EQ(attempted, 1);

  const nlohmann::json sent = provider_.Messages();
  ASSERT_THAT(sent, SizeIs(1));
  EXPECT_EQ(sent[0]["to"], "+393331234567");
  EXPECT_EQ(sent[0]["from"], "Capannori");
  const std::string text = sent[0]["text"];
  EXPECT_THAT(text, HasSubstr("3 dicembre 2026"));
  EXPECT_THAT(text, HasSubstr("09:30"));
  EXPECT_THAT(text, Not(HasSubstr("social")));
  EXPECT_EQ(sent[0]["callback_url"], ReceiptUrl("fake"));

  EXPECT_EQ(AwaitState("a1", MessageKind::kConfirmation, MessageState::kDelivered),
            MessageState::kDelivered);
  const Message* confirmation = Find("a1", MessageKind::kConfirmation);
  ASSERT_NE(confirmation, nullptr);
  EXPECT_EQ(confirmation->provider, "fake");
  EXPECT_EQ(confirmation->provider_message_id, sent[0]["id"]);
  EXPECT_EQ(confirmation->channel, DeliveryChannel::kSms);
}

TEST_F(SmsMessagesTest, AcceptedWithoutAReceiptYetIsSent) {
  provider_.Control({{"receipt", "none"}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kSent);
  // Not claimed again: a SENT message is the provider's now.
  clock_.Advance(absl::Minutes(10));
  ASSERT_OK_AND_ASSIGN(int attempted, sender_->RunOnce());
  EXPECT_EQ(attempted, 0);
  EXPECT_THAT(provider_.Messages(), SizeIs(1));
}

TEST_F(SmsMessagesTest, AFailureReceiptIsAPermanentFailureWithTheProvidersCode) {
  provider_.Control({{"receipt", "FAILED"}, {"code", "30003"}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  EXPECT_EQ(AwaitState("a1", MessageKind::kConfirmation, MessageState::kPermanentFailure),
            MessageState::kPermanentFailure);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->last_reason, "SMS_FAILED_30003");
}

TEST_F(SmsMessagesTest, DuringARotationTheOldSecretStillCounts) {
  provider_.Control({{"sign_secret", kPreviousSecret}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  EXPECT_EQ(AwaitState("a1", MessageKind::kConfirmation, MessageState::kDelivered),
            MessageState::kDelivered);
}

TEST_F(SmsMessagesTest, AReceiptSignedWithAnUnknownSecretChangesNothing) {
  provider_.Control({{"sign_secret", "a-secret-nobody-configured"}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  const nlohmann::json receipts = AwaitReceipts(1);
  ASSERT_THAT(receipts, SizeIs(1));
  EXPECT_EQ(receipts[0]["http_status"], 401);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kSent);
}

TEST_F(SmsMessagesTest, ReceiptsAreAppliedOnceAndOnlyByTheProviderThatTookTheMessage) {
  provider_.Control({{"receipt", "none"}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  const Message* sent = Find("a1", MessageKind::kConfirmation);
  ASSERT_NE(sent, nullptr);
  const std::string reference = absl::StrCat(kTenant, "/", sent->message_id);
  const std::string delivered =
      nlohmann::json{{"reference", reference}, {"status", "DELIVERED"}}.dump();
  const std::string failed = nlohmann::json{{"reference", reference}, {"status", "FAILED"}}.dump();

  // Another provider, with its own valid key, cannot touch it.
  EXPECT_EQ(PostReceipt("other", failed, "other-provider-secret-0123", UnixNow()).status, 204);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kSent);
  // Intermediate states change nothing.
  EXPECT_EQ(
      PostReceipt("fake", nlohmann::json{{"reference", reference}, {"status", "QUEUED"}}.dump(),
                  kSecret, UnixNow())
          .status,
      204);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kSent);
  // The provider's own receipt does, once: a late failure does not undo a delivery.
  EXPECT_EQ(PostReceipt("fake", delivered, kSecret, UnixNow()).status, 204);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kDelivered);
  EXPECT_EQ(PostReceipt("fake", delivered, kSecret, UnixNow()).status, 204);
  EXPECT_EQ(PostReceipt("fake", failed, kSecret, UnixNow()).status, 204);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kDelivered);
}

TEST_F(SmsMessagesTest, TheEndpointRefusesWhatIsNotASignedReceipt) {
  const std::string body =
      nlohmann::json{{"reference", "capannori/m-x"}, {"status", "DELIVERED"}}.dump();
  // Stale: signed correctly ten minutes ago (a replay).
  EXPECT_EQ(PostReceipt("fake", body, kSecret, UnixNow() - 600).status, 401);
  // No signature at all.
  EXPECT_EQ(Http("POST", ReceiptUrl("fake"), body).status, 401);
  // Signed, but not a receipt.
  EXPECT_EQ(PostReceipt("fake", "[1,2]", kSecret, UnixNow()).status, 400);
  EXPECT_EQ(PostReceipt("fake", "{not json", kSecret, UnixNow()).status, 400);
  // A reference we do not know (another comune, none): nothing to retry.
  EXPECT_EQ(PostReceipt("fake",
                        nlohmann::json{{"reference", "lucca/m-x"}, {"status", "DELIVERED"}}.dump(),
                        kSecret, UnixNow())
                .status,
            204);
  EXPECT_EQ(PostReceipt("fake", body, kSecret, UnixNow()).status, 204);
  // No such provider; not a POST; too large.
  EXPECT_EQ(PostReceipt("nobody", body, kSecret, UnixNow()).status, 404);
  EXPECT_EQ(Http("GET", ReceiptUrl("fake")).status, 405);
  EXPECT_EQ(PostReceipt("fake", std::string(20000, ' '), kSecret, UnixNow()).status, 413);
  EXPECT_EQ(Http("POST", ReceiptUrl("fake"), body, {"Transfer-Encoding: chunked"}).status, 411);
}

TEST_F(SmsMessagesTest, ATemporaryFailureIsRetriedWithTheSameReferenceAndSentOnce) {
  provider_.Control({{"fail_next", {503, 429}}});
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  const Message* first = Find("a1", MessageKind::kConfirmation);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->state, MessageState::kTemporaryFailure);
  EXPECT_EQ(first->last_reason, "SMS_HTTP_503");
  clock_.Advance(absl::Minutes(2));
  ASSERT_OK(sender_->RunOnce().status());
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->last_reason, "SMS_HTTP_429");
  clock_.Advance(absl::Minutes(5));
  ASSERT_OK(sender_->RunOnce().status());
  EXPECT_EQ(AwaitState("a1", MessageKind::kConfirmation, MessageState::kDelivered),
            MessageState::kDelivered);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->attempts, 3);
  EXPECT_THAT(provider_.Messages(), SizeIs(1));
}

TEST_F(SmsMessagesTest, AnInvalidNumberIsAPermanentFailureAndNothingIsSent) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start, "+393330000400");
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  const Message* confirmation = Find("a1", MessageKind::kConfirmation);
  EXPECT_EQ(confirmation->state, MessageState::kPermanentFailure);
  EXPECT_EQ(confirmation->last_reason, "SMS_HTTP_400");
  EXPECT_EQ(confirmation->provider, "fake");
}

TEST_F(SmsMessagesTest, AComuneWithTheMorningReminderGetsOneAtEightOnTheDay) {
  const absl::Time start = Local(2026, 12, 3, 11, 0);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  const Message* morning = Find("a1", MessageKind::kSameDayReminder);
  ASSERT_NE(morning, nullptr);
  EXPECT_EQ(morning->channel, DeliveryChannel::kSms);
  EXPECT_EQ(morning->send_after, Local(2026, 12, 3, 8, 0));
  EXPECT_EQ(morning->give_up_at, start);

  // Without the comune's choice, none.
  routes_[kTenant].same_day_reminder = false;
  BookedBySms("a2", start);
  ASSERT_OK(HandleBooked("a2", start));
  EXPECT_EQ(Find("a2", MessageKind::kSameDayReminder), nullptr);
  EXPECT_NE(Find("a2", MessageKind::kReminder), nullptr);
}

TEST_F(SmsMessagesTest, AComuneWithoutARouteEndsItsSmsAsNotConfigured) {
  routes_.clear();
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  BookedBySms("a1", start);
  ASSERT_OK(HandleBooked("a1", start));
  ASSERT_OK(sender_->RunOnce().status());
  const Message* confirmation = Find("a1", MessageKind::kConfirmation);
  EXPECT_EQ(confirmation->state, MessageState::kTechnicalFailure);
  EXPECT_EQ(confirmation->last_reason, "CHANNEL_NOT_CONFIGURED");
  EXPECT_THAT(provider_.Messages(), IsEmpty());
}

// --- The configuration file
// --------------------------------------------------------------------------

absl::StatusOr<std::optional<std::string>> Files(const std::string& path) {
  if (path == "/key") return std::optional<std::string>("the-api-key");
  if (path == "/current") return std::optional<std::string>(kSecret);
  if (path == "/previous") return std::optional<std::string>(kPreviousSecret);
  if (path == "/short") return std::optional<std::string>("short");
  return std::optional<std::string>();
}

TEST(SmsSettingsTest, ReadsProvidersAndEachComunesRoute) {
  ASSERT_OK_AND_ASSIGN(SmsSettings settings, ParseSmsSettings(R"({
      "receipts_url": "https://notifiche.example/sms/receipts/",
      "providers": [{"name": "acme", "url": "https://api.acme.example/v1",
                     "api_key_file": "/key", "timeout_seconds": 7,
                     "receipt_secret_files": ["/current", "/previous-removed"]}],
      "comuni": {"capannori": {"provider": "acme", "from": "Capannori",
                               "same_day_reminder": true},
                 "lucca": {"provider": "acme", "from": "ComuneLucca"}}})",
                                                              {"capannori", "lucca"}, &Files));
  ASSERT_THAT(settings.providers, SizeIs(1));
  const SmsSettings::Provider& acme = settings.providers[0];
  EXPECT_EQ(acme.options.api_key, "the-api-key");
  EXPECT_EQ(acme.options.timeout, absl::Seconds(7));
  EXPECT_EQ(acme.options.callback_url, "https://notifiche.example/sms/receipts/acme");
  EXPECT_EQ(acme.receipt_secrets, std::vector<std::string>{kSecret});
  EXPECT_TRUE(settings.comuni.at("capannori").same_day_reminder);
  EXPECT_FALSE(settings.comuni.at("lucca").same_day_reminder);
  EXPECT_EQ(settings.comuni.at("lucca").from, "ComuneLucca");
}

TEST(SmsSettingsTest, ListsEveryProblemWithoutQuotingSecrets) {
  const absl::StatusOr<SmsSettings> settings = ParseSmsSettings(R"({
      "receipts_url": "https://notifiche.example/sms/receipts",
      "providers": [{"name": "acme", "url": "https://api.acme.example", "api_key_file": "/none",
                     "receipt_secret_files": ["/short"], "colour": "blue"}],
      "comuni": {"capannori": {"provider": "nobody", "from": "Comune di Capannori"},
                 "pisa": {"provider": "acme", "from": "Pisa"}}})",
                                                                {"capannori"}, &Files);
  ASSERT_THAT(settings.status(), sportelli::testing::StatusIs(absl::StatusCode::kInvalidArgument));
  const std::string message(settings.status().message());
  for (const char* problem :
       {"unknown key \"colour\"", "api_key_file /none cannot be read", "shorter than 16 bytes",
        "no receipt secret exists", "no provider \"nobody\"", "from must be",
        "comune \"pisa\": not in SPORTELLI_COMUNI"}) {
    EXPECT_THAT(message, HasSubstr(problem));
  }
  EXPECT_THAT(message, Not(HasSubstr("short\"")));
}

}  // namespace
}  // namespace sportelli::notifications
