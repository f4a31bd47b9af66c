// intake's retention (`maintain`), run as the service's runtime role against the real schema:
// closed cases go with everything they hold, contacts that never became cases go, persons with
// nothing left go with their key; open cases, recent records and another comune's stay; each
// comune may keep longer; the runtime role cannot delete any of it itself.
#include "services/intake/retention.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

constexpr absl::Duration kYear = absl::Hours(24 * 365);

class RetentionTest : public CaseTest {
 protected:
  // Runs every step for `tenant` as `maintain` would, at kTestStart (near the database's own
  // clock, whose floors the functions check), with `retention`.
  std::map<std::string, int> Maintain(const Retention& retention, const std::string& tenant) {
    std::map<std::string, int> removed;
    for (const pg::RetentionStep& step : RetentionSteps(retention)) {
      absl::StatusOr<int> count = pool_->RunInTenantTransaction(
          tenant, [&](pqxx::work& tx) { return step.run(tx, tenant, kTestStart, 1000); });
      EXPECT_TRUE(count.ok()) << step.data_class << ": " << count.status();
      removed[step.data_class] = count.value_or(-1);
    }
    return removed;
  }

  std::string Count(const std::string& table) {
    return AdminQuery(absl::StrCat("SELECT count(*) FROM intake.", table));
  }
};

TEST_F(RetentionTest, WhatIsDueGoesWithEverythingItHoldsAndNothingElse) {
  // Three years ago: a case opened, noted, referred and closed; a contact that stayed one.
  clock_.Set(kTestStart - 3 * kYear);
  const v1::Case closed = Open();
  v1::CreateNoteRequest note;
  note.set_parent(closed.name());
  note.mutable_note()->set_kind(v1::NOTE_KIND_LISTENING);
  note.mutable_note()->set_text("vecchio colloquio");
  note.set_request_id(crypto::RandomUuid());
  v1::Note written;
  ASSERT_TRUE(Call(&Stub::CreateNote, Operator(), note, &written).ok());
  ASSERT_TRUE(
      Move(Operator(), closed.name(), v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_GOALS_REACHED).ok());
  v1::CreateContactRequest information = NewContact(closed.person());
  information.mutable_contact()->set_outcome(v1::CONTACT_OUTCOME_INFORMATION_ONLY);
  v1::Contact old_contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), information, &old_contact).ok());
  // Three years ago too, but still open: stays, with its person.
  const v1::Case still_open = Open();
  // Today: a person and a contact, both recent.
  clock_.Set(kTestStart);
  const std::string recent = Register(50);
  v1::Contact recent_contact;
  ASSERT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(recent), &recent_contact).ok());

  // The service's own role cannot delete any of it.
  for (const char* table : {"cases", "contacts", "persons", "note_versions"}) {
    const absl::Status status = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
      tx.exec(absl::StrCat("DELETE FROM intake.", table));
      return absl::OkStatus();
    });
    EXPECT_FALSE(status.ok()) << table;
  }

  Retention retention;
  retention.closed_cases = kYear;
  retention.contacts = absl::Hours(24 * 365);
  // Another comune keeps closed cases for ten years: nothing of it is due.
  retention.closed_cases_by_comune[other_tenant_] = 10 * kYear;
  const std::map<std::string, int> removed = Maintain(retention, tenant_);
  EXPECT_EQ(removed.at("closed_cases"), 1);
  EXPECT_EQ(removed.at("contacts"), 1);  // the old information-only contact
  EXPECT_EQ(removed.at("persons"), 1);   // the closed case's person, nothing else left
  EXPECT_EQ(AdminQuery(absl::StrCat("SELECT count(*) FROM intake.cases WHERE case_id = '",
                                    closed.name().substr(closed.name().rfind('/') + 1), "'")),
            "0");
  EXPECT_EQ(Count("note_versions"), "0");
  EXPECT_EQ(Count("case_history"), "1");  // the open case's opening
  EXPECT_EQ(Count("cases"), "1");
  EXPECT_EQ(Count("contacts"), "2");  // the open case's and the recent one
  EXPECT_EQ(Count("persons"), "2");
  v1::Case read;
  EXPECT_TRUE(Get(Operator(), still_open.name(), &read).ok());
  // The erased person's key went with them: what a backup holds of them cannot be opened.
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.subject_keys"), "2");
  // Run again: nothing more is due.
  const std::map<std::string, int> again = Maintain(retention, tenant_);
  EXPECT_EQ(again.at("closed_cases") + again.at("contacts") + again.at("persons"), 0);
}

TEST_F(RetentionTest, TheDatabaseRefusesPeriodsShorterThanItsFloors) {
  const absl::Status too_recent = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
    tx.exec("SELECT intake.expire_closed_cases(now() - interval '1 day', 10)");
    return absl::OkStatus();
  });
  EXPECT_FALSE(too_recent.ok());
  const absl::Status contacts = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
    tx.exec("SELECT intake.expire_contacts(now() - interval '30 days', 10)");
    return absl::OkStatus();
  });
  EXPECT_FALSE(contacts.ok());
}

TEST(RetentionConfigTest, PerComunePeriodsAndTheirBounds) {
  config::EnvReader env([](const std::string& name) -> std::optional<std::string> {
    if (name == "SPORTELLI_RETAIN_CLOSED_CASES_BY_COMUNE") return "lucca=87600h";
    if (name == "SPORTELLI_RETAIN_CONTACTS") return "17520h";
    return std::nullopt;
  });
  const Retention r = ReadRetention(env);
  EXPECT_TRUE(env.Finish().ok());
  EXPECT_EQ(r.closed_cases_by_comune.at("lucca"), 10 * kYear);
  EXPECT_EQ(r.contacts, 2 * kYear);
  config::EnvReader bad([](const std::string& name) -> std::optional<std::string> {
    if (name == "SPORTELLI_RETAIN_CONTACTS_BY_COMUNE") return "lucca=24h";
    if (name == "SPORTELLI_RETAIN_CLOSED_CASES") return "720h";
    return std::nullopt;
  });
  ReadRetention(bad);
  EXPECT_FALSE(bad.Finish().ok());
}

}  // namespace
}  // namespace sportelli::intake::testing
