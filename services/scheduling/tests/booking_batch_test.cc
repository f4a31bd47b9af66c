// Bookings written together (SchedulingRepository::CreateAppointments and BookingCombiner)
// against the real PostgreSQL: each attempt of a batch is answered as if those before it had
// run alone (seats, the citizen's limit, retries), a batch that books nothing writes nothing,
// and under a crowd of concurrent callers batches do form while no slot takes more than its
// seats.
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/cancel_token.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;
using ::sportelli::testing::StatusIs;

class BookingBatchTest : public SchedulingTest {
 protected:
  // An attempt as BookingService makes it, for the "sede" desk (3 seats, 09:00-12:00).
  SchedulingRepository::BookingAttempt Attempt(absl::Time start, int citizen,
                                               const std::string& request_id = "") {
    SchedulingRepository::BookingAttempt attempt;
    Appointment& a = attempt.booking.appointment;
    a.tenant_id = tenant_;
    a.id = crypto::RandomResourceId("a");
    a.desk_id = "sede";
    a.service_id = "colloquio";
    a.start = start;
    a.end = start + absl::Minutes(30);
    a.local_day = LocalDayOf(start, Rome());
    a.channel = Channel::kWeb;
    a.state = AppointmentState::kBooked;
    a.citizen.given_name = "Maria";
    a.citizen.family_name = "D'Angelo";
    a.citizen.codice_fiscale = CodiceFiscale(citizen);
    a.citizen.phone_e164 = "+393331234567";
    a.citizen.preferred_contact = ContactChannel::kSms;
    a.citizen.privacy_notice_acknowledged = true;
    a.create_time = clock_.Now();
    a.update_time = clock_.Now();
    attempt.booking.citizen_index =
        citizen::CitizenIndex(*secret_, tenant_, a.citizen.codice_fiscale);
    attempt.booking.cancel_token_hash = crypto::Sha256(CancelToken(*secret_, tenant_, a.id));
    attempt.booking.who = {
        "portale", {"portal"}, tenant_, audit::Purpose::kCitizenRequest, request_id};
    attempt.booking.max_future_appointments = 3;
    const absl::CivilDay day = LocalDayOf(start, Rome());
    SlotPolicy policy;
    policy.duration = absl::Minutes(30);
    policy.capacity = 3;
    attempt.rules.policy = policy;
    attempt.rules.open = {
        {absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 9, 0), Rome()),
         absl::FromCivil(absl::CivilMinute(day.year(), day.month(), day.day(), 12, 0), Rome())}};
    attempt.rules.now = clock_.Now();
    attempt.key = {request_id, "CreateAppointment", absl::StrCat("fingerprint ", citizen)};
    attempt.encode = &encode_;
    return attempt;
  }

  std::string Text(const std::string& sql) {
    absl::StatusOr<std::string> text =
        admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<std::string> {
          return tx.exec_params(sql, tenant_)[0][0].as<std::string>();
        });
    EXPECT_OK(text.status());
    return text.value_or("");
  }

  int Count(const std::string& sql) {
    absl::StatusOr<int> count =
        admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<int> {
          return tx.exec_params(sql, tenant_)[0][0].as<int>();
        });
    EXPECT_OK(count.status());
    return count.value_or(-1);
  }

  const pg::ResponseEncoder<Appointment> encode_ = [](const Appointment& a) { return a.id; };
};

TEST_F(BookingBatchTest, EachAttemptIsAnsweredAsIfThoseBeforeItHadRunAlone) {
  const absl::Time full = SlotStart(3, 0), other = SlotStart(3, 1);
  std::vector<SchedulingRepository::BookingAttempt> batch;
  for (int citizen = 1; citizen <= 5; ++citizen) {
    batch.push_back(Attempt(full, citizen, absl::StrCat("req-", citizen)));
  }
  // Citizen 9 books four slots: the fourth is one too many.
  for (int slot = 1; slot <= 4; ++slot) batch.push_back(Attempt(SlotStart(3 + slot, 2), 9));
  batch.push_back(Attempt(other, 6));

  ASSERT_OK_AND_ASSIGN(auto answers, repository_->CreateAppointments(batch));
  ASSERT_EQ(answers.size(), batch.size());
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(answers[i]);
    EXPECT_EQ(answers[i]->value->id, batch[i].booking.appointment.id);
  }
  EXPECT_THAT(answers[3], StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  EXPECT_THAT(answers[4], StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  for (int i = 5; i < 8; ++i) EXPECT_OK(answers[i]);
  EXPECT_THAT(answers[8],
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_FUTURE_APPOINTMENTS"));
  EXPECT_OK(answers[9]);

  EXPECT_EQ(BookedAt("sede", full), 3);
  EXPECT_EQ(BookedAt("sede", other), 1);
  // What a single booking writes, for each booking made and no other.
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.appointments WHERE tenant_id = $1"), 7);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.outbox WHERE tenant_id = $1"), 7);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.audit_events WHERE tenant_id = $1 AND "
                  "action = 'CREATE'"),
            7);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.request_ids WHERE tenant_id = $1"), 3);

  // The citizens read back as written (their keys made in the batch).
  v1::GetAppointmentRequest get;
  get.set_name(absl::StrCat("tenants/", tenant_, "/appointments/", answers[0]->value->id));
  v1::Appointment read;
  ASSERT_TRUE(Call(&Stub::GetAppointment, Operator(), get, &read).ok());
  EXPECT_EQ(read.citizen().family_name(), "D'Angelo");
  EXPECT_EQ(read.citizen().codice_fiscale(), CodiceFiscale(1));
}

