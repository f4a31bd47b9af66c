// Service tests of SchedulingService against real PostgreSQL and Redis (scheduling_fixture.h):
// the invariants of ARCHITECTURE.md §4 tried by breaking them (concurrent bookings on the last
// seats, concurrent retries, concurrent reschedules), the cache, holds, the state machine, the
// walk-in queue, and cross-tenant and bad-input tables over every RPC.
#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/proto_mapping.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/eventually.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using ::sportelli::testing::Eventually;
using ::testing::Contains;
using ::testing::Each;
using ::testing::ElementsAre;
using ::testing::Eq;
using Stub = v1::SchedulingService::Stub;

TEST_F(SchedulingTest, TwoHundredConcurrentBookingsOnThreeSeatsConfirmExactlyThree) {
  const absl::Time start = SlotStart(3, 2);
  const std::string token = Portal();
  std::vector<v1::CreateAppointmentRequest> requests;
  for (int i = 0; i < 200; ++i) requests.push_back(Booking("sede", start, i));
  EXPECT_EQ(ConfirmedOthersSlotFull(BookAllAtOnce(requests, token)), 3);
  EXPECT_EQ(BookedAt("sede", start), 3);
  EXPECT_EQ(Seats("sede", start, v1::CHANNEL_WEB)[start], 0);
}

TEST_F(SchedulingTest, OneRequestIdSentTwentyTimesAtOnceBooksOnceWithIdenticalReplies) {
  const absl::Time start = SlotStart(3, 0);
  const v1::CreateAppointmentRequest request = Booking("sede", start, 1);
  const std::string token = Portal();
  std::vector<v1::Appointment> replies(20);
  std::vector<grpc::Status> results(20);
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back(
        [&, i] { results[i] = Call(&Stub::CreateAppointment, token, request, &replies[i]); });
  }
  for (std::thread& t : threads) t.join();
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(results[i].ok()) << results[i].error_message();
    EXPECT_EQ(replies[i].SerializeAsString(), replies[0].SerializeAsString());
  }
  EXPECT_FALSE(replies[0].cancel_token().empty());
  EXPECT_EQ(BookedAt("sede", start), 1);
}

TEST_F(SchedulingTest, ARetryOfTheBookingThatTookTheLastSeatGetsItsFirstReply) {
  // The cache knows the slot is full (it is listed after the booking), so other attempts are
  // turned away without a transaction; the retry must still get its booking back.
  const absl::Time start = SlotStart(3, 1);
  const v1::CreateAppointmentRequest request = Booking("solo", start, 1);
  v1::Appointment first, retry, other;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), request, &first).ok());
  EXPECT_EQ(Seats("solo", start, v1::CHANNEL_WEB)[start], 0);
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), request, &retry).ok());
  EXPECT_EQ(retry.SerializeAsString(), first.SerializeAsString());
  const Failure failure =
      Decode(Call(&Stub::CreateAppointment, Portal(), Booking("solo", start, 2), &other));
  EXPECT_EQ(failure.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(failure.reason, "SLOT_FULL");
  // Cancelled: the seat is offered and booked again at once (the cache is not trusted to say
  // full after a write).
  v1::CancelAppointmentRequest cancel;
  cancel.set_name(first.name());
  v1::Appointment cancelled;
  ASSERT_TRUE(Call(&Stub::CancelAppointment, Operator(), cancel, &cancelled).ok());
  EXPECT_TRUE(Call(&Stub::CreateAppointment, Portal(), Booking("solo", start, 3), &other).ok());
  EXPECT_EQ(BookedAt("solo", start), 1);
}

TEST_F(SchedulingTest, ARequestIdReusedForAnotherBookingIsRefusedAndChangesNothing) {
  v1::CreateAppointmentRequest first = Booking("sede", SlotStart(3, 0), 1);
  v1::Appointment reply;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), first, &reply).ok());
  v1::CreateAppointmentRequest other = Booking("sede", SlotStart(3, 1), 2);
  other.set_request_id(first.request_id());
  const Failure failure = Decode(Call(&Stub::CreateAppointment, Portal(), other, &reply));
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(failure.reason, "REQUEST_ID_REUSED");
  EXPECT_EQ(BookedAt("sede", SlotStart(3, 1)), 0);
}

