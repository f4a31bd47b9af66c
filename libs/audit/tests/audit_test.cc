// The audit trail against a real PostgreSQL: recorded in the caller's transaction, append-only
// for the runtime role, hash-chained so that a row changed or removed by someone who bypasses
// the service is named by Verify, and listed by resource, subject, citizen and time.
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "sportelli/audit/audit_log.h"
#include "sportelli/crypto/random.h"
#include "sportelli/pg/pool.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::audit {
namespace {

using ::testing::HasSubstr;

constexpr char kSchema[] = "audittest";

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate(kSchema, {}, {AuditComponent()}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 8}));
  }

  Access Read(const std::string& resource, const std::string& citizen = "") {
    Access access;
    access.actor = {
        "operatore-7", {"operator"}, "capannori", Purpose::kServiceDelivery, crypto::RandomUuid()};
    access.action = Action::kRead;
    access.resource = resource;
    access.data_class = "appointment.citizen";
    if (!citizen.empty()) access.citizen_indexes.push_back(citizen);
    return access;
  }

  absl::Status RecordAs(const std::string& tenant, const Access& access) {
    return pool_->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) { return log_.Record(tx, tenant, access); });
  }

  absl::StatusOr<VerifyReport> Verify(const std::string& tenant) {
    return pool_->RunInTenantTransaction(tenant,
                                         [&](pqxx::work& tx) { return log_.Verify(tx, tenant); });
  }

  absl::StatusOr<api::Page<Event>> List(const std::string& tenant, const Filter& filter,
                                        api::PageRequest page = {}) {
    return pool_->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) { return log_.List(tx, tenant, filter, page); });
  }

  // As someone who bypasses the service with the schema owner's credentials (what `migrate`
  // logs in as): the owner may change the trail, and Verify must notice.
  void Tamper(const std::string& sql) {
    pqxx::connection owner(db_->owner_dsn());
    pqxx::work tx(owner);
    tx.exec("SELECT set_config('app.tenant_id', 'capannori', true)");
    tx.exec(sql);
    tx.commit();
  }

  clock::FakeClock clock_{absl::FromUnixSeconds(1780300800)};
  AuditLog log_{kSchema, &clock_};
  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  const std::string rossi_ = crypto::RandomBytes(32), bianchi_ = crypto::RandomBytes(32);
};

TEST_F(AuditTest, ARecordedAccessIsListedAsItWasRecorded) {
  const Access access = Read("tenants/capannori/appointments/a1", rossi_);
  ASSERT_OK(RecordAs("capannori", access));
  ASSERT_OK_AND_ASSIGN(api::Page<Event> page, List("capannori", {}));
  ASSERT_EQ(page.items.size(), 1u);
  const Event& e = page.items[0];
  EXPECT_EQ(e.access.actor.subject, "operatore-7");
  EXPECT_THAT(e.access.actor.roles, ::testing::ElementsAre("operator"));
  EXPECT_EQ(e.access.actor.request_id, access.actor.request_id);
  EXPECT_EQ(e.access.action, Action::kRead);
  EXPECT_EQ(e.access.resource, "tenants/capannori/appointments/a1");
  EXPECT_THAT(e.access.citizen_indexes, ::testing::ElementsAre(rossi_));
  EXPECT_EQ(e.time, clock_.Now());
  EXPECT_EQ(e.sequence, 1);
  EXPECT_EQ(e.row_hash, RowHash(e));
}

TEST_F(AuditTest, AnAccessWhoseAuditRowCannotBeWrittenFailsWithIt) {
  Tamper("ALTER TABLE audittest.audit_events ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
  bool read = false;
  absl::Status status = pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
    read = true;  // the access happened in this transaction...
    return log_.Record(tx, "capannori", Read("tenants/capannori/appointments/a1"));
  });
  EXPECT_TRUE(read);
  EXPECT_FALSE(status.ok());  // ...and fails with its audit row
}

