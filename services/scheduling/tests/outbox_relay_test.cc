// The outbox: every state change writes its event in the same transaction, and the relay
// publishes to the tenant's Redis Stream at least once, even when it dies between publishing
// and marking.
#include "services/scheduling/outbox_relay.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/proto_mapping.h"
#include "services/scheduling/secrets.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/v1/events.pb.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

class OutboxTest : public SchedulingTest {
 protected:
  // Event ids in the tenant's stream, and the stream entries per id.
  std::multiset<std::string> StreamIds() {
    std::multiset<std::string> ids;
    absl::StatusOr<redis::Reply> entries =
        redis_->Command({"XRANGE", EventStreamKey(tenant_), "-", "+"});
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
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr);
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  const std::multiset<std::string> streamed = StreamIds();
  EXPECT_EQ(std::set<std::string>(streamed.begin(), streamed.end()), written);
  EXPECT_EQ(OutboxIds(true), written);
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 0);  // marked: not published again
}

// The relay process dies after XADD and before its UPDATE commits (a real process, killed by
// _exit in the hook): its transaction never commits, a new relay publishes the batch again.
TEST_F(OutboxTest, ARelayKilledBetweenPublishingAndMarkingLosesNothing) {
  BookAndCancel();
  const std::set<std::string> written = OutboxIds(false);
  // "fast": the child is a fork of this process at this point, so it sees this test's
  // database and tenant (the "threadsafe" style would re-run SetUp and make new ones).
  ::testing::FLAGS_gtest_death_test_style = "fast";
  server_->Shutdown();  // fewer threads alive at the fork
  const std::string dsn = db_->app_dsn();
  const redis::RedisClient::Options redis_options = redis_->options();
  EXPECT_EXIT(
      {
        auto pool = pg::ConnectionPool::Create(dsn, {.max_size = 1});
        auto redis = redis::RedisClient::Create(redis_options);
        if (!pool.ok() || !redis.ok()) _exit(1);
        OutboxRelayOptions options;
        options.after_publish = [] { _exit(9); };
        OutboxRelay relay(pool->get(), redis->get(), &logger_, nullptr, options);
        (void)relay.RunOnce();
        _exit(1);
      },
      ::testing::ExitedWithCode(9), "");
  // Published once by the dead relay, and none marked.
  EXPECT_EQ(StreamIds().size(), written.size());
  EXPECT_TRUE(OutboxIds(true).empty());

  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr);
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, static_cast<int>(written.size()));
  const std::multiset<std::string> streamed = StreamIds();
  for (const std::string& id : written) EXPECT_EQ(streamed.count(id), 2u) << id;
  EXPECT_EQ(OutboxIds(true), written);
}

TEST_F(OutboxTest, TheBackgroundRelayPublishesWithoutBeingAsked) {
  OutboxRelayOptions options;
  options.idle_wait = absl::Milliseconds(20);
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, options);
  relay.Start();
  BookAndCancel();
  const clock::Stopwatch watch;
  while (StreamIds().size() < 3 && watch.Elapsed() < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  relay.Stop();
  EXPECT_EQ(StreamIds().size(), 3u);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
