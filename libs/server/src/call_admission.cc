#include "sportelli/server/call_admission.h"

#include <algorithm>

#include "sportelli/status/errors.h"

namespace sportelli::server {
namespace {

// The admission whose permit the current thread's call holds (Running), null otherwise.
thread_local CallAdmission* current_admission = nullptr;

}  // namespace

CallAdmission::Running::Running(CallAdmission* admission) : previous_(current_admission) {
  current_admission = admission;
}

CallAdmission::Running::~Running() { current_admission = previous_; }

CallAdmission::StepAside::StepAside() {
  if (current_admission == nullptr || !current_admission->LeaveRunning()) return;
  admission_ = current_admission;
  current_admission = nullptr;  // a StepAside inside this one does nothing
}

CallAdmission::StepAside::~StepAside() {
  if (admission_ == nullptr) return;
  admission_->ReturnRunning();
  current_admission = admission_;
}

CallAdmission::CallAdmission(Options options) : options_(options) {}

std::optional<CallAdmission::Permit> CallAdmission::Enter(
    std::optional<std::chrono::steady_clock::time_point> deadline) {
  absl::MutexLock lock(&mu_);
  // A newcomer never overtakes someone already in line.
  if (running_ < options_.concurrent && line_.empty()) {
    ++running_;
    return Permit(this);
  }
  if (static_cast<int>(line_.size()) >= options_.max_waiting) return std::nullopt;

  // The monotonic clock: a wall-clock step must not end or stretch a wait.
  auto give_up = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(options_.max_wait);
  if (deadline) give_up = std::min(give_up, *deadline);
  Waiter waiter;
  auto place = line_.insert(line_.end(), &waiter);
  while (!waiter.admitted) {
    const auto left = give_up - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) {
      line_.erase(place);
      return std::nullopt;
    }
    waiter.admitted_cv.WaitWithTimeout(&mu_, absl::FromChrono(left));
  }
  // Release() took us out of the line and counted us as running.
  return Permit(this);
}

void CallAdmission::Release() {
  absl::MutexLock lock(&mu_);
  ReleaseLocked();
}

void CallAdmission::ReleaseLocked() {
  // A call that resumed from aside may have taken running_ beyond `concurrent`: the line then
  // waits until the count is under it again.
  if (line_.empty() || running_ > options_.concurrent) {
    --running_;
    return;
  }
  // The permit passes straight to the oldest waiter: running_ stays the same.
  Waiter* next = line_.front();
  line_.pop_front();
  next->admitted = true;
  next->admitted_cv.Signal();
}

bool CallAdmission::LeaveRunning() {
  absl::MutexLock lock(&mu_);
  if (aside_ >= options_.max_aside) return false;
  ++aside_;
  ReleaseLocked();
  return true;
}

void CallAdmission::ReturnRunning() {
  absl::MutexLock lock(&mu_);
  --aside_;
  ++running_;
}

absl::Status CallAdmission::Overloaded() const {
  return status::WithRetryDelay(
      status::Error(absl::StatusCode::kUnavailable,
                    "the server is handling as many requests as it can; nothing was done, send "
                    "the same request again after the retry delay",
                    "OVERLOADED"),
      options_.max_wait);
}

int CallAdmission::running() const {
  absl::MutexLock lock(&mu_);
  return running_;
}

int CallAdmission::aside() const {
  absl::MutexLock lock(&mu_);
  return aside_;
}

int CallAdmission::waiting() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(line_.size());
}

}  // namespace sportelli::server
