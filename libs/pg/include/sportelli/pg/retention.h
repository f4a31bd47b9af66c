// Retention, the database side, written once: a step deletes (or anonymizes) what is due of one
// comune, in batches, inside a tenant transaction of the caller, so row-level security fences it
// like any other work of the service. The `maintain` subcommand (sportelli/server/maintenance.h)
// runs every step of a service for every comune, one short transaction per batch, and counts
// what each did.
//
//   pg::RetentionStep step = pg::RequestIdsRetention("scheduling", absl::Hours(24));
//   ASSIGN_OR_RETURN(int deleted, step.run(tx, "capannori", now, 500));
#ifndef SPORTELLI_PG_RETENTION_H_
#define SPORTELLI_PG_RETENTION_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pqxx/transaction"

namespace sportelli::pg {

struct RetentionStep {
  // What it removes, as the metric label and in docs/operations.md ("request_ids", ...).
  std::string data_class;
  // Removes at most `batch` rows of `tenant` due at `now` in `tx`; returns how many. A batch
  // smaller than `batch` means nothing more is due.
  std::function<absl::StatusOr<int>(pqxx::work& tx, const std::string& tenant, absl::Time now,
                                    int batch)>
      run;
};

// Deletes at most `batch` rows of `schema.table` of `tenant` matching `due` (an SQL condition on
// the table's columns where $2 is the cutoff instant), oldest-first order not guaranteed.
// `schema`, `table` and `due` come from code, never from input.
absl::StatusOr<int> DeleteDue(pqxx::work& tx, absl::string_view schema, absl::string_view table,
                              absl::string_view due, const std::string& tenant, absl::Time cutoff,
                              int batch);

// The request ids (the kit's request_ids table) recorded more than `keep` ago: a retry after
// that is a new request.
RetentionStep RequestIdsRetention(std::string schema, absl::Duration keep);

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_RETENTION_H_
