// RedisClient against a real Redis (SPORTELLI_TEST_REDIS_HOST / _PORT). Every test works under
// its own random key prefix, so binaries and tests can share one server.
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/redis/client.h"
#include "sportelli/redis/reply.h"
#include "sportelli/redis/script.h"
#include "sportelli/status/errors.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::redis {
namespace {

using ::sportelli::testing::TestRedisOptions;
using ::sportelli::testing::UniqueKeyPrefix;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds ElapsedSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class RedisIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<RedisClient::Options> options = TestRedisOptions();
    ASSERT_TRUE(options.ok()) << options.status().message();
    options_ = *options;
    prefix_ = UniqueKeyPrefix();
    client_ = NewClient(options_);
    ASSERT_NE(client_, nullptr);
  }

  void TearDown() override {
    if (client_ == nullptr || keys_.empty()) return;
    std::vector<std::string> del = {"DEL"};
    del.insert(del.end(), keys_.begin(), keys_.end());
    EXPECT_TRUE(client_->Command(del).ok());
  }

  std::unique_ptr<RedisClient> NewClient(const RedisClient::Options& options) {
    absl::StatusOr<std::unique_ptr<RedisClient>> client = RedisClient::Create(options);
    EXPECT_TRUE(client.ok()) << client.status();
    return client.ok() ? *std::move(client) : nullptr;
  }

  // A key under this test's prefix, deleted after the test.
  std::string Key(const std::string& name) {
    keys_.push_back(prefix_ + name);
    return keys_.back();
  }

  Reply Run(const std::vector<std::string>& argv) {
    absl::StatusOr<Reply> reply = client_->Command(argv);
    EXPECT_TRUE(reply.ok()) << reply.status();
    return reply.ok() ? *reply : Reply::Error("test: command failed");
  }

  RedisClient::Options options_;
  std::string prefix_;
  std::unique_ptr<RedisClient> client_;
  std::vector<std::string> keys_;
};

TEST_F(RedisIntegrationTest, Ping) { EXPECT_TRUE(client_->Ping().ok()); }

TEST_F(RedisIntegrationTest, SetAndGetAreBinarySafe) {
  const std::string key = Key(std::string("bin\0key", 7));
  const std::string value("a\0b\r\n\xff\0", 7);
  EXPECT_EQ(Run({"SET", key, value}), Reply::Status("OK"));
  EXPECT_EQ(Run({"GET", key}), Reply::String(value));
  EXPECT_EQ(Run({"STRLEN", key}), Reply::Integer(7));

  // A value with every byte value, large enough to take several reads.
  std::string large;
  for (int i = 0; i < (1 << 20); ++i) large.push_back(static_cast<char>(i * 31 % 256));
  const std::string large_key = Key("large");
  EXPECT_TRUE(ExpectStatus(client_->Command({"SET", large_key, large}), "OK").ok());
  absl::StatusOr<std::string> got = AsString(client_->Command({"GET", large_key}));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_TRUE(*got == large);
}

TEST_F(RedisIntegrationTest, IntegerReplies) {
  const std::string key = Key("counter");
  EXPECT_EQ(Run({"INCR", key}), Reply::Integer(1));
  EXPECT_EQ(AsInteger(client_->Command({"INCRBY", key, "-43"})).value(), -42);
  EXPECT_EQ(Run({"EXISTS", key, Key("missing")}), Reply::Integer(1));
}

TEST_F(RedisIntegrationTest, MissingKeyIsNil) {
  EXPECT_EQ(Run({"GET", Key("missing")}), Reply::Nil());
  absl::StatusOr<std::optional<std::string>> value =
      AsOptionalString(client_->Command({"GET", Key("missing")}));
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, std::nullopt);
}

TEST_F(RedisIntegrationTest, MgetReturnsAnArrayWithNilForMissingKeys) {
  const std::string a = Key("a"), b = Key("b");
  Run({"SET", a, "1"});
  Run({"SET", b, std::string("\0", 1)});
  EXPECT_EQ(Run({"MGET", a, Key("missing"), b}),
            Reply::Array({Reply::String("1"), Reply::Nil(), Reply::String(std::string("\0", 1))}));
}