TEST_F(SchedulingTest, ConcurrentReschedulesIntoTheLastSeatOneWinsTheOthersKeepTheirSlot) {
  // Desk "solo" has one seat per slot. Five citizens at 09:30..11:30; all move to 09:00.
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    v1::Appointment made;
    ASSERT_TRUE(
        Call(&Stub::CreateAppointment, Operator(), Booking("solo", SlotStart(4, i + 1), i), &made)
            .ok());
    names.push_back(made.name());
  }
  const absl::Time target = SlotStart(4, 0);
  std::vector<grpc::Status> results(5);
  std::vector<std::thread> threads;
  const std::string token = Operator();
  for (int i = 0; i < 5; ++i) {
    threads.emplace_back([&, i] {
      v1::RescheduleAppointmentRequest request;
      request.set_name(names[i]);
      api::ToTimestamp(target, request.mutable_start_time());
      request.set_request_id(crypto::RandomUuid());
      v1::Appointment moved;
      results[i] = Call(&Stub::RescheduleAppointment, token, request, &moved);
    });
  }
  for (std::thread& t : threads) t.join();
  int winners = 0;
  for (int i = 0; i < 5; ++i) {
    v1::GetAppointmentRequest get;
    get.set_name(names[i]);
    v1::Appointment now;
    ASSERT_TRUE(Call(&Stub::GetAppointment, Operator(), get, &now).ok());
    if (results[i].ok()) {
      ++winners;
      EXPECT_EQ(now.start_time().seconds(), absl::ToUnixSeconds(target));
    } else {
      EXPECT_EQ(Decode(results[i]).reason, "SLOT_FULL");
      EXPECT_EQ(now.start_time().seconds(), absl::ToUnixSeconds(SlotStart(4, i + 1)));
    }
  }
  EXPECT_EQ(winners, 1);
  EXPECT_EQ(BookedAt("solo", target), 1);
}

TEST_F(SchedulingTest, TheRuntimeRoleCannotSwitchOffRowLevelSecurityOrWipeATable) {
  // Tables with rows to lose: a booking, its request id and its event.
  v1::Appointment made;
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 0), 1), &made).ok());
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, "scheduling");
  EXPECT_EQ(BookedAt("sede", SlotStart(3, 0)), 1);
}

TEST_F(SchedulingTest, ABookingWhoseDeadlinePassesWhileItWaitsWritesNothing) {
  const absl::Time start = SlotStart(3, 2);
  const v1::CreateAppointmentRequest request = Booking("sede", start, 11);
  // Another session blocks every insert into appointments, as a long migration would.
  pqxx::connection holder(db_->admin_dsn());
  pqxx::work lock(holder);
  lock.exec("LOCK TABLE scheduling.appointments IN SHARE MODE");

  grpc::ClientContext context;
  context.set_deadline(server::DeadlineAfter(absl::Milliseconds(500)));
  context.AddMetadata("authorization", "Bearer " + Operator());
  v1::Appointment late;
  const grpc::Status status = stub_->CreateAppointment(&context, request, &late);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED) << status.error_message();

  // The server gave up too (its statement bounded by the caller's deadline): once nothing of
  // the runtime role waits on the lock any more, releasing it lets no late insert through.
  int waiting = -1;
  for (int attempt = 0; attempt < 200 && waiting != 0; ++attempt) {
    pqxx::connection watcher(db_->admin_dsn());
    pqxx::nontransaction query(watcher);
    waiting = query
                  .exec_params(
                      "SELECT count(*) FROM pg_stat_activity WHERE usename = $1 AND "
                      "wait_event_type = 'Lock'",
                      db_->runtime_role())[0][0]
                  .as<int>();
    if (waiting != 0) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_EQ(waiting, 0) << "the booking still waits on the lock after its deadline";
  lock.commit();
  EXPECT_EQ(BookedAt("sede", start), 0);
  // Nor was the request id recorded: the caller's retry books, once.
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Operator(), request, &made).ok());
  EXPECT_EQ(BookedAt("sede", start), 1);
}

TEST_F(SchedulingTest, ABookingLowersTheCachedAvailabilityAtOnce) {
  const absl::Time start = SlotStart(5, 1);
  EXPECT_EQ(Seats("sede", start, v1::CHANNEL_WEB)[start], 3);
  // The day is now in Redis.
  const std::string key = AvailabilityCacheKey(
      tenant_, "sede", "colloquio", absl::ToCivilDay(start, Rome()), kAvailabilityCacheVersion);
  ASSERT_OK_AND_ASSIGN(redis::Reply cached, redis_->Command({"EXISTS", key}));
  EXPECT_EQ(cached.integer(), 1);
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), Booking("sede", start, 7), &made).ok());
  EXPECT_EQ(Seats("sede", start, v1::CHANNEL_WEB)[start], 2);
  // A 60-minute service on the same desk sees the seat taken too (capacity is the desk's).
  v1::ListAvailableSlotsRequest request;
  request.set_desk(DeskName("sede"));
  request.set_service(absl::StrCat("tenants/", tenant_, "/services/lungo"));
  *request.mutable_start_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
  *request.mutable_end_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
  request.set_channel(v1::CHANNEL_WEB);
  request.set_include_full(true);
  v1::ListAvailableSlotsResponse response;
  ASSERT_TRUE(Call(&Stub::ListAvailableSlots, Portal(), request, &response).ok());
  ASSERT_GE(response.slots_size(), 1);
  EXPECT_EQ(response.slots(0).start_time().seconds(), absl::ToUnixSeconds(SlotStart(5, 0)));
  EXPECT_EQ(response.slots(0).remaining_capacity(), 2);  // 09:00-10:00 overlaps 09:30
}

