// Messages to citizens from the events of their appointments to the e-mail handed over: the real
// planner, sender and PostgreSQL repository over a throwaway database, the owning services
// replaced by their answers (FakeSource) and the SMTP server by a recorder of what it was handed
// (the SMTP client itself is tested against a real server in email_sender_test.cc). Time is the
// service's clock, moved by the tests.
#include "services/notifications/citizen_messages.h"

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/notifications/postgres_messages_repository.h"
#include "services/notifications/tests/fake_source.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/clock/clock.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/pool.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::notifications {

const std::vector<pg::Migration>& Migrations();

namespace {

namespace ev1 = ::sportelli::events::v1;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class CitizenMessagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate("notifications", Migrations(), {}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 4}));
    repository_ = std::make_unique<PostgresMessagesRepository>(pool_.get());
    policy_.zone = Rome();
    planner_ = std::make_unique<MessagePlanner>(repository_.get(), &source_, &clock_, policy_);
    sender_ = std::make_unique<MessageSender>(repository_.get(), &source_, &email_, nullptr,
                                              &clock_, &logger_, nullptr, policy_,
                                              MessageSender::Options{.tenants = {kTenant}});
  }

  static constexpr char kTenant[] = "capannori";

  // The citizen of appointment `id` prefers e-mail and gave one.
  void Booked(const std::string& id, absl::Time start,
              PreferredContact preferred = PreferredContact::kEmail) {
    source_.appointments[absl::StrCat(kTenant, "/", id)] =
        AppointmentNow{"sede", true, start, "+393331234567", "maria.rossi@example.it", preferred};
  }

  ev1::Event Event(const std::string& id) {
    return events::NewEvent(kTenant, absl::StrCat("tenants/", kTenant, "/appointments/", id),
                            clock_.Now());
  }
  ev1::Event BookedEvent(const std::string& id, absl::Time start) {
    ev1::Event event = Event(id);
    event.mutable_appointment_booked()->set_desk("tenants/capannori/desks/sede");
    api::ToTimestamp(start, event.mutable_appointment_booked()->mutable_start_time());
    return event;
  }

  absl::Status Handle(const ev1::Event& event) {
    return planner_->Handle(events::StreamEntry{"{capannori}:events", "1-0", event});
  }

  int Send() {
    absl::StatusOr<int> attempted = sender_->RunOnce();
    EXPECT_TRUE(attempted.ok()) << attempted.status();
    return attempted.ok() ? *attempted : -1;
  }

  std::vector<Message> MessagesOf(const std::string& id) {
    absl::StatusOr<std::vector<Message>> list = repository_->ListForAppointment(kTenant, id);
    EXPECT_TRUE(list.ok()) << list.status();
    return list.ok() ? *list : std::vector<Message>();
  }
  const Message* Find(const std::string& id, MessageKind kind) {
    static thread_local std::vector<Message> last;
    last = MessagesOf(id);
    for (const Message& m : last) {
      if (m.kind == kind) return &m;
    }
    return nullptr;
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<PostgresMessagesRepository> repository_;
  // Monday 30 November 2026, 10:00 in Capannori.
  clock::FakeClock clock_{Local(2026, 11, 30, 10)};
  FakeSource source_;
  RecordingEmail email_;
  logging::Logger logger_{"notifications-test", logging::Level::kError};
  MessagePolicy policy_;
  std::unique_ptr<MessagePlanner> planner_;
  std::unique_ptr<MessageSender> sender_;
};