TEST_F(AuditTest, TheRuntimeRoleCanOnlyAppend) {
  ASSERT_OK(RecordAs("capannori", Read("tenants/capannori/appointments/a1")));
  for (const std::string& sql :
       {std::string("UPDATE audittest.audit_events SET subject = 'nessuno'"),
        std::string("DELETE FROM audittest.audit_events"),
        std::string("TRUNCATE audittest.audit_events"),
        std::string("ALTER TABLE audittest.audit_events DISABLE ROW LEVEL SECURITY")}) {
    absl::Status status = pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    });
    EXPECT_FALSE(status.ok()) << sql;
  }
  ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify("capannori"));
  EXPECT_EQ(report.rows, 1);
  EXPECT_FALSE(report.first_break.has_value());
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, kSchema);
}

TEST_F(AuditTest, ConcurrentAccessesMakeSoundChains) {
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        if (!RecordAs("capannori", Read(absl::StrCat("tenants/capannori/appointments/a", t, i)))
                 .ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify("capannori"));
  EXPECT_EQ(report.rows, 200);
  EXPECT_GT(report.lanes, 1);
  EXPECT_FALSE(report.first_break.has_value()) << report.first_break->problem;
}

TEST_F(AuditTest, AccessesRecordedTogetherAreEachARowOfASoundChain) {
  // A single record first, then batches mixed with single records from other threads: more
  // accesses than lanes in one batch, so it takes two statements.
  ASSERT_OK(RecordAs("capannori", Read("tenants/capannori/appointments/first")));
  std::vector<Access> batch;
  for (int i = 0; i < 11; ++i) {
    Access access = Read(absl::StrCat("tenants/capannori/appointments/b", i), rossi_);
    access.action = Action::kCreate;
    if (i % 2 == 0) access.citizen_indexes.push_back(bianchi_);
    if (i == 3) access.actor.roles = {};
    batch.push_back(access);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        const absl::Status status =
            t % 2 == 0
                ? pool_->RunInTenantTransaction(
                      "capannori",
                      [&](pqxx::work& tx) { return log_.RecordMany(tx, "capannori", batch); })
                : RecordAs("capannori", Read(absl::StrCat("tenants/capannori/s", t, i)));
        if (!status.ok()) ++failures;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(failures, 0);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify("capannori"));
  EXPECT_EQ(report.rows, 1 + 2 * 5 * 11 + 2 * 5);
  EXPECT_FALSE(report.first_break.has_value()) << report.first_break->problem;

  // Each row as it was given.
  Filter filter;
  filter.resource = "tenants/capannori/appointments/b4";
  ASSERT_OK_AND_ASSIGN(api::Page<Event> page, List("capannori", filter));
  ASSERT_EQ(page.items.size(), 10u);
  const Event& e = page.items[0];
  EXPECT_EQ(e.access.action, Action::kCreate);
  EXPECT_THAT(e.access.citizen_indexes, ::testing::ElementsAre(rossi_, bianchi_));
  EXPECT_EQ(e.access.actor.request_id, batch[4].actor.request_id);
  EXPECT_EQ(e.row_hash, RowHash(e));
  filter.resource = "tenants/capannori/appointments/b3";
  ASSERT_OK_AND_ASSIGN(page, List("capannori", filter));
  ASSERT_FALSE(page.items.empty());
  EXPECT_TRUE(page.items[0].access.actor.roles.empty());
  EXPECT_THAT(page.items[0].access.citizen_indexes, ::testing::ElementsAre(rossi_));
}

class TamperTest : public AuditTest {
 protected:
  void SetUp() override {
    AuditTest::SetUp();
    for (int i = 0; i < 40; ++i) {
      clock_.Advance(absl::Seconds(1));
      ASSERT_OK(RecordAs("capannori", Read(absl::StrCat("tenants/capannori/appointments/a", i))));
    }
    ASSERT_OK(RecordAs("lucca", Read("tenants/lucca/appointments/l1")));
    ASSERT_OK_AND_ASSIGN(VerifyReport before, Verify("capannori"));
    ASSERT_FALSE(before.first_break.has_value());
    // A lane with at least three rows, and its middle one.
    pqxx::connection admin(db_->admin_dsn());
    pqxx::work tx(admin);
    const pqxx::row lane = tx.exec1(
        "SELECT lane, max(sequence) FROM audittest.audit_events WHERE tenant_id = 'capannori' "
        "GROUP BY lane HAVING count(*) >= 3 ORDER BY lane LIMIT 1");
    lane_ = lane[0].as<int>();
    last_ = lane[1].as<int64_t>();
  }