TEST_F(SchedulingTest, PhoneAndDeskKeepTheirShareFromTheWeb) {
  // Five seats, 20 % each kept for the phone and the desk: the web sees three.
  directory_.AddDesk(tenant_, "grande", tenants_client::DeskInfo{5, true, false, {"colloquio"}});
  const absl::Time start = SlotStart(5, 0);
  EXPECT_EQ(Seats("grande", start, v1::CHANNEL_WEB)[start], 3);
  EXPECT_EQ(Seats("grande", start, v1::CHANNEL_PHONE)[start], 4);
  // The portal cannot book as the phone line.
  v1::Appointment made;
  const Failure failure = Decode(Call(&Stub::CreateAppointment, Portal(),
                                      Booking("grande", start, 1, v1::CHANNEL_PHONE), &made));
  EXPECT_EQ(failure.code, grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SchedulingTest, AComuneWithAWaitingRoomTakesWebBookingsOnlyWithAnAdmission) {
  BookingRules rules;
  rules.waiting_room_comuni = {tenant_};
  rules.waiting_room = {.admissions_per_second = 1000, .admission_ttl = absl::Minutes(5)};
  StartServer(rules);
  directory_.AddDesk(tenant_, "grande", tenants_client::DeskInfo{5, true, false, {"colloquio"}});
  const absl::Time start = SlotStart(3, 0);

  // Without an admission: refused before anything is written.
  v1::Appointment made;
  v1::CreateAppointmentRequest booking = Booking("grande", start, 1);
  Failure refused = Decode(Call(&Stub::CreateAppointment, Portal(), booking, &made));
  EXPECT_EQ(refused.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(refused.reason, "ADMISSION_REQUIRED");
  EXPECT_EQ(BookedAt("grande", start), 0);

  // The citizen enters the line; at a thousand a second, their turn comes at once.
  v1::EnterQueueRequest enter;
  enter.set_parent(absl::StrCat("tenants/", tenant_));
  enter.set_codice_fiscale(CodiceFiscale(1));
  v1::QueuePlace place;
  ASSERT_TRUE(Eventually(
      [&] { return Call(&Stub::EnterQueue, Portal(), enter, &place).ok() && place.admitted(); }));
  EXPECT_TRUE(place.queue_open());
  EXPECT_GT(place.admission_expire_time().seconds(), absl::ToUnixSeconds(clock_.Now()));

  // A hold and then the booking with it; a retry gets the first reply.
  v1::HoldSlotRequest hold_request;
  hold_request.set_parent(absl::StrCat("tenants/", tenant_));
  hold_request.set_desk(DeskName("grande"));
  hold_request.set_service(ServiceName());
  api::ToTimestamp(start, hold_request.mutable_start_time());
  hold_request.set_channel(v1::CHANNEL_WEB);
  hold_request.set_codice_fiscale(CodiceFiscale(1));
  v1::Hold hold;
  EXPECT_EQ(Decode(Call(&Stub::HoldSlot, Portal(), hold_request, &hold)).reason,
            "ADMISSION_REQUIRED");
  hold_request.set_admission(place.admission());
  ASSERT_TRUE(Call(&Stub::HoldSlot, Portal(), hold_request, &hold).ok());
  booking.set_hold(hold.name());
  booking.set_admission(place.admission());
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), booking, &made).ok());
  v1::Appointment again;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), booking, &again).ok());
  EXPECT_EQ(again.name(), made.name());

  // The admission served once: not for a second booking, nor for another citizen.
  v1::CreateAppointmentRequest second = Booking("grande", SlotStart(3, 1), 1);
  second.set_admission(place.admission());
  EXPECT_EQ(Decode(Call(&Stub::CreateAppointment, Portal(), second, &made)).reason,
            "ADMISSION_REQUIRED");

  // Staff on the phone line, and another comune without a room, book without one.
  EXPECT_TRUE(Call(&Stub::CreateAppointment, Operator(),
                   Booking("grande", start, 2, v1::CHANNEL_PHONE), &made)
                  .ok());
  v1::EnterQueueRequest elsewhere = enter;
  elsewhere.set_parent(absl::StrCat("tenants/", other_tenant_));
  ASSERT_TRUE(Call(&Stub::EnterQueue, Token(other_tenant_, {"portal"}), elsewhere, &place).ok());
  EXPECT_FALSE(place.queue_open());
  // The line is the portals': staff do not stand in it, and a comune's portal only in its own.
  EXPECT_EQ(Decode(Call(&Stub::EnterQueue, Operator(), enter, &place)).code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Decode(Call(&Stub::EnterQueue, Portal(), elsewhere, &place)).code,
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(SchedulingTest, AHoldTakesASeatUntilItIsUsedOrExpires) {
  BookingRules rules;
  rules.hold_ttl = absl::Seconds(2);
  StartServer(rules);
  const absl::Time start = SlotStart(3, 3);
  v1::HoldSlotRequest hold_request;
  hold_request.set_parent(absl::StrCat("tenants/", tenant_));
  hold_request.set_desk(DeskName("solo"));
  hold_request.set_service(ServiceName());
  api::ToTimestamp(start, hold_request.mutable_start_time());
  hold_request.set_channel(v1::CHANNEL_WEB);
  hold_request.set_request_id(crypto::RandomUuid());
  v1::Hold hold;
  // A hold names its citizen.
  const Failure nameless = Decode(Call(&Stub::HoldSlot, Portal(), hold_request, &hold));
  EXPECT_EQ(nameless.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(nameless), ElementsAre("codice_fiscale"));
  hold_request.set_codice_fiscale(CodiceFiscale(2));
  ASSERT_TRUE(Call(&Stub::HoldSlot, Portal(), hold_request, &hold).ok());
  EXPECT_EQ(Seats("solo", start, v1::CHANNEL_WEB)[start], 0);

  // Someone else cannot take the held seat, nor use the hold; its citizen can.
  v1::Appointment made;
  EXPECT_EQ(
      Decode(Call(&Stub::CreateAppointment, Portal(), Booking("solo", start, 1), &made)).reason,
      "SLOT_FULL");
  v1::CreateAppointmentRequest not_theirs = Booking("solo", start, 1);
  not_theirs.set_hold(hold.name());
  EXPECT_EQ(Decode(Call(&Stub::CreateAppointment, Portal(), not_theirs, &made)).reason,
            "HOLD_NOT_USABLE");
  v1::CreateAppointmentRequest with_hold = Booking("solo", start, 2);
  with_hold.set_hold(hold.name());
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), with_hold, &made).ok());
  // A used hold cannot be used twice.
  with_hold.set_request_id(crypto::RandomUuid());
  EXPECT_EQ(Decode(Call(&Stub::CreateAppointment, Portal(), with_hold, &made)).reason,
            "HOLD_NOT_USABLE");

  // Another slot: a hold nobody uses frees its seat when it expires.
  const absl::Time later = SlotStart(3, 4);
  api::ToTimestamp(later, hold_request.mutable_start_time());
  hold_request.set_request_id(crypto::RandomUuid());
  hold_request.set_codice_fiscale(CodiceFiscale(3));
  ASSERT_TRUE(Call(&Stub::HoldSlot, Portal(), hold_request, &hold).ok());
  EXPECT_EQ(Seats("solo", later, v1::CHANNEL_WEB)[later], 0);
  clock_.Advance(absl::Milliseconds(2500));
  EXPECT_EQ(Seats("solo", later, v1::CHANNEL_WEB)[later], 1);
  EXPECT_TRUE(Call(&Stub::CreateAppointment, Portal(), Booking("solo", later, 3), &made).ok());
}