TEST_F(CitizenMessagesTest, ABookingIsConfirmedAtOnceAndRemindedTwoDaysBefore) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);  // Thursday
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));

  EXPECT_EQ(Send(), 1);
  ASSERT_THAT(email_.sent, SizeIs(1));
  const Email& confirmation = email_.sent[0];
  EXPECT_EQ(confirmation.to, "maria.rossi@example.it");
  EXPECT_THAT(confirmation.subject, ::testing::HasSubstr("Capannori"));
  EXPECT_THAT(confirmation.body, ::testing::HasSubstr("3 dicembre 2026"));
  EXPECT_THAT(confirmation.body, ::testing::HasSubstr("09:30"));
  EXPECT_THAT(confirmation.body, ::testing::HasSubstr("Piazza Aldo Moro 1"));
  // The appointment's short link (GetCancelLink resolves it for the portal).
  EXPECT_THAT(confirmation.body,
              ::testing::ContainsRegex("https://prenota\\.sportelli\\.invalid/c/[a-z2-7]+$"));
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kDelivered);

  // The reminder waits for Tuesday 09:30, then goes out once.
  const Message* reminder = Find("a1", MessageKind::kReminder);
  ASSERT_NE(reminder, nullptr);
  EXPECT_EQ(reminder->send_after, Local(2026, 12, 1, 9, 30));
  EXPECT_EQ(reminder->state, MessageState::kCreated);
  clock_.Set(Local(2026, 12, 1, 9, 29));
  EXPECT_EQ(Send(), 0);
  clock_.Set(Local(2026, 12, 1, 9, 30));
  EXPECT_EQ(Send(), 1);
  ASSERT_THAT(email_.sent, SizeIs(2));
  EXPECT_THAT(email_.sent[1].body, ::testing::HasSubstr("09:30"));
  EXPECT_EQ(Send(), 0);
  EXPECT_EQ(Find("a1", MessageKind::kReminder)->state, MessageState::kDelivered);
}

TEST_F(CitizenMessagesTest, AnEventDeliveredTwiceSendsEachMessageOnce) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  const ev1::Event booked = BookedEvent("a1", start);
  ASSERT_OK(Handle(booked));
  ASSERT_OK(Handle(booked));
  EXPECT_THAT(MessagesOf("a1"), SizeIs(2));  // the confirmation and the reminder
  Send();
  ASSERT_OK(Handle(booked));  // even after it was sent
  Send();
  EXPECT_THAT(email_.sent, SizeIs(1));
}

TEST_F(CitizenMessagesTest, ACancelledAppointmentsReminderIsDroppedAndTheCancellationSent) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  Send();
  source_.appointments["capannori/a1"].booked = false;
  ev1::Event cancelled = Event("a1");
  cancelled.mutable_appointment_cancelled()->set_actor(ev1::ACTOR_CITIZEN);
  ASSERT_OK(Handle(cancelled));
  EXPECT_EQ(Find("a1", MessageKind::kReminder)->state, MessageState::kDropped);
  EXPECT_EQ(Send(), 1);
  ASSERT_THAT(email_.sent, SizeIs(2));
  EXPECT_THAT(email_.sent[1].subject, ::testing::HasSubstr("annullato"));
  clock_.Set(Local(2026, 12, 1, 9, 30));
  EXPECT_EQ(Send(), 0);
  EXPECT_THAT(email_.sent, SizeIs(2));
}

TEST_F(CitizenMessagesTest, AReminderWhoseAppointmentChangedUnnoticedIsDroppedAtSendTime) {
  // The cancellation's event has not arrived (yet): the sender asks scheduling anyway.
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  Send();
  source_.appointments["capannori/a1"].start = start + absl::Hours(24);  // moved
  clock_.Set(Local(2026, 12, 1, 9, 30));
  EXPECT_EQ(Send(), 1);
  EXPECT_THAT(email_.sent, SizeIs(1));
  const Message* reminder = Find("a1", MessageKind::kReminder);
  EXPECT_EQ(reminder->state, MessageState::kDropped);
  EXPECT_EQ(reminder->last_reason, "APPOINTMENT_CHANGED");
}

TEST_F(CitizenMessagesTest, AMoveIsAnnouncedAndRemindedAtItsNewTime) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  Send();
  const absl::Time moved_to = Local(2026, 12, 10, 11, 0);
  source_.appointments["capannori/a1"].start = moved_to;
  ev1::Event moved = Event("a1");
  api::ToTimestamp(start, moved.mutable_appointment_rescheduled()->mutable_previous_start_time());
  api::ToTimestamp(moved_to, moved.mutable_appointment_rescheduled()->mutable_start_time());
  ASSERT_OK(Handle(moved));
  ASSERT_OK(Handle(moved));  // twice: still one new reminder, not dropped by its own event
  std::vector<std::string> reminders;
  for (const Message& m : MessagesOf("a1")) {
    if (m.kind == MessageKind::kReminder) {
      reminders.push_back(absl::StrCat(MessageStateName(m.state), " ",
                                       absl::FormatTime("%d %H:%M", m.send_after, Rome())));
    }
  }
  EXPECT_THAT(reminders, ::testing::UnorderedElementsAre("DROPPED 01 09:30", "CREATED 08 11:00"));
  EXPECT_EQ(Send(), 1);
  ASSERT_THAT(email_.sent, SizeIs(2));
  EXPECT_THAT(email_.sent[1].body, ::testing::HasSubstr("10 dicembre 2026"));
  EXPECT_THAT(email_.sent[1].body, ::testing::HasSubstr("11:00"));
}

