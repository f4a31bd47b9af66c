#include "services/scheduling/booking_combiner.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <utility>

#include "sportelli/clock/request_deadline.h"
#include "sportelli/server/call_admission.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

BookingCombiner::BookingCombiner(SchedulingRepository* repository, Options options,
                                 prometheus::Registry* registry)
    : repository_(repository), options_(options) {
  if (registry == nullptr) return;
  batch_size_metric_ =
      &prometheus::BuildHistogram()
           .Name("sportelli_scheduling_booking_batch_size")
           .Help(
               "Bookings written in one transaction by the booking combiner (1: a booking that "
               "found nothing to wait for, or whose batch failed and went alone).")
           .Register(*registry)
           .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64, 128, 256});
  batches_failed_metric_ = &prometheus::BuildCounter()
                                .Name("sportelli_scheduling_booking_batches_failed_total")
                                .Help(
                                    "Batches of bookings whose transaction failed whole; each "
                                    "of their bookings was then tried alone.")
                                .Register(*registry)
                                .Add({});
  waiting_metric_ = &prometheus::BuildGauge()
                         .Name("sportelli_scheduling_booking_waiting")
                         .Help("Bookings waiting for their comune's next batch.")
                         .Register(*registry)
                         .Add({});
}

absl::StatusOr<pg::Created<Appointment>> BookingCombiner::Book(
    const SchedulingRepository::BookingAttempt& attempt) {
  if (!attempt.booking.hold_id.empty()) {
    return repository_->CreateAppointment(attempt.booking, attempt.rules, attempt.key,
                                          *attempt.encode);
  }
  Waiting me{};
  me.attempt = &attempt;
  if (const std::optional<absl::Duration> left = clock::RemainingRequestTime()) {
    me.deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(*left);
  }
  {
    absl::MutexLock lock(&mu_);
    // std::map: the reference stays valid while other comuni are added.
    Comune& comune = comuni_[attempt.booking.appointment.tenant_id];
    comune.waiting.push_back(&me);
    ++waiting_;
    if (waiting_metric_ != nullptr) waiting_metric_->Set(waiting_);
    // Waiting for a batch uses nothing of this server's, so the call's place among those it
    // handles at once goes to the next caller meanwhile (server::CallAdmission): otherwise the
    // bookings waiting for their comune's batch would fill every place, and a batch could carry
    // no more bookings than the server has places.
    std::optional<server::CallAdmission::StepAside> aside;
    while (!me.answer && !me.alone) {
      if (me.in_line && me.deadline && *me.deadline <= std::chrono::steady_clock::now()) {
        // The caller stopped waiting before its attempt was taken: a booking it no longer waits
        // for is not made (the citizen, told the call failed, would not know of the seat), and
        // it writes no batch for the others either (the batch would fail at once). Someone else
        // may now write.
        comune.waiting.erase(std::find(comune.waiting.begin(), comune.waiting.end(), &me));
        --waiting_;
        if (waiting_metric_ != nullptr) waiting_metric_->Set(waiting_);
        comune.changed.SignalAll();
        return status::Error(absl::StatusCode::kDeadlineExceeded,
                             "the caller's deadline passed while the booking waited for its turn",
                             "DEADLINE_EXCEEDED");
      }
      if (comune.batches < options_.batches_per_comune && !comune.waiting.empty()) {
        const std::vector<Waiting*> batch = Take(comune);
        if (batch.empty()) {  // every attempt in line was answered instead (too late)
          comune.changed.SignalAll();
          continue;
        }
        ++comune.batches;
        Write(batch, &me);
        --comune.batches;
        comune.changed.SignalAll();
        continue;
      }
      if (!aside) aside.emplace();
      // Once taken into a batch, the attempt is that batch's, and its answer is waited for.
      if (me.in_line && me.deadline) {
        comune.changed.WaitWithTimeout(
            &mu_, absl::FromChrono(*me.deadline - std::chrono::steady_clock::now()));
      } else {
        comune.changed.Wait(&mu_);
      }
    }
    if (me.answer) return *std::move(me.answer);
  }
  return repository_->CreateAppointment(attempt.booking, attempt.rules, attempt.key,
                                        *attempt.encode);
}