TEST_F(SchedulingTest, NeitherAVisitorInventingCitizensNorOneCitizenKeepsMoreThanItsCap) {
  // One portal visitor asks for twelve seats at once, each for an invented citizen; then one
  // citizen asks through six visitors at once. The defaults allow three seats per caller and
  // one per citizen.
  auto hold = [&](int slot, int citizen, const std::string& visitor) {
    v1::HoldSlotRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.set_desk(DeskName("sede"));
    request.set_service(ServiceName());
    api::ToTimestamp(SlotStart(3 + slot / 6, slot % 6), request.mutable_start_time());
    request.set_channel(v1::CHANNEL_WEB);
    request.set_request_id(crypto::RandomUuid());
    request.set_codice_fiscale(CodiceFiscale(citizen));
    v1::Hold out;
    return Call(&Stub::HoldSlot, Portal(), request, &out, visitor);
  };
  auto kept = [](const std::vector<grpc::Status>& results) {
    return OkOthersRefused(results, grpc::StatusCode::RESOURCE_EXHAUSTED, "TOO_MANY_HOLDS");
  };
  EXPECT_EQ(kept(AllAtOnce(12, [&](int i) { return hold(i, 100 + i, "203.0.113.9"); })), 3);
  EXPECT_EQ(
      kept(AllAtOnce(6, [&](int i) { return hold(12 + i, 200, absl::StrCat("198.51.100.", i)); })),
      1);
  absl::StatusOr<int> rows =
      admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<int> {
        return tx
            .exec_params("SELECT count(*) FROM scheduling.holds WHERE tenant_id = $1",
                         tenant_)[0][0]
            .as<int>();
      });
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, 4);
}