TEST_F(CitizenMessagesTest, NothingIsSentInTheQuietHoursItWaitsForTheMorning) {
  clock_.Set(Local(2026, 11, 30, 22, 30));  // booked late in the evening
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->send_after, Local(2026, 12, 1, 8, 0));
  EXPECT_EQ(Send(), 0);
  clock_.Set(Local(2026, 12, 1, 7, 59));
  EXPECT_EQ(Send(), 0);
  clock_.Set(Local(2026, 12, 1, 8, 0));
  EXPECT_EQ(Send(), 1);
  EXPECT_THAT(email_.sent, SizeIs(1));
}

TEST_F(CitizenMessagesTest, LocalTimesAreRightAcrossTheAutumnClockChange) {
  // Booked on Friday 23 October (CEST, UTC+2) for Tuesday 27 October 09:00 (CET, UTC+1): the
  // reminder goes out on Sunday 25th at 09:00 local, the day the clocks go back.
  clock_.Set(Local(2026, 10, 23, 10, 0));
  const absl::Time start = Local(2026, 10, 27, 9, 0);
  EXPECT_EQ(start, absl::FromCivil(absl::CivilMinute(2026, 10, 27, 8, 0), absl::UTCTimeZone()));
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  EXPECT_EQ(Find("a1", MessageKind::kReminder)->send_after, Local(2026, 10, 25, 9, 0));
  Send();
  ASSERT_THAT(email_.sent, SizeIs(1));
  EXPECT_THAT(email_.sent[0].body, ::testing::HasSubstr("27 ottobre 2026"));
  EXPECT_THAT(email_.sent[0].body, ::testing::HasSubstr("09:00"));
}

TEST_F(CitizenMessagesTest, ATemporaryFailureIsRetriedLaterAPermanentOneNever) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  email_.answers = {{SendOutcome::kTemporaryFailure, "SMTP_451"}};
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  EXPECT_EQ(Send(), 1);
  EXPECT_THAT(email_.sent, IsEmpty());
  const Message* failed = Find("a1", MessageKind::kConfirmation);
  EXPECT_EQ(failed->state, MessageState::kTemporaryFailure);
  EXPECT_EQ(failed->last_reason, "SMTP_451");
  // The first retry comes after 30 s, give or take the jitter, not before.
  EXPECT_GE(failed->send_after, clock_.Now() + absl::Seconds(24));
  EXPECT_LE(failed->send_after, clock_.Now() + absl::Seconds(36));
  EXPECT_EQ(Send(), 0);
  clock_.Advance(absl::Seconds(40));
  EXPECT_EQ(Send(), 1);
  EXPECT_THAT(email_.sent, SizeIs(1));
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->state, MessageState::kDelivered);
  EXPECT_EQ(Find("a1", MessageKind::kConfirmation)->attempts, 2);

  Booked("a2", start);
  email_.answers = {{SendOutcome::kPermanentFailure, "SMTP_550"}};
  ASSERT_OK(Handle(BookedEvent("a2", start)));
  EXPECT_EQ(Send(), 1);
  EXPECT_EQ(Find("a2", MessageKind::kConfirmation)->state, MessageState::kPermanentFailure);
  clock_.Advance(absl::Hours(2));
  EXPECT_EQ(Send(), 0);
  EXPECT_THAT(email_.sent, SizeIs(1));
}

TEST_F(CitizenMessagesTest, RetriesEndAtTheMessagesMaximumAge) {
  const absl::Time start = Local(2026, 12, 10, 9, 30);
  Booked("a1", start);
  for (int i = 0; i < 100; ++i)
    email_.answers.push_back({SendOutcome::kTemporaryFailure, "SMTP_421"});
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  for (int round = 0; round < 100; ++round) {
    Send();
    clock_.Advance(absl::Hours(1));
  }
  const Message* given_up = Find("a1", MessageKind::kConfirmation);
  EXPECT_EQ(given_up->state, MessageState::kPermanentFailure);
  EXPECT_THAT(given_up->last_reason, ::testing::AnyOf("EXPIRED", "GAVE_UP_SMTP_421"));
  EXPECT_THAT(email_.sent, IsEmpty());
  EXPECT_LT(given_up->attempts, 30);
}

