// Internal: keeps a write to a Redis socket that the server has closed from killing the
// process with SIGPIPE.
//
// hiredis 0.14 writes with write(2), not send(..., MSG_NOSIGNAL), so writing to a connection
// whose peer is gone raises SIGPIPE, whose default action terminates the process. A library
// must not change the process-wide disposition behind its host's back, so, like libpq, we
// block SIGPIPE in the calling thread for the duration of one hiredis operation and discard a
// SIGPIPE that the operation itself raised; the write then simply fails with EPIPE, which
// hiredis reports as an I/O error.
//
//   {
//     SigpipeGuard guard;
//     reply = redisCommandArgv(...);
//   }  // SIGPIPE raised in between is gone; the thread's signal mask is restored
#ifndef SPORTELLI_REDIS_SRC_SIGPIPE_GUARD_H_
#define SPORTELLI_REDIS_SRC_SIGPIPE_GUARD_H_

#include <signal.h>

namespace sportelli::redis::internal {

class SigpipeGuard final {
 public:
  SigpipeGuard();
  ~SigpipeGuard();

  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t old_mask_;
  // A SIGPIPE that was pending before we started is someone else's: leave it alone.
  bool was_pending_ = false;
};

}  // namespace sportelli::redis::internal

#endif  // SPORTELLI_REDIS_SRC_SIGPIPE_GUARD_H_
