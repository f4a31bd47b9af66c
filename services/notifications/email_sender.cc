#include "services/notifications/email_sender.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/memory/memory.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "services/notifications/curl_support.h"
#include "services/notifications/domain/sms.h"

namespace sportelli::notifications {
namespace {

// RFC 5322 recommends lines of at most 78 characters (CRLF excluded); RFC 2045 limits
// quoted-printable lines to 76.
constexpr size_t kHeaderLineLimit = 78;
constexpr size_t kHeaderLineHardLimit = 998;
constexpr size_t kQuotedPrintableLineLimit = 76;
// The raw bytes of one RFC 2047 encoded-word: "=?UTF-8?B?" + base64(42 bytes) + "?=" is 68
// characters, so that "Subject: " plus one word stays within 78.
constexpr size_t kEncodedWordBytes = 42;

SendResult Invalid() { return {SendOutcome::kPermanentFailure, "INVALID_MESSAGE"}; }
SendResult Temporary(std::string reason) {
  return {SendOutcome::kTemporaryFailure, std::move(reason)};
}

// RFC 5322 atext: what a dot-atom (a local part, a Message-ID's left side) is made of.
bool IsAtext(char c) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
         std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool IsDotAtom(absl::string_view text) {
  if (text.empty() || text.front() == '.' || text.back() == '.') return false;
  char previous = '\0';
  for (char c : text) {
    if (c == '.' ? previous == '.' : !IsAtext(c)) return false;
    previous = c;
  }
  return true;
}

// One address as a citizen gives it, "mario.rossi@example.it": a dot-atom local part and a host
// name with at least one dot. No display name, comments, quoted local parts, address literals
// or non-ASCII (no SMTPUTF8): what is refused here is a typing error or an injection attempt
// ("a@b.it>\r\nRCPT TO:<...", "a@b.it, c@d.it"), and the message is not sent at all.
bool IsPlausibleAddress(absl::string_view address) {
  if (address.size() > 254) return false;
  const size_t at = address.find('@');
  if (at == absl::string_view::npos || address.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  const absl::string_view local = address.substr(0, at);
  const absl::string_view domain = address.substr(at + 1);
  if (local.size() > 64 || !IsDotAtom(local)) return false;
  if (domain.size() > 253 || domain.find('.') == absl::string_view::npos) return false;
  size_t label_start = 0;
  while (label_start <= domain.size()) {
    size_t label_end = domain.find('.', label_start);
    if (label_end == absl::string_view::npos) label_end = domain.size();
    const absl::string_view label = domain.substr(label_start, label_end - label_start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    label_start = label_end + 1;
  }
  return true;
}

bool IsPrintableAscii(absl::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

// RFC 2047 "B" encoded-words of UTF-8 text, split between characters (never inside one) and
// joined by folding whitespace, which a decoder drops between adjacent encoded-words.
std::string EncodedWords(absl::string_view text) {
  std::string out;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = std::min(start + kEncodedWordBytes, text.size());
    // Back up to the first byte of a character.
    while (end < text.size() && end > start &&
           (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
      --end;
    }
    if (!out.empty()) out += "\r\n ";
    absl::StrAppend(&out, "=?UTF-8?B?", absl::Base64Escape(text.substr(start, end - start)), "?=");
    start = end;
  }
  return out;
}

// The value of an unstructured header (Subject) after "Name: ": plain printable ASCII folded at
// spaces, anything else (non-ASCII, control characters, a "=?" a client would try to decode)
// as encoded-words. Unfolding the result gives back `text` exactly.
std::string UnstructuredValue(absl::string_view name, absl::string_view text) {
  if (!IsPrintableAscii(text) || absl::StrContains(text, "=?")) return EncodedWords(text);
  // Fold only before the last space of a run of spaces, so that no continuation line is
  // whitespace only (RFC 5322 3.2.2).
  std::vector<absl::string_view> pieces;
  size_t piece_start = 0;
  for (size_t i = 1; i + 1 < text.size(); ++i) {
    if (text[i] == ' ' && text[i + 1] != ' ') {
      pieces.push_back(text.substr(piece_start, i - piece_start));
      piece_start = i;
    }
  }
  pieces.push_back(text.substr(piece_start));
  std::string out;
  size_t line_length = name.size() + 2;
  for (size_t k = 0; k < pieces.size(); ++k) {
    // A word too long for any line (RFC 5322's 998) goes as encoded-words, which split anywhere.
    const size_t before_piece = k == 0 ? name.size() + 2 : 0;
    if (before_piece + pieces[k].size() > kHeaderLineHardLimit) {
      return EncodedWords(text);
    }
    if (k > 0 && line_length + pieces[k].size() > kHeaderLineLimit) {
      out += "\r\n";
      line_length = 0;
    }
    absl::StrAppend(&out, pieces[k]);
    line_length += pieces[k].size();
  }
  return out;
}

// A display name as an RFC 5322 phrase: atoms as they are, other ASCII quoted, non-ASCII
// encoded-words.
std::string Phrase(absl::string_view text) {
  if (!IsPrintableAscii(text) || absl::StrContains(text, "=?")) return EncodedWords(text);
  if (std::all_of(text.begin(), text.end(), [](char c) { return c == ' ' || IsAtext(c); })) {
    return std::string(text);
  }
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c;
  }
  quoted += '"';
  return quoted;
}

// The body as quoted-printable (RFC 2045 6.7) with CRLF line ends: readable in a raw view for
// Italian text (mostly ASCII) and safe through any relay, since every line is short 7-bit ASCII.
// "\n" and "\r\n" become hard line breaks; long lines get soft breaks ("=" at a line's end);
// spaces and tabs before a line break, "=" and every byte outside printable ASCII are escaped.
// A body without a final newline ends with a soft break, so it decodes to exactly the text given.
std::string QuotedPrintable(absl::string_view body) {
  std::string out;
  size_t start = 0;
  while (start < body.size()) {
    size_t newline = body.find('\n', start);
    const bool hard_break = newline != absl::string_view::npos;
    size_t end = hard_break ? newline : body.size();
    const size_t next = hard_break ? newline + 1 : body.size();
    if (hard_break && end > start && body[end - 1] == '\r') --end;
    const absl::string_view line = body.substr(start, end - start);

    size_t line_length = 0;
    for (size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      const bool last = i + 1 == line.size();
      char token[4];
      size_t token_length;
      if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
        token[0] = c;
        token_length = 1;
      } else {
        static constexpr char kHex[] = "0123456789ABCDEF";
        const auto byte = static_cast<unsigned char>(c);
        token[0] = '=';
        token[1] = kHex[byte >> 4];
        token[2] = kHex[byte & 0x0F];
        token_length = 3;
      }
      // Keep room for the soft break's "=", except for the last token before a hard break.
      const size_t room =
          (last && hard_break) ? kQuotedPrintableLineLimit : kQuotedPrintableLineLimit - 1;
      if (line_length + token_length > room) {
        out += "=\r\n";
        line_length = 0;
      }
      out.append(token, token_length);
      line_length += token_length;
    }
    out += hard_break ? "\r\n" : "=\r\n";
    start = next;
  }
  return out;
}

// RFC 5322 date-time in UTC, spelled out here rather than with strftime so that the process's
// locale can never turn "Mon" into "lun".
std::string RfcDate(absl::Time time) {
  static constexpr const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::CivilSecond utc = absl::ToCivilSecond(time, absl::UTCTimeZone());
  const int weekday = static_cast<int>(absl::GetWeekday(absl::CivilDay(utc)));  // kMonday == 0
  return absl::StrCat(kDays[weekday], ", ", absl::Dec(utc.day(), absl::kZeroPad2), " ",
                      kMonths[utc.month() - 1], " ", utc.year(), " ",
                      absl::Dec(utc.hour(), absl::kZeroPad2), ":",
                      absl::Dec(utc.minute(), absl::kZeroPad2), ":",
                      absl::Dec(utc.second(), absl::kZeroPad2), " +0000");
}

struct ParsedFrom {
  std::string header;
  std::string address;
};

// "Name <address>", "\"Name, Office\" <address>" or "address".
absl::StatusOr<ParsedFrom> ParseFrom(absl::string_view from) {
  from = absl::StripAsciiWhitespace(from);
  if (from.find_first_of("\r\n") != absl::string_view::npos || !IsWellFormedUtf8(from)) {
    return absl::InvalidArgumentError("SMTP From: a line break or invalid UTF-8");
  }
  ParsedFrom parsed;
  absl::string_view name;
  const size_t open = from.rfind('<');
  if (open == absl::string_view::npos) {
    parsed.address = std::string(from);
  } else {
    if (from.back() != '>') return absl::InvalidArgumentError("SMTP From: text after '>'");
    parsed.address = std::string(from.substr(open + 1, from.size() - open - 2));
    name = absl::StripAsciiWhitespace(from.substr(0, open));
    if (name.size() >= 2 && name.front() == '"' && name.back() == '"') {
      name = name.substr(1, name.size() - 2);
      if (absl::StrContains(name, "\\")) {
        return absl::InvalidArgumentError("SMTP From: write the name without escapes");
      }
    }
  }
  if (!IsPlausibleAddress(parsed.address)) {
    return absl::InvalidArgumentError(
        "SMTP From: expected \"Name <noreply@domain>\" or \"noreply@domain\"");
  }
  parsed.header =
      name.empty() ? parsed.address : absl::StrCat(Phrase(name), " <", parsed.address, ">");
  return parsed;
}

struct Upload {
  absl::string_view data;
  size_t sent = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* upload = static_cast<Upload*>(user);
  const size_t length = std::min(size * count, upload->data.size() - upload->sent);
  std::memcpy(buffer, upload->data.data() + upload->sent, length);
  upload->sent += length;
  return length;
}

// The relay's reply code as the caller's decision. Authentication refusals (530 authentication
// required, 534, 535 credentials invalid, 538 encryption required) concern this service's
// configuration, not the message: temporary, like TLS_FAILED.
SendResult FromReplyCode(long code) {
  const std::string reason = absl::StrCat("SMTP_", code);
  if (code >= 400 && code < 500) return Temporary(reason);
  if (code == 530 || code == 534 || code == 535 || code == 538) return Temporary(reason);
  return {SendOutcome::kPermanentFailure, reason};
}

SendResult Classify(CURLcode code, long reply_code, bool connected) {
  if (code == CURLE_OK) return {SendOutcome::kAccepted, ""};
  if (std::optional<std::string> failure = curl::TransportFailure(code, connected)) {
    return Temporary(*std::move(failure));
  }
  // A refusal of MAIL FROM, RCPT TO or DATA (libcurl reports CURLE_SEND_ERROR or similar, and
  // the relay's code).
  if (reply_code >= 400 && reply_code < 600) return FromReplyCode(reply_code);
  switch (code) {
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
      return Temporary("CONNECTION_LOST");
    default:
      return Temporary(absl::StrCat("CURL_", static_cast<int>(code)));
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<SmtpEmailSender>> SmtpEmailSender::Create(
    SmtpOptions options, const clock::Clock* clock) {
  if (clock == nullptr) return absl::InvalidArgumentError("SmtpEmailSender: no clock");
  const std::string scheme = absl::AsciiStrToLower(options.url.substr(0, options.url.find(':')));
  const bool implicit_tls = scheme == "smtps";
  if ((scheme != "smtp" && !implicit_tls) || !absl::StrContains(options.url, "://") ||
      options.url.size() <= scheme.size() + 3) {
    return absl::InvalidArgumentError("SMTP URL: expected smtp://host:port or smtps://host:port");
  }
  if (options.url.find_first_of("\r\n ") != std::string::npos) {
    return absl::InvalidArgumentError("SMTP URL: whitespace");
  }
  if (options.connect_timeout <= absl::ZeroDuration() || options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("SMTP timeouts must be positive");
  }
  if (options.username.has_value() != options.password.has_value()) {
    return absl::InvalidArgumentError("SMTP username and password: set both or neither");
  }
  if (options.username.has_value() && options.tls == SmtpOptions::Tls::kNone && !implicit_tls) {
    return absl::InvalidArgumentError(
        "SMTP credentials without TLS would cross the network in clear");
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return absl::InvalidArgumentError(
        absl::StrCat("SMTP CA file cannot be read: ", options.ca_file));
  }
  absl::StatusOr<ParsedFrom> from = ParseFrom(options.from);
  if (!from.ok()) return from.status();
  if (absl::Status init = curl::InitializeOnce(); !init.ok()) return init;
  std::string domain = from->address.substr(from->address.find('@') + 1);
  return absl::WrapUnique(new SmtpEmailSender(std::move(options), std::move(from->header),
                                              std::move(from->address), std::move(domain), clock));
}

SmtpEmailSender::SmtpEmailSender(SmtpOptions options, std::string from_header,
                                 std::string from_address, std::string from_domain,
                                 const clock::Clock* clock)
    : options_(std::move(options)),
      from_header_(std::move(from_header)),
      from_address_(std::move(from_address)),
      from_domain_(std::move(from_domain)),
      clock_(clock) {}

SendResult SmtpEmailSender::Send(const Email& email) {
  // Checked before anything is composed: a CR or LF in `to` or `subject` would otherwise add
  // headers (or SMTP commands) of the sender's choosing.
  if (!IsPlausibleAddress(email.to)) return Invalid();
  if (email.subject.find_first_of("\r\n\0", 0, 3) != std::string::npos ||
      !IsWellFormedUtf8(email.subject) || !IsWellFormedUtf8(email.body)) {
    return Invalid();
  }
  if (email.message_id.size() > 200 || !IsDotAtom(email.message_id)) return Invalid();

  std::string message;
  absl::StrAppend(&message, "Date: ", RfcDate(clock_->Now()), "\r\n");
  absl::StrAppend(&message, "From: ", from_header_, "\r\n");
  absl::StrAppend(&message, "To: ", email.to, "\r\n");
  absl::StrAppend(&message, "Subject: ", UnstructuredValue("Subject", email.subject), "\r\n");
  absl::StrAppend(&message, "Message-ID: <", email.message_id, "@", from_domain_, ">\r\n");
  // RFC 3834: no out-of-office replies to a desk's automatic messages.
  absl::StrAppend(&message, "Auto-Submitted: auto-generated\r\n");
  absl::StrAppend(&message, "MIME-Version: 1.0\r\n");
  absl::StrAppend(&message, "Content-Type: text/plain; charset=UTF-8\r\n");
  absl::StrAppend(&message, "Content-Transfer-Encoding: quoted-printable\r\n");
  absl::StrAppend(&message, "\r\n", QuotedPrintable(email.body));

  curl::Handle handle(curl_easy_init());
  if (handle == nullptr) return Temporary("CURL_INIT_FAILED");
  curl::List recipients(curl_slist_append(nullptr, absl::StrCat("<", email.to, ">").c_str()));
  if (recipients == nullptr) return Temporary("CURL_INIT_FAILED");
  const std::string mail_from = absl::StrCat("<", from_address_, ">");
  Upload upload{message};

  curl::Options set(handle.get());
  set.Set(CURLOPT_URL, options_.url.c_str())
      .Set(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
      .Set(CURLOPT_NOSIGNAL, 1L)
      .Set(CURLOPT_CONNECTTIMEOUT_MS, curl::Milliseconds(options_.connect_timeout))
      .Set(CURLOPT_TIMEOUT_MS, curl::Milliseconds(options_.timeout))
      // libcurl 7.88 ends every session with QUIT and waits for its reply, even after a
      // timeout, by this limit alone (120 s by default): a relay stuck after DATA would hold
      // the caller two minutes instead of `timeout`.
      .Set(CURLOPT_SERVER_RESPONSE_TIMEOUT, curl::WholeSeconds(options_.timeout))
      .Set(CURLOPT_USE_SSL,
           static_cast<long>(options_.tls == SmtpOptions::Tls::kRequired ? CURLUSESSL_ALL
                                                                         : CURLUSESSL_NONE))
      .Set(CURLOPT_MAIL_FROM, mail_from.c_str())
      .Set(CURLOPT_MAIL_RCPT, recipients.get())
      .Set(CURLOPT_UPLOAD, 1L)
      .Set(CURLOPT_READFUNCTION, &ReadUpload)
      .Set(CURLOPT_READDATA, &upload)
      .Set(CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
  if (!options_.ca_file.empty()) set.Set(CURLOPT_CAINFO, options_.ca_file.c_str());
  if (options_.username.has_value()) {
    set.Set(CURLOPT_USERNAME, options_.username->c_str())
        .Set(CURLOPT_PASSWORD, options_.password->c_str());
  }
  if (set.result() != CURLE_OK) {
    return Temporary(absl::StrCat("CURL_", static_cast<int>(set.result())));
  }

  const CURLcode code = curl_easy_perform(handle.get());
  long reply_code = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &reply_code);
  return Classify(code, reply_code, curl::Connected(handle.get(), reply_code));
}

}  // namespace sportelli::notifications
