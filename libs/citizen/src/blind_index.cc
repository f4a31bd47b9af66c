#include "sportelli/citizen/blind_index.h"

namespace sportelli::citizen {

std::string CitizenIndex(const crypto::SecretKey& key, absl::string_view tenant,
                         absl::string_view codice_fiscale) {
  return key.Hmac("citizen-index", tenant, codice_fiscale);
}

}  // namespace sportelli::citizen
