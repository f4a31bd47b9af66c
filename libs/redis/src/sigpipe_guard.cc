#include "sigpipe_guard.h"

#include <pthread.h>

#include <cerrno>
#include <ctime>

namespace sportelli::redis::internal {
namespace {

sigset_t SigpipeSet() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGPIPE);
  return set;
}

bool SigpipePending() {
  sigset_t pending;
  sigemptyset(&pending);
  return sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1;
}

}  // namespace

SigpipeGuard::SigpipeGuard() {
  const sigset_t sigpipe = SigpipeSet();
  pthread_sigmask(SIG_BLOCK, &sigpipe, &old_mask_);
  // Only when SIGPIPE was already blocked can one be pending that predates us.
  if (sigismember(&old_mask_, SIGPIPE) == 1) was_pending_ = SigpipePending();
}

SigpipeGuard::~SigpipeGuard() {
  const int saved_errno = errno;  // the caller may still want the errno of the failed write
  if (!was_pending_ && SigpipePending()) {
    // Consume the signal our write raised. A zero timeout: it is pending, so this returns
    // at once; EINTR (another signal handled meanwhile) is retried.
    const sigset_t sigpipe = SigpipeSet();
    const timespec zero = {0, 0};
    while (sigtimedwait(&sigpipe, nullptr, &zero) == -1 && errno == EINTR) {
    }
  }
  pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  errno = saved_errno;
}

}  // namespace sportelli::redis::internal