TEST_F(SchedulingTest, NobodyHoardsSlots) {
  for (int i = 0; i < 3; ++i) {
    v1::Appointment made;
    ASSERT_TRUE(
        Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(3, i), 42), &made).ok());
  }
  v1::Appointment made;
  const Failure failure =
      Decode(Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(3, 3), 42), &made));
  EXPECT_EQ(failure.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(failure.reason, "TOO_MANY_FUTURE_APPOINTMENTS");
  // Another citizen is not affected.
  EXPECT_TRUE(
      Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(3, 3), 43), &made).ok());
}

TEST_F(SchedulingTest, TheCitizenCancelsWithTheTokenAndTheSeatIsFree) {
  const absl::Time start = SlotStart(3, 0);
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Portal(), Booking("solo", start, 1), &made).ok());
  EXPECT_EQ(Seats("solo", start, v1::CHANNEL_WEB)[start], 0);
  v1::CancelAppointmentRequest cancel;
  cancel.set_name(made.name());
  cancel.set_cancel_token("not-the-token");
  v1::Appointment cancelled;
  EXPECT_EQ(Decode(Call(&Stub::CancelAppointment, Portal(), cancel, &cancelled)).code,
            grpc::StatusCode::NOT_FOUND);
  cancel.set_cancel_token(made.cancel_token());
  ASSERT_TRUE(Call(&Stub::CancelAppointment, Portal(), cancel, &cancelled).ok());
  EXPECT_EQ(cancelled.state(), v1::APPOINTMENT_STATE_CANCELLED);
  EXPECT_TRUE(cancelled.cancel_token().empty());
  EXPECT_EQ(Seats("solo", start, v1::CHANNEL_WEB)[start], 1);
  // The database holds a hash, never the token: not in the row, not in the recorded reply.
  absl::StatusOr<int> clear =
      admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<int> {
        return tx
            .exec_params(
                "SELECT (SELECT count(*) FROM scheduling.appointments a WHERE a::text LIKE '%' || "
                "$1 || "
                "'%') + (SELECT count(*) FROM scheduling.request_ids r WHERE encode(r.response, "
                "'escape') LIKE '%' || $1 || '%') + (SELECT count(*) FROM scheduling.request_ids)",
                made.cancel_token())[0][0]
            .as<int>();
      });
  ASSERT_OK(clear.status());
  EXPECT_EQ(*clear, 1);  // only the request id row itself
}

TEST_F(SchedulingTest, TheStateMachineOverGrpc) {
  const absl::Time start = SlotStart(3, 0);
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Operator(), Booking("sede", start, 1), &made).ok());
  v1::CompleteAppointmentRequest complete;
  complete.set_name(made.name());
  v1::Appointment after;
  Failure failure = Decode(Call(&Stub::CompleteAppointment, Operator(), complete, &after));
  EXPECT_EQ(failure.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(failure.reason, "ILLEGAL_TRANSITION");
  v1::CheckInAppointmentRequest check_in;
  check_in.set_name(made.name());
  EXPECT_EQ(Decode(Call(&Stub::CheckInAppointment, Operator(), check_in, &after)).reason,
            "TOO_EARLY_TO_CHECK_IN");
  clock_.Set(start - absl::Minutes(10));
  ASSERT_TRUE(Call(&Stub::CheckInAppointment, Operator(), check_in, &after).ok());
  EXPECT_EQ(after.state(), v1::APPOINTMENT_STATE_CHECKED_IN);
  ASSERT_TRUE(Call(&Stub::CompleteAppointment, Operator(), complete, &after).ok());
  EXPECT_EQ(after.state(), v1::APPOINTMENT_STATE_COMPLETED);
  v1::MarkNoShowRequest no_show;
  no_show.set_name(made.name());
  EXPECT_EQ(Decode(Call(&Stub::MarkNoShow, Operator(), no_show, &after)).reason,
            "ILLEGAL_TRANSITION");
}