TEST_F(CitizenMessagesTest, ABookingLessThanTwoDaysAheadGetsItsConfirmationOnly) {
  const absl::Time start = Local(2026, 12, 1, 16, 0);  // tomorrow afternoon
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  ASSERT_THAT(MessagesOf("a1"), SizeIs(1));
  EXPECT_EQ(MessagesOf("a1")[0].kind, MessageKind::kConfirmation);
}

TEST_F(CitizenMessagesTest, AnOldEventAnnouncesNothingButItsReminderStillComes) {
  // A booking committed three days ago, read only now (the group's first deployment).
  const absl::Time start = Local(2026, 12, 10, 9, 30);
  Booked("a1", start);
  clock_.Advance(-absl::Hours(72));
  const ev1::Event booked = BookedEvent("a1", start);
  clock_.Advance(absl::Hours(72));
  ASSERT_OK(Handle(booked));
  ASSERT_THAT(MessagesOf("a1"), SizeIs(1));
  EXPECT_EQ(MessagesOf("a1")[0].kind, MessageKind::kReminder);
  EXPECT_EQ(Send(), 0);
}

TEST_F(CitizenMessagesTest, ACitizenWhoAskedToBeCalledGetsNoMessage) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start, PreferredContact::kPhoneCall);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  EXPECT_THAT(MessagesOf("a1"), IsEmpty());
}

TEST_F(CitizenMessagesTest, SchedulingUnavailableLeavesTheEventForLater) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  source_.unavailable = true;
  EXPECT_FALSE(Handle(BookedEvent("a1", start)).ok());  // the consumer delivers it again
  EXPECT_THAT(MessagesOf("a1"), IsEmpty());
  source_.unavailable = false;
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  EXPECT_THAT(MessagesOf("a1"), SizeIs(2));
}

TEST_F(CitizenMessagesTest, ASendInterruptedByADeadSenderIsTakenUpAfterItsLease) {
  const absl::Time start = Local(2026, 12, 3, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  // A sender claims the confirmation and dies before recording anything.
  ASSERT_OK_AND_ASSIGN(std::vector<Message> claimed,
                       repository_->ClaimDue(kTenant, clock_.Now(), 10, absl::Minutes(5)));
  ASSERT_THAT(claimed, SizeIs(1));
  EXPECT_EQ(Send(), 0);  // another sender leaves it alone while the lease runs
  clock_.Advance(absl::Minutes(6));
  EXPECT_EQ(Send(), 1);
  EXPECT_THAT(email_.sent, SizeIs(1));
}

TEST_F(CitizenMessagesTest, TheComunesMessagesArePagedFailedFirstAndFilteredByState) {
  // Five bookings over a week: each a confirmation (sent now) and a reminder (later).
  for (int i = 0; i < 5; ++i) {
    const std::string id = absl::StrCat("a", i);
    const absl::Time start = Local(2026, 12, 3 + i, 9, 30);
    Booked(id, start);
    ASSERT_OK(Handle(BookedEvent(id, start)));
  }
  // Two confirmations fail for good, one for now; the other two are delivered.
  email_.answers = {{SendOutcome::kPermanentFailure, "SMTP_550"},
                    {SendOutcome::kTemporaryFailure, "SMTP_451"},
                    {SendOutcome::kAccepted, ""},
                    {SendOutcome::kPermanentFailure, "SMTP_550"}};
  EXPECT_EQ(Send(), 5);

  // Every page of two, through real page tokens, as the gRPC edge reads them.
  const auto list_all = [&](const std::vector<MessageState>& states) {
    std::vector<Message> all;
    std::string token;
    for (int pages = 0; pages < 20; ++pages) {
      absl::StatusOr<api::PageRequest> page = api::ReadPageRequest(
          2, token, "filter", {api::KeyPart::kInt64, api::KeyPart::kInt64, api::KeyPart::kId});
      EXPECT_OK(page.status());
      if (!page.ok()) break;
      absl::StatusOr<api::Page<Message>> listed = repository_->List(kTenant, "", states, *page);
      EXPECT_OK(listed.status());
      if (!listed.ok()) break;
      EXPECT_LE(listed->items.size(), 2u);
      all.insert(all.end(), listed->items.begin(), listed->items.end());
      token = api::NextPageToken(*listed, *page, [](const Message& m) {
        return api::PageKey{IsFailure(m.state) ? "0" : "1",
                            absl::StrCat(absl::ToUnixMicros(m.send_after)), m.message_id};
      });
      if (token.empty()) break;
    }
    return all;
  };
  const std::vector<Message> all = list_all({});
  ASSERT_THAT(all, SizeIs(10));
  std::set<std::string> ids;
  for (const Message& m : all) ids.insert(m.message_id);
  EXPECT_THAT(ids, SizeIs(10));  // none twice
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(IsFailure(all[i].state), i < 3) << i;  // the three failures first
    if (i > 0 && IsFailure(all[i].state) == IsFailure(all[i - 1].state)) {
      EXPECT_LE(all[i - 1].send_after, all[i].send_after) << i;
    }
  }
  const std::vector<Message> permanent = list_all({MessageState::kPermanentFailure});
  ASSERT_THAT(permanent, SizeIs(2));
  EXPECT_EQ(permanent[0].last_reason, "SMTP_550");
  EXPECT_THAT(list_all({MessageState::kCreated, MessageState::kDelivered}), SizeIs(7));

  // One appointment's, through the same query.
  ASSERT_OK_AND_ASSIGN(
      api::PageRequest first,
      api::ReadPageRequest(0, "", "f",
                           {api::KeyPart::kInt64, api::KeyPart::kInt64, api::KeyPart::kId}));
  ASSERT_OK_AND_ASSIGN(api::Page<Message> one, repository_->List(kTenant, "a0", {}, first));
  ASSERT_THAT(one.items, SizeIs(2));
  EXPECT_EQ(one.items[0].kind, MessageKind::kConfirmation);  // failed: first
  EXPECT_FALSE(one.more);
  // Another comune sees none of them.
  ASSERT_OK_AND_ASSIGN(api::Page<Message> lucca, repository_->List("lucca", "", {}, first));
  EXPECT_THAT(lucca.items, IsEmpty());
}

