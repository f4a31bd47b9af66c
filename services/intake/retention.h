// What intake keeps and for how long (docs/operations.md, "Data classes and retention"), as the
// retention steps of its `maintain` subcommand, each comune with its own periods when set.
#ifndef SPORTELLI_SERVICES_INTAKE_RETENTION_H_
#define SPORTELLI_SERVICES_INTAKE_RETENTION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/pg/retention.h"

namespace sportelli::intake {

// Beyond the kit's own tables (events::KitRetentionSteps: request ids, outbox).
struct Retention {
  // Contacts no case was opened from, after they were recorded; then, persons with nothing left.
  absl::Duration contacts = absl::Hours(24 * 730);
  std::map<std::string, absl::Duration> contacts_by_comune;
  // Closed cases with everything they hold, after they were closed.
  absl::Duration closed_cases = absl::Hours(24 * 365 * 5);
  std::map<std::string, absl::Duration> closed_cases_by_comune;
  absl::Duration audit = absl::Hours(24 * 730);  // after the access
};

// SPORTELLI_RETAIN_CONTACTS[_BY_COMUNE], SPORTELLI_RETAIN_CLOSED_CASES[_BY_COMUNE],
// SPORTELLI_RETAIN_AUDIT (docs/operations.md); problems are recorded on `env`.
Retention ReadRetention(config::EnvReader& env);

// In order: closed cases (with their history, notes, attachments, referrals and the contact
// they came from), contacts that never became cases (an anonymous one's key with it), persons
// with nothing left (their consents and key with them), audit rows. Each through the schema's
// SECURITY DEFINER functions (migrations/V007__retention.sql): the runtime role deletes nothing
// itself.
std::vector<pg::RetentionStep> RetentionSteps(const Retention& retention);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_RETENTION_H_
