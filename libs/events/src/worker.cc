#include "sportelli/events/worker.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "sportelli/status/errors.h"

namespace sportelli::events {

Worker::Worker(std::function<absl::Duration()> step)
    : step_(std::move(step)), wake_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Worker::~Worker() {
  Stop();
  if (wake_fd_ >= 0) close(wake_fd_);
}

void Worker::Start() {
  if (thread_.joinable() || stopping_.load()) return;
  thread_ = std::thread([this] {
    while (!stopping_.load()) {
      const absl::Duration pause = step_();
      if (pause <= absl::ZeroDuration() || stopping_.load()) continue;
      // Whole milliseconds, rounded up; without an eventfd (none left), a plain relative sleep.
      const int millis = static_cast<int>(
          std::min<int64_t>(absl::ToInt64Milliseconds(absl::Ceil(pause, absl::Milliseconds(1))),
                            std::numeric_limits<int>::max()));
      pollfd wake{wake_fd_, POLLIN, 0};
      poll(&wake, wake_fd_ >= 0 ? 1 : 0, millis);
    }
  });
}

void Worker::Stop() {
  stopping_.store(true);
  if (wake_fd_ >= 0) {
    const uint64_t one = 1;
    (void)!write(wake_fd_, &one, sizeof(one));
  }
  if (thread_.joinable()) thread_.join();
}

bool OutageLog::Failed(const absl::Status& status) {
  if (failing_) return false;
  failing_ = true;
  nlohmann::json fields = context_;
  fields["code"] = absl::StatusCodeToString(status.code());
  fields["reason"] = status::ReasonOf(status).value_or("");
  logger_->Warning(what_ + " failed; retrying", fields);
  return true;
}

bool OutageLog::Succeeded() {
  if (!failing_) return false;
  failing_ = false;
  logger_->Info(what_ + " recovered", context_);
  return true;
}

}  // namespace sportelli::events
