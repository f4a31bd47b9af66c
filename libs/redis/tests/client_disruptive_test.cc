// Redis going away and coming back under one RedisClient: calls fail fast while it is down and
// succeed again once it is up, with no new client. Stops the shared test Redis
// (SPORTELLI_TEST_REDIS_STOP / _START), hence SERIAL in CMakeLists.txt.
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "sportelli/redis/client.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::redis {
namespace {

using ::sportelli::testing::TestRedisOptions;
using ::sportelli::testing::UniqueKeyPrefix;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ElapsedSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

TEST(RedisDisruptiveTest, CallsFailFastWhileRedisIsDownAndRecoverOnTheSameClient) {
  absl::StatusOr<RedisClient::Options> options = TestRedisOptions();
  ASSERT_TRUE(options.ok()) << options.status().message();
  absl::StatusOr<std::unique_ptr<sportelli::testing::RedisOutage>> outage =
      sportelli::testing::RedisOutage::Create();
  ASSERT_TRUE(outage.ok()) << outage.status().message();

  options->pool_size = 2;
  options->connect_timeout = absl::Milliseconds(300);
  options->command_timeout = absl::Seconds(1);
  options->acquire_timeout = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<RedisClient>> created = RedisClient::Create(*options);
  ASSERT_TRUE(created.ok()) << created.status();
  RedisClient& client = **created;
  const std::string key = UniqueKeyPrefix() + "k";

  // Two pooled connections, both idle when Redis goes away: two overlapping 100 ms BLPOPs
  // need one each.
  std::vector<std::thread> warmup;
  for (int i = 0; i < 2; ++i) {
    warmup.emplace_back([&] {
      EXPECT_TRUE(client.Command({"BLPOP", key + "-empty", "0.1"}).ok());
    });
  }
  for (std::thread& thread : warmup) thread.join();
  ASSERT_TRUE(ExpectStatus(client.Command({"SET", key, "before"}), "OK").ok());
  const RedisClient::Stats before = client.stats();
  ASSERT_EQ(before.connections_opened, 2u);

  const absl::Status stopped = (*outage)->Stop();
  ASSERT_TRUE(stopped.ok()) << stopped;

  // Down: every kind of call fails with UNAVAILABLE, each well within the connect timeout
  // plus slack, whether it finds a dead pooled connection or has to connect.
  for (int i = 0; i < 4; ++i) {
    const Clock::time_point call_start = Clock::now();
    absl::StatusOr<Reply> reply = client.Command({"GET", key});
    EXPECT_LT(ElapsedSince(call_start), std::chrono::milliseconds(1000));
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
    EXPECT_EQ(status::ReasonOf(reply.status()), "REDIS_UNAVAILABLE");
  }
  EXPECT_EQ(client.Pipeline({{"GET", key}, {"GET", key}}).status().code(),
            absl::StatusCode::kUnavailable);
  EXPECT_EQ(client.Ping().code(), absl::StatusCode::kUnavailable);

  // Many callers at once, more than the pool holds: none hangs.
  const Clock::time_point burst_start = Clock::now();
  std::vector<std::thread> callers;
  std::vector<absl::StatusCode> codes(8, absl::StatusCode::kOk);
  for (int i = 0; i < 8; ++i) {
    callers.emplace_back([&, i] { codes[i] = client.Ping().code(); });
  }
  for (std::thread& thread : callers) thread.join();
  EXPECT_LT(ElapsedSince(burst_start), std::chrono::milliseconds(2000));
  for (absl::StatusCode code : codes) EXPECT_EQ(code, absl::StatusCode::kUnavailable);

  // Up again: the same client recovers without being told.
  const absl::Status started = (*outage)->Start();
  ASSERT_TRUE(started.ok()) << started;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  absl::Status ping = client.Ping();
  while (!ping.ok() && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ping = client.Ping();
  }
  ASSERT_TRUE(ping.ok()) << ping;
  ASSERT_TRUE(ExpectStatus(client.Command({"SET", key, "after"}), "OK").ok());
  EXPECT_EQ(AsString(client.Command({"GET", key})).value(), "after");
  EXPECT_TRUE(client.Command({"DEL", key}).ok());

  const RedisClient::Stats after = client.stats();
  EXPECT_GT(after.connections_opened, before.connections_opened);
  EXPECT_GT(after.connect_failures, before.connect_failures);
  EXPECT_GE(after.connections_closed, 2u);  // both pooled connections died with the server
}

}  // namespace
}  // namespace sportelli::redis
