// The relay against real PostgreSQL and Redis: a schema with only the outbox component, events
// written by the runtime role in tenant transactions, published to their streams at least once.
#include "sportelli/events/relay.h"

#include <unistd.h>

#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/streams.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::events {
namespace {

constexpr char kSchema[] = "relaytest";

class RelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate(kSchema, {}, {OutboxComponent()}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 2}));
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
    tenant_ = absl::StrCat("comune-", std::random_device{}() % 1000000000);
  }

  std::string Write(const std::string& tenant, bool configuration) {
    v1::Event event = NewEvent(tenant, absl::StrCat("tenants/", tenant, "/desks/sede"),
                               absl::FromUnixSeconds(1780300800));
    if (configuration) {
      event.mutable_desk_changed();
    } else {
      event.mutable_appointment_checked_in();
    }
    EXPECT_OK(pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::Status {
      WriteOutbox(tx, kSchema, event);
      return absl::OkStatus();
    }));
    return event.id();
  }

  // Event ids of `stream`, with repetitions.
  std::multiset<std::string> Ids(const std::string& stream) {
    std::multiset<std::string> ids;
    absl::StatusOr<redis::Reply> entries = redis_->Command({"XRANGE", stream, "-", "+"});
    EXPECT_OK(entries.status());
    if (!entries.ok()) return ids;
    for (const redis::Reply& entry : entries->elements()) {
      const auto& fields = entry.elements()[1].elements();
      for (size_t i = 0; i + 1 < fields.size(); i += 2) {
        if (fields[i].str() == "id") ids.insert(fields[i + 1].str());
      }
    }
    return ids;
  }

  int Unpublished() {
    absl::StatusOr<int> count =
        pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) -> absl::StatusOr<int> {
          return tx
              .exec(absl::StrCat("SELECT count(*) FROM ", kSchema,
                                 ".outbox WHERE published_at IS NULL"))[0][0]
              .as<int>();
        });
    EXPECT_OK(count.status());
    return count.value_or(-1);
  }

  RelayOptions Options() {
    RelayOptions options;
    options.schema = kSchema;
    options.service = "test";
    const std::string directory = absl::StrCat(kDirectoryStream, ":", tenant_);
    options.extra_streams = [directory](absl::string_view type) {
      return type == "DeskChanged" ? std::vector<std::string>{directory}
                                   : std::vector<std::string>{};
    };
    return options;
  }

  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<redis::RedisClient> redis_;
  logging::Logger logger_{"relay-test", logging::Level::kWarning};
  std::string tenant_;
};

TEST_F(RelayTest, EveryEventReachesItsTenantsStreamAndConfigurationTheDirectoryToo) {
  const std::string booked = Write(tenant_, false);
  const std::string desk = Write(tenant_, true);
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, Options());
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 2);
  EXPECT_EQ(Ids(TenantStream(tenant_)), (std::multiset<std::string>{booked, desk}));
  EXPECT_EQ(Ids(absl::StrCat(kDirectoryStream, ":", tenant_)), std::multiset<std::string>{desk});
  EXPECT_EQ(Unpublished(), 0);
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 0);  // marked: not published again
}

TEST_F(RelayTest, EventsWrittenTogetherArePublishedInTheirOrder) {
  std::vector<v1::Event> events;
  for (int i = 0; i < 5; ++i) {
    v1::Event event = NewEvent(tenant_, absl::StrCat("tenants/", tenant_, "/appointments/a", i),
                               absl::FromUnixSeconds(1780300800));
    event.mutable_appointment_booked();
    events.push_back(event);
  }
  ASSERT_OK(pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) -> absl::Status {
    WriteOutboxMany(tx, kSchema, events);
    WriteOutboxMany(tx, kSchema, {});  // nothing
    return absl::OkStatus();
  }));
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, Options());
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 5);
  ASSERT_OK_AND_ASSIGN(redis::Reply entries,
                       redis_->Command({"XRANGE", TenantStream(tenant_), "-", "+"}));
  std::vector<std::string> order;
  for (const redis::Reply& entry : entries.elements()) {
    const auto& fields = entry.elements()[1].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str() == "id") order.push_back(fields[i + 1].str());
    }
  }
  std::vector<std::string> written;
  for (const v1::Event& event : events) written.push_back(event.id());
  EXPECT_EQ(order, written);
}

// The relay process dies after XADD and before its UPDATE commits (a real process, killed by
// _exit in the hook): its transaction never commits, a new relay publishes the batch again.
TEST_F(RelayTest, ARelayKilledBetweenPublishingAndMarkingLosesNothing) {
  const std::set<std::string> written = {Write(tenant_, false), Write(tenant_, false),
                                         Write(tenant_, false)};
  // "fast": the child is a fork of this process at this point, so it sees this test's
  // database and tenant (the "threadsafe" style would re-run SetUp and make new ones).
  ::testing::FLAGS_gtest_death_test_style = "fast";
  const std::string dsn = db_->runtime_dsn();
  const redis::RedisClient::Options redis_options = redis_->options();
  RelayOptions options = Options();
  EXPECT_EXIT(
      {
        auto pool = pg::ConnectionPool::Create(dsn, {.max_size = 1});
        auto redis = redis::RedisClient::Create(redis_options);
        if (!pool.ok() || !redis.ok()) _exit(1);
        options.after_publish = [] { _exit(9); };
        OutboxRelay relay(pool->get(), redis->get(), &logger_, nullptr, options);
        (void)relay.RunOnce();
        _exit(1);
      },
      ::testing::ExitedWithCode(9), "");
  // Published once by the dead relay, and none marked.
  EXPECT_EQ(Ids(TenantStream(tenant_)).size(), written.size());
  EXPECT_EQ(Unpublished(), 3);

  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, Options());
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  const std::multiset<std::string> streamed = Ids(TenantStream(tenant_));
  for (const std::string& id : written) EXPECT_EQ(streamed.count(id), 2u) << id;
  EXPECT_EQ(Unpublished(), 0);
}

