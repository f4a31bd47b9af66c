#include "sportelli/pg/retention.h"

#include "absl/strings/str_cat.h"
#include "sportelli/pg/time.h"

namespace sportelli::pg {

absl::StatusOr<int> DeleteDue(pqxx::work& tx, absl::string_view schema, absl::string_view table,
                              absl::string_view due, const std::string& tenant, absl::Time cutoff,
                              int batch) {
  const std::string qualified = absl::StrCat(schema, ".", table);
  // By ctid, a batch at a time: each transaction holds its row locks briefly, and the service
  // keeps writing meanwhile. No FOR UPDATE in the subquery: it needs the UPDATE privilege, which
  // the runtime role lacks on tables it only appends to and deletes from (request_ids); a row
  // changed meanwhile is checked again by the DELETE's own condition.
  const pqxx::result deleted = tx.exec_params(
      absl::StrCat("DELETE FROM ", qualified, " WHERE ctid = ANY(ARRAY(SELECT ctid FROM ",
                   qualified, " WHERE tenant_id = $1 AND (", due, ") LIMIT $3)) AND (", due, ")"),
      tenant, Timestamp(cutoff), batch);
  return static_cast<int>(deleted.affected_rows());
}

RetentionStep RequestIdsRetention(std::string schema, absl::Duration keep) {
  return {"request_ids",
          [schema, keep](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
            return DeleteDue(tx, schema, "request_ids", "created_at < $2::timestamptz", tenant,
                             now - keep, batch);
          }};
}

}  // namespace sportelli::pg
