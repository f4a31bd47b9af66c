// `maintain` for scheduling against a real PostgreSQL: for every data class, a row one second
// past its limit goes and a row one second short of it stays; another comune's identical rows all
// stay; the audit trail stays verifiable after its oldest rows go.
#include "services/scheduling/retention.h"

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/scheduling/tests/scheduling_fixture.h"
#include "sportelli/crypto/random.h"
#include "sportelli/events/service_kit.h"
#include "sportelli/server/maintenance.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::scheduling::testing {
namespace {

using Stub = v1::SchedulingService::Stub;

std::string PgTime(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d %H:%M:%E6S+00", t, absl::UTCTimeZone());
}

class RetentionTest : public SchedulingTest {
 protected:
  template <typename... Params>
  void Admin(const std::string& sql, const Params&... params) {
    ASSERT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      tx.exec_params(sql, params...);
      return absl::OkStatus();
    }));
  }

  int64_t Count(const std::string& sql, const std::string& tenant) {
    int64_t n = -1;
    EXPECT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      n = tx.exec_params(sql, tenant)[0][0].as<int64_t>();
      return absl::OkStatus();
    }));
    return n;
  }

  // One row of each kit-or-scheduling table at `at` for `tenant`, tagged `tag`.
  void Rows(const std::string& tenant, const std::string& tag, absl::Time request_time,
            absl::Time published, absl::Time expired, absl::Time bucket) {
    Admin(
        "INSERT INTO scheduling.request_ids (tenant_id, request_id, method, request_hash, "
        "response, created_at) VALUES ($1, $2, 'CreateAppointment', 'h', '\\x00', "
        "$3::timestamptz)",
        tenant, tag, PgTime(request_time));
    Admin(
        "INSERT INTO scheduling.outbox (tenant_id, event_id, event_type, payload, published_at) "
        "VALUES ($1, $2::uuid, $3, '\\x00', $4::timestamptz)",
        tenant, crypto::RandomUuid(), tag, PgTime(published));
    Admin(
        "INSERT INTO scheduling.holds (tenant_id, hold_id, desk_id, service_id, start_time, "
        "end_time, channel, expire_time, create_time) VALUES ($1, $2, 'sede', 'colloquio', "
        "$3::timestamptz, $3::timestamptz + interval '30 minutes', 'WEB', $3::timestamptz, "
        "$3::timestamptz)",
        tenant, tag, PgTime(expired));
    Admin(
        "INSERT INTO scheduling.capacity_locks (tenant_id, desk_id, bucket) VALUES ($1, $2, "
        "$3::timestamptz)",
        tenant, tag, PgTime(bucket));
  }

  // The tags left in each table of `tenant`, and the unpublished outbox row.
  std::vector<std::string> Tags(const std::string& tenant) {
    std::vector<std::string> tags;
    EXPECT_OK(admin_pool_->RunInTransaction([&](pqxx::work& tx) -> absl::Status {
      for (const auto& row : tx.exec_params(
               "SELECT 'request_ids:' || request_id FROM scheduling.request_ids WHERE tenant_id "
               "= $1 AND method = 'CreateAppointment' AND request_hash = 'h' UNION ALL SELECT "
               "'outbox:' || event_type FROM scheduling.outbox WHERE tenant_id = $1 AND event_type "
               "IN "
               "('due', 'kept', 'unpublished') UNION ALL "
               "SELECT 'holds:' || hold_id FROM scheduling.holds WHERE tenant_id = $1 UNION ALL "
               "SELECT 'capacity_locks:' || desk_id FROM scheduling.capacity_locks WHERE "
               "tenant_id = $1 AND desk_id <> 'sede' ORDER BY 1",
               tenant)) {
        tags.push_back(row[0].as<std::string>());
      }
      return absl::OkStatus();
    }));
    return tags;
  }

  void RecordAuditAt(const std::string& tenant, absl::Time at, const std::string& resource) {
    const absl::Time now = clock_.Now();
    clock_.Set(at);
    ASSERT_OK(pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) {
      return audit_->Record(
          tx, tenant,
          {{"old-operator", {"operator"}, tenant, audit::Purpose::kServiceDelivery, ""},
           audit::Action::kRead,
           resource,
           "appointment.citizen",
           {}});
    }));
    clock_.Set(now);
  }

  absl::StatusOr<server::RetentionCounts> Maintain(const std::string& tenant) {
    config::EnvReader env;  // the defaults: no SPORTELLI_RETAIN_* is set in tests
    std::vector<pg::RetentionStep> steps = events::KitRetentionSteps("scheduling", env);
    for (pg::RetentionStep& step : RetentionSteps(ReadRetention(env))) steps.push_back(step);
    EXPECT_OK(env.Finish());
    // Batches of one: every step has to come back for more.
    return server::RunRetention(*pool_, {tenant}, steps, clock_, 1, nullptr);
  }
};

