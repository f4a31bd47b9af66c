// The SMS channel of the messages to citizens: one text handed to an SMS provider over HTTP with
// libcurl, and the provider's answer reduced to what the caller decides on: accepted (delivery
// is confirmed later by a receipt, sms_receipts.h), try again later, or give up.
//
// One adapter, one documented request and response shape (docs/api.md, "SMS providers"); a
// provider with another API is put behind a small translating proxy rather than a second client:
//
//   POST <url>/messages
//   Authorization: Bearer <api key>
//   Content-Type: application/json
//   Idempotency-Key: <reference>
//   {"to": "+393331234567", "from": "Capannori", "text": "Promemoria: ...",
//    "reference": "capannori/m-6f1c...", "callback_url": "https://.../sms/receipts/acme"}
//
//   2xx  {"id": "<the provider's id>", "segments": 1}  accepted (both fields optional)
//   409  the reference was accepted before (a retry after a lost answer): accepted
//   401, 403             AUTH_FAILED, temporary (our key or the account: a configuration fault)
//   408, 425, 429, 5xx   SMS_HTTP_<code>, temporary
//   any other 4xx        SMS_HTTP_<code>, permanent (an invalid number, a refused text)
//
// The caller retries temporary failures with the same reference, which the provider uses to
// de-duplicate (the Idempotency-Key): a text whose acceptance was lost in a timeout is not sent
// twice by a provider that honours it.
//
// Privacy: nothing here logs, and no result carries, the number or the text; reasons are codes.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SENDER_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SENDER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notifications/email_sender.h"

namespace sportelli::notifications {

struct SmsProviderOptions {
  // A short name, [a-z0-9-]: the metrics' `provider` label, the receipts' path, the messages'
  // record of who took them.
  std::string name;
  // The API's base, "https://api.sms-provider.example/v1". Plain http only to a loopback host
  // (a local fake provider): the key and the texts never cross a network in clear.
  std::string url;
  std::string api_key;
  // Where the provider posts delivery receipts ("https://notifiche.example/sms/receipts/acme");
  // empty: none asked for, and messages stay SENT.
  std::string callback_url{};
  // A CA bundle (PEM) for the provider's certificate; empty: the system's trust store.
  std::string ca_file{};
  absl::Duration connect_timeout = absl::Seconds(5);
  // The whole request, connection included.
  absl::Duration timeout = absl::Seconds(10);
};

struct Sms {
  // E.164: "+" and 7 to 15 digits.
  std::string to;
  // The sender id the citizen sees: 1 to 11 letters, digits or spaces ("Capannori"), or a number.
  std::string from;
  // UTF-8; the provider splits it in segments.
  std::string text;
  // Ours, stable across retries: "<comune>/<message id>"; letters, digits and "/-_", at most 128.
  std::string reference;
};

struct SmsResult {
  SendOutcome outcome = SendOutcome::kTemporaryFailure;
  // Empty when accepted; otherwise a code: those of the table above, the transport's
  // (CONNECT_FAILED, TIMEOUT, TLS_FAILED, CONNECTION_LOST, CURL_<n>), or INVALID_MESSAGE
  // (a number that is not E.164, a bad sender id, text that is not UTF-8, a bad reference:
  // nothing was sent; permanent).
  std::string reason;
  // The provider's id of an accepted text, when it gave one.
  std::string provider_message_id;
};

class SmsSender {
 public:
  virtual ~SmsSender() = default;
  // Blocks for at most the configured timeout. Thread-safe in every implementation.
  virtual SmsResult Send(const Sms& sms) = 0;
  // The provider's name (SmsProviderOptions::name).
  virtual const std::string& provider() const = 0;
};

class HttpSmsSender final : public SmsSender {
 public:
  // INVALID_ARGUMENT for options that could never work (a bad name, a URL that is neither https
  // nor http to loopback, no key, an unreadable CA file), so that a bad configuration stops the
  // service at start.
  static absl::StatusOr<std::unique_ptr<HttpSmsSender>> Create(SmsProviderOptions options);

  SmsResult Send(const Sms& sms) override;
  const std::string& provider() const override { return options_.name; }

 private:
  explicit HttpSmsSender(SmsProviderOptions options);

  const SmsProviderOptions options_;
  const std::string endpoint_;       // <url>/messages
  const std::string authorization_;  // the header line
};

// Whether `number` is E.164: "+", a non-zero digit, then 6 to 14 digits.
bool IsE164(absl::string_view number);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SENDER_H_
