// RedisClient against peers that need no Redis: option validation, refused commands, and the
// failure paths (nobody listening, a connect that never completes, a server that never answers,
// a peer that hangs up mid-write, a pool with no free connection).
#include "sportelli/redis/client.h"

#include <signal.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fake_server.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::redis {
namespace {

using ::sportelli::redis::testing::ClosedPort;
using ::sportelli::redis::testing::FakeServer;
using ::testing::HasSubstr;

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ElapsedSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

RedisClient::Options LoopbackOptions(int port) {
  RedisClient::Options options;
  options.host = "127.0.0.1";
  options.port = port;
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Milliseconds(200);
  options.acquire_timeout = absl::Milliseconds(200);
  options.pool_size = 2;
  return options;
}

std::unique_ptr<RedisClient> MakeClient(const RedisClient::Options& options) {
  absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Create(options);
  EXPECT_TRUE(client.ok()) << client.status();
  return client.ok() ? *std::move(client) : nullptr;
}

TEST(RedisClientOptionsTest, InvalidOptionsAreRejected) {
  auto invalid = [](auto mutate) {
    RedisClient::Options options = LoopbackOptions(6379);
    mutate(options);
    return RedisClient::Create(options).status().code();
  };
  EXPECT_EQ(invalid([](auto& o) { o.host = ""; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid([](auto& o) { o.port = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid([](auto& o) { o.port = 65536; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid([](auto& o) { o.pool_size = 0; }), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid([](auto& o) { o.connect_timeout = absl::ZeroDuration(); }),
            absl::StatusCode::kInvalidArgument);
  // Would round to a zero timeval, which the socket layer reads as "wait forever".
  EXPECT_EQ(invalid([](auto& o) { o.command_timeout = absl::Nanoseconds(10); }),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(invalid([](auto& o) { o.acquire_timeout = absl::InfiniteDuration(); }),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(RedisClient::Create(LoopbackOptions(6379)).ok());
}

TEST(RedisClientTest, CreatingDoesNotConnect) {
  auto client = MakeClient(LoopbackOptions(ClosedPort()));
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->stats().connections_opened, 0u);
  EXPECT_EQ(client->stats().connect_failures, 0u);
}

TEST(RedisClientTest, StatefulCommandsAreRefusedBeforeConnecting) {
  auto client = MakeClient(LoopbackOptions(ClosedPort()));
  ASSERT_NE(client, nullptr);
  for (const std::vector<std::string>& argv :
       std::vector<std::vector<std::string>>{{},
                                             {"subscribe", "channel"},
                                             {"SELECT", "1"},
                                             {"MULTI"},
                                             {"exec"},
                                             {"WATCH", "k"},
                                             {"HELLO", "3"},
                                             {"AUTH", "secret"},
                                             {"MONITOR"},
                                             {"client", "reply", "off"}}) {
    EXPECT_EQ(client->Command(argv).status().code(), absl::StatusCode::kInvalidArgument)
        << (argv.empty() ? "(empty)" : argv.front());
  }
  EXPECT_EQ(client->Pipeline({{"MULTI"}, {"INCR", "k"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Pipeline({{"GET", "k"}, {}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client->Pipeline({{"PSUBSCRIBE", "*"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // Nothing was sent: refusing does not depend on a reachable server.
  EXPECT_EQ(client->stats().connect_failures, 0u);
}

TEST(RedisClientTest, EmptyPipelineSucceedsWithoutConnecting) {
  auto client = MakeClient(LoopbackOptions(ClosedPort()));
  ASSERT_NE(client, nullptr);
  absl::StatusOr<std::vector<Reply>> replies = client->Pipeline({});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_TRUE(replies->empty());
  EXPECT_EQ(client->stats().connect_failures, 0u);
}

TEST(RedisClientTest, ClosedPortFailsFastWithUnavailable) {
  auto client = MakeClient(LoopbackOptions(ClosedPort()));
  ASSERT_NE(client, nullptr);
  const Clock::time_point start = Clock::now();
  absl::StatusOr<Reply> reply = client->Command({"GET", "k"});
  EXPECT_LT(ElapsedSince(start), std::chrono::milliseconds(150));
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(reply.status()), "REDIS_UNAVAILABLE");
  EXPECT_THAT(reply.status().message(), HasSubstr("cannot connect"));
  EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client->stats().connect_failures, 2u);
  EXPECT_EQ(client->stats().connections_opened, 0u);
}

TEST(RedisClientTest, ConnectThatNeverCompletesFailsAfterConnectTimeout) {
  FakeServer server(FakeServer::Behavior::kUnresponsiveListener);
  RedisClient::Options options = LoopbackOptions(server.port());
  options.connect_timeout = absl::Milliseconds(200);
  options.command_timeout = absl::Seconds(5);  // must not be the bound that applies
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  const Clock::time_point start = Clock::now();
  absl::Status status = client->Ping();
  const auto elapsed = ElapsedSince(start);
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
  EXPECT_EQ(status::ReasonOf(status), "REDIS_UNAVAILABLE");
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
  EXPECT_EQ(client->stats().connect_failures, 1u);
}

TEST(RedisClientTest, SilentServerTimesOutAndTheConnectionIsDropped) {
  FakeServer server(FakeServer::Behavior::kSilent);
  auto client = MakeClient(LoopbackOptions(server.port()));
  ASSERT_NE(client, nullptr);

  for (int i = 0; i < 2; ++i) {
    const Clock::time_point start = Clock::now();
    absl::StatusOr<Reply> reply = client->Command({"GET", "k"});
    const auto elapsed = ElapsedSince(start);
    EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
    EXPECT_EQ(status::ReasonOf(reply.status()), "REDIS_UNAVAILABLE");
    EXPECT_THAT(reply.status().message(), HasSubstr("timed out"));
    EXPECT_GE(elapsed, std::chrono::milliseconds(150));
    EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
  }
  // Each timed-out connection was closed; the second call opened a new one.
  const RedisClient::Stats stats = client->stats();
  EXPECT_EQ(stats.timeouts, 2u);
  EXPECT_EQ(stats.io_errors, 2u);
  EXPECT_EQ(stats.connections_opened, 2u);
  EXPECT_EQ(stats.connections_closed, 2u);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(RedisClientTest, PipelineAgainstSilentServerTimesOut) {
  FakeServer server(FakeServer::Behavior::kSilent);
  auto client = MakeClient(LoopbackOptions(server.port()));
  ASSERT_NE(client, nullptr);
  const Clock::time_point start = Clock::now();
  absl::StatusOr<std::vector<Reply>> replies = client->Pipeline({{"GET", "a"}, {"GET", "b"}});
  EXPECT_EQ(replies.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(ElapsedSince(start), std::chrono::milliseconds(1000));
  EXPECT_EQ(client->stats().connections_closed, 1u);
}

TEST(RedisClientTest, BusyPoolFailsAfterAcquireTimeout) {
  FakeServer server(FakeServer::Behavior::kSilent);
  RedisClient::Options options = LoopbackOptions(server.port());
  options.pool_size = 1;
  options.command_timeout = absl::Milliseconds(600);
  options.acquire_timeout = absl::Milliseconds(100);
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  // Holds the only connection until its command times out.
  std::thread holder([&] { EXPECT_FALSE(client->Command({"GET", "slow"}).ok()); });
  while (server.accepted() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));

  const Clock::time_point start = Clock::now();
  absl::StatusOr<Reply> reply = client->Command({"GET", "k"});
  const auto elapsed = ElapsedSince(start);
  holder.join();

  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(status::ReasonOf(reply.status()), "REDIS_POOL_EXHAUSTED");
  EXPECT_GE(elapsed, std::chrono::milliseconds(80));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));
  EXPECT_EQ(client->stats().pool_exhausted, 1u);
  EXPECT_EQ(server.accepted(), 1);  // the pool never exceeded its size
}

bool SigpipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  sigpending(&pending);
  return sigismember(&pending, SIGPIPE) == 1;
}

// hiredis writes with write(2): once the peer has hung up, a further write raises SIGPIPE,
// which by default kills the process. The server here answers AUTH and hangs up, so the
// large SET that follows is written into a dead connection.
TEST(RedisClientTest, WritingToAPeerThatHungUpDoesNotRaiseSigpipe) {
  FakeServer server(FakeServer::Behavior::kAnswerOnceThenClose);
  RedisClient::Options options = LoopbackOptions(server.port());
  options.password = "not-checked-by-the-fake";
  options.command_timeout = absl::Seconds(2);
  auto client = MakeClient(options);
  ASSERT_NE(client, nullptr);

  // Larger than a socket send buffer can grow (net.ipv4.tcp_wmem, 4 MiB by default), so
  // writing it takes more than one write(2), the later ones after the peer has reset.
  const std::string value(8 << 20, 'x');
  absl::StatusOr<Reply> reply = client->Command({"SET", "k", value});
  // Reaching this line is the main assertion: without protection the process dies here.
  EXPECT_EQ(reply.status().code(), absl::StatusCode::kUnavailable) << reply.status();
  EXPECT_EQ(client->stats().connections_opened, 1u);  // AUTH succeeded, then the write failed
  EXPECT_FALSE(SigpipePending());

  // The thread's signal mask is as it was: SIGPIPE is not left blocked.
  sigset_t mask;
  pthread_sigmask(SIG_BLOCK, nullptr, &mask);
  EXPECT_EQ(sigismember(&mask, SIGPIPE), 0);
}

TEST(RedisClientTest, SigpipeBlockedByTheCallerStaysPendingForTheCaller) {
  // A SIGPIPE the application had pending before the call is not ours to swallow.
  sigset_t sigpipe, old_mask;
  sigemptyset(&sigpipe);
  sigaddset(&sigpipe, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigpipe, &old_mask);
  pthread_kill(pthread_self(), SIGPIPE);
  ASSERT_TRUE(SigpipePending());

  FakeServer server(FakeServer::Behavior::kSilent);  // the command runs, and times out
  auto client = MakeClient(LoopbackOptions(server.port()));
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->Ping().code(), absl::StatusCode::kUnavailable);
  EXPECT_TRUE(SigpipePending());

  const timespec zero = {0, 0};
  sigtimedwait(&sigpipe, nullptr, &zero);
  pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
}

}  // namespace
}  // namespace sportelli::redis
