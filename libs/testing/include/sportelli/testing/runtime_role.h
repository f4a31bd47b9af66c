// The proof that a service's runtime role cannot switch off what fences it: for every table of
// a migrated schema, logged in as the runtime role, each statement that would disable row-level
// security, drop or replace its policy, wipe or drop the table, take the table over, or switch
// to the superuser is refused by PostgreSQL (insufficient privilege: the runtime role owns
// nothing).
//
//   ASSERT_OK(db_->Migrate("tenants", tenants::Migrations(), {...}));
//   sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, "tenants");
#ifndef SPORTELLI_TESTING_RUNTIME_ROLE_H_
#define SPORTELLI_TESTING_RUNTIME_ROLE_H_

#include <string>

#include "sportelli/testing/test_database.h"

namespace sportelli::testing {

// Records a test failure for each statement the runtime role was allowed to run, and when the
// schema has no table (nothing was proven).
void ExpectRuntimeRoleIsFenced(const TestDatabase& db, const std::string& schema);

}  // namespace sportelli::testing

#endif  // SPORTELLI_TESTING_RUNTIME_ROLE_H_
