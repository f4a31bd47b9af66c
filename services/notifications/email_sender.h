// The e-mail channel of the messages to citizens: one message handed to the comune's SMTP relay
// (submission, STARTTLS) with libcurl, and the relay's answer reduced to what the caller decides
// on: accepted, try again later, or give up. The caller retries temporary failures with the same
// `message_id`, so that a relay which accepted a message whose answer was lost (a timeout after
// DATA) can be de-duplicated downstream by its Message-ID.
//
//   ASSIGN_OR_RETURN(std::unique_ptr<SmtpEmailSender> smtp,
//                    SmtpEmailSender::Create({.url = "smtp://relay.comune.capannori.lu.it:587",
//                                             .from = "Comune di Capannori <noreply@...>"},
//                                            &clock));
//   SendResult sent = smtp->Send({.to = "mario.rossi@example.it", .subject = "Promemoria",
//                                 .body = "Gentile ...", .message_id = "m-6f1c..."});
//   if (sent.outcome == SendOutcome::kTemporaryFailure) ScheduleRetry(sent.reason);
//
// Privacy: nothing here logs, and no result carries, a citizen's address or the text of the
// message; `SendResult::reason` is a code (SMTP_451, TIMEOUT) for logs, metrics and storage.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_EMAIL_SENDER_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_EMAIL_SENDER_H_

#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sportelli/clock/clock.h"

namespace sportelli::notifications {

struct SmtpOptions {
  // "smtp://host:port" (STARTTLS decided by `tls`) or "smtps://host:port" (implicit TLS). A path
  // names the EHLO domain ("smtp://relay:587/sportelli.comune.capannori.lu.it"); without one
  // libcurl says EHLO localhost, which some relays refuse.
  std::string url;
  // kRequired: STARTTLS on smtp:// (libcurl's CURLUSESSL_ALL), the certificate verified; the
  // message is never sent in clear. kNone: plaintext, only for a local sink (scripts/up).
  enum class Tls { kRequired, kNone } tls = Tls::kRequired;
  // A CA bundle (PEM) for the relay's certificate; empty: the system's trust store.
  // (The optional fields have initializers so that designated initializers may leave them out.)
  std::string ca_file{};
  // Set both or neither; refused with Tls::kNone on smtp://, which would send them in clear.
  std::optional<std::string> username{}, password{};
  // The From header, "Comune di Capannori <noreply@comune.capannori.lu.it>" (the display name may
  // be non-ASCII: it is sent as an RFC 2047 encoded-word) or a bare "noreply@...". The bare
  // address is the envelope MAIL FROM, and its domain is the right side of every Message-ID.
  std::string from;
  absl::Duration connect_timeout = absl::Seconds(5);
  // The whole transfer, connection included; also the limit for each single reply, which is
  // what bounds the QUIT libcurl still sends after a timeout: a send that times out returns
  // within about twice this.
  absl::Duration timeout = absl::Seconds(20);
};

struct Email {
  // One plain address ("mario.rossi@example.it"): no display name, no list, ASCII only
  // (no SMTPUTF8).
  std::string to;
  // UTF-8, one line.
  std::string subject;
  // UTF-8 plain text, lines separated by "\n" (or "\r\n"); sent quoted-printable with CRLF.
  std::string body;
  // Stable across the retries of one message: becomes Message-ID <message_id@domain-of-from>.
  // Letters, digits and !#$%&'*+-/=?^_`{|}~. only.
  std::string message_id;
};

enum class SendOutcome { kAccepted, kTemporaryFailure, kPermanentFailure };

struct SendResult {
  SendOutcome outcome;
  // Empty when accepted. Otherwise a code, never the address or the text:
  //   SMTP_4xx / SMTP_5xx   the relay's reply code (4xx temporary; 5xx permanent, except the
  //                         authentication codes 530/534/535/538, temporary: see below)
  //   CONNECT_FAILED        refused, unreachable, name not resolved, or no connection within
  //                         connect_timeout (temporary)
  //   TIMEOUT               connected, but the transfer did not finish within `timeout`
  //                         (temporary; the relay may still have accepted the message)
  //   TLS_FAILED            Tls::kRequired and the relay offers no STARTTLS, or the handshake or
  //                         the certificate check failed (temporary)
  //   AUTH_FAILED           the relay refused the username/password (temporary)
  //   CONNECTION_LOST       the relay closed the connection mid-dialogue (temporary)
  //   INVALID_MESSAGE       `to` not one plausible address, a header injection attempt
  //                         (CR/LF in the subject), text that is not UTF-8 or a bad message_id:
  //                         nothing was sent (permanent)
  //   CURL_<n>              any other libcurl error, by number (temporary)
  // TLS and authentication failures are configuration faults of this service or of the relay,
  // not faults of the message: they are temporary so that messages wait (and the failure rate
  // alerts an operator) instead of being dropped for good while the configuration is fixed.
  std::string reason;
};

class EmailSender {
 public:
  virtual ~EmailSender() = default;
  // Blocks for at most about twice the configured timeout (see SmtpOptions::timeout).
  // Thread-safe in every implementation.
  virtual SendResult Send(const Email& email) = 0;
};

class SmtpEmailSender final : public EmailSender {
 public:
  // INVALID_ARGUMENT for options that could never work (a scheme other than smtp/smtps, a From
  // without a plausible address, credentials in clear, an unreadable CA file), so that a bad
  // configuration stops the service at start. `clock` (the Date header) must outlive the sender.
  static absl::StatusOr<std::unique_ptr<SmtpEmailSender>> Create(SmtpOptions options,
                                                                 const clock::Clock* clock);

  SendResult Send(const Email& email) override;

 private:
  SmtpEmailSender(SmtpOptions options, std::string from_header, std::string from_address,
                  std::string from_domain, const clock::Clock* clock);

  const SmtpOptions options_;
  const std::string from_header_;   // the From header's value, encoded
  const std::string from_address_;  // the bare address: MAIL FROM
  const std::string from_domain_;   // the right side of Message-IDs
  const clock::Clock* const clock_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_EMAIL_SENDER_H_
