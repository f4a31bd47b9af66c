#include "sportelli/api/proto_time.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::api {
namespace {

google::type::Date Date(int year, int month, int day) {
  google::type::Date date;
  date.set_year(year);
  date.set_month(month);
  date.set_day(day);
  return date;
}

TEST(ProtoTimeTest, TimestampsRoundTripToTheNanosecond) {
  const absl::Time t = absl::FromUnixNanos(1780300800123456789);
  EXPECT_EQ(FromTimestamp(ToTimestamp(t)), t);
  const absl::Time before_epoch = absl::FromUnixNanos(-1500000000);
  EXPECT_EQ(FromTimestamp(ToTimestamp(before_epoch)), before_epoch);
  EXPECT_GE(ToTimestamp(before_epoch).nanos(), 0);
}

TEST(ProtoTimeTest, ClientTimestampsAreChecked) {
  status::FieldViolations violations;
  google::protobuf::Timestamp bad;
  bad.set_seconds(253402300800);  // year 10000
  EXPECT_FALSE(ParseTimestamp(true, bad, "start_time", violations).has_value());
  EXPECT_FALSE(ParseTimestamp(false, {}, "end_time", violations).has_value());
  ASSERT_EQ(violations.size(), 2u);
  EXPECT_EQ(violations.violations()[1].second, "is required");
  EXPECT_TRUE(ParseTimestamp(true, ToTimestamp(absl::UnixEpoch()), "t", violations).has_value());
}

TEST(ProtoTimeTest, DatesMustExist) {
  status::FieldViolations violations;
  EXPECT_EQ(ParseDate(true, Date(2026, 3, 29), "d", violations), absl::CivilDay(2026, 3, 29));
  EXPECT_FALSE(ParseDate(true, Date(2026, 4, 31), "d", violations).has_value());
  EXPECT_FALSE(ParseDate(true, Date(0, 4, 1), "d", violations).has_value());
  EXPECT_FALSE(ParseDate(false, {}, "d", violations).has_value());
  ASSERT_EQ(violations.size(), 3u);
  EXPECT_EQ(violations.violations()[0].second, "must be a date that exists");
  EXPECT_EQ(violations.violations()[1].second, "must be a complete valid date");
  EXPECT_EQ(violations.violations()[2].second, "is required");
}

TEST(ProtoTimeTest, YearZeroMeansEveryYearWhereAllowed) {
  status::FieldViolations violations;
  std::optional<absl::CivilDay> leap =
      ParseDate(true, Date(0, 2, 29), "d", violations, {.allow_no_year = true});
  ASSERT_TRUE(leap.has_value());
  EXPECT_EQ(*leap, absl::CivilDay(2000, 2, 29));
  EXPECT_EQ(ToYearlessDate(*leap).year(), 0);
  EXPECT_TRUE(violations.empty());
}

}  // namespace
}  // namespace sportelli::api
