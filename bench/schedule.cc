#include "bench/schedule.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace sportelli::bench {
namespace {

// 128-bit intermediate products: index * 1e12 overflows 64 bits after ~9 million requests.
// __extension__ keeps -Wpedantic quiet about the GCC/Clang type.
__extension__ typedef __int128 Int128;

constexpr double kMaxRate = 10'000'000;

absl::StatusOr<int64_t> MilliRate(double rate) {
  if (!(rate >= Schedule::kMinRate && rate <= kMaxRate)) {
    return absl::InvalidArgumentError(absl::StrCat("rate must be between ", Schedule::kMinRate,
                                                   " and ", kMaxRate, " requests/s"));
  }
  return static_cast<int64_t>(std::llround(rate * 1000.0));
}

// Requests due in [0, span) at `milli_rate`: the smallest n with OffsetNanos(n) >= span.
int64_t RequestsIn(int64_t milli_rate, absl::Duration span) {
  const Int128 nanos = absl::ToInt64Nanoseconds(span);
  // n * 1e12 / milli_rate >= nanos  <=>  n >= nanos * milli_rate / 1e12.
  const Int128 scaled = nanos * milli_rate;
  constexpr Int128 kDenominator = 1'000'000'000'000;
  return static_cast<int64_t>((scaled + kDenominator - 1) / kDenominator);
}

}  // namespace

absl::StatusOr<Schedule> Schedule::Create(double rate, absl::Duration warmup,
                                          absl::Duration duration) {
  absl::StatusOr<int64_t> milli_rate = MilliRate(rate);
  if (!milli_rate.ok()) return milli_rate.status();
  if (warmup < absl::ZeroDuration() || duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("duration must be positive and warm-up not negative");
  }
  const int64_t warmup_requests = RequestsIn(*milli_rate, warmup);
  const int64_t total = RequestsIn(*milli_rate, warmup + duration);
  if (total <= warmup_requests) {
    return absl::InvalidArgumentError(
        "duration too short for the rate: no request would be measured");
  }
  return Schedule(*milli_rate, total, warmup_requests);
}

absl::StatusOr<Schedule> Schedule::CreateCounted(double rate, int64_t requests,
                                                 int64_t warmup_requests) {
  absl::StatusOr<int64_t> milli_rate = MilliRate(rate);
  if (!milli_rate.ok()) return milli_rate.status();
  if (requests <= 0 || warmup_requests < 0 || warmup_requests >= requests) {
    return absl::InvalidArgumentError(
        "requests must be positive and more than the warm-up requests");
  }
  return Schedule(*milli_rate, requests, warmup_requests);
}

int64_t Schedule::OffsetNanos(int64_t index) const {
  // index * 1e9 / (milli_rate / 1000) = index * 1e12 / milli_rate, in 128 bits: no overflow for
  // any index a run can reach, and no rounding drift.
  return static_cast<int64_t>(static_cast<Int128>(index) * 1'000'000'000'000 / milli_rate_);
}

int64_t Schedule::NextForThread(int64_t index, int thread, int threads) {
  const int64_t remainder = index % threads;
  return remainder <= thread ? index + (thread - remainder)
                             : index + (threads - remainder) + thread;
}

}  // namespace sportelli::bench
