#include "sportelli/server/page_token_key.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sportelli/status/errors.h"

namespace sportelli::server {

namespace {

absl::Status NotMigrated() {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the schema has no page token key: run `migrate` first",
                       "SCHEMA_NOT_MIGRATED");
}

}  // namespace

namespace page_token_key_component {
const std::vector<pg::Migration>& Migrations();  // generated from migrations/page_token_key/
}  // namespace page_token_key_component

pg::MigrationComponent PageTokenKeyComponent() {
  return {"page_token_key", &page_token_key_component::Migrations()};
}

absl::StatusOr<std::string> ReadPageTokenKey(pg::ConnectionPool& pool, absl::string_view schema) {
  pg::TransactionOptions options;
  options.read_only = true;
  return pool.RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<std::string> {
    const pqxx::result exists =
        tx.exec_params("SELECT to_regclass(quote_ident($1) || '.page_token_key') IS NOT NULL",
                       std::string(schema));
    if (!exists[0][0].as<bool>()) return NotMigrated();
    const pqxx::result rows =
        tx.exec(absl::StrCat("SELECT encode(key, 'hex') FROM ", tx.quote_name(std::string(schema)),
                             ".page_token_key WHERE id = 1"));
    if (rows.empty()) return NotMigrated();
    return absl::HexStringToBytes(rows[0][0].as<std::string>());
  });
}

}  // namespace sportelli::server
