// A latency histogram for the load generator: log-linear buckets in the manner of
// HdrHistogram, so that recording is one increment (no allocation, no sorting) and every
// percentile is known within 1% whatever the distribution, from 1 µs to a minute.
//
//   Histogram latency;
//   latency.Record(absl::ToInt64Nanoseconds(elapsed));
//   int64_t p99 = latency.ValueAtPercentile(99.0);   // nanoseconds, within 1/128 above
//
// Values are nanoseconds. Below 128 ns every value has a bucket of its own; above, each power
// of two is split into 128 equal buckets, so a bucket is at most 1/128 (0.78%) of its lower
// bound wide. A percentile is reported as the upper bound of its bucket (never below the true
// value, as HdrHistogram's "highest equivalent value"), capped by the exact maximum. Values
// above kMaxTrackable (64 s) land in the last bucket and are counted in `overflow()`; the
// exact maximum is kept anyway. Not thread-safe: one per thread, then Merge().
#ifndef SPORTELLI_BENCH_HISTOGRAM_H_
#define SPORTELLI_BENCH_HISTOGRAM_H_

#include <cstdint>
#include <vector>

namespace sportelli::bench {

class Histogram final {
 public:
  // 2^36 ns ~ 68.7 s: above the longest deadline anyone sets for a unary RPC.
  static constexpr int kSubBucketBits = 7;
  static constexpr int kMaxValueBits = 36;
  static constexpr int64_t kMaxTrackable = (int64_t{1} << kMaxValueBits) - 1;

  Histogram();

  // Negative values are recorded as 0 (a clock read out of order must not corrupt the counts).
  void Record(int64_t value_ns);
  void Merge(const Histogram& other);

  int64_t count() const { return count_; }
  int64_t min() const { return count_ == 0 ? 0 : min_; }
  int64_t max() const { return max_; }
  int64_t overflow() const { return overflow_; }
  double mean() const;

  // The smallest recorded value v (rounded up to its bucket's upper bound) such that at least
  // `percentile`% of the values are <= v. 0 when empty; `percentile` is clamped to [0, 100].
  int64_t ValueAtPercentile(double percentile) const;

  // Bucket arithmetic, public for tests.
  static int BucketIndex(int64_t value_ns);
  static int64_t BucketLowerBound(int index);
  static int64_t BucketUpperBound(int index);
  static int BucketCount();

 private:
  std::vector<int64_t> counts_;
  int64_t count_ = 0;
  int64_t min_ = 0;
  int64_t max_ = 0;
  int64_t overflow_ = 0;
  long double sum_ = 0;
};

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_HISTOGRAM_H_
