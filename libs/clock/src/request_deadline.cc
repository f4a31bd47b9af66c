#include "sportelli/clock/request_deadline.h"

namespace sportelli::clock {
namespace {

thread_local std::optional<std::chrono::steady_clock::time_point> current_deadline;

}  // namespace

ScopedRequestDeadline::ScopedRequestDeadline(std::chrono::steady_clock::time_point deadline)
    : previous_(current_deadline) {
  current_deadline = deadline;
}

ScopedRequestDeadline::~ScopedRequestDeadline() { current_deadline = previous_; }

std::optional<absl::Duration> RemainingRequestTime() {
  if (!current_deadline) return std::nullopt;
  return absl::FromChrono(*current_deadline - std::chrono::steady_clock::now());
}

}  // namespace sportelli::clock