TEST_F(SchedulingTest, WalkInsAndCheckedInCitizensAreCalledInTheOrderTheyBecameDue) {
  // Today 09:00-12:00 at "sede"; the clock at 09:50. A checked-in citizen of 10:00 arrived
  // early; walk-ins took tickets at 09:50 and 09:55; the 10:00 appointment becomes due at
  // 10:00, after both tickets.
  const absl::Time nine = SlotStart(0, 0);
  clock_.Set(nine - absl::Hours(3));  // booking needs two hours' notice
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Operator(),
                   Booking("sede", nine + absl::Minutes(60), 1, v1::CHANNEL_DESK), &made)
                  .ok());
  auto at = [&](absl::Duration after_nine) { clock_.Set(nine + after_nine); };
  at(absl::Minutes(50));
  v1::CheckInAppointmentRequest check_in;
  check_in.set_name(made.name());
  v1::Appointment checked;
  ASSERT_TRUE(Call(&Stub::CheckInAppointment, Operator(), check_in, &checked).ok());
  v1::CreateWalkInTicketRequest ticket_request;
  ticket_request.set_desk(DeskName("sede"));
  v1::WalkInTicket first, second;
  ASSERT_TRUE(Call(&Stub::CreateWalkInTicket, Operator(), ticket_request, &first).ok());
  at(absl::Minutes(55));
  ASSERT_TRUE(Call(&Stub::CreateWalkInTicket, Operator(), ticket_request, &second).ok());
  EXPECT_EQ(first.number(), 1);
  EXPECT_EQ(second.number(), 2);

  v1::ListQueueRequest list;
  list.set_desk(DeskName("sede"));
  v1::ListQueueResponse queue;
  ASSERT_TRUE(Call(&Stub::ListQueue, Operator(), list, &queue).ok());
  EXPECT_EQ(queue.checked_in_size(), 1);
  EXPECT_EQ(queue.waiting_size(), 2);

  v1::CallNextRequest next;
  next.set_desk(DeskName("sede"));
  next.set_operator_(absl::StrCat("tenants/", tenant_, "/operators/anna"));
  v1::CallNextResponse called;
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    called.Clear();
    ASSERT_TRUE(Call(&Stub::CallNext, Operator(), next, &called).ok());
    if (called.has_ticket()) order.push_back(absl::StrCat("ticket ", called.ticket().number()));
    if (called.has_appointment()) order.push_back("appointment");
  }
  EXPECT_THAT(order, ElementsAre("ticket 1", "ticket 2", "appointment"));
  // A walk-in-less desk refuses tickets.
  ticket_request.set_desk(DeskName("solo"));
  EXPECT_EQ(Decode(Call(&Stub::CreateWalkInTicket, Operator(), ticket_request, &first)).reason,
            "DESK_TAKES_NO_WALK_INS");
}

TEST_F(SchedulingTest, ListAppointmentsPagesThroughADay) {
  for (int i = 0; i < 5; ++i) {
    v1::Appointment made;
    ASSERT_TRUE(
        Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, i), i), &made)
            .ok());
  }
  v1::ListAppointmentsRequest request;
  request.set_desk(DeskName("sede"));
  *request.mutable_date() = api::ToDate(absl::ToCivilDay(SlotStart(3, 0), Rome()));
  request.set_page_size(2);
  std::vector<int64_t> starts;
  for (int page = 0; page < 5; ++page) {
    v1::ListAppointmentsResponse response;
    ASSERT_TRUE(Call(&Stub::ListAppointments, Operator(), request, &response).ok());
    for (const auto& a : response.appointments()) starts.push_back(a.start_time().seconds());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  ASSERT_EQ(starts.size(), 5u);
  EXPECT_TRUE(std::is_sorted(starts.begin(), starts.end()));
  request.set_page_token("");
  request.add_states(v1::APPOINTMENT_STATE_CANCELLED);
  v1::ListAppointmentsResponse none;
  ASSERT_TRUE(Call(&Stub::ListAppointments, Operator(), request, &none).ok());
  EXPECT_EQ(none.appointments_size(), 0);
}

TEST_F(SchedulingTest, BookingTimesAreCheckedAgainstTheGrid) {
  v1::Appointment made;
  EXPECT_EQ(Decode(Call(&Stub::CreateAppointment, Portal(),
                        Booking("sede", SlotStart(3, 0) + absl::Minutes(10), 1), &made))
                .reason,
            "NOT_A_SLOT");
  EXPECT_EQ(
      Decode(Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(-1, 0), 1), &made))
          .reason,
      "TOO_LATE");
  EXPECT_EQ(
      Decode(Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(70, 0), 1), &made))
          .reason,
      "OUTSIDE_BOOKING_WINDOW");
}

// ---- every RPC: another tenant's token, and bad input --------------------------------------

struct RpcCase {
  std::string method;
  std::function<grpc::Status(SchedulingTest*, Stub*, const std::string& token, bool valid)> call;
};

