#include "services/notifications/domain/feed_position.h"

#include "gtest/gtest.h"

namespace sportelli::notifications {
namespace {

FeedPosition At(uint64_t ms, uint64_t seq = 0) { return FeedPosition{ms, seq}; }

TEST(FeedPositionTest, ReadsAndWritesRedisEntryIds) {
  ASSERT_EQ(ParseFeedPosition("1764489600000-7"), At(1764489600000, 7));
  EXPECT_EQ(At(1764489600000, 7).ToString(), "1764489600000-7");
  EXPECT_EQ(ParseFeedPosition("0-0"), At(0, 0));
}

TEST(FeedPositionTest, RefusesWhatIsNotAnEntryId) {
  for (const char* text :
       {"", "-", "$", "+", "1764489600000", "1764489600000-", "-1", "1--1", "a-1", "1-b", " 1-1",
        "1-1 ", "+1-1", "1-+1", "1.5-1", "99999999999999999999999-0", "18446744073709551616-0"}) {
    EXPECT_FALSE(ParseFeedPosition(text).has_value()) << text;
  }
}

TEST(FeedPositionTest, OrdersByTimeThenSequence) {
  EXPECT_LT(At(5, 9), At(6, 0));
  EXPECT_LT(At(5, 1), At(5, 2));
  EXPECT_EQ(At(5, 1), At(5, 1));
  // Compared as numbers, not as text ("10-0" sorts before "9-0" as text).
  EXPECT_LT(*ParseFeedPosition("9-0"), *ParseFeedPosition("10-0"));
}

TEST(CanResumeAfterTest, AnUntrimmedStreamResumesFromAnyPointItGaveOut) {
  const StreamSummary stream{
      .length = 3, .entries_added = 3, .last_generated = At(30), .first = At(10)};
  EXPECT_TRUE(CanResumeAfter(stream, At(0)));
  EXPECT_TRUE(CanResumeAfter(stream, At(10)));
  EXPECT_TRUE(CanResumeAfter(stream, At(30)));
}

TEST(CanResumeAfterTest, APointBeforeTheOldestKeptEntryOfATrimmedStreamNeedsAResync) {
  const StreamSummary stream{
      .length = 3, .entries_added = 10, .last_generated = At(30), .first = At(10)};
  EXPECT_FALSE(CanResumeAfter(stream, At(9)));
  EXPECT_FALSE(CanResumeAfter(stream, At(0)));
  EXPECT_TRUE(CanResumeAfter(stream, At(10)));
  EXPECT_TRUE(CanResumeAfter(stream, At(20)));
}

TEST(CanResumeAfterTest, APointTheStreamNeverGaveOutNeedsAResync) {
  // Redis lost its data and the stream started again: the client's point is from before.
  const StreamSummary recreated{
      .length = 1, .entries_added = 1, .last_generated = At(50), .first = At(50)};
  EXPECT_FALSE(CanResumeAfter(recreated, At(60)));
  EXPECT_FALSE(CanResumeAfter(recreated, At(50, 1)));
  const StreamSummary missing{};  // no stream at all
  EXPECT_FALSE(CanResumeAfter(missing, At(1)));
  EXPECT_TRUE(CanResumeAfter(missing, At(0)));
}

TEST(CanResumeAfterTest, AStreamTrimmedToNothingResumesOnlyFromItsNewestPoint) {
  const StreamSummary emptied{
      .length = 0, .entries_added = 4, .last_generated = At(40), .first = std::nullopt};
  EXPECT_TRUE(CanResumeAfter(emptied, At(40)));
  EXPECT_FALSE(CanResumeAfter(emptied, At(39)));
}

}  // namespace
}  // namespace sportelli::notifications