TEST_F(RedisIntegrationTest, XrangeReturnsNestedArrays) {
  const std::string stream = Key("stream");
  EXPECT_EQ(Run({"XADD", stream, "1-1", "desk", "3", "event", "opened"}), Reply::String("1-1"));
  EXPECT_EQ(Run({"XADD", stream, "2-1", "desk", "4"}), Reply::String("2-1"));
  EXPECT_EQ(Run({"XRANGE", stream, "-", "+"}),
            Reply::Array({
                Reply::Array({Reply::String("1-1"),
                              Reply::Array({Reply::String("desk"), Reply::String("3"),
                                            Reply::String("event"), Reply::String("opened")})}),
                Reply::Array({Reply::String("2-1"),
                              Reply::Array({Reply::String("desk"), Reply::String("4")})}),
            }));
}

TEST_F(RedisIntegrationTest, ErrorReplyIsAReplyAndTheConnectionStaysInUse) {
  RedisClient::Options options = options_;
  options.pool_size = 1;
  std::unique_ptr<RedisClient> client = NewClient(options);
  const std::string key = Key("string");
  ASSERT_TRUE(ExpectStatus(client->Command({"SET", key, "v"}), "OK").ok());

  absl::StatusOr<Reply> wrong_type = client->Command({"LPUSH", key, "x"});
  ASSERT_TRUE(wrong_type.ok()) << wrong_type.status();
  EXPECT_TRUE(wrong_type->is_error());
  EXPECT_EQ(wrong_type->error_code(), "WRONGTYPE");
  EXPECT_EQ(status::ReasonOf(ErrorReplyToStatus(*wrong_type)), "REDIS_ERROR_REPLY");
  EXPECT_EQ(AsInteger(client->Command({"LPUSH", key, "x"})).status().code(),
            absl::StatusCode::kInternal);

  absl::StatusOr<Reply> unknown = client->Command({"NO-SUCH-COMMAND", "Mario Rossi"});
  ASSERT_TRUE(unknown.ok()) << unknown.status();
  EXPECT_EQ(unknown->error_code(), "ERR");
  EXPECT_THAT(ErrorReplyToStatus(*unknown).message(), Not(HasSubstr("Mario")));

  EXPECT_EQ(AsString(client->Command({"GET", key})).value(), "v");
  const RedisClient::Stats stats = client->stats();
  EXPECT_EQ(stats.error_replies, 3u);
  EXPECT_EQ(stats.connections_opened, 1u);
  EXPECT_EQ(stats.connections_closed, 0u);
}

TEST_F(RedisIntegrationTest, PipelineReturnsOneReplyPerCommandInOrder) {
  RedisClient::Options options = options_;
  options.pool_size = 1;
  std::unique_ptr<RedisClient> client = NewClient(options);
  constexpr int kCommands = 300;
  const std::string counter = Key("counter");
  const std::string text = Key("text");
  std::vector<std::vector<std::string>> commands = {{"SET", text, "t"}};
  for (int i = 0; i < kCommands; ++i) {
    switch (i % 3) {
      case 0:
        commands.push_back({"INCR", counter});
        break;
      case 1:
        commands.push_back({"GET", Key(absl::StrCat("missing-", i))});
        break;
      case 2:
        commands.push_back({"LPUSH", text, "x"});  // WRONGTYPE, in place
        break;
    }
  }
  absl::StatusOr<std::vector<Reply>> replies = client->Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), commands.size());
  EXPECT_EQ((*replies)[0], Reply::Status("OK"));
  int64_t expected_count = 0;
  for (int i = 0; i < kCommands; ++i) {
    const Reply& reply = (*replies)[i + 1];
    switch (i % 3) {
      case 0:
        EXPECT_EQ(reply, Reply::Integer(++expected_count)) << "command " << i;
        break;
      case 1:
        EXPECT_EQ(reply, Reply::Nil()) << "command " << i;
        break;
      case 2:
        EXPECT_EQ(reply.error_code(), "WRONGTYPE") << "command " << i;
        break;
    }
  }
  EXPECT_EQ(client->stats().connections_opened, 1u);
  EXPECT_EQ(client->stats().error_replies, static_cast<uint64_t>(kCommands / 3));
  // The connection is clean for the next caller.
  EXPECT_EQ(AsInteger(client->Command({"GET", counter})).status().code(),
            absl::StatusCode::kInternal);  // a string "100", not an integer reply
  EXPECT_EQ(AsString(client->Command({"GET", counter})).value(), absl::StrCat(expected_count));
}