class RpcTableTest : public SchedulingTest {
 protected:
  // Each RPC with a well-formed request for tenant_ (valid) or an empty one (not valid).
  std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&, bool)>>> Rpcs(
      const std::string& appointment) {
    const std::string parent = absl::StrCat("tenants/", tenant_);
    const absl::Time start = SlotStart(3, 5);
    std::vector<std::pair<std::string, std::function<grpc::Status(const std::string&, bool)>>> rpcs;
    rpcs.push_back({"ListAvailableSlots", [=, this](const std::string& token, bool valid) {
                      v1::ListAvailableSlotsRequest r;
                      if (valid) {
                        r.set_desk(DeskName("sede"));
                        r.set_service(ServiceName());
                        *r.mutable_start_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
                        *r.mutable_end_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
                        r.set_channel(v1::CHANNEL_WEB);
                      }
                      v1::ListAvailableSlotsResponse out;
                      return Call(&Stub::ListAvailableSlots, token, r, &out);
                    }});
    rpcs.push_back({"EnterQueue", [=, this](const std::string& token, bool valid) {
                      v1::EnterQueueRequest r;
                      if (valid) {
                        r.set_parent(parent);
                        r.set_codice_fiscale(CodiceFiscale(1));
                      }
                      v1::QueuePlace out;
                      return Call(&Stub::EnterQueue, token, r, &out);
                    }});
    rpcs.push_back({"HoldSlot", [=, this](const std::string& token, bool valid) {
                      v1::HoldSlotRequest r;
                      if (valid) {
                        r.set_parent(parent);
                        r.set_desk(DeskName("sede"));
                        r.set_service(ServiceName());
                        api::ToTimestamp(start, r.mutable_start_time());
                        r.set_channel(v1::CHANNEL_WEB);
                        r.set_codice_fiscale(CodiceFiscale(1));
                      }
                      v1::Hold out;
                      return Call(&Stub::HoldSlot, token, r, &out);
                    }});
    rpcs.push_back({"CreateAppointment", [=, this](const std::string& token, bool valid) {
                      v1::CreateAppointmentRequest r =
                          valid ? Booking("sede", start, 99) : v1::CreateAppointmentRequest();
                      v1::Appointment out;
                      return Call(&Stub::CreateAppointment, token, r, &out);
                    }});
    auto by_name = [&](auto method, auto request_type) {
      return [=, this](const std::string& token, bool valid) {
        decltype(request_type) r;
        if (valid) r.set_name(appointment);
        v1::Appointment out;
        return Call(method, token, r, &out);
      };
    };
    rpcs.push_back({"GetAppointment", by_name(&Stub::GetAppointment, v1::GetAppointmentRequest())});
    rpcs.push_back({"GetAppointmentContact", [=, this](const std::string& token, bool valid) {
                      v1::GetAppointmentContactRequest r;
                      if (valid) r.set_name(appointment);
                      v1::AppointmentContact out;
                      return Call(&Stub::GetAppointmentContact, token, r, &out);
                    }});
    rpcs.push_back({"CheckInAppointment",
                    by_name(&Stub::CheckInAppointment, v1::CheckInAppointmentRequest())});
    rpcs.push_back({"MarkNoShow", by_name(&Stub::MarkNoShow, v1::MarkNoShowRequest())});
    rpcs.push_back({"CompleteAppointment",
                    by_name(&Stub::CompleteAppointment, v1::CompleteAppointmentRequest())});
    rpcs.push_back(
        {"CancelAppointment", by_name(&Stub::CancelAppointment, v1::CancelAppointmentRequest())});
    rpcs.push_back({"RescheduleAppointment", [=, this](const std::string& token, bool valid) {
                      v1::RescheduleAppointmentRequest r;
                      if (valid) {
                        r.set_name(appointment);
                        api::ToTimestamp(start + absl::Minutes(30), r.mutable_start_time());
                      }
                      v1::Appointment out;
                      return Call(&Stub::RescheduleAppointment, token, r, &out);
                    }});
    rpcs.push_back({"ListAppointments", [=, this](const std::string& token, bool valid) {
                      v1::ListAppointmentsRequest r;
                      if (valid) {
                        r.set_desk(DeskName("sede"));
                        *r.mutable_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
                      }
                      v1::ListAppointmentsResponse out;
                      return Call(&Stub::ListAppointments, token, r, &out);
                    }});
    rpcs.push_back({"ListAffectedAppointments", [=, this](const std::string& token, bool valid) {
                      v1::ListAffectedAppointmentsRequest r;
                      if (valid) {
                        r.set_desk(DeskName("sede"));
                        *r.mutable_start_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
                        *r.mutable_end_date() = api::ToDate(absl::ToCivilDay(start, Rome()));
                      }
                      v1::ListAffectedAppointmentsResponse out;
                      return Call(&Stub::ListAffectedAppointments, token, r, &out);
                    }});
    rpcs.push_back({"CreateWalkInTicket", [=, this](const std::string& token, bool valid) {
                      v1::CreateWalkInTicketRequest r;
                      if (valid) r.set_desk(DeskName("sede"));
                      v1::WalkInTicket out;
                      return Call(&Stub::CreateWalkInTicket, token, r, &out);
                    }});
    rpcs.push_back({"CallNext", [=, this](const std::string& token, bool valid) {
                      v1::CallNextRequest r;
                      if (valid) {
                        r.set_desk(DeskName("sede"));
                        r.set_operator_(absl::StrCat(parent, "/operators/anna"));
                      }
                      v1::CallNextResponse out;
                      return Call(&Stub::CallNext, token, r, &out);
                    }});
    rpcs.push_back({"ListQueue", [=, this](const std::string& token, bool valid) {
                      v1::ListQueueRequest r;
                      if (valid) r.set_desk(DeskName("sede"));
                      v1::ListQueueResponse out;
                      return Call(&Stub::ListQueue, token, r, &out);
                    }});
    return rpcs;
  }

  // Everything a test could have changed, as one string.
  std::string Snapshot() {
    absl::StatusOr<std::string> s =
        admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<std::string> {
          std::string out;
          for (const char* table :
               {"appointments", "holds", "walk_in_tickets", "outbox", "desk_days"}) {
            out += absl::StrCat(
                table, "=",
                tx.exec(absl::StrCat(
                    "SELECT count(*) || ':' || coalesce(max(xmin::text), '') FROM scheduling.",
                    table))[0][0]
                    .as<std::string>(),
                ";");
          }
          return out;
        });
    return s.ok() ? *s : "error";
  }
};

