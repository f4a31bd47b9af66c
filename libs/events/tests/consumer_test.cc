// The consumers against the throwaway Redis of scripts/test: a tail sees what arrives after it
// starts; a group shares the entries, takes over a dead consumer's, handles a duplicate once.
#include "sportelli/events/consumer.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/events/outbox.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_redis.h"

namespace sportelli::events {
namespace {

using ::testing::ElementsAre;

class ConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(redis::RedisClient::Options options,
                         sportelli::testing::TestRedisOptions());
    ASSERT_OK_AND_ASSIGN(redis_, redis::RedisClient::Create(options));
    stream_ = sportelli::testing::UniqueKeyPrefix() + "events";
  }

  // Publishes an event as the relay does; returns it.
  v1::Event Add(const std::string& id = "") {
    v1::Event event = NewEvent("capannori", "tenants/capannori/desks/sede", absl::UnixEpoch());
    if (!id.empty()) event.set_id(id);
    event.mutable_desk_changed();
    EXPECT_OK(redis_
                  ->Command({"XADD", stream_, "*", "id", event.id(), "type", EventType(event),
                             "event", event.SerializeAsString()})
                  .status());
    return event;
  }

  int64_t Pending(const std::string& group) {
    absl::StatusOr<redis::Reply> summary = redis_->Command({"XPENDING", stream_, group});
    EXPECT_OK(summary.status());
    return summary.ok() && !summary->elements().empty() ? summary->elements()[0].integer() : -1;
  }

  GroupConsumer::Options Group(const std::string& consumer) {
    GroupConsumer::Options options;
    options.streams = {stream_};
    options.group = "g";
    options.consumer = consumer;
    options.claim_after = absl::Milliseconds(50);
    options.max_deliveries = 3;
    return options;
  }

  std::unique_ptr<redis::RedisClient> redis_;
  std::string stream_;
  logging::Logger logger_{"consumer-test", logging::Level::kError};
};

TEST_F(ConsumerTest, ATailSeesWhatArrivesAfterItStartsInOrder) {
  Add();  // before the tail: not for it
  std::vector<std::string> seen;
  bool gap = false;
  StreamTail tail(
      redis_.get(), stream_, [&](const v1::Event& e) { seen.push_back(e.id()); },
      [&] { gap = true; }, &logger_, {.block = absl::Milliseconds(10)});
  ASSERT_OK_AND_ASSIGN(int handled, tail.Poll());
  EXPECT_EQ(handled, 0);
  const v1::Event first = Add();
  const v1::Event second = Add();
  ASSERT_OK_AND_ASSIGN(handled, tail.Poll());
  EXPECT_EQ(handled, 2);
  EXPECT_THAT(seen, ElementsAre(first.id(), second.id()));
  ASSERT_OK_AND_ASSIGN(handled, tail.Poll());  // nothing new: returns after `block`
  EXPECT_EQ(handled, 0);
  EXPECT_FALSE(gap);
}

TEST_F(ConsumerTest, ConsumersOfAGroupShareTheEntries) {
  std::multiset<std::string> handled;
  auto handler = [&](const StreamEntry& entry) {
    handled.insert(entry.event.id());
    return absl::OkStatus();
  };
  GroupConsumer a(redis_.get(), Group("a"), handler, &logger_);
  GroupConsumer b(redis_.get(), Group("b"), handler, &logger_);
  ASSERT_OK(a.EnsureGroups());
  ASSERT_OK(b.EnsureGroups());  // the group exists: BUSYGROUP is fine
  std::set<std::string> added;
  for (int i = 0; i < 10; ++i) added.insert(Add().id());
  ASSERT_OK_AND_ASSIGN(int by_a, a.Poll());
  ASSERT_OK_AND_ASSIGN(int by_b, b.Poll());
  EXPECT_EQ(by_a + by_b, 10);
  EXPECT_EQ(std::set<std::string>(handled.begin(), handled.end()), added);
  EXPECT_EQ(handled.size(), 10u);  // nobody handled an entry twice
  EXPECT_EQ(Pending("g"), 0);
}

TEST_F(ConsumerTest, ADeadConsumersEntriesAreTakenOver) {
  // "dead" reads the entries and dies before acknowledging them (its handler never returns OK).
  GroupConsumer dead(
      redis_.get(), Group("dead"),
      [](const StreamEntry&) { return absl::UnavailableError("crashed"); }, &logger_);
  ASSERT_OK(dead.EnsureGroups());
  const v1::Event event = Add();
  ASSERT_OK(dead.Poll().status());
  EXPECT_EQ(Pending("g"), 1);
  std::vector<std::string> handled;
  GroupConsumer alive(
      redis_.get(), Group("alive"),
      [&](const StreamEntry& entry) {
        handled.push_back(entry.event.id());
        return absl::OkStatus();
      },
      &logger_);
  ASSERT_OK_AND_ASSIGN(int now, alive.Poll());
  EXPECT_EQ(now, 0);  // not idle long enough yet: the other consumer may still be working
  absl::SleepFor(absl::Milliseconds(100));
  ASSERT_OK_AND_ASSIGN(int later, alive.Poll());
  EXPECT_EQ(later, 1);
  EXPECT_THAT(handled, ElementsAre(event.id()));
  EXPECT_EQ(Pending("g"), 0);
}

TEST_F(ConsumerTest, AnEventPublishedTwiceIsHandledOnce) {
  int calls = 0;
  GroupConsumer consumer(
      redis_.get(), Group("c"),
      [&](const StreamEntry&) {
        ++calls;
        return absl::OkStatus();
      },
      &logger_);
  ASSERT_OK(consumer.EnsureGroups());
  const v1::Event event = Add();
  Add(event.id());  // the relay died between XADD and marking, and published it again
  ASSERT_OK_AND_ASSIGN(int accepted, consumer.Poll());
  EXPECT_EQ(accepted, 1);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(Pending("g"), 0);  // both entries acknowledged
}

TEST_F(ConsumerTest, AnEventThatAlwaysFailsIsDroppedAfterMaxDeliveries) {
  int calls = 0;
  GroupConsumer consumer(
      redis_.get(), Group("c"),
      [&](const StreamEntry&) {
        ++calls;
        return absl::InternalError("bad event");
      },
      &logger_);
  ASSERT_OK(consumer.EnsureGroups());
  Add();
  ASSERT_OK(consumer.Poll().status());  // first delivery
  for (int round = 0; round < 6 && Pending("g") != 0; ++round) {
    absl::SleepFor(absl::Milliseconds(60));
    ASSERT_OK(consumer.Poll().status());
  }
  EXPECT_EQ(Pending("g"), 0);
  EXPECT_EQ(calls, 3);  // max_deliveries, then dropped without another attempt
}

}  // namespace
}  // namespace sportelli::events