ev1::Event ClosureEvent(absl::Time now, absl::CivilDay first, absl::CivilDay last,
                        ev1::CitizenNotice notice, const std::string& desk = "sede") {
  ev1::Event event =
      events::NewEvent("capannori", "tenants/capannori/desks/" + desk + "/closures/c1", now);
  ev1::ClosureChanged* closure = event.mutable_closure_changed();
  closure->set_change(ev1::CHANGE_UPSERTED);
  closure->set_desk("tenants/capannori/desks/" + desk);
  *closure->mutable_start_date() = api::ToDate(first);
  *closure->mutable_end_date() = api::ToDate(last);
  closure->set_citizen_notice(notice);
  return event;
}

TEST_F(CitizenMessagesTest, ACitizenBookedOnAClosedDayIsToldItWillBeMovedAndGetsNoReminder) {
  const absl::Time on_closed_day = Local(2026, 12, 4, 9, 30);
  Booked("closed1", on_closed_day);
  Booked("closed2", on_closed_day + absl::Hours(2), PreferredContact::kPhoneCall);
  Booked("open", Local(2026, 12, 7, 9, 30));
  for (const char* id : {"closed1", "closed2", "open"}) {
    ASSERT_OK(Handle(BookedEvent(id, source_.appointments[std::string("capannori/") + id].start)));
  }
  EXPECT_EQ(Send(), 2);  // the confirmations (the one who wants a phone call gets none)
  const ev1::Event closure = ClosureEvent(clock_.Now(), absl::CivilDay(2026, 12, 4),
                                          absl::CivilDay(2026, 12, 5), ev1::CITIZEN_NOTICE_MOVED);
  ASSERT_OK(Handle(closure));
  ASSERT_OK(Handle(closure));  // delivered again: nothing more
  const Message* moved = Find("closed1", MessageKind::kClosureMoved);
  ASSERT_NE(moved, nullptr);
  EXPECT_EQ(Find("closed1", MessageKind::kReminder)->state, MessageState::kDropped);
  EXPECT_EQ(Find("closed2", MessageKind::kClosureMoved), nullptr);
  EXPECT_EQ(Find("open", MessageKind::kClosureMoved), nullptr);
  EXPECT_EQ(Find("open", MessageKind::kReminder)->state, MessageState::kCreated);

  EXPECT_EQ(Send(), 1);
  ASSERT_THAT(email_.sent, SizeIs(3));
  EXPECT_EQ(email_.sent[2].subject, "Comune di Capannori: sportello chiuso");
  EXPECT_THAT(email_.sent[2].body, ::testing::HasSubstr("venerdì 4 dicembre 2026"));
  EXPECT_THAT(email_.sent[2].body, ::testing::HasSubstr("spostato"));
}

