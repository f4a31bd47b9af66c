// The service's page token key (sportelli/api/pagination.h): made by `migrate` in the service's
// schema (a kit component every service gets), read by `serve` at start, so that all replicas
// sign page tokens alike and a forged token is refused by every one of them.
//
//   components.push_back(PageTokenKeyComponent());                       // migrate
//   ASSIGN_OR_RETURN(std::string key, ReadPageTokenKey(pool, "tenants"));  // serve
//   api::UsePageTokenKey(std::move(key));
#ifndef SPORTELLI_SERVER_PAGE_TOKEN_KEY_H_
#define SPORTELLI_SERVER_PAGE_TOKEN_KEY_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/pool.h"

namespace sportelli::server {

// `<schema>.page_token_key`: one row, a 32-byte random key, readable by the runtime role.
pg::MigrationComponent PageTokenKeyComponent();

// The key of `schema`. FAILED_PRECONDITION when the schema has none (not migrated); the pool's
// errors otherwise.
absl::StatusOr<std::string> ReadPageTokenKey(pg::ConnectionPool& pool, absl::string_view schema);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_PAGE_TOKEN_KEY_H_
