// What scheduling keeps and for how long (docs/operations.md, "Data classes and retention"), as
// the retention steps of its `maintain` subcommand (sportelli/server/maintenance.h).
#ifndef SPORTELLI_SERVICES_SCHEDULING_RETENTION_H_
#define SPORTELLI_SERVICES_SCHEDULING_RETENTION_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/pg/retention.h"

namespace sportelli::scheduling {

// Beyond the kit's own tables (events::KitRetentionSteps: request ids, outbox).
struct Retention {
  absl::Duration holds = absl::Hours(1);                // after they expired
  absl::Duration capacity_locks = absl::Hours(24);      // after their quarter hour
  absl::Duration appointments = absl::Hours(24 * 730);  // after they ended: then anonymized
  std::map<std::string, absl::Duration> appointments_by_comune;
  absl::Duration citizen_keys = absl::Hours(24);  // unused for this long: then shredded
  absl::Duration audit = absl::Hours(24 * 730);   // after the access
};

// SPORTELLI_RETAIN_* (docs/operations.md); problems are recorded on `env`.
Retention ReadRetention(config::EnvReader& env);

// In order: holds, capacity locks, appointments (anonymized: the citizen's
// fields, blind index and cancel token go; desk, service, times, channel and state stay for the
// statistics), citizen keys no appointment uses any more (crypto-shredding what backups hold),
// audit rows.
std::vector<pg::RetentionStep> RetentionSteps(const Retention& retention);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_RETENTION_H_