TEST_F(CitizenMessagesTest, AClosureTellsWhatTheAdministratorChoseOrNothing) {
  const absl::Time start = Local(2026, 12, 4, 9, 30);
  Booked("a1", start);
  ASSERT_OK(Handle(BookedEvent("a1", start)));
  Send();
  const absl::CivilDay day(2026, 12, 4);
  ASSERT_OK(Handle(ClosureEvent(clock_.Now(), day, day, ev1::CITIZEN_NOTICE_NONE)));
  ASSERT_OK(Handle(ClosureEvent(clock_.Now(), day, day, ev1::CITIZEN_NOTICE_CANCELLED, "marlia")));
  EXPECT_THAT(MessagesOf("a1"), SizeIs(2));  // another desk's closure is not hers
  ASSERT_OK(Handle(ClosureEvent(clock_.Now(), day, day, ev1::CITIZEN_NOTICE_CANCELLED)));
  ASSERT_NE(Find("a1", MessageKind::kClosureCancelled), nullptr);
  EXPECT_EQ(Send(), 1);
  EXPECT_EQ(email_.sent.back().subject, "Comune di Capannori: appuntamento annullato");
  // Scheduling unavailable: the event comes again later.
  source_.unavailable = true;
  EXPECT_FALSE(Handle(ClosureEvent(clock_.Now(), day, day, ev1::CITIZEN_NOTICE_MOVED)).ok());
}

TEST_F(CitizenMessagesTest, RetentionDeletesOnlyMessagesThatCanNoLongerBeSent) {
  const absl::Time soon = Local(2026, 12, 3, 9, 30);
  const absl::Time far = Local(2027, 3, 10, 9, 30);  // 100 days ahead
  Booked("soon", soon);
  Booked("far", far);
  ASSERT_OK(Handle(BookedEvent("soon", soon)));
  ASSERT_OK(Handle(BookedEvent("far", far)));
  EXPECT_EQ(Send(), 2);  // both confirmations
  const pg::RetentionStep step = MessagesRetention(absl::Hours(24 * 90));
  const auto maintain = [&](absl::Time now) {
    absl::StatusOr<int> deleted = pool_->RunInTenantTransaction(
        kTenant, [&](pqxx::work& tx) { return step.run(tx, kTenant, now, 100); });
    EXPECT_OK(deleted.status());  // as the runtime role, which `maintain` runs as
    return deleted.ok() ? *deleted : -1;
  };
  EXPECT_EQ(maintain(clock_.Now() + absl::Hours(24 * 30)), 0);
  // 95 days on: the first appointment's confirmation and reminder (past) go; the far one's
  // confirmation too, but not its reminder, still to be sent in five days.
  EXPECT_EQ(maintain(clock_.Now() + absl::Hours(24 * 95)), 3);
  EXPECT_THAT(MessagesOf("soon"), IsEmpty());
  ASSERT_THAT(MessagesOf("far"), SizeIs(1));
  EXPECT_EQ(MessagesOf("far")[0].kind, MessageKind::kReminder);

  // The short cancel links: the one of the appointment left without messages goes, the far
  // one's stays while its reminder is kept.
  const pg::RetentionStep links = CancelLinksRetention(absl::Hours(24 * 90));
  const auto codes = [&] {
    absl::StatusOr<std::vector<std::string>> found = pool_->RunInTenantTransaction(
        kTenant, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<std::string>> {
          std::vector<std::string> out;
          for (const auto& row : tx.exec("SELECT appointment_id FROM notifications.cancel_links "
                                         "ORDER BY appointment_id")) {
            out.push_back(row[0].as<std::string>());
          }
          return out;
        });
    EXPECT_OK(found.status());
    return found.value_or(std::vector<std::string>{});
  };
  EXPECT_THAT(codes(), ElementsAre("far", "soon"));
  ASSERT_OK_AND_ASSIGN(int deleted, pool_->RunInTenantTransaction(kTenant, [&](pqxx::work& tx) {
    return links.run(tx, kTenant, clock_.Now() + absl::Hours(24 * 95), 100);
  }));
  EXPECT_EQ(deleted, 1);
  EXPECT_THAT(codes(), ElementsAre("far"));
}

}  // namespace
}  // namespace sportelli::notifications
