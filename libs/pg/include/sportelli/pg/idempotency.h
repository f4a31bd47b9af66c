// Request-id deduplication (https://google.aip.dev/155): a create or other non-idempotent write
// retried with the same request_id returns the first result instead of acting twice. The stored
// response and the write it describes commit in the same transaction, so either both exist or
// neither does.
//
// The table is `<schema>.request_ids`, created by the kit component RequestIdsComponent() (a
// service lists it among its migration components; see migrations.h), the same for every
// service. A repository runs its write through RunIdempotent inside its tenant transaction:
//
//   return pool_->RunInTenantTransaction(desk.tenant_id, [&](pqxx::work& tx) {
//     return pg::RunIdempotent<Desk>(tx, "tenants", desk.tenant_id, key, encode,
//                                    [&]() -> absl::StatusOr<Desk> { ...insert it... });
//   });
//
// Concurrency: the lookup first takes a transaction-scoped advisory lock on (tenant,
// request_id). Without it, two concurrent retries would both find nothing, both do the work, and
// the second would fail on the primary key at record time: correct (its transaction rolls back
// whole) but the client would see ALREADY_EXISTS for what is a legitimate retry. With the lock
// the second waits until the first commits or rolls back, then, under READ COMMITTED (each
// statement takes a new snapshot), finds the stored response and returns it. Under REPEATABLE
// READ or SERIALIZABLE the snapshot predates the wait, so the second still ends in
// ALREADY_EXISTS: call these from READ COMMITTED transactions. The lock is released at commit or
// rollback.
//
// Like the statements in the transaction callback, database failures in these functions are
// pqxx exceptions, left to RunInTransaction to map (and retry); the returned statuses are about
// the request itself.
#ifndef SPORTELLI_PG_IDEMPOTENCY_H_
#define SPORTELLI_PG_IDEMPOTENCY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pqxx/transaction"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/request_key.h"
#include "sportelli/status/macros.h"

namespace sportelli::pg {

// The kit component that creates `<schema>.request_ids` (libs/pg/migrations/request_ids/).
MigrationComponent RequestIdsComponent();

namespace idempotency {

struct Key {
  std::string tenant_id;
  std::string request_id;
  std::string method;
  std::string request_hash;
};

// SHA-256 (hex) of a serialized request, to detect a request_id reused for a different request.
// Serialize deterministically (protobuf: SerializeToString with deterministic output, or fields
// in a fixed order) so a genuine retry hashes the same.
std::string HashRequest(absl::string_view serialized_request);

// The stored response for `key`, or nullopt when this request_id is new for the tenant.
// INVALID_ARGUMENT, reason REQUEST_ID_REUSED, when the id was used for a different method or a
// different request. `table` is "name" or "schema.name" (simple lower-case identifiers);
// INVALID_ARGUMENT otherwise, or when a key field is empty.
absl::StatusOr<std::optional<std::string>> Lookup(pqxx::work& tx, absl::string_view table,
                                                  const Key& key);

// Stores `response` for `key`. Call after Lookup returned nullopt, in the same transaction.
absl::Status Record(pqxx::work& tx, absl::string_view table, const Key& key,
                    absl::string_view response);

// Lookup of several keys of one tenant (distinct request ids) in two statements, whatever their
// number: their locks are taken in one statement in the order of their lock keys, so two
// transactions that look up overlapping sets never wait for each other in a cycle, and their
// rows are read in one. Element i is Lookup's answer for keys[i]. INVALID_ARGUMENT (the whole
// call) for a bad table, an empty key field, keys of different tenants or a repeated request id.
absl::StatusOr<std::vector<absl::StatusOr<std::optional<std::string>>>> LookupMany(
    pqxx::work& tx, absl::string_view table, const std::vector<Key>& keys);

// Record of several keys of one tenant in one statement: responses[i] for keys[i].
absl::Status RecordMany(pqxx::work& tx, absl::string_view table, const std::vector<Key>& keys,
                        const std::vector<std::string>& responses);

// Whether `request_id` is recorded for the tenant (by any method), in one round trip without a
// transaction of the caller's: for answering a request early only when it is not a retry.
// `schema` as in RunIdempotent.
absl::StatusOr<bool> Exists(pqxx::connection& connection, absl::string_view schema,
                            absl::string_view tenant_id, absl::string_view request_id);

}  // namespace idempotency

// In a transaction of `tenant_id`: for a retry of `key`, the first request's recorded reply
// (and `write` does not run); otherwise `write()`'s value, with `encode(value)` recorded for
// the retries to come. Without a request id, just `write()`. `schema` names the service's
// schema, which holds the kit's `request_ids` table.
template <typename T, typename Write>
absl::StatusOr<Created<T>> RunIdempotent(pqxx::work& tx, absl::string_view schema,
                                         const std::string& tenant_id, const RequestKey& key,
                                         const ResponseEncoder<T>& encode, Write&& write) {
  Created<T> created;
  if (key.request_id.empty()) {
    ASSIGN_OR_RETURN(created.value, write());
    return created;
  }
  const std::string table = std::string(schema) + ".request_ids";
  const idempotency::Key stored{tenant_id, key.request_id, key.method,
                                idempotency::HashRequest(key.fingerprint)};
  ASSIGN_OR_RETURN(created.replayed_response, idempotency::Lookup(tx, table, stored));
  if (created.replayed_response) return created;
  ASSIGN_OR_RETURN(created.value, write());
  RETURN_IF_ERROR(idempotency::Record(tx, table, stored, encode(*created.value)));
  return created;
}

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_IDEMPOTENCY_H_