TEST_F(RpcTableTest, EveryRpcDeniesAnotherTenantAndChangesNothing) {
  v1::Appointment made;
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 0), 1), &made).ok());
  const std::string before = Snapshot();
  for (const auto& [method, call] : Rpcs(made.name())) {
    for (const char* role : {"operator", "portal", "tenant_admin"}) {
      const grpc::Status status = call(Token(other_tenant_, {role}), true);
      EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED)
          << method << " as " << role << " of another tenant: " << status.error_message();
    }
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RpcTableTest, EveryRpcRefusesAnEmptyRequestWithFieldViolationsAndChangesNothing) {
  v1::Appointment made;
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 0), 1), &made).ok());
  const std::string before = Snapshot();
  for (const auto& [method, call] : Rpcs(made.name())) {
    const Failure failure = Decode(call(Operator(), false));
    EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT) << method;
    EXPECT_FALSE(failure.violations.empty()) << method;
  }
  EXPECT_EQ(Snapshot(), before);
}

TEST_F(RpcTableTest, ThePortalMayOnlyListHoldBookAndCancelWithAToken) {
  v1::Appointment made;
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 0), 1), &made).ok());
  const std::set<std::string> allowed = {"ListAvailableSlots", "EnterQueue", "HoldSlot",
                                         "CreateAppointment", "CancelAppointment"};
  for (const auto& [method, call] : Rpcs(made.name())) {
    const Failure failure = Decode(call(Portal(), true));
    if (allowed.count(method)) {
      EXPECT_NE(failure.code, grpc::StatusCode::PERMISSION_DENIED) << method;
    } else {
      EXPECT_EQ(failure.code, grpc::StatusCode::PERMISSION_DENIED) << method;
    }
  }
}

TEST_F(SchedulingTest, BadCitizenDataIsReportedFieldByFieldWithoutEchoingIt) {
  v1::CreateAppointmentRequest request = Booking("sede", SlotStart(3, 0), 1);
  v1::Citizen* c = request.mutable_appointment()->mutable_citizen();
  c->set_codice_fiscale("RSSMRA80A01H501X");  // wrong check character
  c->set_phone_number("0583 123");
  c->set_privacy_notice_acknowledged(false);
  v1::Appointment made;
  const grpc::Status status = Call(&Stub::CreateAppointment, Portal(), request, &made);
  const Failure failure = Decode(status);
  EXPECT_EQ(failure.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(failure),
              ElementsAre("appointment.citizen.codice_fiscale", "appointment.citizen.phone_number",
                          "appointment.citizen.privacy_notice_acknowledged"));
  for (const auto& [field, description] : failure.violations) {
    EXPECT_EQ(description.find("RSSMRA"), std::string::npos);
    EXPECT_EQ(description.find("0583"), std::string::npos);
  }
  EXPECT_EQ(BookedAt("sede", SlotStart(3, 0)), 0);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
