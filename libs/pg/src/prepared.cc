#include "sportelli/pg/prepared.h"

#include "absl/strings/str_cat.h"
#include "sportelli/crypto/hashes.h"

namespace sportelli::pg::internal {

std::string PreparedName(const std::string& sql) {
  // 128 bits of SHA-256: two different texts never meet under one name (libpqxx would refuse
  // the second as an inconsistent redefinition), and the name stays under PostgreSQL's 63 bytes.
  return absl::StrCat("s_", crypto::Sha256Hex(sql).substr(0, 32));
}

}  // namespace sportelli::pg::internal
