// Request-id deduplication (https://google.aip.dev/155): a create or other non-idempotent write
// retried with the same request_id returns the first result instead of acting twice. The stored
// response and the write it describes commit in the same transaction, so either both exist or
// neither does.
//
// Each service creates its own table in a migration, e.g.
//
//   CREATE TABLE request_ids (
//     tenant_id    text        NOT NULL,
//     request_id   text        NOT NULL,
//     method       text        NOT NULL,   -- full RPC name, e.g. "CreateDesk"
//     request_hash text        NOT NULL,   -- idempotency::HashRequest(serialized request)
//     response     bytea       NOT NULL,   -- serialized response message
//     created_at   timestamptz NOT NULL DEFAULT now(),   -- for a purge job
//     PRIMARY KEY (tenant_id, request_id)
//   );
//
// and uses it inside its tenant transaction:
//
//   return pool_.RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Desk> {
//     idempotency::Key key{tenant, request.request_id(), "CreateDesk",
//                          idempotency::HashRequest(request.SerializeAsString())};
//     ASSIGN_OR_RETURN(std::optional<std::string> previous,
//                      idempotency::Lookup(tx, "request_ids", key));
//     if (previous.has_value()) return DeskFromBytes(*previous);   // the first answer, again
//     Desk desk = ...insert it...;
//     RETURN_IF_ERROR(idempotency::Record(tx, "request_ids", key, desk.SerializeAsString()));
//     return desk;
//   });
//
// Concurrency: Lookup first takes a transaction-scoped advisory lock on (tenant, request_id).
// Without it, two concurrent retries would both find nothing, both do the work, and the second
// would fail on the primary key at Record time: correct (its transaction rolls back whole) but
// the client would see ALREADY_EXISTS for what is a legitimate retry. With the lock the second
// waits until the first commits or rolls back, then, under READ COMMITTED (each statement takes
// a new snapshot), finds the stored response and returns it. Under REPEATABLE READ or
// SERIALIZABLE the snapshot predates the wait, so the second still ends in ALREADY_EXISTS: call
// these from READ COMMITTED transactions. The lock is released at commit or rollback.
//
// Like the statements in the transaction callback, database failures in these functions are
// pqxx exceptions, left to RunInTransaction to map (and retry); the returned statuses are about
// the request itself.
#ifndef SPORTELLI_PG_IDEMPOTENCY_H_
#define SPORTELLI_PG_IDEMPOTENCY_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "pqxx/transaction"

namespace sportelli::pg::idempotency {

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

}  // namespace sportelli::pg::idempotency

#endif  // SPORTELLI_PG_IDEMPOTENCY_H_
