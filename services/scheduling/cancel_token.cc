#include "services/scheduling/cancel_token.h"

#include "absl/strings/escaping.h"

namespace sportelli::scheduling {

std::string CancelToken(const crypto::SecretKey& key, absl::string_view tenant,
                        absl::string_view appointment_id) {
  std::string token;
  absl::WebSafeBase64Escape(key.Hmac("cancel-token", tenant, appointment_id), &token);
  return token;
}

}  // namespace sportelli::scheduling
