// SchedulingRepository in memory, for tests of what sits on top of the repository (the booking
// use cases, availability): the same contract as the PostgreSQL adapter — seats checked with
// the domain's CheckBookableOver against every booking and live hold, request ids replayed,
// the per-citizen limit, holds consumed once, the walk-in queue in due order — without a
// database. Thread-safe (one lock around everything, as a serializable store would be).
//
// Test hooks: `occupancy_reads` counts GetOccupancy calls; `occupancy_gate`, when set, makes
// them wait (to hold concurrent readers in flight); `fail_with` makes every call fail;
// `booking_gate` holds CreateAppointment calls, `batch_sizes` records each CreateAppointments
// call and `fail_batches` makes them fail whole.
#ifndef SPORTELLI_SERVICES_SCHEDULING_TESTS_MEMORY_REPOSITORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_TESTS_MEMORY_REPOSITORY_H_

#include <atomic>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "services/scheduling/scheduling_repository.h"

namespace sportelli::scheduling::testing {

class MemoryRepository final : public SchedulingRepository {
 public:
  absl::StatusOr<DeskOccupancy> GetOccupancy(const std::string& tenant_id,
                                             const std::string& desk_id, absl::Time from,
                                             absl::Time to, absl::Time now) override;
  absl::StatusOr<pg::Created<Appointment>> CreateAppointment(
      const NewAppointment& request, const SeatRules& rules, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode) override;
  // One after the other, each as CreateAppointment (the fake has no transactions to share).
  absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>> CreateAppointments(
      const std::vector<BookingAttempt>& attempts) override;
  absl::StatusOr<pg::Created<Hold>> CreateHold(const NewHold& request, const SeatRules& rules,
                                               const pg::RequestKey& key,
                                               const pg::ResponseEncoder<Hold>& encode) override;
  absl::StatusOr<bool> RequestIdExists(const std::string& tenant_id,
                                       const std::string& request_id) override;
  absl::StatusOr<StoredAppointment> GetAppointment(const std::string& tenant_id,
                                                   const std::string& id,
                                                   const audit::Actor* who) override;
  absl::StatusOr<api::Page<Appointment>> ListAppointments(
      const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
      const std::vector<AppointmentState>& states, const api::PageRequest& page,
      const audit::Actor& who) override;
  absl::StatusOr<std::vector<Appointment>> ListBooked(const std::string& tenant_id,
                                                      const std::string& desk_id, absl::Time from,
                                                      absl::Time to,
                                                      const audit::Actor& who) override;
  absl::StatusOr<Appointment> ChangeState(const std::string& tenant_id, const std::string& id,
                                          const StateChange& change, const StateDecision& decide,
                                          absl::Time now, const audit::Actor& who) override;
  absl::StatusOr<pg::Created<Appointment>> Reschedule(
      const std::string& tenant_id, const std::string& id, absl::Time start, absl::Time end,
      absl::CivilDay local_day, const SeatRules& rules, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode, const audit::Actor& who) override;
  absl::StatusOr<pg::Created<WalkInTicket>> CreateTicket(
      const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day, absl::Time now,
      const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode) override;
  absl::StatusOr<QueueEntry> CallNext(const std::string& tenant_id, const std::string& desk_id,
                                      absl::CivilDay day, absl::Time now,
                                      const audit::Actor& who) override;
  absl::StatusOr<Queue> ListQueue(const std::string& tenant_id, const std::string& desk_id,
                                  absl::CivilDay day, const audit::Actor& who) override;

  // What is stored, for assertions.
  std::vector<Appointment> Appointments() const;
  // The accesses recorded for the audit trail, in order: (action, resource, subject).
  struct Audited {
    audit::Action action;
    std::string resource;
    std::string subject;
  };
  std::vector<Audited> Accesses() const;

  std::atomic<int> occupancy_reads{0};
  absl::Notification* occupancy_gate = nullptr;
  std::atomic<absl::Notification*> booking_gate{nullptr};
  std::atomic<int> bookings_held{0};  // CreateAppointment calls that reached booking_gate
  std::atomic<bool> fail_batches{false};
  // The request time each CreateAppointments call had left (nullopt: none), in order.
  std::vector<std::optional<absl::Duration>> batch_time_left() const {
    absl::MutexLock lock(&mu_);
    return batch_time_left_;
  }
  std::vector<size_t> batch_sizes() const {
    absl::MutexLock lock(&mu_);
    return batch_sizes_;
  }
  // Fixed occupancy returned by GetOccupancy instead of the stored bookings, when set.
  std::optional<DeskOccupancy> occupancy_override;

 private:
  struct StoredHold {
    Hold hold;
    bool used = false;
    std::string citizen_index;
    std::string holder;
  };
  struct Recorded {
    std::string method;
    std::string fingerprint;
    std::string response;
  };
  struct Ticket {
    WalkInTicket ticket;
    bool called = false;
  };

  // The recorded reply of a retry; REQUEST_ID_REUSED for another request with the same id.
  absl::StatusOr<std::optional<std::string>> Replay(const std::string& tenant,
                                                    const pg::RequestKey& key)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Record(const std::string& tenant, const pg::RequestKey& key, std::string response)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void Audit(const audit::Actor& who, audit::Action action, std::string resource)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  DeskOccupancy OccupancyLocked(const std::string& tenant, const std::string& desk, absl::Time from,
                                absl::Time to, absl::Time now, const std::string& except_hold,
                                const std::string& except_appointment) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status TakeSeat(const std::string& tenant, const std::string& desk, absl::Time start,
                        absl::Time end, Channel channel, const SeatRules& rules,
                        const std::string& except_hold, const std::string& except_appointment) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  std::vector<size_t> batch_sizes_ ABSL_GUARDED_BY(mu_);
  std::vector<std::optional<absl::Duration>> batch_time_left_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, StoredAppointment> appointments_ ABSL_GUARDED_BY(mu_);  // tenant/id
  std::map<std::string, std::string> citizen_index_ ABSL_GUARDED_BY(mu_);       // tenant/id
  std::map<std::string, StoredHold> holds_ ABSL_GUARDED_BY(mu_);                // tenant/id
  std::map<std::string, Recorded> requests_ ABSL_GUARDED_BY(mu_);               // tenant/id
  std::map<std::string, std::vector<Ticket>> tickets_ ABSL_GUARDED_BY(mu_);     // tenant/desk/day
  std::map<std::string, absl::Time> called_ ABSL_GUARDED_BY(mu_);  // appointment key -> when
  std::vector<Audited> accesses_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::scheduling::testing

#endif  // SPORTELLI_SERVICES_SCHEDULING_TESTS_MEMORY_REPOSITORY_H_
