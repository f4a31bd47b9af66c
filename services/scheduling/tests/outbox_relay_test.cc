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

}  // namespace
}  // namespace sportelli::scheduling::testing