  void ExpectBreakAt(int64_t sequence, const std::string& problem) {
    ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify("capannori"));
    ASSERT_TRUE(report.first_break.has_value());
    EXPECT_EQ(report.first_break->lane, lane_);
    EXPECT_EQ(report.first_break->sequence, sequence);
    EXPECT_THAT(report.first_break->problem, HasSubstr(problem));
    // Another comune's trail is not affected.
    ASSERT_OK_AND_ASSIGN(VerifyReport lucca, Verify("lucca"));
    EXPECT_FALSE(lucca.first_break.has_value());
  }

  std::string Where(int64_t sequence) const {
    return absl::StrCat(" WHERE tenant_id = 'capannori' AND lane = ", lane_,
                        " AND sequence = ", sequence);
  }

  int lane_ = 0;
  int64_t last_ = 0;
};

TEST_F(TamperTest, AChangedRowIsNamed) {
  Tamper("UPDATE audittest.audit_events SET subject = 'qualcun-altro'" + Where(2));
  ExpectBreakAt(2, "does not match its content");
}

TEST_F(TamperTest, AChangedRowWithItsHashRecomputedBreaksTheLinkOfTheNext) {
  // Whoever changes a row and writes a new hash for it still breaks the row after it.
  Tamper("UPDATE audittest.audit_events SET row_hash = sha256(row_hash)" + Where(2));
  ExpectBreakAt(2, "does not match its content");
  Tamper(
      "UPDATE audittest.audit_events SET previous_hash = (SELECT row_hash FROM "
      "audittest.audit_events" +
      Where(2) + ")" + Where(3));
  ASSERT_OK_AND_ASSIGN(VerifyReport report, Verify("capannori"));
  ASSERT_TRUE(report.first_break.has_value());
  EXPECT_EQ(report.first_break->sequence, 2);
}

TEST_F(TamperTest, ADeletedRowIsNamed) {
  Tamper("DELETE FROM audittest.audit_events" + Where(2));
  ExpectBreakAt(2, "are missing");
}

TEST_F(TamperTest, ADeletedNewestRowIsNamed) {
  Tamper("DELETE FROM audittest.audit_events" + Where(last_));
  ExpectBreakAt(last_, "the newest of the lane");
}

TEST_F(TamperTest, DeletedFirstRowIsNamed) {
  Tamper("DELETE FROM audittest.audit_events" + Where(1));
  ExpectBreakAt(2, "the rows before it are missing");
}

TEST_F(AuditTest, ListsByCitizenSubjectResourceAndTimeNewestFirstInPages) {
  const absl::Time first = clock_.Now() + absl::Minutes(1);
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(absl::Minutes(1));
    ASSERT_OK(RecordAs("capannori", Read(absl::StrCat("tenants/capannori/appointments/r", i),
                                         i % 2 == 0 ? rossi_ : bianchi_)));
  }
  Access coordinator = Read("tenants/capannori/appointments/r1", rossi_);
  coordinator.actor.subject = "coordinatrice-2";
  clock_.Advance(absl::Minutes(1));
  ASSERT_OK(RecordAs("capannori", coordinator));
  ASSERT_OK(RecordAs("lucca", Read("tenants/lucca/appointments/r1", rossi_)));

  const auto resources = [](const api::Page<Event>& page) {
    std::vector<std::string> out;
    for (const Event& e : page.items) {
      out.push_back(e.access.resource.substr(e.access.resource.rfind('/') + 1));
    }
    return out;
  };
  // "Who looked at my data": Rossi's accesses, newest first, Lucca's not among them.
  Filter by_citizen_filter, by_subject_filter, by_resource_filter, window_filter;
  by_citizen_filter.citizen_index = rossi_;
  by_subject_filter.subject = "coordinatrice-2";
  by_resource_filter.resource = "tenants/capannori/appointments/r1";
  window_filter.from = first + absl::Minutes(1);
  window_filter.to = first + absl::Minutes(3);
  ASSERT_OK_AND_ASSIGN(api::Page<Event> rossi, List("capannori", by_citizen_filter));
  EXPECT_THAT(resources(rossi), ::testing::ElementsAre("r1", "r4", "r2", "r0"));
  ASSERT_OK_AND_ASSIGN(api::Page<Event> by_subject, List("capannori", by_subject_filter));
  EXPECT_THAT(resources(by_subject), ::testing::ElementsAre("r1"));
  ASSERT_OK_AND_ASSIGN(api::Page<Event> by_resource, List("capannori", by_resource_filter));
  EXPECT_EQ(by_resource.items.size(), 2u);
  ASSERT_OK_AND_ASSIGN(api::Page<Event> window, List("capannori", window_filter));
  EXPECT_THAT(resources(window), ::testing::ElementsAre("r2", "r1"));

  // Pages of two, in the same order, each event once.
  std::vector<std::string> paged;
  api::PageRequest page;
  page.limit = 2;
  for (;;) {
    ASSERT_OK_AND_ASSIGN(api::Page<Event> got, List("capannori", {}, page));
    for (const std::string& r : resources(got)) paged.push_back(r);
    if (!got.more) break;
    const Event& last = got.items.back();
    page.after = {absl::StrCat(absl::ToUnixMicros(last.time)), absl::StrCat(last.lane),
                  absl::StrCat(last.sequence)};
  }
  EXPECT_THAT(paged, ::testing::ElementsAre("r1", "r4", "r3", "r2", "r1", "r0"));
}

