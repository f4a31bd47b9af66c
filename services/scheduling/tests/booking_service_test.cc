// The booking use cases with fakes of the repository and the tenants directory, on a fake
// clock: what a citizen and an operator see, without a server or a database.
#include "services/scheduling/booking_service.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/tests/fake_directory.h"
#include "services/scheduling/tests/memory_repository.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling {
namespace {

using ::sportelli::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::SizeIs;

// Monday 1 June 2026, 08:00 in Rome; desks open 09:00-12:00 every day.
const absl::Time kMonday8 = absl::FromUnixSeconds(1780293600);

Citizen Person(int n) {
  std::string code = "RSSMRA80A01H501";
  code[0] = static_cast<char>('A' + n % 26);
  code += *citizen::CodiceFiscaleCheckCharacter(code);
  Citizen person;
  person.given_name = "Maria";
  person.family_name = "Rossi";
  person.codice_fiscale = code;
  person.phone_e164 = "+393331234567";
  person.preferred_contact = ContactChannel::kSms;
  person.privacy_notice_acknowledged = true;
  return person;
}

class BookingServiceTest : public ::testing::Test {
 protected:
  BookingServiceTest() {
    directory_.AddDesk("capannori", "marlia", {1, true, false, {"colloquio"}});
    directory_.AddDesk("capannori", "sede", {3, true, true, {"colloquio", "lungo"}});
  }

  // 09:00 + 30 min * index, `days` days after Monday 1 June.
  absl::Time Slot(int days, int index) const {
    return absl::FromCivil(absl::CivilMinute(2026, 6, 1 + days, 9, 0), testing::Rome()) +
           absl::Minutes(30) * index;
  }
  BookingRequest Request(const std::string& desk, absl::Time start, int person) const {
    return {{"capannori", desk, "colloquio", start, Channel::kWeb}, Person(person), "", anna_};
  }
  // A hold for `person`, kept by `subject` for a visitor at `address`.
  absl::StatusOr<pg::Created<Hold>> HoldFor(const std::string& desk, absl::Time start, int person,
                                            const std::string& subject = "portal-capannori",
                                            const std::string& address = "203.0.113.1") {
    return booking_.HoldSlot(caller_,
                             {{"capannori", desk, "colloquio", start, Channel::kWeb},
                              Person(person).codice_fiscale,
                              subject,
                              address},
                             {}, [](const Hold& h) { return h.id; });
  }
  pg::RequestKey Key(const std::string& id) const {
    return {id, "CreateAppointment", "fingerprint of " + id};
  }
  absl::StatusOr<pg::Created<Appointment>> Book(const std::string& desk, absl::Time start,
                                                int person, const std::string& request_id = "") {
    return booking_.CreateAppointment(caller_, Request(desk, start, person), Key(request_id),
                                      encode_);
  }

  clock::FakeClock clock_{kMonday8};
  testing::MemoryRepository repository_;
  testing::FakeDirectory directory_;
  prometheus::Registry registry_;
  logging::Logger logger_{"test", logging::Level::kError, nullptr, &clock_};
  Availability availability_{&repository_, nullptr, &clock_, registry_, &logger_};
  const crypto::SecretKey secret_ = *crypto::SecretKey::Create(std::string(32, 'k'));
  BookingService booking_{&repository_, &directory_,    &availability_,
                          &secret_,     BookingRules{}, &clock_};
  const auth::OnBehalfOf caller_ = auth::OnBehalfOf::Token("Bearer test");
  const pg::ResponseEncoder<Appointment> encode_ = [](const Appointment& a) { return a.id; };
  // The operator on duty, as the audit trail records her.
  const audit::Actor anna_{"anna", {"operator"}, "capannori", audit::Purpose::kServiceDelivery, ""};
};

TEST_F(BookingServiceTest, ASlotTakesAsManyBookingsAsTheDeskHasSeats) {
  ASSERT_OK(Book("sede", Slot(2, 0), 1).status());
  ASSERT_OK(Book("sede", Slot(2, 0), 2).status());
  ASSERT_OK(Book("sede", Slot(2, 0), 3).status());
  EXPECT_THAT(Book("sede", Slot(2, 0), 4),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  // The web listing no longer shows it; the next slot keeps its seats.
  ASSERT_OK_AND_ASSIGN(std::vector<AvailableSlot> slots,
                       booking_.ListAvailableSlots(
                           caller_, "capannori", "sede", "colloquio", absl::CivilDay(2026, 6, 3),
                           absl::CivilDay(2026, 6, 3), Channel::kWeb, false));
  ASSERT_FALSE(slots.empty());
  EXPECT_EQ(slots.front().start, Slot(2, 1));
}

TEST_F(BookingServiceTest, ARetryGetsTheFirstReplyAndBooksNothingNew) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> first, Book("marlia", Slot(2, 0), 1, "r1"));
  ASSERT_TRUE(first.value.has_value());
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> retry, Book("marlia", Slot(2, 0), 1, "r1"));
  EXPECT_FALSE(retry.value.has_value());
  EXPECT_EQ(retry.replayed_response, first.value->id);
  EXPECT_THAT(repository_.Appointments(), SizeIs(1));
  // Its cancel token is derived again, the same as the first reply's.
  EXPECT_EQ(booking_.CancelTokenFor("capannori", *retry.replayed_response),
            booking_.CancelTokenFor("capannori", first.value->id));
}

