// The keys of personal data at rest, per comune and per citizen, kept in the service's own
// schema (the kit component KeysComponent(): tables data_keys and subject_keys).
//
// Hierarchy (docs/architecture.md, "Personal data"):
//   key-encryption key (KEK)   a file / Kubernetes Secret, later a KMS; never in the database
//     └ comune data key v1..vN  random, wrapped by the KEK, in data_keys; vN seals new keys
//         └ citizen key          random, sealed under a data key, in subject_keys
//             └ fields           each sealed under the citizen's key, bound to tenant, table,
//                                column and row (crypto::Binding)
//
// Everything happens inside the caller's tenant transaction, so a key and the data it seals
// commit together and row-level security fences every read:
//
//   ASSIGN_OR_RETURN(crypto::AeadKey key, keyring.SubjectKeyForWrite(tx, tenant, citizen_index));
//   const std::string sealed = key.Seal(family_name, {tenant, "appointments", "family_name", id});
//   ...
//   ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
//                    keyring.OpenSubjectKey(tx, tenant, citizen_index, stored_key));
//   if (!key || key->version() != *crypto::SealedKeyVersion(sealed)) ... the citizen was erased
//
// Unwrapped data keys are cached in the process; the active version is re-read after
// `active_version_ttl`, so a rotation made by another process reaches new writes within it
// (writes sealed meanwhile under the previous version stay readable: it is kept until retired).
#ifndef SPORTELLI_KEYRING_KEYRING_H_
#define SPORTELLI_KEYRING_KEYRING_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/transaction"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/aead.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/pg/migrations.h"

namespace sportelli::keyring {

// The kit component that creates `<schema>.data_keys` and `<schema>.subject_keys`.
pg::MigrationComponent KeysComponent();

struct RewrapReport {
  int data_keys = 0;     // re-wrapped under the KEK's current version
  int subject_keys = 0;  // re-sealed under the comune's active data key
};

class Keyring {
 public:
  // `schema`: the service's schema ("scheduling"). Pointers must outlive the keyring.
  Keyring(const crypto::KeyEncryptionKey* kek, std::string schema, const clock::Clock* clock,
          absl::Duration active_version_ttl = absl::Minutes(1));

  // The citizen's key (`subject_index`: their blind index), made and stored when they have
  // none, in one statement. Two first writes at once agree on one key: the second finds the
  // first's (ON CONFLICT DO NOTHING, then read again once it has committed).
  absl::StatusOr<crypto::AeadKey> SubjectKeyForWrite(pqxx::work& tx, const std::string& tenant,
                                                     absl::string_view subject_index);
  // SubjectKeyForWrite for several citizens of one comune in one statement (a repeated index
  // gets the same key): element i is the key of subject_indexes[i].
  absl::StatusOr<std::vector<crypto::AeadKey>> SubjectKeysForWrite(
      pqxx::work& tx, const std::string& tenant, const std::vector<std::string>& subject_indexes);

  // Opens a citizen's stored key, read along with their rows (key_id and sealed_key of
  // subject_keys, e.g. by a LEFT JOIN): nullopt when there is none (shredded). DATA_LOSS when the
  // stored key was altered or moved; FAILED_PRECONDITION when its data key is gone.
  absl::StatusOr<std::optional<crypto::AeadKey>> OpenSubjectKey(
      pqxx::work& tx, const std::string& tenant, absl::string_view subject_index,
      const std::optional<int64_t>& key_id, const std::optional<std::string>& sealed_key);

  // Reads and opens the citizen's key; nullopt when they have none.
  absl::StatusOr<std::optional<crypto::AeadKey>> ReadSubjectKey(pqxx::work& tx,
                                                                const std::string& tenant,
                                                                absl::string_view subject_index);

  // ---- operations (the `keys` subcommand) --------------------------------------------------
  // A new data key version for the comune's new writes; returns it.
  absl::StatusOr<uint32_t> Rotate(pqxx::work& tx, const std::string& tenant);
  // Up to `batch` keys moved on: data keys wrapped under an older KEK version re-wrapped under
  // the current one, citizen keys sealed under an older data key re-sealed under the active
  // one. Run until it reports nothing moved; each batch is one short transaction.
  absl::StatusOr<RewrapReport> Rewrap(pqxx::work& tx, const std::string& tenant, int batch);
  // Deletes data key `version` of the comune: FAILED_PRECONDITION while a citizen key is still
  // sealed under it or when it is the active one.
  absl::Status Retire(pqxx::work& tx, const std::string& tenant, uint32_t version);
  // Deletes the citizen's key: every field sealed under it is unreadable from then on. Returns
  // whether there was one.
  absl::StatusOr<bool> ShredSubject(pqxx::work& tx, const std::string& tenant,
                                    absl::string_view subject_index);
  // Deletes every data key of the comune: all its citizens' data is unreadable from then on.
  absl::StatusOr<int> ShredComune(pqxx::work& tx, const std::string& tenant);

  // Forgets the cached data keys (after a retirement or shredding made elsewhere).
  void Forget();

 private:
  struct Active {
    uint32_t version;
    absl::Time read_at;
  };
  absl::StatusOr<crypto::AeadKey> DataKey(pqxx::work& tx, const std::string& tenant,
                                          uint32_t version);
  absl::StatusOr<crypto::AeadKey> ActiveDataKey(pqxx::work& tx, const std::string& tenant);
  std::string WrapContext(const std::string& tenant, uint32_t version) const;

  const crypto::KeyEncryptionKey* const kek_;
  const std::string schema_;
  const clock::Clock* const clock_;
  const absl::Duration active_version_ttl_;
  absl::Mutex mutex_;
  std::map<std::pair<std::string, uint32_t>, crypto::AeadKey> data_keys_ ABSL_GUARDED_BY(mutex_);
  std::map<std::string, Active> active_ ABSL_GUARDED_BY(mutex_);
};

}  // namespace sportelli::keyring

#endif  // SPORTELLI_KEYRING_KEYRING_H_
