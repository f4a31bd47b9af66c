#include "sportelli/keyring/keyring.h"

#include <map>
#include <set>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "pqxx/binarystring"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::keyring {

namespace keys_component {
const std::vector<pg::Migration>& Migrations();  // generated from migrations/keys/
}  // namespace keys_component

pg::MigrationComponent KeysComponent() { return {"keys", &keys_component::Migrations()}; }

namespace {

std::string Hex(absl::string_view bytes) { return absl::BytesToHexString(bytes); }

std::string BytesAt(const pqxx::field& field) {
  return absl::HexStringToBytes(field.as<std::string>());
}

using pg::Timestamp;

crypto::Binding SubjectKeyBinding(const std::string& tenant, absl::string_view subject_index,
                                  int64_t key_id) {
  return {tenant, "subject_keys", "sealed_key", absl::StrCat(Hex(subject_index), ":", key_id)};
}

// Random, positive, fits PostgreSQL's integer.
int64_t NewKeyId() {
  static absl::Mutex mutex(absl::kConstInit);
  static absl::BitGen* bits = new absl::BitGen();
  absl::MutexLock lock(&mutex);
  return absl::Uniform<int64_t>(*bits, 1, int64_t{1} << 31);
}

absl::Status SubjectKeyGone() {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the comune's data key that sealed this citizen's key no longer exists",
                       "DATA_KEY_DESTROYED");
}

}  // namespace

Keyring::Keyring(const crypto::KeyEncryptionKey* kek, std::string schema, const clock::Clock* clock,
                 absl::Duration active_version_ttl)
    : kek_(kek),
      schema_(std::move(schema)),
      clock_(clock),
      active_version_ttl_(active_version_ttl) {}

std::string Keyring::WrapContext(const std::string& tenant, uint32_t version) const {
  return absl::StrCat(schema_, "/", tenant, "/", version);
}

absl::StatusOr<crypto::AeadKey> Keyring::DataKey(pqxx::work& tx, const std::string& tenant,
                                                 uint32_t version) {
  {
    absl::MutexLock lock(&mutex_);
    auto cached = data_keys_.find({tenant, version});
    if (cached != data_keys_.end()) return cached->second;
  }
  const pqxx::result rows =
      tx.exec_params(absl::StrCat("SELECT encode(wrapped_key, 'hex') FROM ", schema_,
                                  ".data_keys WHERE tenant_id = $1 AND version = $2"),
                     tenant, static_cast<int64_t>(version));
  if (rows.empty()) return SubjectKeyGone();
  ASSIGN_OR_RETURN(std::string bytes,
                   kek_->Unwrap(BytesAt(rows[0][0]), WrapContext(tenant, version)));
  ASSIGN_OR_RETURN(crypto::AeadKey key, crypto::AeadKey::Create(std::move(bytes), version));
  absl::MutexLock lock(&mutex_);
  data_keys_.insert_or_assign({tenant, version}, key);
  return key;
}

absl::StatusOr<crypto::AeadKey> Keyring::ActiveDataKey(pqxx::work& tx, const std::string& tenant) {
  const absl::Time now = clock_->Now();
  {
    absl::MutexLock lock(&mutex_);
    auto active = active_.find(tenant);
    if (active != active_.end() && now - active->second.read_at < active_version_ttl_) {
      auto cached = data_keys_.find({tenant, active->second.version});
      if (cached != data_keys_.end()) return cached->second;
    }
  }
  const std::string latest =
      absl::StrCat("SELECT max(version) FROM ", schema_, ".data_keys WHERE tenant_id = $1");
  pqxx::result rows = tx.exec_params(latest, tenant);
  if (rows[0][0].is_null()) {
    // The comune's first key. A concurrent first write makes its own: the primary key keeps
    // one, and the statement after this one sees it.
    const crypto::AeadKey first = crypto::AeadKey::Generate(1);
    ASSIGN_OR_RETURN(std::string wrapped, kek_->Wrap(first.bytes(), WrapContext(tenant, 1)));
    tx.exec_params(absl::StrCat("INSERT INTO ", schema_,
                                ".data_keys (tenant_id, version, wrapped_key, created_at) "
                                "VALUES ($1, 1, decode($2, 'hex'), $3::timestamptz) "
                                "ON CONFLICT (tenant_id, version) DO NOTHING"),
                   tenant, Hex(wrapped), Timestamp(now));
    rows = tx.exec_params(latest, tenant);
  }
  const uint32_t version = static_cast<uint32_t>(rows[0][0].as<int64_t>());
  ASSIGN_OR_RETURN(crypto::AeadKey key, DataKey(tx, tenant, version));
  absl::MutexLock lock(&mutex_);
  active_.insert_or_assign(tenant, Active{version, now});
  return key;
}