TEST_F(RetentionTest, EachLimitDeletesTheRowASecondPastItAndKeepsTheRowASecondShort) {
  const absl::Time now = clock_.Now();
  const absl::Duration s = absl::Seconds(1);
  // The audit rows first, so that they lead their lanes as the oldest rows do.
  for (const std::string& tenant : {tenant_, other_tenant_}) {
    RecordAuditAt(tenant, now - absl::Hours(24 * 730) - s, "due");
    RecordAuditAt(tenant, now - absl::Hours(24 * 730) + s, "kept");
    Rows(tenant, "due", now - absl::Hours(24) - s, now - absl::Hours(24 * 7) - s,
         now - absl::Hours(1) - s, now - absl::Hours(24) - s);
    Rows(tenant, "kept", now - absl::Hours(24) + s, now - absl::Hours(24 * 7) + s,
         now - absl::Hours(1) + s, now - absl::Hours(24) + s);
  }
  Admin(
      "INSERT INTO scheduling.outbox (tenant_id, event_id, event_type, payload) VALUES ($1, "
      "$2::uuid, 'unpublished', '\\x00')",
      tenant_, crypto::RandomUuid());
  // Two citizens' appointments that ended just past and just short of 24 months ago.
  v1::Appointment old_one, recent_one;
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(3, 0), 1), &old_one).ok());
  ASSERT_TRUE(
      Call(&Stub::CreateAppointment, Portal(), Booking("sede", SlotStart(3, 1), 2), &recent_one)
          .ok());
  const auto id_of = [](const v1::Appointment& a) {
    return a.name().substr(a.name().rfind('/') + 1);
  };
  const absl::Time old_end = now - absl::Hours(24 * 730) - s;
  const absl::Time recent_end = now - absl::Hours(24 * 730) + s;
  for (const auto& [id, end] :
       {std::pair{id_of(old_one), old_end}, {id_of(recent_one), recent_end}}) {
    Admin(
        "UPDATE scheduling.appointments SET start_time = $3::timestamptz - interval '30 "
        "minutes', end_time = $3::timestamptz WHERE tenant_id = $1 AND appointment_id = $2",
        tenant_, id, PgTime(end));
  }
  // Citizen keys: made just past and just short of a day ago.
  Admin("UPDATE scheduling.subject_keys SET created_at = $2::timestamptz WHERE tenant_id = $1",
        tenant_, PgTime(now - absl::Hours(24) - s));

  ASSERT_OK_AND_ASSIGN(server::RetentionCounts counts, Maintain(tenant_));
  EXPECT_EQ((counts[{tenant_, "request_ids"}]), 1);
  EXPECT_EQ((counts[{tenant_, "outbox"}]), 1);
  EXPECT_EQ((counts[{tenant_, "holds"}]), 1);
  EXPECT_EQ((counts[{tenant_, "capacity_locks"}]), 1);
  EXPECT_EQ((counts[{tenant_, "appointments"}]), 1);
  EXPECT_EQ((counts[{tenant_, "citizen_keys"}]), 1);  // the anonymized citizen's only
  EXPECT_EQ((counts[{tenant_, "audit_events"}]), 1);

  EXPECT_THAT(Tags(tenant_),
              ::testing::ElementsAre("capacity_locks:kept", "holds:kept", "outbox:kept",
                                     "outbox:unpublished", "request_ids:kept"));
  EXPECT_THAT(
      Tags(other_tenant_),
      ::testing::ElementsAre("capacity_locks:due", "capacity_locks:kept", "holds:due", "holds:kept",
                             "outbox:due", "outbox:kept", "request_ids:due", "request_ids:kept"));
  // The old appointment: counted, not personal any more; the recent one: untouched.
  v1::GetAppointmentRequest get;
  v1::Appointment read;
  get.set_name(old_one.name());
  ASSERT_TRUE(Call(&Stub::GetAppointment, Operator(), get, &read).ok());
  EXPECT_FALSE(read.has_citizen());
  EXPECT_EQ(read.start_time().seconds(), absl::ToUnixSeconds(old_end - absl::Minutes(30)));
  get.set_name(recent_one.name());
  ASSERT_TRUE(Call(&Stub::GetAppointment, Operator(), get, &read).ok());
  EXPECT_EQ(read.citizen().family_name(), "D'Angelo");
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.appointments WHERE tenant_id = $1 AND "
                  "(given_name_sealed IS NOT NULL OR cancel_token_hash = '\\x')",
                  tenant_),
            2);

  // The trail lost its oldest row and is still sound; Lucca's lost nothing.
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.audit_events WHERE tenant_id = $1 AND "
                  "resource = 'due'",
                  tenant_),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.audit_events WHERE tenant_id = $1 AND "
                  "resource = 'kept'",
                  tenant_),
            1);
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.audit_events WHERE tenant_id = $1 AND "
                  "resource IN ('due', 'kept')",
                  other_tenant_),
            2);
  ASSERT_OK_AND_ASSIGN(audit::VerifyReport report,
                       pool_->RunInTenantTransaction(
                           tenant_, [&](pqxx::work& tx) { return audit_->Verify(tx, tenant_); }));
  EXPECT_FALSE(report.first_break.has_value()) << report.first_break->problem;

  // Nothing more is due: a second run does nothing.
  ASSERT_OK_AND_ASSIGN(server::RetentionCounts again, Maintain(tenant_));
  for (const auto& [key, rows] : again) EXPECT_EQ(rows, 0) << key.second;
}

TEST_F(RetentionTest, TheRuntimeRoleCannotEraseRecentAuditRowsThroughTheFunction) {
  RecordAuditAt(tenant_, clock_.Now(), "recent");
  absl::Status status = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
    tx.exec("SELECT scheduling.expire_audit_events(now(), 1000)");
    return absl::OkStatus();
  });
  EXPECT_FALSE(status.ok());
  EXPECT_EQ(Count("SELECT count(*) FROM scheduling.audit_events WHERE tenant_id = $1", tenant_), 1);
}

}  // namespace
}  // namespace sportelli::scheduling::testing
