#include "services/notifications/curl_support.h"

#include <algorithm>
#include <cstdint>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace sportelli::notifications::curl {

absl::Status InitializeOnce() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (result != CURLE_OK) {
    return absl::InternalError(absl::StrCat("curl_global_init: ", curl_easy_strerror(result)));
  }
  return absl::OkStatus();
}

long Milliseconds(absl::Duration duration) {
  return static_cast<long>(std::max<int64_t>(1, absl::ToInt64Milliseconds(duration)));
}

long WholeSeconds(absl::Duration duration) {
  return static_cast<long>(
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::Ceil(duration, absl::Seconds(1)))));
}

std::optional<std::string> TransportFailure(CURLcode code, bool connected) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
      return "CONNECT_FAILED";
    case CURLE_OPERATION_TIMEDOUT:
      // A peer that never answered the connection is unreachable; one that stopped answering
      // later may have acted on the request (hence stable ids on the retry).
      return connected ? "TIMEOUT" : "CONNECT_FAILED";
    case CURLE_USE_SSL_FAILED:  // STARTTLS not offered or refused
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_SHUTDOWN_FAILED:
      return "TLS_FAILED";
    case CURLE_LOGIN_DENIED:
      return "AUTH_FAILED";
    default:
      return std::nullopt;
  }
}

bool Connected(CURL* handle, long reply_code) {
  curl_off_t connect_time = 0;
  curl_easy_getinfo(handle, CURLINFO_CONNECT_TIME_T, &connect_time);
  return connect_time > 0 || reply_code > 0;
}

}  // namespace sportelli::notifications::curl
