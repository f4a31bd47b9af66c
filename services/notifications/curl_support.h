// What the e-mail and SMS channels share of libcurl: its one-time initialization, handles that
// clean up after themselves, option setting checked once, and the transport failures (no
// connection, timeout, TLS) reduced to the reason codes both channels store and count.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_CURL_SUPPORT_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_CURL_SUPPORT_H_

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sportelli::notifications::curl {

// curl_global_init once per process (it is not thread-safe): every channel's Create calls this
// before its first handle.
absl::Status InitializeOnce();

struct HandleDeleter {
  void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
struct ListDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Handle = std::unique_ptr<CURL, HandleDeleter>;
using List = std::unique_ptr<curl_slist, ListDeleter>;

// Sets options in order and remembers the first failure, so that the caller checks once.
class Options {
 public:
  explicit Options(CURL* handle) : handle_(handle) {}
  template <typename T>
  Options& Set(CURLoption option, T value) {
    if (result_ == CURLE_OK) result_ = curl_easy_setopt(handle_, option, value);
    return *this;
  }
  CURLcode result() const { return result_; }

 private:
  CURL* const handle_;
  CURLcode result_ = CURLE_OK;
};

// libcurl's millisecond options; at least 1 (0 would mean "no limit").
long Milliseconds(absl::Duration duration);
// libcurl's whole-second options, rounded up; at least 1.
long WholeSeconds(absl::Duration duration);

// The reason code of a transport failure, or nullopt when `code` is not one (the caller looks at
// the protocol's reply):
//   CONNECT_FAILED  refused, unreachable, name not resolved, or no connection in time
//   TIMEOUT         connected, but the exchange did not finish in time (the peer may have acted)
//   TLS_FAILED      the handshake or the certificate check failed, or TLS was not offered
//   AUTH_FAILED     the peer refused our credentials at login (SMTP AUTH)
// `connected`: whether a connection was made before the failure.
std::optional<std::string> TransportFailure(CURLcode code, bool connected);

// Whether the handle connected during its last transfer (any reply also proves it, should
// loopback connect in under 1 us).
bool Connected(CURL* handle, long reply_code);

}  // namespace sportelli::notifications::curl

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_CURL_SUPPORT_H_