std::vector<BookingCombiner::Waiting*> BookingCombiner::Take(Comune& comune) {
  std::vector<Waiting*> batch;
  std::set<std::string> request_ids;
  const auto now = std::chrono::steady_clock::now();
  for (auto it = comune.waiting.begin();
       it != comune.waiting.end() && static_cast<int>(batch.size()) < options_.max_batch;) {
    // An attempt whose caller will have given up before a write ends (as long as the last
    // ones took) is answered now, not written: the citizen, told the call failed, would not
    // know of the seat.
    if ((*it)->deadline && *(*it)->deadline - now < last_write_) {
      (*it)->answer =
          status::Error(absl::StatusCode::kDeadlineExceeded,
                        "the caller's deadline would pass before the booking could be written",
                        "DEADLINE_EXCEEDED");
      (*it)->in_line = false;
      it = comune.waiting.erase(it);
      --waiting_;
      continue;
    }
    const std::string& request_id = (*it)->attempt->key.request_id;
    if (!request_id.empty() && !request_ids.insert(request_id).second) {
      ++it;  // the same request twice: the second waits for the first's reply to be recorded
      continue;
    }
    batch.push_back(*it);
    (*it)->in_line = false;
    it = comune.waiting.erase(it);
  }
  waiting_ -= static_cast<int>(batch.size());
  if (waiting_metric_ != nullptr) waiting_metric_->Set(waiting_);
  return batch;
}

void BookingCombiner::Write(const std::vector<Waiting*>& batch, const Waiting* writer) {
  std::vector<SchedulingRepository::BookingAttempt> attempts;
  attempts.reserve(batch.size());
  for (const Waiting* waiting : batch) attempts.push_back(*waiting->attempt);

  // The batch has the time of its most patient caller, not only the writer's: a writer about
  // to give up must not make the others' bookings fail with it.
  std::optional<std::chrono::steady_clock::time_point> latest;
  bool unbounded = false;
  for (const Waiting* waiting : batch) {
    if (!waiting->deadline) unbounded = true;
    if (waiting->deadline && (!latest || *waiting->deadline > *latest)) latest = waiting->deadline;
  }

  mu_.Unlock();
  const auto started = std::chrono::steady_clock::now();
  std::optional<clock::ScopedRequestDeadline> batch_deadline;
  if (latest && !unbounded) batch_deadline.emplace(*latest);
  absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>> answers;
  if (attempts.size() == 1) {
    // Alone: the single booking's transaction, as at a quiet hour.
    const SchedulingRepository::BookingAttempt& only = attempts.front();
    answers.emplace().push_back(
        repository_->CreateAppointment(only.booking, only.rules, only.key, *only.encode));
  } else {
    answers = repository_->CreateAppointments(attempts);
  }
  batch_deadline.reset();
  const auto took = std::chrono::steady_clock::now() - started;
  mu_.Lock();
  // Smoothed, so that one slow write does not turn every caller away.
  last_write_ = (last_write_ * 3 + took) / 4;

  if (batch.size() > 1) {
    attempts_batched_ += static_cast<int64_t>(batch.size());
    if (!answers.ok()) {
      ++batches_failed_;
      if (batches_failed_metric_ != nullptr) batches_failed_metric_->Increment();
    }
  }
  if (batch_size_metric_ != nullptr) batch_size_metric_->Observe(static_cast<double>(batch.size()));
  for (size_t i = 0; i < batch.size(); ++i) {
    // The batch's deadline bounded the transaction: another caller's attempt that ran out of it
    // is not that caller's answer, and goes again on its own deadline.
    const bool writers_deadline =
        answers.ok() && i < answers->size() && batch[i] != writer &&
        (*answers)[i].status().code() == absl::StatusCode::kDeadlineExceeded;
    if (answers.ok() && i < answers->size() && !writers_deadline) {
      batch[i]->answer = std::move((*answers)[i]);
    } else {
      batch[i]->alone = true;
    }
  }
}

int64_t BookingCombiner::attempts_batched() const {
  absl::MutexLock lock(&mu_);
  return attempts_batched_;
}

int BookingCombiner::waiting() const {
  absl::MutexLock lock(&mu_);
  return waiting_;
}

int64_t BookingCombiner::batches_failed() const {
  absl::MutexLock lock(&mu_);
  return batches_failed_;
}

}  // namespace sportelli::scheduling
