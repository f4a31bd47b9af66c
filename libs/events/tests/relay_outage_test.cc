// The relay and a consumer group across a Redis stopped without its data in the middle of a
// stream of events (the shared test Redis: SERIAL in CMakeLists.txt), while the consumer was
// behind: a hundred events were published and marked in the outbox but not yet handled. The
// relay notices the loss by itself and publishes the outbox again, the consumer makes its group
// again; every event written is handled, and its effect (a row keyed by the event id, as a
// notification's) happens once.
#include <functional>
#include <memory>
#include <random>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/consumer.h"
#include "sportelli/events/outbox.h"
#include "sportelli/events/relay.h"
#include "sportelli/events/streams.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::events {
namespace {

constexpr char kSchema[] = "relayoutage";
constexpr int kEvents = 200;

TEST(RelayOutageTest, RedisStoppedWithoutItsDataMidStreamLosesNoEvent) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<sportelli::testing::RedisOutage> outage,
                       sportelli::testing::RedisOutage::Create());
  ASSERT_OK_AND_ASSIGN(auto db, sportelli::testing::TestDatabase::Create());
  ASSERT_OK(db->Migrate(kSchema, {}, {OutboxComponent()}));
  ASSERT_OK_AND_ASSIGN(auto pool, pg::ConnectionPool::Create(db->runtime_dsn(), {.max_size = 4}));
  // The consumer's effect: one row per event, as the notifications service keys its sends.
  ASSERT_OK_AND_ASSIGN(auto effects, pg::ConnectionPool::Create(db->admin_dsn(), {.max_size = 3}));
  ASSERT_OK(effects->RunInTransaction([](pqxx::work& tx) -> absl::Status {
    tx.exec("CREATE TABLE handled (event_id text PRIMARY KEY)");
    return absl::OkStatus();
  }));
  ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options redis_options,
                       sportelli::testing::TestRedisOptions());
  ASSERT_OK_AND_ASSIGN(auto relay_redis, redis::RedisClient::Create(redis_options));
  ASSERT_OK_AND_ASSIGN(auto consumer_redis, redis::RedisClient::Create(redis_options));
  logging::Logger logger("relay-outage-test", logging::Level::kError);
  const std::string tenant = absl::StrCat("comune-", std::random_device{}() % 1000000000);

  RelayOptions relay_options;
  relay_options.schema = kSchema;
  relay_options.service = "test";
  relay_options.idle_wait = absl::Milliseconds(10);
  relay_options.error_wait = absl::Milliseconds(50);
  relay_options.loss_check_interval = absl::Milliseconds(100);
  OutboxRelay relay(pool.get(), relay_redis.get(), &logger, nullptr, relay_options);

  absl::Mutex mutex;
  int handler_calls = 0;
  bool behind = false;  // the consumer fails to handle anything (it is behind, or broken)
  GroupConsumer consumer(
      consumer_redis.get(),
      {.streams = {TenantStream(tenant)},
       .group = "outage-test",
       .consumer = "only",
       .idle_wait = absl::Milliseconds(10),
       .claim_after = absl::Milliseconds(500)},
      [&](const StreamEntry& entry) -> absl::Status {
        {
          absl::MutexLock lock(&mutex);
          if (behind) return absl::UnavailableError("behind");
          ++handler_calls;
        }
        return effects->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
          tx.exec_params("INSERT INTO handled VALUES ($1) ON CONFLICT DO NOTHING",
                         entry.event.id());
          return absl::OkStatus();
        });
      },
      &logger);
  relay.Start();
  consumer.Start();

  std::set<std::string> written;
  auto write = [&](int count) {
    for (int i = 0; i < count; ++i) {
      const v1::Event event = NewEvent(tenant, absl::StrCat("tenants/", tenant, "/desks/sede"),
                                       absl::FromUnixSeconds(1780300800));
      ASSERT_OK(pool->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::Status {
        WriteOutbox(tx, kSchema, event);
        return absl::OkStatus();
      }));
      written.insert(event.id());
      absl::SleepFor(absl::Milliseconds(2));
    }
  };
  auto unpublished = [&]() -> int64_t {
    absl::StatusOr<int64_t> count =
        pool->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
          return tx
              .exec(absl::StrCat("SELECT count(*) FROM ", kSchema,
                                 ".outbox WHERE published_at IS NULL"))[0][0]
              .as<int64_t>();
        });
    EXPECT_OK(count.status());
    return count.value_or(-1);
  };
  auto handled = [&]() -> std::set<std::string> {
    std::set<std::string> ids;
    EXPECT_OK(effects->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& row : tx.exec("SELECT event_id FROM handled"))
        ids.insert(row[0].as<std::string>());
      return absl::OkStatus();
    }));
    return ids;
  };
  auto wait_until = [](const std::function<bool()>& done) {
    const clock::Stopwatch watch;
    while (!done() && watch.Elapsed() < absl::Seconds(60)) absl::SleepFor(absl::Milliseconds(50));
  };

  write(kEvents / 4);
  wait_until([&] { return handled().size() == written.size(); });
  ASSERT_EQ(handled().size(), written.size());
  {
    absl::MutexLock lock(&mutex);
    behind = true;
  }
  write(kEvents / 2);
  wait_until([&] { return unpublished() == 0; });
  ASSERT_EQ(unpublished(), 0);  // published and marked, none handled
  // Redis goes, with the streams, the group, its pending entries and the de-duplication keys,
  // and comes back empty, while events keep being committed.
  ASSERT_OK(outage->Stop());
  write(kEvents / 8);
  ASSERT_OK(outage->Start());
  {
    absl::MutexLock lock(&mutex);
    behind = false;
  }
  write(kEvents / 8);
  wait_until([&] { return handled().size() == written.size(); });
  consumer.Stop();
  relay.Stop();

  ASSERT_EQ(written.size(), static_cast<size_t>(kEvents));
  EXPECT_EQ(handled(), written);  // none lost, each effect once (the key)
  absl::MutexLock lock(&mutex);
  // The events handled before the loss were handled again (Redis's de-duplication keys went
  // with it): the effect's key absorbs that.
  EXPECT_GE(handler_calls, kEvents);
}

}  // namespace
}  // namespace sportelli::events
