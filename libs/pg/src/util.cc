#include "sportelli/pg/internal/util.h"

#include <cstdlib>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "openssl/evp.h"

namespace sportelli::pg::internal {

bool IsSimpleIdentifier(absl::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  if (!((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

absl::StatusOr<std::string> QuoteQualifiedName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '.');
  if (parts.size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat("not a [schema.]name identifier: ", name));
  }
  std::string quoted;
  for (absl::string_view part : parts) {
    if (!IsSimpleIdentifier(part)) {
      return absl::InvalidArgumentError(absl::StrCat("not a [schema.]name identifier: ", name));
    }
    absl::StrAppend(&quoted, quoted.empty() ? "" : ".", "\"", part, "\"");
  }
  return quoted;
}

std::string Sha256Hex(absl::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; there is no sane way to go on.
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace sportelli::pg::internal
