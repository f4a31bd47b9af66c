#include "services/intake/retention.h"

#include "absl/strings/str_cat.h"
#include "services/intake/postgres_intake_repository.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"

namespace sportelli::intake {
namespace {

absl::Duration For(const std::string& tenant, absl::Duration fallback,
                   const std::map<std::string, absl::Duration>& by_comune) {
  auto keep = by_comune.find(tenant);
  return keep == by_comune.end() ? fallback : keep->second;
}

// One of V007's functions: at most `batch` due rows of the comune in the transaction.
pg::RetentionStep Expire(std::string data_class, const char* function,
                         std::function<absl::Duration(const std::string&)> keep) {
  return {std::move(data_class),
          [function, keep](pqxx::work& tx, const std::string& tenant, absl::Time now,
                           int batch) -> absl::StatusOr<int> {
            return pg::ExecPrepared(
                       tx, absl::StrCat("SELECT intake.", function, "($1::timestamptz, $2)"),
                       pg::Timestamp(now - keep(tenant)), batch)[0][0]
                .as<int>();
          }};
}

}  // namespace

Retention ReadRetention(config::EnvReader& env) {
  Retention r;
  const absl::Duration year = absl::Hours(24 * 365);
  // The database functions refuse less (90 days, a year): a typo cannot wipe recent records.
  r.contacts =
      env.Duration("SPORTELLI_RETAIN_CONTACTS", r.contacts, absl::Hours(24 * 90), 10 * year);
  r.contacts_by_comune =
      env.DurationsByKey("SPORTELLI_RETAIN_CONTACTS_BY_COMUNE", absl::Hours(24 * 90), 10 * year);
  r.closed_cases = env.Duration("SPORTELLI_RETAIN_CLOSED_CASES", r.closed_cases, year, 20 * year);
  r.closed_cases_by_comune =
      env.DurationsByKey("SPORTELLI_RETAIN_CLOSED_CASES_BY_COMUNE", year, 20 * year);
  r.audit = env.Duration("SPORTELLI_RETAIN_AUDIT", r.audit, year, 10 * year);
  return r;
}

std::vector<pg::RetentionStep> RetentionSteps(const Retention& r) {
  const auto contacts = [r](const std::string& tenant) {
    return For(tenant, r.contacts, r.contacts_by_comune);
  };
  return {
      Expire("closed_cases", "expire_closed_cases",
             [r](const std::string& tenant) {
               return For(tenant, r.closed_cases, r.closed_cases_by_comune);
             }),
      Expire("contacts", "expire_contacts", contacts),
      Expire("persons", "expire_persons", contacts),
      audit::AuditRetention(kSchema, r.audit),
  };
}

}  // namespace sportelli::intake
