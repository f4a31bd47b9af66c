#include "sportelli/events/outbox.h"

#include "gtest/gtest.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/streams.h"

namespace sportelli::events {
namespace {

TEST(EventsTest, TheEnvelopeCarriesIdsAndTimesOnly) {
  const absl::Time now = absl::FromUnixSeconds(1780300800);
  v1::Event event = NewEvent("capannori", "tenants/capannori/appointments/a1", now);
  EXPECT_EQ(event.id().size(), 36u);
  EXPECT_EQ(event.tenant(), "capannori");
  EXPECT_EQ(event.resource(), "tenants/capannori/appointments/a1");
  EXPECT_EQ(api::FromTimestamp(event.time()), now);
  EXPECT_NE(NewEvent("capannori", "x", now).id(), event.id());
}

TEST(EventsTest, TheTypeIsThePayloadsMessageName) {
  v1::Event event = NewEvent("lucca", "tenants/lucca/desks/sede", absl::UnixEpoch());
  EXPECT_EQ(EventType(event), "Unknown");
  event.mutable_appointment_booked();
  EXPECT_EQ(EventType(event), "AppointmentBooked");
  event.mutable_closure_changed();
  EXPECT_EQ(EventType(event), "ClosureChanged");
}

TEST(EventsTest, StreamsCarryTheTenantAsHashTag) {
  EXPECT_EQ(TenantStream("capannori"), "{capannori}:events");
  EXPECT_EQ(kDirectoryStream, "{directory}:changes");
}

}  // namespace
}  // namespace sportelli::events
