// The background loop of the outbox relay and of the stream consumers, written once: a thread
// that repeats one step until stopped, and an outage logged when it starts and when it ends
// rather than at every retry.
//
//   Worker worker([this] {
//     absl::StatusOr<int> done = RunOnce();
//     if (!done.ok()) { outage_.Failed(done.status()); return options_.error_wait; }
//     outage_.Succeeded();
//     return *done == 0 ? options_.idle_wait : absl::ZeroDuration();
//   });
//   worker.Start();  // ... worker.Stop() (or its destructor) interrupts the pause, joins
#ifndef SPORTELLI_EVENTS_WORKER_H_
#define SPORTELLI_EVENTS_WORKER_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "sportelli/logging/logger.h"

namespace sportelli::events {

class Worker final {
 public:
  // `step` runs once per round and returns how long to pause before the next (zero: at once).
  explicit Worker(std::function<absl::Duration()> step);
  ~Worker();

  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Starts the thread; a second call does nothing.
  void Start();
  // Ends the pause under way at once, waits for the step under way; then the worker is done (a
  // stopped worker does not start again). A second call does nothing.
  void Stop();

 private:
  const std::function<absl::Duration()> step_;
  // The pause is poll() on an eventfd with a relative timeout, and Stop() writes to the eventfd.
  // Condition variables (absl's or std's) wait for an absolute deadline read from a clock, so a
  // process whose clocks are shifted (libfaketime, in the tests that run a year ahead) would
  // pause until the real clock caught up; a relative timeout does not depend on any clock.
  const int wake_fd_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// One loop's failures as the log shows them: a warning (with the status code and reason, never
// the message, which may carry data) when an outage starts, an info line when it ends.
class OutageLog final {
 public:
  // `what` names the loop in both lines ("outbox relay"); `context` is added to them, e.g.
  // {{"schema", "tenants"}}. The logger must outlive this.
  OutageLog(logging::Logger* logger, std::string what, nlohmann::json context)
      : logger_(logger), what_(std::move(what)), context_(std::move(context)) {}

  // Returns whether this failure starts an outage.
  bool Failed(const absl::Status& status);
  // Returns whether this success ends an outage.
  bool Succeeded();

 private:
  logging::Logger* const logger_;
  const std::string what_;
  const nlohmann::json context_;
  bool failing_ = false;
};

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_WORKER_H_
