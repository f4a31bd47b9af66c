// The keyring against a real PostgreSQL, logged in as the runtime role: citizens' keys made
// once, rotation that keeps old data readable, re-wrapping and retirement, crypto-shredding of a
// citizen and of a comune, and keys that cannot be moved between citizens or comuni.
#include "sportelli/keyring/keyring.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pqxx/pqxx"
#include "sportelli/crypto/random.h"
#include "sportelli/pg/pool.h"
#include "sportelli/testing/runtime_role.h"
#include "sportelli/testing/status_matchers.h"
#include "sportelli/testing/test_database.h"

namespace sportelli::keyring {
namespace {

constexpr char kSchema[] = "keystest";

std::string KekLine(uint32_t version, const std::string& bytes) {
  return absl::StrCat(version, " ", absl::Base64Escape(bytes), "\n");
}

class KeyringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(db_, sportelli::testing::TestDatabase::Create());
    ASSERT_OK(db_->Migrate(kSchema, {}, {KeysComponent()}));
    ASSERT_OK_AND_ASSIGN(pool_, pg::ConnectionPool::Create(db_->runtime_dsn(), {.max_size = 2}));
    ASSERT_OK_AND_ASSIGN(kek_, crypto::FileKeyEncryptionKey::Parse(KekLine(1, kek_v1_)));
    keyring_ = std::make_unique<Keyring>(kek_.get(), kSchema, &clock_);
  }

  // Seals `value` for `subject` as a service would: under the citizen's key, bound to its row.
  std::string SealFor(Keyring& keyring, const std::string& tenant, const std::string& subject,
                      const std::string& value) {
    std::string sealed;
    EXPECT_OK(pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::Status {
      ASSIGN_OR_RETURN(crypto::AeadKey key, keyring.SubjectKeyForWrite(tx, tenant, subject));
      sealed = key.Seal(value, Row(tenant, subject));
      return absl::OkStatus();
    }));
    return sealed;
  }

  // The clear value, nullopt when the citizen's key is gone, or the error.
  absl::StatusOr<std::optional<std::string>> OpenFor(Keyring& keyring, const std::string& tenant,
                                                     const std::string& subject,
                                                     const std::string& sealed) {
    return pool_->RunInTenantTransaction(
        tenant, [&](pqxx::work& tx) -> absl::StatusOr<std::optional<std::string>> {
          ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                           keyring.ReadSubjectKey(tx, tenant, subject));
          ASSIGN_OR_RETURN(uint32_t version, crypto::SealedKeyVersion(sealed));
          if (!key || key->version() != version) return std::optional<std::string>();
          ASSIGN_OR_RETURN(std::string clear, key->Open(sealed, Row(tenant, subject)));
          return std::optional<std::string>(clear);
        });
  }

  static crypto::Binding Row(const std::string& tenant, const std::string& subject) {
    return {tenant, "appointments", "family_name", absl::BytesToHexString(subject)};
  }

  int64_t Count(const std::string& sql) {
    pqxx::connection admin(db_->admin_dsn());
    pqxx::work tx(admin);
    tx.exec("SET row_security = off");
    return tx.exec1(sql)[0].as<int64_t>();
  }

  const std::string kek_v1_ = crypto::RandomBytes(32);
  clock::FakeClock clock_{absl::FromUnixSeconds(1780300800)};
  std::unique_ptr<sportelli::testing::TestDatabase> db_;
  std::unique_ptr<pg::ConnectionPool> pool_;
  std::unique_ptr<crypto::FileKeyEncryptionKey> kek_;
  std::unique_ptr<Keyring> keyring_;
  const std::string rossi_ = crypto::RandomBytes(32), bianchi_ = crypto::RandomBytes(32);
};