TEST_F(AuditTest, RetentionDeletesTheOldestRowsAndTheChainsStayVerifiable) {
  const absl::Time now = clock_.Now();
  clock_.Set(now - absl::Hours(24 * 365 * 3));
  for (int i = 0; i < 20; ++i) ASSERT_OK(RecordAs("capannori", Read("tenants/capannori/old")));
  ASSERT_OK(RecordAs("lucca", Read("tenants/lucca/old")));
  clock_.Set(now);
  for (int i = 0; i < 20; ++i) ASSERT_OK(RecordAs("capannori", Read("tenants/capannori/new")));
  const pg::RetentionStep step = AuditRetention(kSchema, absl::Hours(24 * 730));
  ASSERT_OK_AND_ASSIGN(int expired, pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
    return step.run(tx, "capannori", now, 1000);
  }));
  EXPECT_EQ(expired, 20);
  Filter old;
  old.resource = "tenants/capannori/old";
  ASSERT_OK_AND_ASSIGN(api::Page<Event> left, List("capannori", old));
  EXPECT_TRUE(left.items.empty());
  ASSERT_OK_AND_ASSIGN(VerifyReport sound, Verify("capannori"));
  EXPECT_EQ(sound.rows, 20);
  EXPECT_FALSE(sound.first_break.has_value()) << sound.first_break->problem;
  ASSERT_OK_AND_ASSIGN(VerifyReport lucca, Verify("lucca"));
  EXPECT_EQ(lucca.rows, 1);  // another comune's old rows are not touched

  // Deleting what retention left at the start of a lane is still found.
  pqxx::connection admin(db_->admin_dsn());
  pqxx::work tx(admin);
  const pqxx::row first = tx.exec1(
      "SELECT lane, min(sequence) FROM audittest.audit_events WHERE tenant_id = 'capannori' "
      "GROUP BY lane ORDER BY lane LIMIT 1");
  tx.exec_params(
      "DELETE FROM audittest.audit_events WHERE tenant_id = 'capannori' AND lane = $1 "
      "AND sequence = $2",
      first[0].as<int>(), first[1].as<int64_t>());
  tx.commit();
  ASSERT_OK_AND_ASSIGN(VerifyReport broken, Verify("capannori"));
  ASSERT_TRUE(broken.first_break.has_value());
  EXPECT_EQ(broken.first_break->lane, first[0].as<int>());
}

TEST_F(AuditTest, NoComuneSeesAnothersTrail) {
  ASSERT_OK(RecordAs("capannori", Read("tenants/capannori/appointments/a1", rossi_)));
  absl::StatusOr<api::Page<Event>> from_lucca = pool_->RunInTenantTransaction(
      "lucca", [&](pqxx::work& tx) { return log_.List(tx, "capannori", {}, {}); });
  ASSERT_OK(from_lucca.status());
  EXPECT_TRUE(from_lucca->items.empty());
}

}  // namespace
}  // namespace sportelli::audit
