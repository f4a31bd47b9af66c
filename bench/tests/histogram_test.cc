#include "bench/histogram.h"

#include <cmath>
#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::bench {
namespace {

constexpr double kPrecision = 1.0 / 128;  // one bucket's relative width

// Reported percentiles are the upper bound of the true value's bucket: never below it, and at
// most one bucket width above.
void ExpectWithinBucket(int64_t reported, double truth) {
  EXPECT_GE(static_cast<double>(reported), std::floor(truth)) << "truth " << truth;
  EXPECT_LE(static_cast<double>(reported), truth * (1 + kPrecision) + 1) << "truth " << truth;
}

TEST(HistogramTest, EmptyReportsZero) {
  Histogram histogram;
  EXPECT_EQ(histogram.count(), 0);
  EXPECT_EQ(histogram.ValueAtPercentile(50), 0);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 0);
  EXPECT_EQ(histogram.max(), 0);
}

TEST(HistogramTest, BucketsCoverEveryValueContiguously) {
  for (int i = 1; i < Histogram::BucketCount(); ++i) {
    ASSERT_EQ(Histogram::BucketLowerBound(i), Histogram::BucketUpperBound(i - 1) + 1) << i;
    ASSERT_EQ(Histogram::BucketIndex(Histogram::BucketLowerBound(i)), i);
    ASSERT_EQ(Histogram::BucketIndex(Histogram::BucketUpperBound(i)), i);
  }
  EXPECT_EQ(Histogram::BucketUpperBound(Histogram::BucketCount() - 1), Histogram::kMaxTrackable);
}

TEST(HistogramTest, BucketsAreNarrowerThanOnePercentFromOneMicrosecondToSixtySeconds) {
  for (int64_t value : {int64_t{1'000}, int64_t{1'234}, int64_t{99'999}, int64_t{1'000'000},
                        int64_t{2'000'000'000}, int64_t{60'000'000'000}}) {
    const int index = Histogram::BucketIndex(value);
    const double width = static_cast<double>(Histogram::BucketUpperBound(index) -
                                             Histogram::BucketLowerBound(index) + 1);
    EXPECT_LE(width / static_cast<double>(value), 0.01) << value;
  }
}

TEST(HistogramTest, ConstantValueGivesThatValueAtEveryPercentile) {
  Histogram histogram;
  for (int i = 0; i < 1000; ++i) histogram.Record(250'000);
  for (double p : {0.0, 50.0, 99.0, 99.9, 100.0})
    EXPECT_EQ(histogram.ValueAtPercentile(p), 250'000) << p;
  EXPECT_EQ(histogram.min(), 250'000);
  EXPECT_EQ(histogram.max(), 250'000);
  EXPECT_DOUBLE_EQ(histogram.mean(), 250'000);
}

TEST(HistogramTest, UniformDistributionPercentiles) {
  // 1 µs .. 100 ms in 1 µs steps, each once: the p-th percentile is p% of 100 ms.
  Histogram histogram;
  for (int64_t us = 1; us <= 100'000; ++us) histogram.Record(us * 1000);
  EXPECT_EQ(histogram.count(), 100'000);
  ExpectWithinBucket(histogram.ValueAtPercentile(50), 50e6);
  ExpectWithinBucket(histogram.ValueAtPercentile(90), 90e6);
  ExpectWithinBucket(histogram.ValueAtPercentile(99), 99e6);
  ExpectWithinBucket(histogram.ValueAtPercentile(99.9), 99.9e6);
  EXPECT_EQ(histogram.ValueAtPercentile(100), 100'000'000);
  EXPECT_EQ(histogram.max(), 100'000'000);
  EXPECT_EQ(histogram.min(), 1000);
}

TEST(HistogramTest, ExponentialDistributionPercentilesWithinOnePercent) {
  // Mean 1 ms: the p-quantile is -ln(1 - p) ms. With a million samples the sampling error at
  // p99.9 (~0.3%) stays well inside the 1% the histogram promises plus a margin.
  std::mt19937_64 engine(42);
  std::exponential_distribution<double> exponential(1.0 / 1e6);
  Histogram histogram;
  for (int i = 0; i < 1'000'000; ++i) histogram.Record(static_cast<int64_t>(exponential(engine)));
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double truth = -std::log(1 - p / 100) * 1e6;
    EXPECT_NEAR(static_cast<double>(histogram.ValueAtPercentile(p)), truth, truth * 0.03)
        << "p" << p;
  }
  EXPECT_NEAR(histogram.mean(), 1e6, 1e6 * 0.01);
}

TEST(HistogramTest, BimodalTailIsNotAveragedAway) {
  // 98% fast (100 µs), 2% stalled (1 s): p90 is fast, p99 must show the stall.
  Histogram histogram;
  for (int i = 0; i < 9800; ++i) histogram.Record(100'000);
  for (int i = 0; i < 200; ++i) histogram.Record(1'000'000'000);
  ExpectWithinBucket(histogram.ValueAtPercentile(90), 100'000);
  ExpectWithinBucket(histogram.ValueAtPercentile(98), 100'000);
  ExpectWithinBucket(histogram.ValueAtPercentile(99), 1e9);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  Histogram a, b, all;
  for (int64_t v = 1; v < 50'000; v += 7) {
    (v % 2 ? a : b).Record(v * 997);
    all.Record(v * 997);
  }
  a.Merge(b);
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  for (double p : {1.0, 50.0, 99.0, 99.99})
    EXPECT_EQ(a.ValueAtPercentile(p), all.ValueAtPercentile(p));
}

TEST(HistogramTest, OutOfRangeValuesAreClampedButCounted) {
  Histogram histogram;
  histogram.Record(-5);
  histogram.Record(Histogram::kMaxTrackable + 1000);
  EXPECT_EQ(histogram.count(), 2);
  EXPECT_EQ(histogram.min(), 0);
  EXPECT_EQ(histogram.overflow(), 1);
  EXPECT_EQ(histogram.max(), Histogram::kMaxTrackable + 1000);
}

}  // namespace
}  // namespace sportelli::bench