TEST_F(RedisIntegrationTest, PipelinedTransaction) {
  const std::string key = Key("tx");
  absl::StatusOr<std::vector<Reply>> replies =
      client_->Pipeline({{"MULTI"}, {"INCR", key}, {"INCRBY", key, "10"}, {"EXEC"}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  EXPECT_THAT(*replies,
              ElementsAre(Reply::Status("OK"), Reply::Status("QUEUED"), Reply::Status("QUEUED"),
                          Reply::Array({Reply::Integer(1), Reply::Integer(11)})));
}

TEST_F(RedisIntegrationTest, ScriptsRunThroughEvalAndEvalsha) {
  const std::string key = Key("script");
  absl::StatusOr<std::string> sha = AsString(
      client_->Command({"SCRIPT", "LOAD", "return redis.call('INCRBY', KEYS[1], ARGV[1])"}));
  ASSERT_TRUE(sha.ok()) << sha.status();
  EXPECT_EQ(Run({"EVALSHA", *sha, "1", key, "5"}), Reply::Integer(5));
  EXPECT_EQ(Run({"EVALSHA", std::string(40, '0'), "1", key, "5"}).error_code(), "NOSCRIPT");
  // Scripts signal domain conditions with error replies of their own.
  EXPECT_EQ(
      Run({"EVAL", "return redis.error_reply('SLOT_FULL no capacity left')", "0"}).error_code(),
      "SLOT_FULL");
}

TEST_F(RedisIntegrationTest, AScriptIsLoadedOnceAndAgainWhenRedisLostIt) {
  const std::string key = Key("script-object");
  Script add("return redis.call('INCRBY', KEYS[1], ARGV[1])");
  EXPECT_EQ(add.Run(*client_, {key}, {"2"}).value(), Reply::Integer(2));
  EXPECT_EQ(add.Run(*client_, {key}, {"3"}).value(), Reply::Integer(5));
  ASSERT_EQ(Run({"SCRIPT", "FLUSH"}), Reply::Status("OK"));
  EXPECT_EQ(add.Run(*client_, {key}, {"1"}).value(), Reply::Integer(6));
}

TEST_F(RedisIntegrationTest, ReplyNestedTooDeeplyForHiredisFailsCleanly) {
  // hiredis 0.14 parses at most 8 levels of nested arrays.
  const std::string nest = "local t = 1; for i = 1, tonumber(ARGV[1]) do t = {t} end; return t";
  absl::StatusOr<Reply> eight = client_->Command({"EVAL", nest, "0", "8"});
  ASSERT_TRUE(eight.ok()) << eight.status();
  EXPECT_TRUE(eight->is_array());
  absl::StatusOr<Reply> nine = client_->Command({"EVAL", nest, "0", "9"});
  EXPECT_EQ(nine.status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status::ReasonOf(nine.status()), "REDIS_PROTOCOL_ERROR");
  // The connection that got the unparsable reply was dropped; the client carries on.
  EXPECT_TRUE(client_->Ping().ok());
  EXPECT_EQ(client_->stats().connections_closed, 1u);
}

TEST_F(RedisIntegrationTest, ConcurrentUseFromEightThreadsWithAPoolOfTwo) {
  RedisClient::Options options = options_;
  options.pool_size = 2;
  std::unique_ptr<RedisClient> client = NewClient(options);
  constexpr int kThreads = 8;
  constexpr int kIterations = 150;
  const std::string counter = Key("shared-counter");
  std::vector<std::string> thread_keys;
  for (int t = 0; t < kThreads; ++t) thread_keys.push_back(Key(absl::StrCat("thread-", t)));

  std::vector<int> mismatches(kThreads, 0), failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIterations; ++i) {
        // Each value names its writer and iteration: a reply crossing over to another caller
        // would show up as a mismatch.
        const std::string value = absl::StrCat("t", t, "-i", i);
        if (!ExpectStatus(client->Command({"SET", thread_keys[t], value}), "OK").ok()) {
          ++failures[t];
          continue;
        }
        absl::StatusOr<std::vector<Reply>> replies =
            client->Pipeline({{"GET", thread_keys[t]}, {"INCR", counter}});
        if (!replies.ok() || replies->size() != 2) {
          ++failures[t];
          continue;
        }
        if ((*replies)[0] != Reply::String(value) || !(*replies)[1].is_integer()) ++mismatches[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();

  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(failures[t], 0) << "thread " << t;
    EXPECT_EQ(mismatches[t], 0) << "thread " << t;
  }
  EXPECT_EQ(AsString(client->Command({"GET", counter})).value(),
            absl::StrCat(kThreads * kIterations));
  const RedisClient::Stats stats = client->stats();
  EXPECT_LE(stats.connections_opened, 2u);
  EXPECT_EQ(stats.connections_closed, 0u);
  EXPECT_EQ(stats.pool_exhausted, 0u);
}

TEST_F(RedisIntegrationTest, CommandTimeoutFailsFastAndTheNextCommandWorks) {
  RedisClient::Options options = options_;
  options.pool_size = 1;
  options.command_timeout = absl::Milliseconds(200);
  std::unique_ptr<RedisClient> client = NewClient(options);
  ASSERT_TRUE(client->Ping().ok());

  Clock::time_point start = Clock::now();
  absl::StatusOr<Reply> blocked = client->Command({"BLPOP", Key("empty-list"), "2"});
  const auto elapsed = ElapsedSince(start);
  EXPECT_EQ(blocked.status().code(), absl::StatusCode::kUnavailable) << blocked.status();
  EXPECT_EQ(status::ReasonOf(blocked.status()), "REDIS_UNAVAILABLE");
  EXPECT_GE(elapsed, std::chrono::milliseconds(150));
  EXPECT_LT(elapsed, std::chrono::milliseconds(1000));

  // Had the timed-out connection been reused, these would wait behind the BLPOP (2 s) and
  // time out, or read its reply.
  start = Clock::now();
  const std::string key = Key("after-timeout");
  EXPECT_TRUE(ExpectStatus(client->Command({"SET", key, "fresh"}), "OK").ok());
  EXPECT_EQ(AsString(client->Command({"GET", key})).value(), "fresh");
  EXPECT_LT(ElapsedSince(start), std::chrono::milliseconds(150));

  const RedisClient::Stats stats = client->stats();
  EXPECT_EQ(stats.timeouts, 1u);
  EXPECT_EQ(stats.connections_closed, 1u);
  EXPECT_EQ(stats.connections_opened, 2u);
}

TEST_F(RedisIntegrationTest, ConnectionClosedByTheServerWhileIdleIsReplacedTransparently) {
  RedisClient::Options options = options_;
  options.pool_size = 1;
  std::unique_ptr<RedisClient> client = NewClient(options);
  absl::StatusOr<int64_t> id = AsInteger(client->Command({"CLIENT", "ID"}));
  ASSERT_TRUE(id.ok()) << id.status();

  // As Redis does to idle clients after `timeout` seconds, or an operator with CLIENT KILL.
  ASSERT_EQ(Run({"CLIENT", "KILL", "ID", absl::StrCat(*id)}), Reply::Integer(1));

  EXPECT_TRUE(client->Ping().ok());
  const RedisClient::Stats stats = client->stats();
  EXPECT_EQ(stats.connections_closed, 1u);
  EXPECT_EQ(stats.connections_opened, 2u);
  EXPECT_EQ(stats.io_errors, 0u);
}

TEST_F(RedisIntegrationTest, AuthenticatesAsAnAclUser) {
  const std::string user = absl::StrCat("sportelli-test-", prefix_.substr(15, 16));
  const std::string password = "s3cret-" + prefix_;
  ASSERT_EQ(Run({"ACL", "SETUSER", user, "on", ">" + password, "~*", "&*", "+@all"}),
            Reply::Status("OK"));

  RedisClient::Options options = options_;
  options.username = user;
  options.password = password;
  std::unique_ptr<RedisClient> authenticated = NewClient(options);
  EXPECT_EQ(AsString(authenticated->Command({"ACL", "WHOAMI"})).value(), user);

  options.password = "wrong-" + password;
  std::unique_ptr<RedisClient> rejected = NewClient(options);
  const absl::Status status = rejected->Ping();
  EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(status.message(), HasSubstr("credentials rejected"));
  EXPECT_THAT(status.message(), Not(HasSubstr(password)));
  EXPECT_EQ(rejected->stats().connect_failures, 1u);

  EXPECT_EQ(Run({"ACL", "DELUSER", user}), Reply::Integer(1));
}

}  // namespace
}  // namespace sportelli::redis