TEST_F(BookingServiceTest, NoticeWindowAndCitizenLimitAreEnforced) {
  EXPECT_THAT(Book("sede", Slot(0, 1), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "TOO_LATE"));  // 09:30 at 08:00
  EXPECT_THAT(Book("sede", Slot(61, 0), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "OUTSIDE_BOOKING_WINDOW"));
  for (int day = 1; day <= 3; ++day) ASSERT_OK(Book("sede", Slot(day, 0), 7).status());
  EXPECT_THAT(Book("sede", Slot(4, 0), 7),
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_FUTURE_APPOINTMENTS"));
  // Once one of them is over, the citizen may book again.
  clock_.Set(Slot(1, 1));
  EXPECT_OK(Book("sede", Slot(4, 0), 7).status());
}

TEST_F(BookingServiceTest, ATimeNobodyMayBookIsRefusedBeforeTheDeskIsLookedUp) {
  // A desk that does not exist: had the tenants directory been asked, the answer would be
  // NOT_FOUND.
  EXPECT_THAT(Book("nowhere", Slot(0, 1), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "TOO_LATE"));
  EXPECT_THAT(Book("nowhere", Slot(400, 0), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "OUTSIDE_BOOKING_WINDOW"));
  EXPECT_THAT(HoldFor("nowhere", Slot(0, 1), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "TOO_LATE"));
  EXPECT_THAT(Book("nowhere", Slot(2, 0), 1), StatusIs(absl::StatusCode::kNotFound));
}

TEST_F(BookingServiceTest, ARetryAfterTheNoticeHasPassedStillGetsItsFirstReply) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> first, Book("sede", Slot(0, 3), 1, "r-late"));
  ASSERT_TRUE(first.value.has_value());
  clock_.Set(Slot(0, 0));  // 09:00: the 10:30 slot is now inside the two hours' notice
  EXPECT_THAT(Book("sede", Slot(0, 3), 2),
              StatusIs(absl::StatusCode::kFailedPrecondition, "TOO_LATE"));
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> retry, Book("sede", Slot(0, 3), 1, "r-late"));
  EXPECT_EQ(retry.replayed_response, first.value->id);
}

TEST_F(BookingServiceTest, AHoldKeepsTheSeatForItsHolderUntilItExpires) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Hold> hold, HoldFor("marlia", Slot(2, 0), 2));
  EXPECT_THAT(Book("marlia", Slot(2, 0), 1),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  BookingRequest with_hold = Request("marlia", Slot(2, 0), 2);
  with_hold.hold_id = hold.value->id;
  ASSERT_OK(booking_.CreateAppointment(caller_, with_hold, {}, encode_).status());
  // Another hold, left to expire: the seat comes back.
  ASSERT_OK(HoldFor("marlia", Slot(2, 1), 3).status());
  EXPECT_THAT(Book("marlia", Slot(2, 1), 3),
              StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  clock_.Advance(absl::Minutes(5));
  EXPECT_OK(Book("marlia", Slot(2, 1), 3).status());
}

TEST_F(BookingServiceTest, AHoldIsUsedOnlyByTheCitizenItIsKeptFor) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Hold> hold, HoldFor("marlia", Slot(2, 0), 6));
  BookingRequest someone_else = Request("marlia", Slot(2, 0), 7);
  someone_else.hold_id = hold.value->id;
  EXPECT_THAT(booking_.CreateAppointment(caller_, someone_else, {}, encode_),
              StatusIs(absl::StatusCode::kFailedPrecondition, "HOLD_NOT_USABLE"));
  BookingRequest owner = Request("marlia", Slot(2, 0), 6);
  owner.hold_id = hold.value->id;
  EXPECT_OK(booking_.CreateAppointment(caller_, owner, {}, encode_).status());
}

