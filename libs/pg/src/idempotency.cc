#include "sportelli/pg/idempotency.h"

#include "absl/strings/str_cat.h"
#include "pqxx/binarystring"
#include "sportelli/pg/internal/util.h"
#include "sportelli/status/errors.h"

namespace sportelli::pg::idempotency {
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
  return internal::Sha256Hex(serialized_request);
}

absl::StatusOr<std::optional<std::string>> Lookup(pqxx::work& tx, absl::string_view table,
                                                  const Key& key) {
  absl::StatusOr<std::string> quoted = internal::QuoteQualifiedName(table);
  if (!quoted.ok()) return quoted.status();
  if (absl::Status valid = CheckKey(key); !valid.ok()) return valid;

  // One-bigint key (see the header for why the lock exists). The unit separator keeps
  // ("ab", "c") and ("a", "bc") apart; a hash collision between different keys would only make
  // two unrelated requests wait for each other, never mix their results.
  tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || $2, 0))",
                 key.tenant_id, key.request_id);
  pqxx::result rows =
      tx.exec_params(absl::StrCat("SELECT method, request_hash, response FROM ", *quoted,
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
  tx.exec_params(absl::StrCat("INSERT INTO ", *quoted,
                              " (tenant_id, request_id, method, request_hash, response,"
                              " created_at) VALUES ($1, $2, $3, $4, $5, now())"),
                 key.tenant_id, key.request_id, key.method, key.request_hash,
                 pqxx::binarystring(response.data(), response.size()));
  return absl::OkStatus();
}

}  // namespace sportelli::pg::idempotency