TEST_F(BookingBatchTest, RetriesInABatchGetTheirFirstReplyAndAReusedIdIsRefused) {
  const absl::Time start = SlotStart(3, 0);
  SchedulingRepository::BookingAttempt first = Attempt(start, 1, "req-1");
  ASSERT_OK_AND_ASSIGN(auto once, repository_->CreateAppointments({first}));
  ASSERT_OK(once[0]);

  SchedulingRepository::BookingAttempt retry = Attempt(start, 1, "req-1");
  SchedulingRepository::BookingAttempt reused = Attempt(start, 2, "req-1");
  reused.key.request_id = "req-1";
  reused.key.fingerprint = "something else";
  SchedulingRepository::BookingAttempt fresh = Attempt(start, 3, "req-3");
  ASSERT_OK_AND_ASSIGN(auto answers, repository_->CreateAppointments({retry, fresh}));
  ASSERT_OK(answers[0]);
  EXPECT_FALSE(answers[0]->value.has_value());
  EXPECT_EQ(answers[0]->replayed_response, first.booking.appointment.id);
  EXPECT_OK(answers[1]);
  ASSERT_OK_AND_ASSIGN(auto again, repository_->CreateAppointments({reused}));
  EXPECT_THAT(again[0], StatusIs(absl::StatusCode::kInvalidArgument, "REQUEST_ID_REUSED"));
  EXPECT_EQ(BookedAt("sede", start), 2);
}

TEST_F(BookingBatchTest, ABatchThatBooksNothingWritesNothing) {
  const absl::Time start = SlotStart(3, 0);
  std::vector<SchedulingRepository::BookingAttempt> fill;
  for (int citizen = 1; citizen <= 3; ++citizen) fill.push_back(Attempt(start, citizen));
  ASSERT_OK(repository_->CreateAppointments(fill).status());
  // A committed batch would have stamped the capacity rows it locked.
  const std::string kLastLock =
      "SELECT max(locked_at)::text FROM scheduling.capacity_locks WHERE tenant_id = $1";
  const std::string locked_before = Text(kLastLock);
  clock_.Advance(absl::Seconds(1));
  absl::SleepFor(absl::Milliseconds(20));  // PostgreSQL's now() moves on too
  ASSERT_OK_AND_ASSIGN(auto answers, repository_->CreateAppointments(
                                         {Attempt(start, 4, "req-4"), Attempt(start, 5)}));
  EXPECT_THAT(answers[0], StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  EXPECT_THAT(answers[1], StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.request_ids WHERE tenant_id = $1"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.outbox WHERE tenant_id = $1"), 3);
  EXPECT_EQ(Text(kLastLock), locked_before);
}

TEST_F(BookingBatchTest, ACrowdIsWrittenInBatchesAndNoSlotTakesMoreThanItsSeats) {
  // 300 callers at once over 20 slots of 3 seats: 60 bookings, the rest SLOT_FULL.
  const std::string token = Portal();
  std::vector<v1::CreateAppointmentRequest> requests;
  for (int i = 0; i < 300; ++i) requests.push_back(Booking("sede", SlotStart(3 + i % 4, i % 5), i));
  EXPECT_EQ(ConfirmedOthersSlotFull(BookAllAtOnce(requests, token)), 60);
  for (int day = 3; day < 7; ++day) {
    for (int slot = 0; slot < 5; ++slot) EXPECT_EQ(BookedAt("sede", SlotStart(day, slot)), 3);
  }
  EXPECT_GT(booking_->combiner().attempts_batched(), 0);
  EXPECT_EQ(booking_->combiner().batches_failed(), 0);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