absl::StatusOr<crypto::AeadKey> Keyring::SubjectKeyForWrite(pqxx::work& tx,
                                                            const std::string& tenant,
                                                            absl::string_view subject_index) {
  // One round trip whether the citizen has a key or not (SubjectKeysForWrite).
  ASSIGN_OR_RETURN(std::vector<crypto::AeadKey> keys,
                   SubjectKeysForWrite(tx, tenant, {std::string(subject_index)}));
  return std::move(keys.front());
}

absl::StatusOr<std::vector<crypto::AeadKey>> Keyring::SubjectKeysForWrite(
    pqxx::work& tx, const std::string& tenant, const std::vector<std::string>& subject_indexes) {
  ASSIGN_OR_RETURN(crypto::AeadKey data_key, ActiveDataKey(tx, tenant));
  // One fresh key per distinct citizen, in index order: the rows are inserted (and their
  // unique-index entries locked) in the same order by every writer.
  const std::set<std::string> distinct(subject_indexes.begin(), subject_indexes.end());
  std::vector<std::string> indexes, ids, sealed;
  for (const std::string& index : distinct) {
    const int64_t key_id = NewKeyId();
    const crypto::AeadKey made = crypto::AeadKey::Generate(static_cast<uint32_t>(key_id));
    indexes.push_back(Hex(index));
    ids.push_back(absl::StrCat(key_id));
    sealed.push_back(Hex(data_key.Seal(made.bytes(), SubjectKeyBinding(tenant, index, key_id))));
  }
  const std::string table = absl::StrCat(schema_, ".subject_keys");
  const pqxx::result rows = pg::ExecPrepared(
      tx,
      absl::StrCat("WITH inserted AS (INSERT INTO ", table,
                   " (tenant_id, subject_index, key_id, data_version, sealed_key, created_at) "
                   "SELECT $1, decode(i, 'hex'), k::int8, $5, decode(s, 'hex'), $6::timestamptz "
                   "FROM unnest($2::text[], $3::text[], $4::text[]) AS u(i, k, s) ORDER BY i "
                   "ON CONFLICT (tenant_id, subject_index) DO NOTHING RETURNING subject_index, "
                   "key_id, sealed_key) SELECT encode(subject_index, 'hex'), key_id, "
                   "encode(sealed_key, 'hex') FROM inserted UNION ALL SELECT "
                   "encode(subject_index, 'hex'), key_id, encode(sealed_key, 'hex') FROM ",
                   table,
                   " WHERE tenant_id = $1 AND subject_index = ANY (ARRAY(SELECT decode(i, "
                   "'hex') FROM unnest($2::text[]) AS i))"),
      tenant, pg::TextArray(indexes), pg::TextArray(ids), pg::TextArray(sealed),
      static_cast<int64_t>(data_key.version()), Timestamp(clock_->Now()));
  std::map<std::string, crypto::AeadKey> opened;
  for (const auto& row : rows) {
    const std::string index = BytesAt(row[0]);
    if (opened.contains(index)) continue;
    ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                     OpenSubjectKey(tx, tenant, index, row[1].as<int64_t>(), BytesAt(row[2])));
    if (!key) return status::Internal("a citizen's key could not be read back");
    opened.emplace(index, std::move(*key));
  }
  std::vector<crypto::AeadKey> keys;
  keys.reserve(subject_indexes.size());
  for (const std::string& index : subject_indexes) {
    auto found = opened.find(index);
    if (found == opened.end()) {
      // A concurrent first write committed after this statement's snapshot: read it now.
      ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> existing, ReadSubjectKey(tx, tenant, index));
      if (!existing) return status::Internal("the citizen's key vanished while being made");
      found = opened.emplace(index, std::move(*existing)).first;
    }
    keys.push_back(found->second);
  }
  return keys;
}

