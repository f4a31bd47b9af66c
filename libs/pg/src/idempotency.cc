#include "sportelli/pg/idempotency.h"

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pqxx/binarystring"
#include "pqxx/nontransaction"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/internal/util.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

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

namespace {

absl::Status CheckKeysOfOneTenant(const std::vector<Key>& keys) {
  std::vector<std::string> ids;
  for (const Key& key : keys) {
    if (absl::Status valid = CheckKey(key); !valid.ok()) return valid;
    if (key.tenant_id != keys.front().tenant_id) {
      return absl::InvalidArgumentError("idempotency keys of different tenants");
    }
    ids.push_back(key.request_id);
  }
  std::sort(ids.begin(), ids.end());
  if (std::adjacent_find(ids.begin(), ids.end()) != ids.end()) {
    return absl::InvalidArgumentError("the same request id twice in one batch");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::vector<absl::StatusOr<std::optional<std::string>>>> LookupMany(
    pqxx::work& tx, absl::string_view table, const std::vector<Key>& keys) {
  absl::StatusOr<std::string> quoted = internal::QuoteQualifiedName(table);
  if (!quoted.ok()) return quoted.status();
  RETURN_IF_ERROR(CheckKeysOfOneTenant(keys));
  std::vector<absl::StatusOr<std::optional<std::string>>> answers(keys.size(), std::nullopt);
  if (keys.empty()) return answers;
  std::vector<std::string> ids;
  for (const Key& key : keys) ids.push_back(key.request_id);
  const std::string tenant = keys.front().tenant_id;
  // The same lock keys as Lookup's, so a single request and a batch exclude each other too.
  ExecPrepared(tx,
               "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended($1 || "
               "chr(31) || r, 0) AS k FROM unnest($2::text[]) AS r) AS l ORDER BY k",
               tenant, TextArray(ids));
  const pqxx::result rows =
      ExecPrepared(tx,
                   absl::StrCat("SELECT request_id, method, request_hash, response FROM ", *quoted,
                                " WHERE tenant_id = $1 AND request_id = ANY ($2::text[])"),
                   tenant, TextArray(ids));
  for (const auto& row : rows) {
    const std::string id = row[0].as<std::string>();
    for (size_t i = 0; i < keys.size(); ++i) {
      if (keys[i].request_id != id) continue;
      if (row[1].as<std::string>() != keys[i].method ||
          row[2].as<std::string>() != keys[i].request_hash) {
        answers[i] = status::Error(absl::StatusCode::kInvalidArgument,
                                   "request_id was already used for a different request",
                                   "REQUEST_ID_REUSED");
      } else {
        answers[i] = std::optional<std::string>(pqxx::binarystring(row[3]).str());
      }
    }
  }
  return answers;
}

absl::Status RecordMany(pqxx::work& tx, absl::string_view table, const std::vector<Key>& keys,
                        const std::vector<std::string>& responses) {
  absl::StatusOr<std::string> quoted = internal::QuoteQualifiedName(table);
  if (!quoted.ok()) return quoted.status();
  RETURN_IF_ERROR(CheckKeysOfOneTenant(keys));
  if (keys.size() != responses.size()) {
    return absl::InvalidArgumentError("as many responses as keys are needed");
  }
  if (keys.empty()) return absl::OkStatus();
  std::vector<std::string> ids, methods, hashes, hex_responses;
  for (size_t i = 0; i < keys.size(); ++i) {
    ids.push_back(keys[i].request_id);
    methods.push_back(keys[i].method);
    hashes.push_back(keys[i].request_hash);
    hex_responses.push_back(absl::BytesToHexString(responses[i]));
  }
  ExecPrepared(tx,
               absl::StrCat("INSERT INTO ", *quoted,
                            " (tenant_id, request_id, method, request_hash, response, created_at) "
                            "SELECT $1, r, m, h, decode(x, 'hex'), now() FROM unnest($2::text[], "
                            "$3::text[], $4::text[], $5::text[]) AS u(r, m, h, x)"),
               keys.front().tenant_id, TextArray(ids), TextArray(methods), TextArray(hashes),
               TextArray(hex_responses));
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
