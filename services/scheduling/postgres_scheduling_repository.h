// SchedulingRepository on PostgreSQL (schema `scheduling`, see migrations/V001__init.sql).
//
// Capacity: a transaction that takes a seat first locks the desk's capacity_locks rows of the
// quarter hours its interval touches (upserted, in time order, so two transactions never wait
// for each other in a cycle), then counts the bookings and active holds overlapping the
// interval and decides with the domain's CheckBookableOver. Two bookings that could compete for
// a seat overlap, so they share a quarter hour and run one after the other, whatever their
// services' durations; bookings of other slots never wait. READ COMMITTED is enough: each
// statement after the lock sees every booking committed before the lock was granted, and no
// competing booking can commit while the lock is held.
//
// Personal data: the citizen's fields are sealed under the citizen's key (keyring) in the
// transaction that writes them, and opened in the transaction that reads them
// (migrations/V004__sealed_citizen.sql).
//
// Lock order (no deadlocks): request id (pg/idempotency), then citizen (CreateAppointment),
// then capacity rows. A batch (CreateAppointments) takes each kind in one statement, sorted by
// the lock key (capacity rows by desk, then quarter hour), in the same order of kinds.
#ifndef SPORTELLI_SERVICES_SCHEDULING_POSTGRES_SCHEDULING_REPOSITORY_H_
#define SPORTELLI_SERVICES_SCHEDULING_POSTGRES_SCHEDULING_REPOSITORY_H_

#include "services/scheduling/scheduling_repository.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/pg/pool.h"

namespace sportelli::scheduling {

class PostgresSchedulingRepository final : public SchedulingRepository {
 public:
  // Pointers must outlive the repository; the keyring's and audit log's schema is "scheduling".
  PostgresSchedulingRepository(pg::ConnectionPool* pool, keyring::Keyring* keyring,
                               const audit::AuditLog* audit)
      : pool_(pool), keyring_(keyring), audit_(audit) {}

  absl::StatusOr<DeskOccupancy> GetOccupancy(const std::string& tenant_id,
                                             const std::string& desk_id, absl::Time from,
                                             absl::Time to, absl::Time now) override;
  absl::StatusOr<pg::Created<Appointment>> CreateAppointment(
      const NewAppointment& request, const SeatRules& rules, const pg::RequestKey& key,
      const pg::ResponseEncoder<Appointment>& encode) override;
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

  // Every appointment of the citizen with blind index `citizen_index`, oldest first, with its
  // citizen opened, inside `tx` (a tenant transaction of the caller, which audits the access):
  // the scheduling part of a data subject's access request (sportelli.audit.v1).
  absl::StatusOr<std::vector<Appointment>> AppointmentsOfCitizen(pqxx::work& tx,
                                                                 const std::string& tenant_id,
                                                                 const std::string& citizen_index);

  // Seals the citizens of up to `batch` appointments of the comune still stored in clear (booked
  // before migration V004) in one short transaction, skipping rows locked by the service;
  // returns how many it sealed. `seal-existing` calls it until it returns less than `batch`.
  absl::StatusOr<int> SealClearCitizens(const std::string& tenant_id, int batch);

 private:
  // Records `who`'s access to the citizens `indexes` of `resource` in `tx`.
  absl::Status Audit(pqxx::work& tx, const std::string& tenant, const audit::Actor& who,
                     audit::Action action, std::string resource,
                     std::vector<std::string> indexes) const;

  pg::ConnectionPool* const pool_;
  keyring::Keyring* const keyring_;
  const audit::AuditLog* const audit_;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_POSTGRES_SCHEDULING_REPOSITORY_H_
