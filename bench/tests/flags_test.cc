#include "bench/flags.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

const std::set<std::string> kKnown = {"rate", "duration", "target", "threads", "label"};

TEST(FlagsTest, ReadsSpaceAndEqualsForms) {
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--rate", "2000", "--duration=30s", "--target", "h:1"}, kKnown);
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(*flags->Double("rate"), 2000);
  EXPECT_EQ(*flags->Duration("duration"), absl::Seconds(30));
  EXPECT_EQ(*flags->String("target"), "h:1");
  EXPECT_EQ(*flags->Int("threads", 2, 1, 64), 2);
  EXPECT_EQ(flags->String("label", "none"), "none");
  EXPECT_FALSE(flags->String("label").ok());  // required when asked without a default
}

TEST(FlagsTest, RefusesMistakes) {
  EXPECT_FALSE(Flags::Parse({"--rtae", "5"}, kKnown).ok());
  EXPECT_FALSE(Flags::Parse({"--rate"}, kKnown).ok());
  EXPECT_FALSE(Flags::Parse({"--rate", "1", "--rate", "2"}, kKnown).ok());
  EXPECT_FALSE(Flags::Parse({"rate", "1"}, kKnown).ok());
  absl::StatusOr<Flags> flags =
      Flags::Parse({"--rate", "fast", "--threads", "0", "--duration", "soon"}, kKnown);
  ASSERT_TRUE(flags.ok());
  EXPECT_FALSE(flags->Double("rate").ok());
  EXPECT_FALSE(flags->Int("threads", 2, 1, 64).ok());
  EXPECT_FALSE(flags->Duration("duration").ok());
}

}  // namespace
}  // namespace sportelli::bench
