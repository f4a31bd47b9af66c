// The blind index of a citizen's codice fiscale: a keyed digest (HMAC-SHA256 under the
// service's secret key, bound to the comune) by which a service finds a citizen's records
// without the clear value: a copy of the database alone cannot be searched for a known code.
//
//   const std::string index = citizen::CitizenIndex(key, tenant, normalized_codice_fiscale);
//   ... WHERE citizen_index = $1 ...
#ifndef SPORTELLI_CITIZEN_BLIND_INDEX_H_
#define SPORTELLI_CITIZEN_BLIND_INDEX_H_

#include <string>

#include "absl/strings/string_view.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::citizen {

// 32 raw bytes. `codice_fiscale` must be normalized (NormalizeCodiceFiscale), so that every
// spelling of one code gives one index. The same code gives unrelated indexes in two comuni.
std::string CitizenIndex(const crypto::SecretKey& key, absl::string_view tenant,
                         absl::string_view codice_fiscale);

}  // namespace sportelli::citizen

#endif  // SPORTELLI_CITIZEN_BLIND_INDEX_H_
