// The rush check's query against a real PostgreSQL, on a stand-in for the scheduling schema's
// appointments table (the columns the check reads, with row-level security as every table of
// the project has it), queried as an unprivileged role.
#include "bench/rush_check.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "sportelli/testing/test_database.h"

namespace sportelli::bench {
namespace {

using ::testing::ElementsAre;

TEST(RushCheckTest, CountsLiveAppointmentsPerDeskAndStartTimeUnderRowLevelSecurity) {
  absl::StatusOr<std::unique_ptr<sportelli::testing::TestDatabase>> db =
      sportelli::testing::TestDatabase::Create();
  ASSERT_TRUE(db.ok()) << db.status();
  {
    pqxx::connection admin((*db)->admin_dsn());
    pqxx::work setup(admin);
    const std::string role = setup.quote_name((*db)->owner_role());
    setup.exec(
        "CREATE SCHEMA scheduling AUTHORIZATION " + role +
        ";"
        "CREATE TABLE scheduling.appointments (tenant_id text NOT NULL, desk_id text NOT NULL,"
        "  start_time timestamptz NOT NULL, state text NOT NULL);"
        "ALTER TABLE scheduling.appointments OWNER TO " +
        role +
        ";"
        "ALTER TABLE scheduling.appointments ENABLE ROW LEVEL SECURITY;"
        "ALTER TABLE scheduling.appointments FORCE ROW LEVEL SECURITY;"
        "CREATE POLICY tenant ON scheduling.appointments"
        "  USING (tenant_id = current_setting('app.tenant_id', true));"
        "INSERT INTO scheduling.appointments VALUES"
        "  ('a', 'd', '2030-03-18 09:00+01', 'BOOKED'),"
        "  ('a', 'd', '2030-03-18 09:00+01', 'CHECKED_IN'),"
        "  ('a', 'd', '2030-03-18 09:00+01', 'CANCELLED'),"
        "  ('a', 'e', '2030-03-18 09:00+01', 'BOOKED'),"
        "  ('a', 'd', '2030-03-18 09:30+01', 'BOOKED'),"
        "  ('b', 'd', '2030-03-18 09:00+01', 'BOOKED');");
    setup.commit();
  }
  const absl::Time nine =
      absl::FromCivil(absl::CivilMinute(2030, 3, 18, 8, 0), absl::UTCTimeZone());
  const std::vector<SlotRef> slots = {
      {"a", "tenants/a/desks/d", "tenants/a/services/s", nine, 3},
      {"a", "tenants/a/desks/d", "tenants/a/services/s", nine + absl::Minutes(30), 3},
      {"a", "tenants/a/desks/d", "tenants/a/services/s", nine + absl::Hours(1), 3},
      {"b", "tenants/b/desks/d", "tenants/b/services/s", nine, 3},
  };

  absl::StatusOr<std::vector<int64_t>> counts = CountLiveAppointments((*db)->owner_dsn(), slots);

  ASSERT_TRUE(counts.ok()) << counts.status();
  EXPECT_THAT(*counts, ElementsAre(2, 1, 0, 1));
}

TEST(RushCheckTest, ADatabaseErrorIsUnavailable) {
  absl::StatusOr<std::vector<int64_t>> counts = CountLiveAppointments(
      "host=127.0.0.1 port=1 connect_timeout=2",
      {{"a", "tenants/a/desks/d", "s", absl::FromUnixSeconds(1780300800), 1}});
  EXPECT_EQ(counts.status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace sportelli::bench
