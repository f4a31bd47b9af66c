// The cancel token of an appointment: what a citizen (through the portal) presents to cancel
// without an operator. HMAC(key, tenant/appointment id): random to anyone without the key,
// never stored (the row keeps only its SHA-256), and derivable again when a retried
// CreateAppointment must return the first reply. Rotating the key leaves stored hashes
// comparable; only tokens derived after the rotation differ.
#ifndef SPORTELLI_SERVICES_SCHEDULING_CANCEL_TOKEN_H_
#define SPORTELLI_SERVICES_SCHEDULING_CANCEL_TOKEN_H_

#include <string>

#include "absl/strings/string_view.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::scheduling {

// 43 URL-safe characters (256 bits).
std::string CancelToken(const crypto::SecretKey& key, absl::string_view tenant,
                        absl::string_view appointment_id);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_CANCEL_TOKEN_H_
