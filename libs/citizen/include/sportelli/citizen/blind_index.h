// The blind index of a citizen's codice fiscale: a keyed digest (HMAC-SHA256 under the
// service's secret key, bound to the comune) by which a service finds a citizen's records
// without the clear value: a copy of the database alone cannot be searched for a known code.
//
//   const std::string index = citizen::CitizenIndex(key, tenant, normalized_codice_fiscale);
//   ... WHERE citizen_index = $1 ...
//   ASSIGN_OR_RETURN(std::string name, citizen::NormalizeFamilyName(" d’Angelò "));  // "D'ANGELO"
//   const std::string by_name = citizen::FamilyNameIndex(key, tenant, name);
#ifndef SPORTELLI_CITIZEN_BLIND_INDEX_H_
#define SPORTELLI_CITIZEN_BLIND_INDEX_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "sportelli/crypto/secret_key.h"

namespace sportelli::citizen {

// 32 raw bytes. `codice_fiscale` must be normalized (NormalizeCodiceFiscale), so that every
// spelling of one code gives one index. The same code gives unrelated indexes in two comuni.
std::string CitizenIndex(const crypto::SecretKey& key, absl::string_view tenant,
                         absl::string_view codice_fiscale);

// The form a family name is indexed in, so that an operator typing it as the person spells it
// finds them: whitespace trimmed and runs of it made one space, accents removed (Unicode NFD
// without combining marks: "Niccolò" and "NICCOLO" are one name), upper case, and the
// typographic apostrophe (’) written as '. Spaces, apostrophes and hyphens stay: "De Luca" and
// "Deluca" are different surnames. INVALID_ARGUMENT for text that is not valid UTF-8 or has no
// letter. ICU does the Unicode work.
absl::StatusOr<std::string> NormalizeFamilyName(absl::string_view family_name);

// 32 raw bytes: the blind index of a normalized family name (NormalizeFamilyName), for an exact
// search by family name without the clear value in the database. Unrelated to CitizenIndex and
// across comuni.
std::string FamilyNameIndex(const crypto::SecretKey& key, absl::string_view tenant,
                            absl::string_view normalized_family_name);

// 32 raw bytes: the blind index of a normalized family name together with a birth date, for
// the exact search "family name and birth date" with neither value in clear in the database.
// Unrelated to FamilyNameIndex and across comuni.
std::string FamilyNameBirthIndex(const crypto::SecretKey& key, absl::string_view tenant,
                                 absl::string_view normalized_family_name,
                                 absl::CivilDay birth_date);

}  // namespace sportelli::citizen

#endif  // SPORTELLI_CITIZEN_BLIND_INDEX_H_