TEST_F(RelayTest, WhatRedisLostIsPublishedAgainAndNothingElse) {
  const std::string a = Write(tenant_, false), b = Write(tenant_, false), c = Write(tenant_, false);
  const std::multiset<std::string> written = {a, b, c};
  auto registry = std::make_shared<prometheus::Registry>();
  RelayOptions options = Options();
  options.loss_check_interval = absl::ZeroDuration();  // every run checks
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, registry.get(), options);
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  // Redis still holds them: checking again publishes nothing.
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 0);

  // What a Redis restarted without its data shows: neither the stream nor the relay's marker.
  ASSERT_OK(redis_->Command({"DEL", TenantStream(tenant_), RelayMarkerKey(kSchema)}).status());
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  EXPECT_EQ(Ids(TenantStream(tenant_)), written);
  EXPECT_EQ(Unpublished(), 0);

  // A marker naming another server run (a failover to a replica that lagged): the same.
  ASSERT_OK(redis_->Command({"DEL", TenantStream(tenant_)}).status());
  ASSERT_OK(redis_->Command({"SET", RelayMarkerKey(kSchema), "another-run"}).status());
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 3);
  EXPECT_EQ(Ids(TenantStream(tenant_)), written);
  const std::string metrics = prometheus::TextSerializer().Serialize(registry->Collect());
  EXPECT_NE(metrics.find("sportelli_outbox_republished_total{service=\"test\"} 6"),
            std::string::npos)
      << metrics;
}

TEST_F(RelayTest, RowsArePublishedAgainByHandFromAGivenTime) {
  Write(tenant_, false);
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, Options());
  ASSERT_OK_AND_ASSIGN(int published, relay.RunOnce());
  EXPECT_EQ(published, 1);
  ASSERT_OK_AND_ASSIGN(int64_t marked,
                       MarkForRepublishing(*pool_, kSchema, absl::FromUnixSeconds(4102444800)));
  EXPECT_EQ(marked, 0);  // nothing published after 2100
  ASSERT_OK_AND_ASSIGN(marked, MarkForRepublishing(*pool_, kSchema, absl::UnixEpoch()));
  EXPECT_EQ(marked, 1);
  EXPECT_EQ(Unpublished(), 1);
  ASSERT_OK_AND_ASSIGN(published, relay.RunOnce());
  EXPECT_EQ(published, 1);
  EXPECT_EQ(Ids(TenantStream(tenant_)).size(), 2u);  // at least once: consumers de-duplicate
}

TEST_F(RelayTest, OneTenantsTransactionSeesOnlyItsOwnOutboxRows) {
  Write(tenant_, false);
  Write(tenant_ + "-other", false);
  EXPECT_EQ(Unpublished(), 1);  // the other comune's row is invisible to this tenant
}

}  // namespace
}  // namespace sportelli::events

namespace sportelli::events {
namespace {

TEST(RelayPauseTest, TheRelayPollsOftenWhileEventsComeAndRarelyOnceTheyStop) {
  const RelayOptions options;
  // A full batch: more are waiting.
  EXPECT_EQ(RelayPause(options.batch_size, absl::ZeroDuration(), options), absl::ZeroDuration());
  // Some: the next ones are being committed.
  EXPECT_EQ(RelayPause(3, absl::ZeroDuration(), options), options.busy_wait);
  // None, shortly after some: still busy (at 50 events a second most polls find none).
  EXPECT_EQ(RelayPause(0, absl::Milliseconds(500), options), options.busy_wait);
  // None for a while, or never: idle.
  EXPECT_EQ(RelayPause(0, options.busy_for, options), options.idle_wait);
  EXPECT_EQ(RelayPause(0, absl::InfiniteDuration(), options), options.idle_wait);
  EXPECT_LT(options.busy_wait, options.idle_wait);
}

TEST_F(RelayTest, TheBackgroundRelayPublishesWithoutBeingAsked) {
  RelayOptions options = Options();
  options.idle_wait = absl::Milliseconds(20);
  OutboxRelay relay(pool_.get(), redis_.get(), &logger_, nullptr, options);
  relay.Start();
  const std::string id = Write(tenant_, false);
  const clock::Stopwatch watch;
  while (Ids(TenantStream(tenant_)).empty() && watch.Elapsed() < absl::Seconds(10)) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  relay.Stop();
  EXPECT_EQ(Ids(TenantStream(tenant_)), std::multiset<std::string>{id});
}

}  // namespace
}  // namespace sportelli::events