TEST_F(BookingServiceTest, NeitherACitizenNorACallerKeepsMoreSeatsThanAllowed) {
  // Defaults: one seat per citizen, three per caller.
  ASSERT_OK(HoldFor("sede", Slot(2, 0), 1).status());
  // The same citizen through another portal visitor, or through staff: still one.
  EXPECT_THAT(HoldFor("sede", Slot(2, 1), 1, "portal-capannori", "198.51.100.9"),
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_HOLDS"));
  EXPECT_THAT(HoldFor("sede", Slot(2, 1), 1, "operator-anna", ""),
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_HOLDS"));
  // One visitor inventing citizens: three seats, then no more.
  ASSERT_OK_AND_ASSIGN(pg::Created<Hold> second, HoldFor("sede", Slot(2, 1), 2));
  ASSERT_OK(HoldFor("sede", Slot(2, 2), 3).status());
  EXPECT_THAT(HoldFor("sede", Slot(2, 3), 4),
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_HOLDS"));
  // The portal's other visitors are not held back by that one.
  EXPECT_OK(HoldFor("sede", Slot(2, 3), 4, "portal-capannori", "198.51.100.9").status());
  // A used hold no longer counts: the visitor may keep another seat.
  BookingRequest use = Request("sede", Slot(2, 1), 2);
  use.hold_id = second.value->id;
  ASSERT_OK(booking_.CreateAppointment(caller_, use, {}, encode_).status());
  EXPECT_OK(HoldFor("sede", Slot(2, 4), 5).status());
  EXPECT_THAT(HoldFor("sede", Slot(2, 4), 9),
              StatusIs(absl::StatusCode::kResourceExhausted, "TOO_MANY_HOLDS"));
  // Expired holds no longer count either.
  clock_.Advance(absl::Minutes(5));
  EXPECT_OK(HoldFor("sede", Slot(2, 5), 1).status());
  EXPECT_OK(HoldFor("sede", Slot(2, 5), 6).status());
  EXPECT_OK(HoldFor("sede", Slot(2, 5), 8).status());
}

TEST_F(BookingServiceTest, RescheduleMovesOrChangesNothing) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> mine, Book("marlia", Slot(2, 0), 1));
  ASSERT_OK(Book("marlia", Slot(2, 2), 2).status());  // someone else's seat
  EXPECT_THAT(
      booking_.Reschedule(caller_, "capannori", mine.value->id, Slot(2, 2), {}, encode_, anna_),
      StatusIs(absl::StatusCode::kFailedPrecondition, "SLOT_FULL"));
  ASSERT_OK_AND_ASSIGN(
      pg::Created<Appointment> moved,
      booking_.Reschedule(caller_, "capannori", mine.value->id, Slot(2, 1), {}, encode_, anna_));
  EXPECT_EQ(moved.value->start, Slot(2, 1));
  // The old seat is free again.
  EXPECT_OK(Book("marlia", Slot(2, 0), 3).status());
}

TEST_F(BookingServiceTest, ACitizenCancelsOnlyWithTheirToken) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> made, Book("marlia", Slot(2, 0), 1));
  const std::string id = made.value->id;
  EXPECT_THAT(booking_.Cancel(caller_, "capannori", id, Actor::kCitizen, "made-up token", anna_),
              StatusIs(absl::StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(Appointment cancelled,
                       booking_.Cancel(caller_, "capannori", id, Actor::kCitizen,
                                       booking_.CancelTokenFor("capannori", id), anna_));
  EXPECT_EQ(cancelled.state, AppointmentState::kCancelled);
  EXPECT_OK(Book("marlia", Slot(2, 0), 2).status());  // the seat is free
}

TEST_F(BookingServiceTest, AppointmentsOnADayThatClosedAreListedAsAffected) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> wednesday, Book("sede", Slot(2, 0), 1));
  ASSERT_OK(Book("sede", Slot(3, 0), 2).status());
  directory_.CloseDay(absl::CivilDay(2026, 6, 3));
  ASSERT_OK_AND_ASSIGN(
      std::vector<Appointment> affected,
      booking_.ListAffectedAppointments(caller_, "capannori", "sede", absl::CivilDay(2026, 6, 1),
                                        absl::CivilDay(2026, 6, 30), anna_));
  ASSERT_THAT(affected, SizeIs(1));
  EXPECT_EQ(affected[0].id, wednesday.value->id);
  // And nobody can book that day any more.
  EXPECT_THAT(Book("sede", Slot(2, 1), 3),
              StatusIs(absl::StatusCode::kInvalidArgument, "NOT_A_SLOT"));
}

