// Scheduling's outbox: every state change writes its event in the same transaction, and the
// kit's relay (libs/events, where its at-least-once guarantees are tested) publishes them to
// the tenant's Redis Stream.
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/proto_mapping.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/crypto/random.h"
#include "sportelli/events/consumer.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/relay.h"
#include "sportelli/events/streams.h"
#include "sportelli/events/v1/events.pb.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

events::RelayOptions RelayOptionsFor(const std::string& schema) {
  events::RelayOptions options;
  options.schema = schema;
  options.service = schema;
  return options;
}

class OutboxTest : public SchedulingTest {
 protected:
  // Event ids in the tenant's stream, and the stream entries per id.
  std::multiset<std::string> StreamIds() {
    std::multiset<std::string> ids;
    absl::StatusOr<redis::Reply> entries =
        redis_->Command({"XRANGE", events::TenantStream(tenant_), "-", "+"});
    EXPECT_TRUE(entries.ok()) << entries.status();
    if (!entries.ok()) return ids;
    for (const redis::Reply& entry : entries->elements()) {
      const auto& fields = entry.elements()[1].elements();
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str() == "id") ids.insert(fields[i + 1].str());
        if (fields[i].str() == "event") {
          events::v1::Event event;
          EXPECT_TRUE(event.ParseFromString(fields[i + 1].str()));
          EXPECT_EQ(event.tenant(), tenant_);
        }
      }
    }
    return ids;
  }

  std::set<std::string> OutboxIds(bool published_only) {
    absl::StatusOr<std::set<std::string>> ids =
        admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::StatusOr<std::set<std::string>> {
          std::set<std::string> out;
          for (const auto& row :
               tx.exec(absl::StrCat("SELECT event_id::text FROM scheduling.outbox",
                                    published_only ? " WHERE published_at IS NOT NULL" : ""))) {
            out.insert(row[0].as<std::string>());
          }
          return out;
        });
    EXPECT_TRUE(ids.ok());
    return ids.ok() ? *ids : std::set<std::string>();
  }

  void BookAndCancel() {
    v1::Appointment made;
    ASSERT_TRUE(
        Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 0), 1), &made)
            .ok());
    v1::CancelAppointmentRequest cancel;
    cancel.set_name(made.name());
    v1::Appointment cancelled;
    ASSERT_TRUE(Call(&Stub::CancelAppointment, Operator(), cancel, &cancelled).ok());
    ASSERT_TRUE(
        Call(&Stub::CreateAppointment, Operator(), Booking("sede", SlotStart(3, 1), 2), &made)
            .ok());
  }
};

TEST_F(OutboxTest, EveryChangeIsPublishedToTheTenantsStream) {
  BookAndCancel();
  const std::set<std::string> written = OutboxIds(false);
  ASSERT_EQ(written.size(), 3u);
  events::OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr,
                            RelayOptionsFor("scheduling"));
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  const std::multiset<std::string> streamed = StreamIds();
  EXPECT_EQ(std::set<std::string>(streamed.begin(), streamed.end()), written);
  EXPECT_EQ(OutboxIds(true), written);
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 0);  // marked: not published again
}

TEST_F(OutboxTest, TheWalkInQueueIsPublishedForTheDisplays) {
  // Today at "sede": a citizen booked for 10:00 checks in at 09:50, a walk-in takes ticket 1;
  // the operator calls the ticket (due first), then the citizen.
  const absl::Time nine = SlotStart(0, 0);
  clock_.Set(nine - absl::Hours(3));
  v1::Appointment made;
  ASSERT_TRUE(Call(&Stub::CreateAppointment, Operator(),
                   Booking("sede", nine + absl::Minutes(60), 1, v1::CHANNEL_DESK), &made)
                  .ok());
  clock_.Set(nine + absl::Minutes(50));
  v1::CheckInAppointmentRequest check_in;
  check_in.set_name(made.name());
  v1::Appointment checked;
  ASSERT_TRUE(Call(&Stub::CheckInAppointment, Operator(), check_in, &checked).ok());
  v1::CreateWalkInTicketRequest ticket_request;
  ticket_request.set_desk(DeskName("sede"));
  v1::WalkInTicket ticket;
  ASSERT_TRUE(Call(&Stub::CreateWalkInTicket, Operator(), ticket_request, &ticket).ok());
  v1::CallNextRequest next;
  next.set_desk(DeskName("sede"));
  next.set_operator_(absl::StrCat("tenants/", tenant_, "/operators/anna"));
  v1::CallNextResponse called;
  ASSERT_TRUE(Call(&Stub::CallNext, Operator(), next, &called).ok());
  ASSERT_TRUE(called.has_ticket());
  ASSERT_TRUE(Call(&Stub::CallNext, Operator(), next, &called).ok());
  ASSERT_TRUE(called.has_appointment());
  ASSERT_TRUE(Call(&Stub::CallNext, Operator(), next, &called).ok());  // nobody left: no event

  events::OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr,
                            RelayOptionsFor("scheduling"));
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 5);
  ASSERT_OK_AND_ASSIGN(redis::Reply entries,
                       redis_->Command({"XRANGE", events::TenantStream(tenant_), "-", "+"}));
  std::vector<std::string> types;
  for (const events::StreamEntry& entry :
       events::ParseEntries(events::TenantStream(tenant_), entries.elements())) {
    types.push_back(events::EventType(entry.event));
    // Every one of them says its desk, so that a display of "sede" can keep to its own.
    EXPECT_EQ(entry.event.desk(), DeskName("sede"));
    if (entry.event.has_walk_in_ticket_taken()) {
      EXPECT_EQ(entry.event.resource(), ticket.name());
      EXPECT_EQ(entry.event.walk_in_ticket_taken().number(), 1);
      EXPECT_EQ(entry.event.walk_in_ticket_taken().day().day(),
                absl::ToCivilDay(nine, absl::FixedTimeZone(3600)).day());
    }
    if (entry.event.has_walk_in_ticket_called()) {
      EXPECT_EQ(entry.event.resource(), ticket.name());
      EXPECT_EQ(entry.event.walk_in_ticket_called().number(), 1);
    }
    if (entry.event.has_appointment_called()) {
      EXPECT_EQ(entry.event.resource(), made.name());
    }
  }
  EXPECT_THAT(types, ::testing::ElementsAre("AppointmentBooked", "AppointmentCheckedIn",
                                            "WalkInTicketTaken", "WalkInTicketCalled",
                                            "AppointmentCalled"));
}

}  // namespace
}  // namespace sportelli::scheduling::testing