absl::StatusOr<std::optional<crypto::AeadKey>> Keyring::OpenSubjectKey(
    pqxx::work& tx, const std::string& tenant, absl::string_view subject_index,
    const std::optional<int64_t>& key_id, const std::optional<std::string>& sealed_key) {
  if (!key_id || !sealed_key) return std::optional<crypto::AeadKey>();
  ASSIGN_OR_RETURN(uint32_t data_version, crypto::SealedKeyVersion(*sealed_key));
  ASSIGN_OR_RETURN(crypto::AeadKey data_key, DataKey(tx, tenant, data_version));
  ASSIGN_OR_RETURN(std::string bytes,
                   data_key.Open(*sealed_key, SubjectKeyBinding(tenant, subject_index, *key_id)));
  ASSIGN_OR_RETURN(crypto::AeadKey key,
                   crypto::AeadKey::Create(std::move(bytes), static_cast<uint32_t>(*key_id)));
  return std::optional<crypto::AeadKey>(std::move(key));
}

absl::StatusOr<std::optional<crypto::AeadKey>> Keyring::ReadSubjectKey(
    pqxx::work& tx, const std::string& tenant, absl::string_view subject_index) {
  const pqxx::result rows = pg::ExecPrepared(
      tx,
      absl::StrCat("SELECT key_id, encode(sealed_key, 'hex') FROM ", schema_,
                   ".subject_keys WHERE tenant_id = $1 AND subject_index = decode($2, 'hex')"),
      tenant, Hex(subject_index));
  if (rows.empty()) return std::optional<crypto::AeadKey>();
  return OpenSubjectKey(tx, tenant, subject_index, rows[0][0].as<int64_t>(), BytesAt(rows[0][1]));
}

absl::StatusOr<uint32_t> Keyring::Rotate(pqxx::work& tx, const std::string& tenant) {
  ASSIGN_OR_RETURN(crypto::AeadKey current, ActiveDataKey(tx, tenant));
  const uint32_t version = current.version() + 1;
  const crypto::AeadKey next = crypto::AeadKey::Generate(version);
  ASSIGN_OR_RETURN(std::string wrapped, kek_->Wrap(next.bytes(), WrapContext(tenant, version)));
  tx.exec_params(absl::StrCat("INSERT INTO ", schema_,
                              ".data_keys (tenant_id, version, wrapped_key, created_at) "
                              "VALUES ($1, $2, decode($3, 'hex'), $4::timestamptz)"),
                 tenant, static_cast<int64_t>(version), Hex(wrapped), Timestamp(clock_->Now()));
  absl::MutexLock lock(&mutex_);
  data_keys_.insert_or_assign({tenant, version}, next);
  active_.insert_or_assign(tenant, Active{version, clock_->Now()});
  return version;
}

