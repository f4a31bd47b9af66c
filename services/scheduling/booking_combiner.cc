#include "services/scheduling/booking_combiner.h"

#include <algorithm>
#include <set>
#include <utility>

namespace sportelli::scheduling {

BookingCombiner::BookingCombiner(SchedulingRepository* repository, Options options)
    : repository_(repository), options_(options) {}

absl::StatusOr<pg::Created<Appointment>> BookingCombiner::Book(
    const SchedulingRepository::BookingAttempt& attempt) {
  if (!attempt.booking.hold_id.empty()) {
    return repository_->CreateAppointment(attempt.booking, attempt.rules, attempt.key,
                                          *attempt.encode);
  }
  Waiting me{&attempt, std::nullopt};
  {
    absl::MutexLock lock(&mu_);
    // std::map: the reference stays valid while other comuni are added.
    Comune& comune = comuni_[attempt.booking.appointment.tenant_id];
    comune.waiting.push_back(&me);
    while (!me.answer && !me.alone) {
      if (comune.batches < options_.batches_per_comune && !comune.waiting.empty()) {
        const std::vector<Waiting*> batch = Take(comune);
        ++comune.batches;
        Write(batch, &me);
        --comune.batches;
        answered_.SignalAll();
        continue;
      }
      answered_.Wait(&mu_);
    }
    if (me.answer) return *std::move(me.answer);
  }
  return repository_->CreateAppointment(attempt.booking, attempt.rules, attempt.key,
                                        *attempt.encode);
}

std::vector<BookingCombiner::Waiting*> BookingCombiner::Take(Comune& comune) {
  std::vector<Waiting*> batch;
  std::set<std::string> request_ids;
  for (auto it = comune.waiting.begin();
       it != comune.waiting.end() && static_cast<int>(batch.size()) < options_.max_batch;) {
    const std::string& request_id = (*it)->attempt->key.request_id;
    if (!request_id.empty() && !request_ids.insert(request_id).second) {
      ++it;  // the same request twice: the second waits for the first's reply to be recorded
      continue;
    }
    batch.push_back(*it);
    it = comune.waiting.erase(it);
  }
  return batch;
}

void BookingCombiner::Write(const std::vector<Waiting*>& batch, const Waiting* writer) {
  std::vector<SchedulingRepository::BookingAttempt> attempts;
  attempts.reserve(batch.size());
  for (const Waiting* waiting : batch) attempts.push_back(*waiting->attempt);

  mu_.Unlock();
  absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>> answers;
  if (attempts.size() == 1) {
    // Alone: the single booking's transaction, as at a quiet hour.
    const SchedulingRepository::BookingAttempt& only = attempts.front();
    answers.emplace().push_back(
        repository_->CreateAppointment(only.booking, only.rules, only.key, *only.encode));
  } else {
    answers = repository_->CreateAppointments(attempts);
  }
  mu_.Lock();

  if (batch.size() > 1) {
    attempts_batched_ += static_cast<int64_t>(batch.size());
    if (!answers.ok()) ++batches_failed_;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    // The writer's deadline bounded the transaction: another caller's attempt that ran out of
    // it is not that caller's answer, and goes again on its own deadline.
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
  size_t waiting = 0;
  for (const auto& [tenant, comune] : comuni_) waiting += comune.waiting.size();
  return static_cast<int>(waiting);
}

int64_t BookingCombiner::batches_failed() const {
  absl::MutexLock lock(&mu_);
  return batches_failed_;
}

}  // namespace sportelli::scheduling