TEST_F(KeyringTest, ACitizenGetsOneKeyThatOpensTheirData) {
  const std::string first = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  const std::string second = SealFor(*keyring_, "capannori", rossi_, "Rossi Mario");
  EXPECT_EQ(*crypto::SealedKeyVersion(first), *crypto::SealedKeyVersion(second));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, first),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
  // A restarted process (an empty cache) reads it too, through the key-encryption key.
  Keyring restarted(kek_.get(), kSchema, &clock_);
  EXPECT_THAT(OpenFor(restarted, "capannori", rossi_, second),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi Mario")));
  EXPECT_EQ(Count("SELECT count(*) FROM keystest.subject_keys"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM keystest.data_keys"), 1);
}

TEST_F(KeyringTest, KeysForSeveralCitizensAtOnceAreTheKeysEachWouldGetAlone) {
  // Rossi has a key already; Bianchi and Verdi get theirs in the batch; Bianchi twice.
  const std::string before = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  const std::string verdi = crypto::RandomBytes(32);
  std::vector<std::string> sealed;
  ASSERT_OK(pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) -> absl::Status {
    const std::vector<std::string> subjects = {bianchi_, rossi_, verdi, bianchi_};
    ASSIGN_OR_RETURN(std::vector<crypto::AeadKey> keys,
                     keyring_->SubjectKeysForWrite(tx, "capannori", subjects));
    if (keys.size() != 4) return absl::InternalError("one key per subject expected");
    for (size_t i = 0; i < keys.size(); ++i) {
      sealed.push_back(keys[i].Seal(absl::StrCat("value ", i), Row("capannori", subjects[i])));
    }
    return absl::OkStatus();
  }));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, before),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, sealed[1]),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("value 1")));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", bianchi_, sealed[0]),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("value 0")));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", bianchi_, sealed[3]),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("value 3")));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", verdi, sealed[2]),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("value 2")));
  // The single write finds the batch's key: Verdi's data stays readable under one key.
  const std::string after = SealFor(*keyring_, "capannori", verdi, "Verdi");
  EXPECT_EQ(*crypto::SealedKeyVersion(after), *crypto::SealedKeyVersion(sealed[2]));
  EXPECT_EQ(Count("SELECT count(*) FROM keystest.subject_keys"), 3);
}

TEST_F(KeyringTest, ShreddingACitizenMakesExactlyTheirDataUnreadable) {
  const std::string rossi = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  const std::string bianchi = SealFor(*keyring_, "capannori", bianchi_, "Bianchi");
  ASSERT_OK(pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) -> absl::Status {
    ASSIGN_OR_RETURN(bool shredded, keyring_->ShredSubject(tx, "capannori", rossi_));
    EXPECT_TRUE(shredded);
    return absl::OkStatus();
  }));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, rossi),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>()));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", bianchi_, bianchi),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Bianchi")));
  // The citizen books again: a new key, which does not open what the shredded one sealed.
  const std::string again = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  EXPECT_NE(*crypto::SealedKeyVersion(again), *crypto::SealedKeyVersion(rossi));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, rossi),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>()));
  EXPECT_THAT(OpenFor(*keyring_, "capannori", rossi_, again),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
}

TEST_F(KeyringTest, RotationKeepsOldDataReadableAndRewrapThenRetireMovesEverythingOn) {
  const std::string old_value = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  absl::StatusOr<uint32_t> rotated = pool_->RunInTenantTransaction(
      "capannori", [&](pqxx::work& tx) { return keyring_->Rotate(tx, "capannori"); });
  ASSERT_THAT(rotated, sportelli::testing::IsOkAndHolds(2u));
  SealFor(*keyring_, "capannori", bianchi_, "Bianchi");  // a new citizen: sealed under v2
  EXPECT_EQ(Count("SELECT count(*) FROM keystest.subject_keys WHERE data_version = 2"), 1);

  // Version 1 still seals Rossi's key: it cannot be retired yet.
  absl::Status early = pool_->RunInTenantTransaction(
      "capannori", [&](pqxx::work& tx) { return keyring_->Retire(tx, "capannori", 1); });
  EXPECT_EQ(early.code(), absl::StatusCode::kFailedPrecondition) << early;
  EXPECT_EQ(
      pool_
          ->RunInTenantTransaction(
              "capannori", [&](pqxx::work& tx) { return keyring_->Retire(tx, "capannori", 2); })
          .code(),
      absl::StatusCode::kFailedPrecondition);

  // Another process's cache still names version 1 active: it learns of the rotation in time.
  Keyring other(kek_.get(), kSchema, &clock_);
  ASSERT_OK_AND_ASSIGN(RewrapReport report,
                       pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
                         return other.Rewrap(tx, "capannori", 100);
                       }));
  EXPECT_EQ(report.subject_keys, 1);
  EXPECT_EQ(report.data_keys, 0);
  ASSERT_OK(pool_->RunInTenantTransaction(
      "capannori", [&](pqxx::work& tx) { return keyring_->Retire(tx, "capannori", 1); }));
  EXPECT_EQ(Count("SELECT count(*) FROM keystest.data_keys"), 1);
  Keyring restarted(kek_.get(), kSchema, &clock_);
  EXPECT_THAT(OpenFor(restarted, "capannori", rossi_, old_value),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
}

