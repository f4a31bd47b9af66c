#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace sportelli::bench {
namespace {

constexpr int64_t kSubBucketCount = int64_t{1} << Histogram::kSubBucketBits;

}  // namespace

int Histogram::BucketIndex(int64_t value_ns) {
  const uint64_t value = static_cast<uint64_t>(std::clamp<int64_t>(value_ns, 0, kMaxTrackable));
  if (value < static_cast<uint64_t>(kSubBucketCount)) return static_cast<int>(value);
  const int msb = std::bit_width(value) - 1;  // >= kSubBucketBits here
  const int shift = msb - kSubBucketBits;
  const int64_t sub =
      static_cast<int64_t>(value >> shift);  // in [kSubBucketCount, 2 * kSubBucketCount)
  return static_cast<int>((shift + 1) * kSubBucketCount + (sub - kSubBucketCount));
}

int64_t Histogram::BucketLowerBound(int index) {
  if (index < kSubBucketCount) return index;
  const int shift = static_cast<int>(index / kSubBucketCount) - 1;
  const int64_t sub = index % kSubBucketCount + kSubBucketCount;
  return sub << shift;
}

int64_t Histogram::BucketUpperBound(int index) {
  if (index < kSubBucketCount) return index;
  const int shift = static_cast<int>(index / kSubBucketCount) - 1;
  return BucketLowerBound(index) + (int64_t{1} << shift) - 1;
}

int Histogram::BucketCount() { return BucketIndex(kMaxTrackable) + 1; }

Histogram::Histogram() : counts_(BucketCount(), 0) {}

void Histogram::Record(int64_t value_ns) {
  value_ns = std::max<int64_t>(value_ns, 0);
  if (value_ns > kMaxTrackable) ++overflow_;
  ++counts_[BucketIndex(value_ns)];
  min_ = count_ == 0 ? value_ns : std::min(min_, value_ns);
  max_ = std::max(max_, value_ns);
  ++count_;
  sum_ += value_ns;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  overflow_ += other.overflow_;
  sum_ += other.sum_;
}

double Histogram::mean() const { return count_ == 0 ? 0.0 : static_cast<double>(sum_ / count_); }

int64_t Histogram::ValueAtPercentile(double percentile) const {
  if (count_ == 0) return 0;
  percentile = std::clamp(percentile, 0.0, 100.0);
  // The rank of the value, 1-based: p50 of 1..10 is the 5th value, p100 the 10th, p0 the 1st.
  const int64_t rank = std::clamp<int64_t>(
      static_cast<int64_t>(std::ceil(percentile / 100.0 * static_cast<double>(count_) - 1e-9)), 1,
      count_);
  int64_t seen = 0;
  for (size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      return std::clamp(BucketUpperBound(static_cast<int>(i)), min_, max_);
    }
  }
  return max_;
}

}  // namespace sportelli::bench