absl::StatusOr<RewrapReport> Keyring::Rewrap(pqxx::work& tx, const std::string& tenant, int batch) {
  RewrapReport report;
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT version, encode(wrapped_key, 'hex') FROM ", schema_,
                                   ".data_keys WHERE tenant_id = $1 ORDER BY version FOR UPDATE"),
                      tenant)) {
    const uint32_t version = static_cast<uint32_t>(row[0].as<int64_t>());
    const std::string wrapped = BytesAt(row[1]);
    ASSIGN_OR_RETURN(uint32_t kek_version, crypto::SealedKeyVersion(wrapped));
    if (kek_version == kek_->current_version()) continue;
    const std::string context = WrapContext(tenant, version);
    ASSIGN_OR_RETURN(std::string bytes, kek_->Unwrap(wrapped, context));
    ASSIGN_OR_RETURN(std::string rewrapped, kek_->Wrap(bytes, context));
    tx.exec_params(absl::StrCat("UPDATE ", schema_,
                                ".data_keys SET wrapped_key = decode($3, 'hex') "
                                "WHERE tenant_id = $1 AND version = $2"),
                   tenant, static_cast<int64_t>(version), Hex(rewrapped));
    ++report.data_keys;
  }
  // The active version read now, not from the cache: a rotation just made elsewhere counts.
  {
    absl::MutexLock lock(&mutex_);
    active_.erase(tenant);
  }
  ASSIGN_OR_RETURN(crypto::AeadKey active, ActiveDataKey(tx, tenant));
  for (const auto& row : tx.exec_params(
           absl::StrCat("SELECT encode(subject_index, 'hex'), key_id, encode(sealed_key, 'hex') "
                        "FROM ",
                        schema_,
                        ".subject_keys WHERE tenant_id = $1 AND data_version <> $2 "
                        "LIMIT $3 FOR UPDATE SKIP LOCKED"),
           tenant, static_cast<int64_t>(active.version()), batch)) {
    const std::string subject = BytesAt(row[0]);
    const int64_t key_id = row[1].as<int64_t>();
    ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                     OpenSubjectKey(tx, tenant, subject, key_id, BytesAt(row[2])));
    if (!key) return status::Internal("a citizen's key could not be read back");
    const std::string resealed =
        active.Seal(key->bytes(), SubjectKeyBinding(tenant, subject, key_id));
    tx.exec_params(absl::StrCat("UPDATE ", schema_,
                                ".subject_keys SET sealed_key = decode($3, 'hex'), data_version "
                                "= $4 WHERE tenant_id = $1 AND subject_index = decode($2, 'hex')"),
                   tenant, Hex(subject), Hex(resealed), static_cast<int64_t>(active.version()));
    ++report.subject_keys;
  }
  return report;
}

absl::Status Keyring::Retire(pqxx::work& tx, const std::string& tenant, uint32_t version) {
  const pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT (SELECT max(version) FROM ", schema_,
                   ".data_keys WHERE tenant_id = $1), (SELECT count(*) FROM ", schema_,
                   ".data_keys WHERE tenant_id = $1 AND version = $2), (SELECT count(*) FROM ",
                   schema_, ".subject_keys WHERE tenant_id = $1 AND data_version = $2)"),
      tenant, static_cast<int64_t>(version));
  if (rows[0][1].as<int64_t>() == 0) return status::NotFound("data key version");
  if (rows[0][0].as<int64_t>() == static_cast<int64_t>(version)) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the active data key cannot be retired: rotate first", "KEY_IN_USE");
  }
  if (const int64_t sealed = rows[0][2].as<int64_t>(); sealed > 0) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat(sealed,
                                      " citizen keys are still sealed under it: rewrap "
                                      "first"),
                         "KEY_IN_USE");
  }
  tx.exec_params(
      absl::StrCat("DELETE FROM ", schema_, ".data_keys WHERE tenant_id = $1 AND version = $2"),
      tenant, static_cast<int64_t>(version));
  absl::MutexLock lock(&mutex_);
  data_keys_.erase({tenant, version});
  return absl::OkStatus();
}

absl::StatusOr<bool> Keyring::ShredSubject(pqxx::work& tx, const std::string& tenant,
                                           absl::string_view subject_index) {
  return !tx.exec_params(absl::StrCat("DELETE FROM ", schema_,
                                      ".subject_keys WHERE tenant_id = $1 AND subject_index = "
                                      "decode($2, 'hex') RETURNING key_id"),
                         tenant, Hex(subject_index))
              .empty();
}

absl::StatusOr<int> Keyring::ShredComune(pqxx::work& tx, const std::string& tenant) {
  tx.exec_params(absl::StrCat("DELETE FROM ", schema_, ".subject_keys WHERE tenant_id = $1"),
                 tenant);
  const int deleted = static_cast<int>(
      tx.exec_params(absl::StrCat("DELETE FROM ", schema_, ".data_keys WHERE tenant_id = $1"),
                     tenant)
          .affected_rows());
  absl::MutexLock lock(&mutex_);
  for (auto it = data_keys_.begin(); it != data_keys_.end();) {
    it = it->first.first == tenant ? data_keys_.erase(it) : std::next(it);
  }
  active_.erase(tenant);
  return deleted;
}

void Keyring::Forget() {
  absl::MutexLock lock(&mutex_);
  data_keys_.clear();
  active_.clear();
}

}  // namespace sportelli::keyring
