#include "services/scheduling/retention.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/pg/time.h"

namespace sportelli::scheduling {
namespace {

constexpr char kSchema[] = "scheduling";

using pg::Timestamp;

absl::StatusOr<int> AnonymizeAppointments(pqxx::work& tx, const std::string& tenant,
                                          absl::Time cutoff, int batch) {
  // Every personal field goes, sealed or clear; the blind index becomes a digest of the
  // appointment alone (no longer linking the citizen's bookings); the cancel token can never
  // match again. What statistics need stays.
  return static_cast<int>(
      tx.exec_params(
            "UPDATE scheduling.appointments SET given_name = NULL, family_name = NULL, "
            "codice_fiscale = NULL, phone_number = NULL, email = NULL, given_name_sealed = NULL, "
            "family_name_sealed = NULL, codice_fiscale_sealed = NULL, phone_number_sealed = NULL, "
            "email_sealed = NULL, called_by = NULL, cancel_token_hash = '\\x'::bytea, "
            "citizen_index = sha256(convert_to('anonymized/' || appointment_id, 'UTF8')) "
            "WHERE ctid = ANY(ARRAY(SELECT ctid FROM scheduling.appointments WHERE tenant_id = $1 "
            "AND end_time < $2::timestamptz AND (given_name_sealed IS NOT NULL OR given_name IS "
            "NOT NULL) LIMIT $3 FOR UPDATE SKIP LOCKED))",
            tenant, Timestamp(cutoff), batch)
          .affected_rows());
}

absl::StatusOr<int> ShredUnusedCitizenKeys(pqxx::work& tx, const std::string& tenant,
                                           absl::Time cutoff, int batch) {
  // Each candidate under the citizen's lock, which a booking takes before it reads or makes the
  // citizen's key (postgres_scheduling_repository.cc): a booking under way keeps its key.
  int shredded = 0;
  for (const auto& row : tx.exec_params(
           "SELECT encode(subject_index, 'hex') FROM scheduling.subject_keys k WHERE tenant_id = "
           "$1 AND created_at < $2::timestamptz AND NOT EXISTS (SELECT 1 FROM "
           "scheduling.appointments a WHERE a.tenant_id = k.tenant_id AND a.citizen_index = "
           "k.subject_index) LIMIT $3",
           tenant, Timestamp(cutoff), batch)) {
    const std::string index = row[0].as<std::string>();
    tx.exec_params(
        "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || 'citizen' || chr(31) || "
        "$2, 0))",
        tenant, index);
    shredded += static_cast<int>(
        tx.exec_params(
              "DELETE FROM scheduling.subject_keys k WHERE tenant_id = $1 AND subject_index = "
              "decode($2, 'hex') AND NOT EXISTS (SELECT 1 FROM scheduling.appointments a WHERE "
              "a.tenant_id = k.tenant_id AND a.citizen_index = k.subject_index)",
              tenant, index)
            .affected_rows());
  }
  return shredded;
}

}  // namespace

Retention ReadRetention(config::EnvReader& env) {
  Retention r;
  const absl::Duration year = absl::Hours(24 * 365);
  r.holds = env.Duration("SPORTELLI_RETAIN_HOLDS", r.holds, absl::ZeroDuration(), year);
  r.capacity_locks =
      env.Duration("SPORTELLI_RETAIN_CAPACITY_LOCKS", r.capacity_locks, absl::Hours(1), year);
  r.appointments =
      env.Duration("SPORTELLI_RETAIN_APPOINTMENTS", r.appointments, absl::Hours(24), 10 * year);
  r.appointments_by_comune =
      env.DurationsByKey("SPORTELLI_RETAIN_APPOINTMENTS_BY_COMUNE", absl::Hours(24), 10 * year);
  r.citizen_keys =
      env.Duration("SPORTELLI_RETAIN_CITIZEN_KEYS", r.citizen_keys, absl::Hours(1), year);
  // The trail's own function refuses anything under a year (libs/audit).
  r.audit = env.Duration("SPORTELLI_RETAIN_AUDIT", r.audit, year, 10 * year);
  return r;
}

std::vector<pg::RetentionStep> RetentionSteps(const Retention& r) {
  return {
      {"holds",
       [keep = r.holds](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
         return pg::DeleteDue(tx, kSchema, "holds", "expire_time < $2::timestamptz", tenant,
                              now - keep, batch);
       }},
      {"capacity_locks",
       [keep = r.capacity_locks](pqxx::work& tx, const std::string& tenant, absl::Time now,
                                 int batch) {
         return pg::DeleteDue(tx, kSchema, "capacity_locks", "bucket < $2::timestamptz", tenant,
                              now - keep, batch);
       }},
      {"appointments",
       [r](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
         auto keep = r.appointments_by_comune.find(tenant);
         return AnonymizeAppointments(
             tx, tenant,
             now - (keep == r.appointments_by_comune.end() ? r.appointments : keep->second), batch);
       }},
      {"citizen_keys",
       [keep = r.citizen_keys](pqxx::work& tx, const std::string& tenant, absl::Time now,
                               int batch) {
         return ShredUnusedCitizenKeys(tx, tenant, now - keep, batch);
       }},
      audit::AuditRetention(kSchema, r.audit),
  };
}

}  // namespace sportelli::scheduling
