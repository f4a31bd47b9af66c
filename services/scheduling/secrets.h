// The scheduling service's secrets and random identifiers.
//
// SecretKey keys two HMAC-SHA256 derivations:
//   - the citizen index, a blind index of the codice fiscale: the per-citizen limit finds a
//     citizen's appointments by it, and a copy of the database alone cannot be searched for a
//     known fiscal code without the key;
//   - the cancel token of an appointment, HMAC(key, tenant/appointment id): random to anyone
//     without the key, never stored (the row keeps only its SHA-256), and derivable again when
//     a retried CreateAppointment must return the first reply.
// Rotating the key invalidates neither: stored indexes and token hashes stay comparable until
// the rows are gone. (A rotation makes new indexes differ from old ones for the same citizen,
// so the per-citizen limit restarts: acceptable for a limit whose purpose is to stop hoarding.)
#ifndef SPORTELLI_SERVICES_SCHEDULING_SECRETS_H_
#define SPORTELLI_SERVICES_SCHEDULING_SECRETS_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::scheduling {

class SecretKey final {
 public:
  // At least 32 bytes (256 bits); INVALID_ARGUMENT otherwise.
  static absl::StatusOr<SecretKey> Create(std::string key);

  // 32 raw bytes, for the citizen_index column. `codice_fiscale` must be normalized.
  std::string CitizenIndex(absl::string_view tenant, absl::string_view codice_fiscale) const;
  // 43 URL-safe characters (256 bits).
  std::string CancelToken(absl::string_view tenant, absl::string_view appointment_id) const;

 private:
  explicit SecretKey(std::string key) : key_(std::move(key)) {}
  std::string Hmac(absl::string_view purpose, absl::string_view tenant,
                   absl::string_view value) const;
  std::string key_;
};

// SHA-256, 32 raw bytes.
std::string Sha256(absl::string_view data);
// True when a and b are equal, in time that depends only on their lengths.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b);
// `prefix` followed by 24 random characters of a-z and 2-7 (120 bits from the OS's CSPRNG): a
// valid resource id (it starts with the prefix's letter) that nobody can guess.
std::string RandomResourceId(absl::string_view prefix);
// A random (version 4) UUID in its canonical lower-case form.
std::string RandomUuid();

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_SECRETS_H_