TEST_F(KeyringTest, ANewKeyEncryptionKeyRewrapsDataKeysAndTheOldOneCanGo) {
  const std::string value = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  const std::string kek_v2 = crypto::RandomBytes(32);
  ASSERT_OK_AND_ASSIGN(
      auto both, crypto::FileKeyEncryptionKey::Parse(KekLine(1, kek_v1_) + KekLine(2, kek_v2)));
  Keyring rolled_out(both.get(), kSchema, &clock_);
  ASSERT_OK_AND_ASSIGN(RewrapReport report,
                       pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
                         return rolled_out.Rewrap(tx, "capannori", 100);
                       }));
  EXPECT_EQ(report.data_keys, 1);
  ASSERT_OK_AND_ASSIGN(auto only_v2, crypto::FileKeyEncryptionKey::Parse(KekLine(2, kek_v2)));
  Keyring after(only_v2.get(), kSchema, &clock_);
  EXPECT_THAT(OpenFor(after, "capannori", rossi_, value),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
  // Without the KEK version that wrapped it, a data key is out of reach.
  ASSERT_OK_AND_ASSIGN(auto only_v1, crypto::FileKeyEncryptionKey::Parse(KekLine(1, kek_v1_)));
  Keyring stale(only_v1.get(), kSchema, &clock_);
  EXPECT_EQ(OpenFor(stale, "capannori", rossi_, value).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(KeyringTest, ShreddingAComuneMakesAllItsDataUnreadableAndNoOtherComunes) {
  const std::string capannori = SealFor(*keyring_, "capannori", rossi_, "Rossi");
  const std::string lucca = SealFor(*keyring_, "lucca", rossi_, "Rossi");
  ASSERT_OK(pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) -> absl::Status {
    return keyring_->ShredComune(tx, "capannori").status();
  }));
  Keyring restarted(kek_.get(), kSchema, &clock_);
  EXPECT_THAT(OpenFor(restarted, "capannori", rossi_, capannori),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>()));
  EXPECT_THAT(OpenFor(restarted, "lucca", rossi_, lucca),
              sportelli::testing::IsOkAndHolds(std::optional<std::string>("Rossi")));
}

TEST_F(KeyringTest, AKeyMovedToAnotherCitizenOrComuneDoesNotOpen) {
  SealFor(*keyring_, "capannori", rossi_, "Rossi");
  SealFor(*keyring_, "lucca", rossi_, "Rossi");
  {
    // What someone with a superuser's credentials could do: copy Rossi's key row onto
    // Bianchi's, and Capannori's data key into Lucca.
    pqxx::connection admin(db_->admin_dsn());
    pqxx::work tx(admin);
    tx.exec("SET row_security = off");
    tx.exec_params(
        "INSERT INTO keystest.subject_keys SELECT tenant_id, decode($1, 'hex'), key_id, "
        "data_version, sealed_key, created_at FROM keystest.subject_keys WHERE tenant_id = "
        "'capannori'",
        absl::BytesToHexString(bianchi_));
    tx.exec(
        "UPDATE keystest.data_keys SET wrapped_key = (SELECT wrapped_key FROM keystest.data_keys "
        "WHERE tenant_id = 'capannori') WHERE tenant_id = 'lucca'");
    tx.commit();
  }
  Keyring restarted(kek_.get(), kSchema, &clock_);
  absl::Status moved_citizen = pool_->RunInTenantTransaction("capannori", [&](pqxx::work& tx) {
    return restarted.ReadSubjectKey(tx, "capannori", bianchi_).status();
  });
  EXPECT_EQ(moved_citizen.code(), absl::StatusCode::kDataLoss) << moved_citizen;
  absl::Status moved_comune = pool_->RunInTenantTransaction("lucca", [&](pqxx::work& tx) {
    return restarted.ReadSubjectKey(tx, "lucca", rossi_).status();
  });
  EXPECT_EQ(moved_comune.code(), absl::StatusCode::kDataLoss) << moved_comune;
}

TEST_F(KeyringTest, NoComuneReadsAnotherComunesKeys) {
  SealFor(*keyring_, "capannori", rossi_, "Rossi");
  absl::StatusOr<std::optional<crypto::AeadKey>> from_lucca = pool_->RunInTenantTransaction(
      "lucca", [&](pqxx::work& tx) { return keyring_->ReadSubjectKey(tx, "capannori", rossi_); });
  ASSERT_OK(from_lucca.status());
  EXPECT_FALSE(from_lucca->has_value());  // row-level security: the row is not there for lucca
}

TEST_F(KeyringTest, TheRuntimeRoleCannotSwitchOffTheFence) {
  sportelli::testing::ExpectRuntimeRoleIsFenced(*db_, kSchema);
}

}  // namespace
}  // namespace sportelli::keyring
