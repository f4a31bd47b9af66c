// Delivery receipts from the SMS providers: an HTTP endpoint each provider posts to when a text
// reached the phone or failed, which makes the message DELIVERED or PERMANENT_FAILURE.
//
//   POST /sms/receipts/<provider>
//   X-Sportelli-Timestamp: 1796071201                 (Unix seconds)
//   X-Sportelli-Signature: v1=<hex HMAC-SHA256(secret, timestamp + "." + body)>[,v1=<...>]
//   {"reference": "capannori/m-6f1c...", "status": "DELIVERED", "id": "...", "code": "..."}
//
//   status  DELIVERED                                   DELIVERED
//           FAILED, UNDELIVERABLE, REJECTED, EXPIRED    PERMANENT_FAILURE, reason SMS_<status>
//                                                       (and _<code> when one is given)
//           anything else (ACCEPTED, QUEUED, ...)       ignored: an intermediate state
//
// Authentication. Each provider has one or two secrets: during a rotation both the new and the
// old one are accepted, so that neither side has to switch at the same instant. A signature is
// valid when it matches one of them and its timestamp is within 5 minutes of our clock (a
// replay of an old receipt is refused; one replayed within the window changes nothing, as a
// receipt is applied once). A receipt can only change a message that provider took.
//
// Replies: 204 done (applied, already applied, or a reference we do not know: nothing to
// retry); 400 not a receipt; 401 bad or stale signature; 404 no such provider; 405 not POST;
// 411 no Content-Length (chunked); 413 body over 16 KiB; 503 the database is unavailable
// (the provider retries later).
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_SMS_RECEIPTS_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_SMS_RECEIPTS_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/notifications/messages_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/logging/logger.h"

struct mg_context;

namespace sportelli::notifications {

inline constexpr absl::Duration kReceiptTolerance = absl::Minutes(5);
inline constexpr size_t kMaxReceiptBytes = 16 * 1024;

// The X-Sportelli-Signature value for `body` sent at `unix_seconds`: "v1=<hex>". For the
// providers' side (the fake provider of the tests computes it independently).
std::string SignReceipt(absl::string_view secret, int64_t unix_seconds, absl::string_view body);

// OK when one of the header's v1 signatures is that of `body` at `timestamp` under one of
// `secrets`, and `timestamp` is within kReceiptTolerance of `now`; UNAUTHENTICATED otherwise.
absl::Status VerifyReceipt(const std::vector<std::string>& secrets, absl::string_view timestamp,
                           absl::string_view signature, absl::string_view body, absl::Time now);

// The endpoint's logic, without the HTTP server (ReceiptServer).
class SmsReceipts final {
 public:
  struct Provider {
    std::string name;
    // One or two (a rotation): the current first.
    std::vector<std::string> secrets;
  };
  struct Reply {
    int status = 204;
    // A short JSON error for the provider's logs; empty for 204.
    std::string body;
  };

  // Pointers must outlive this; `registry` may be null. Only receipts for the comuni of
  // `tenants` are looked for.
  SmsReceipts(MessagesRepository* repository, const clock::Clock* clock, logging::Logger* logger,
              prometheus::Registry* registry, std::vector<Provider> providers,
              std::vector<std::string> tenants);

  Reply Handle(absl::string_view provider, absl::string_view timestamp, absl::string_view signature,
               absl::string_view body);

 private:
  Reply Counted(const std::string& provider, absl::string_view result, Reply reply);

  MessagesRepository* const repository_;
  const clock::Clock* const clock_;
  logging::Logger* const logger_;
  std::map<std::string, std::vector<std::string>, std::less<>> secrets_;
  const std::set<std::string, std::less<>> tenants_;
  prometheus::Family<prometheus::Counter>* receipts_ = nullptr;
};

// SmsReceipts on HTTP (CivetWeb): POST /sms/receipts/<provider>. Plain HTTP: TLS ends at the
// cluster's ingress, as for the portals.
class ReceiptServer final {
 public:
  // `listen` as CivetWeb takes it: "8090", "127.0.0.1:0" (any free port: see port()).
  static absl::StatusOr<std::unique_ptr<ReceiptServer>> Start(SmsReceipts* receipts,
                                                              const std::string& listen);
  ReceiptServer(const ReceiptServer&) = delete;
  ReceiptServer& operator=(const ReceiptServer&) = delete;
  // Stops accepting and waits for the requests in progress.
  ~ReceiptServer();

  int port() const { return port_; }

 private:
  ReceiptServer() = default;

  mg_context* context_ = nullptr;
  int port_ = 0;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_SMS_RECEIPTS_H_
