#include "sportelli/pg/idempotency.h"

#include "absl/strings/str_cat.h"
#include "pqxx/binarystring"
#include "pqxx/nontransaction"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/internal/util.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/status/errors.h"

namespace sportelli::pg {
namespace idempotency {
namespace {

absl::Status CheckKey(const Key& key) {
  if (key.tenant_id.empty() || key.request_id.empty() || key.method.empty() ||
      key.request_hash.empty()) {
    return absl::InvalidArgumentError("idempotency key with an empty field");
  }
  return absl::OkStatus();
}

}  // namespace

std::string HashRequest(absl::string_view serialized_request) {
  return crypto::Sha256Hex(serialized_request);
}

absl::StatusOr<std::optional<std::string>> Lookup(pqxx::work& tx, absl::string_view table,
                                                  const Key& key) {
  absl::StatusOr<std::string> quoted = internal::QuoteQualifiedName(table);
  if (!quoted.ok()) return quoted.status();
  if (absl::Status valid = CheckKey(key); !valid.ok()) return valid;

  // One-bigint key (see the header for why the lock exists). The unit separator keeps
  // ("ab", "c") and ("a", "bc") apart; a hash collision between different keys would only make
  // two unrelated requests wait for each other, never mix their results.
  ExecPrepared(tx, "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))",
               key.tenant_id, key.request_id);
  pqxx::result rows =
      ExecPrepared(tx,
                   absl::StrCat("SELECT method, request_hash, response FROM ", *quoted,
                                " WHERE tenant_id = $1 AND request_id = $2"),
                   key.tenant_id, key.request_id);
  if (rows.empty()) return std::nullopt;
  if (rows[0][0].as<std::string>() != key.method ||
      rows[0][1].as<std::string>() != key.request_hash) {
    return status::Error(absl::StatusCode::kInvalidArgument,
                         "request_id was already used for a different request",
                         "REQUEST_ID_REUSED");
  }
  return pqxx::binarystring(rows[0][2]).str();
}

absl::Status Record(pqxx::work& tx, absl::string_view table, const Key& key,
                    absl::string_view response) {
  absl::StatusOr<std::string> quoted = internal::QuoteQualifiedName(table);
  if (!quoted.ok()) return quoted.status();
  if (absl::Status valid = CheckKey(key); !valid.ok()) return valid;
  ExecPrepared(tx,
               absl::StrCat("INSERT INTO ", *quoted,
                            " (tenant_id, request_id, method, request_hash, response,"
                            " created_at) VALUES ($1, $2, $3, $4, $5, now())"),
               key.tenant_id, key.request_id, key.method, key.request_hash,
               pqxx::binarystring(response.data(), response.size()));
  return absl::OkStatus();
}

absl::StatusOr<bool> Exists(pqxx::connection& connection, absl::string_view schema,
                            absl::string_view tenant_id, absl::string_view request_id) {
  if (!internal::IsSimpleIdentifier(schema)) {
    return absl::InvalidArgumentError(absl::StrCat("not a valid schema name: ", schema));
  }
  // One round trip instead of four (BEGIN, set_config, SELECT, COMMIT): the statements of one
  // simple-protocol query run as one implicit transaction, so the transaction-local tenant
  // setting applies to the SELECT. Both values are quoted by the connection.
  pqxx::nontransaction tx(connection);
  const std::string tenant = tx.quote(std::string(tenant_id));
  const pqxx::result rows = tx.exec(
      absl::StrCat("SELECT set_config('app.tenant_id', ", tenant, ", true); SELECT 1 FROM \"",
                   schema, "\".request_ids WHERE tenant_id = ", tenant,
                   " AND request_id = ", tx.quote(std::string(request_id))));
  return !rows.empty();
}

}  // namespace idempotency

namespace request_ids_component {
const std::vector<Migration>& Migrations();  // generated from migrations/request_ids/
}  // namespace request_ids_component

MigrationComponent RequestIdsComponent() {
  return {"request_ids", &request_ids_component::Migrations()};
}

}  // namespace sportelli::pg
