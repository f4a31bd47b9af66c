#include "sportelli/server/request_ids.h"

#include "absl/strings/ascii.h"

namespace sportelli::server {

bool IsUuid(absl::string_view text) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!absl::ascii_isxdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

void CheckRequestId(const std::string& request_id, Call& call,
                    status::FieldViolations& violations) {
  if (request_id.empty()) return;
  if (!IsUuid(request_id)) {
    violations.Add("request_id", "must be a UUID such as 3f0e7a4e-2b7c-4d7e-9a61-1c1d2e3f4a5b");
    return;
  }
  call.request_id = request_id;
}

pg::RequestKey WithKeyedFingerprint(pg::RequestKey key, const crypto::SecretKey& secret,
                                    absl::string_view tenant) {
  key.fingerprint = secret.Hmac("request-fingerprint", tenant, key.fingerprint);
  return key;
}

}  // namespace sportelli::server
