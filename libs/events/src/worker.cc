#include "sportelli/events/worker.h"

#include "sportelli/status/errors.h"

namespace sportelli::events {

void Worker::Start() {
  if (thread_.joinable() || stop_.HasBeenNotified()) return;
  thread_ = std::thread([this] {
    while (!stop_.HasBeenNotified()) {
      const absl::Duration pause = step_();
      if (pause > absl::ZeroDuration()) stop_.WaitForNotificationWithTimeout(pause);
    }
  });
}

void Worker::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
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
