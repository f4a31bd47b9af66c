// Bookings of one comune that arrive while others are being written go into the database
// together: one transaction, one commit and a few statements for all of them
// (SchedulingRepository::CreateAppointments), instead of a dozen statements and a commit each.
// On a click day the machine's commit rate, not the number of statements per booking, is then
// the limit; at a quiet hour a booking finds nothing to wait for and runs alone, as before.
//
//   BookingCombiner combiner(&repository, {.max_batch = 32, .batches_per_comune = 2});
//   absl::StatusOr<pg::Created<Appointment>> booked = combiner.Book(attempt);
//
// How: a caller whose comune has fewer than `batches_per_comune` batches in the database takes
// the attempts waiting for that comune (oldest first, up to `max_batch`) and writes them; the
// others wait for their answer. When a batch fails as a whole (the database, a lock timeout,
// its deadline), each of its attempts is tried again alone by its own caller, so one bad row or
// one impatient client never costs another citizen their booking. A batch has the deadline of its
// most patient caller, whoever writes it. A caller waiting for its batch steps aside
// (server::CallAdmission::StepAside): its place among the calls the server handles at once goes
// to the next caller meanwhile. A caller whose deadline passes before its attempt is taken into a
// batch, or would pass before a write ends (as long as writes have lately taken), leaves with
// DEADLINE_EXCEEDED, and nothing is written for it. Attempts with a hold, and a
// second attempt with a request id already in the batch, are never batched (they go alone or into
// the next batch).
//
// Nothing here decides capacity: the batch's transaction checks every attempt under the same
// locks as a single booking, in arrival order.
#ifndef SPORTELLI_SERVICES_SCHEDULING_BOOKING_COMBINER_H_
#define SPORTELLI_SERVICES_SCHEDULING_BOOKING_COMBINER_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/scheduling/scheduling_repository.h"

namespace sportelli::scheduling {

class BookingCombiner final {
 public:
  struct Options {
    int max_batch = 32;          // attempts in one transaction
    int batches_per_comune = 2;  // transactions of one comune's batches at once
  };

  // `repository` (and `registry`, when given) must outlive the combiner. With a registry, the
  // combiner's work is exported: sportelli_scheduling_booking_batch_size (a histogram of the
  // bookings each write carried, 1 for one that went alone),
  // sportelli_scheduling_booking_batches_failed_total and sportelli_scheduling_booking_waiting.
  BookingCombiner(SchedulingRepository* repository, Options options,
                  prometheus::Registry* registry = nullptr);

  // What SchedulingRepository::CreateAppointment answers for `attempt`.
  absl::StatusOr<pg::Created<Appointment>> Book(
      const SchedulingRepository::BookingAttempt& attempt);

  // Attempts written in a batch of more than one, and batches that failed whole, since start.
  int64_t attempts_batched() const;
  int64_t batches_failed() const;
  // Attempts waiting for a batch now, over every comune.
  int waiting() const;

 private:
  struct Waiting {
    const SchedulingRepository::BookingAttempt* attempt;
    std::optional<absl::StatusOr<pg::Created<Appointment>>> answer;
    bool in_line = true;  // not yet taken into a batch (or answered by Take)
    bool alone = false;   // its batch failed: it goes alone, on its own thread and deadline
    std::optional<std::chrono::steady_clock::time_point> deadline;  // its caller's, if any
  };
  struct Comune {
    std::deque<Waiting*> waiting;  // oldest first
    int batches = 0;               // in the database now
    // An answer was given or a batch ended in this comune: only its callers wake (on a click
    // day of seven comuni, a batch's end must not wake every booking of the other six).
    absl::CondVar changed;
  };

  // The oldest waiting attempts, at most max_batch, no request id twice; taken off the line.
  // Those too late for a write are answered DEADLINE_EXCEEDED and taken off the line too.
  std::vector<Waiting*> Take(Comune& comune) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Writes `batch` on behalf of `writer` (without the lock) and answers its attempts (with it).
  void Write(const std::vector<Waiting*>& batch, const Waiting* writer)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  SchedulingRepository* const repository_;
  const Options options_;
  mutable absl::Mutex mu_;
  std::map<std::string, Comune> comuni_ ABSL_GUARDED_BY(mu_);
  int64_t attempts_batched_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t batches_failed_ ABSL_GUARDED_BY(mu_) = 0;
  int waiting_ ABSL_GUARDED_BY(mu_) = 0;
  // How long writes have been taking lately (smoothed): an attempt whose caller has less left is
  // answered DEADLINE_EXCEEDED instead of being taken into a batch.
  std::chrono::steady_clock::duration last_write_ ABSL_GUARDED_BY(mu_){};
  // Null without a registry.
  prometheus::Histogram* batch_size_metric_ = nullptr;
  prometheus::Counter* batches_failed_metric_ = nullptr;
  prometheus::Gauge* waiting_metric_ = nullptr;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_BOOKING_COMBINER_H_
