// The open-loop sending schedule: request i is due at start + i / rate, whatever happened to the
// requests before it. Latency is measured from that intended time, not from when the request
// actually left, so a server (or client) stall shows up in the percentiles instead of silently
// delaying the requests that would have seen it ("coordinated omission").
//
//   Schedule schedule(/*rate=*/2000, /*warmup=*/absl::Seconds(5), /*duration=*/absl::Seconds(30));
//   int64_t due = start_ns + schedule.OffsetNanos(i);
//   bool measured = schedule.IsMeasured(i);
//
// Each offset is computed from i directly, in integers, never by adding 1/rate to the previous
// one: after a million requests at 3 req/s the schedule is still exactly on 1/3 s boundaries.
// The rate is kept in thousandths of a request per second.
#ifndef SPORTELLI_BENCH_SCHEDULE_H_
#define SPORTELLI_BENCH_SCHEDULE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sportelli::bench {

class Schedule final {
 public:
  // The smallest rate a schedule accepts (one request every 1000 s).
  static constexpr double kMinRate = 0.001;

  // INVALID_ARGUMENT for a rate below kMinRate or above 10 million, or a negative duration.
  // The warm-up requests come first and are not measured; `duration` is the measured part.
  static absl::StatusOr<Schedule> Create(double rate, absl::Duration warmup,
                                         absl::Duration duration);
  // A fixed number of requests (the rush scenario's attempts), the first `warmup_requests` of
  // them not measured.
  static absl::StatusOr<Schedule> CreateCounted(double rate, int64_t requests,
                                                int64_t warmup_requests);

  // Nanoseconds from the schedule's start to request `index`'s intended send time:
  // floor(index * 1e9 / rate), exactly.
  int64_t OffsetNanos(int64_t index) const;

  double rate() const { return static_cast<double>(milli_rate_) / 1000.0; }
  int64_t total() const { return total_; }
  int64_t warmup_requests() const { return warmup_; }
  int64_t measured_requests() const { return total_ - warmup_; }
  bool IsMeasured(int64_t index) const { return index >= warmup_; }
  // Intended time of the first measured request and the end of the schedule (the intended time
  // a request after the last would have), both from the start.
  int64_t MeasuredStartNanos() const { return OffsetNanos(warmup_); }
  int64_t EndNanos() const { return OffsetNanos(total_); }

  // The index of the next request at or after `index` that thread `thread` of `threads` sends:
  // requests are dealt round-robin, so every thread has the same share of the rate.
  static int64_t NextForThread(int64_t index, int thread, int threads);

 private:
  Schedule(int64_t milli_rate, int64_t total, int64_t warmup)
      : milli_rate_(milli_rate), total_(total), warmup_(warmup) {}

  int64_t milli_rate_;
  int64_t total_;
  int64_t warmup_;
};

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_SCHEDULE_H_