TEST_F(BookingServiceTest, OperatorsCheckInAndTheQueueCallsInDueOrder) {
  clock_.Set(Slot(0, 0) - absl::Hours(3));
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> made, Book("sede", Slot(0, 2), 1));
  clock_.Set(Slot(0, 0) + absl::Minutes(50));  // 09:50
  ASSERT_OK(booking_
                .ApplyOperatorEvent(caller_, "capannori", made.value->id,
                                    AppointmentEvent::kCheckIn, anna_)
                .status());
  const pg::ResponseEncoder<WalkInTicket> encode = [](const WalkInTicket&) { return ""; };
  ASSERT_OK_AND_ASSIGN(pg::Created<WalkInTicket> ticket,
                       booking_.CreateWalkInTicket(caller_, "capannori", "sede", {}, encode));
  EXPECT_EQ(ticket.value->number, 1);
  // The walk-in has waited since 09:50; the appointment is due at 10:00.
  ASSERT_OK_AND_ASSIGN(QueueEntry first, booking_.CallNext(caller_, "capannori", "sede", anna_));
  EXPECT_TRUE(first.ticket.has_value());
  ASSERT_OK_AND_ASSIGN(QueueEntry second, booking_.CallNext(caller_, "capannori", "sede", anna_));
  ASSERT_TRUE(second.appointment.has_value());
  EXPECT_EQ(second.appointment->id, made.value->id);
  EXPECT_THAT(booking_.CreateWalkInTicket(caller_, "capannori", "marlia", {}, encode),
              StatusIs(absl::StatusCode::kFailedPrecondition, "DESK_TAKES_NO_WALK_INS"));
}

TEST_F(BookingServiceTest, EveryReadAndWriteOfACitizenIsAuditedAsTheOperatorsAndNoOtherRead) {
  ASSERT_OK_AND_ASSIGN(pg::Created<Appointment> made, Book("marlia", Slot(2, 0), 1));
  const std::string id = made.value->id;
  ASSERT_OK(booking_.GetAppointment("capannori", id, anna_).status());
  // Rescheduling reads the booking without its citizen first: only the move is audited.
  ASSERT_OK(booking_.Reschedule(caller_, "capannori", id, Slot(2, 1), {}, encode_, anna_).status());
  ASSERT_OK(booking_.Cancel(caller_, "capannori", id, Actor::kOperator, "", anna_).status());
  std::vector<std::pair<audit::Action, std::string>> seen;
  for (const auto& access : repository_.Accesses()) {
    EXPECT_EQ(access.subject, "anna");
    seen.emplace_back(access.action, access.resource);
  }
  EXPECT_THAT(seen, ::testing::ElementsAre(::testing::Pair(audit::Action::kCreate, id),
                                           ::testing::Pair(audit::Action::kRead, id),
                                           ::testing::Pair(audit::Action::kUpdate, id),
                                           ::testing::Pair(audit::Action::kUpdate, id)));
}

}  // namespace
}  // namespace sportelli::scheduling
