#include "services/notifications/sms_sender.h"

#include <algorithm>
#include <fstream>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "services/notifications/curl_support.h"
#include "services/notifications/domain/sms.h"

namespace sportelli::notifications {
namespace {

// A provider's answer is a few hundred bytes; anything larger is cut, and not parsed.
constexpr size_t kMaxResponseBytes = 64 * 1024;
// Ten segments of GSM-7: no message of ours comes near; a longer one is a fault upstream.
constexpr size_t kMaxTextBytes = 1530;

SmsResult Invalid() { return {SendOutcome::kPermanentFailure, "INVALID_MESSAGE", ""}; }
SmsResult Temporary(std::string reason) {
  return {SendOutcome::kTemporaryFailure, std::move(reason), ""};
}

bool IsSenderId(absl::string_view from) {
  if (from.empty()) return false;
  if (IsE164(from)) return true;
  if (from.size() > 11) return false;
  return std::all_of(from.begin(), from.end(),
                     [](char c) { return absl::ascii_isalnum(c) || c == ' '; });
}

bool IsReference(absl::string_view reference) {
  return !reference.empty() && reference.size() <= 128 &&
         std::all_of(reference.begin(), reference.end(), [](char c) {
           return absl::ascii_isalnum(c) || c == '/' || c == '-' || c == '_';
         });
}

bool IsLoopbackHttp(absl::string_view url) {
  if (!absl::ConsumePrefix(&url, "http://")) return false;
  return absl::StartsWith(url, "127.0.0.1:") || absl::StartsWith(url, "127.0.0.1/") ||
         url == "127.0.0.1" || absl::StartsWith(url, "localhost:") ||
         absl::StartsWith(url, "localhost/") || url == "localhost" ||
         absl::StartsWith(url, "[::1]");
}

size_t CollectResponse(char* data, size_t size, size_t count, void* user) {
  auto* response = static_cast<std::string*>(user);
  const size_t length = size * count;
  if (response->size() < kMaxResponseBytes) {
    response->append(data, std::min(length, kMaxResponseBytes - response->size()));
  }
  return length;  // the rest is read and dropped, so the connection ends cleanly
}

SmsResult FromHttpStatus(long code, const std::string& response) {
  if ((code >= 200 && code < 300) || code == 409) {
    SmsResult accepted{SendOutcome::kAccepted, "", ""};
    // The id is a convenience (receipts are matched by our reference): an answer that does not
    // parse does not undo the acceptance.
    const nlohmann::json body =
        nlohmann::json::parse(response, nullptr, /*allow_exceptions=*/false);
    if (body.is_object() && body.contains("id") && body["id"].is_string()) {
      accepted.provider_message_id = body["id"].get<std::string>().substr(0, 128);
    }
    return accepted;
  }
  if (code == 401 || code == 403) return Temporary("AUTH_FAILED");
  const std::string reason = absl::StrCat("SMS_HTTP_", code);
  if (code == 408 || code == 425 || code == 429 || code >= 500 || code < 400) {
    return Temporary(reason);
  }
  return {SendOutcome::kPermanentFailure, reason, ""};
}

}  // namespace

bool IsE164(absl::string_view number) {
  if (!absl::ConsumePrefix(&number, "+")) return false;
  if (number.size() < 7 || number.size() > 15 || number.front() == '0') return false;
  return std::all_of(number.begin(), number.end(), [](char c) { return absl::ascii_isdigit(c); });
}

absl::StatusOr<std::unique_ptr<HttpSmsSender>> HttpSmsSender::Create(SmsProviderOptions options) {
  if (options.name.empty() || options.name.size() > 32 ||
      !std::all_of(options.name.begin(), options.name.end(), [](char c) {
        return absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-';
      })) {
    return absl::InvalidArgumentError("SMS provider name: expected 1 to 32 of [a-z0-9-]");
  }
  const std::string where = absl::StrCat("SMS provider ", options.name, ": ");
  if (options.url.find_first_of("\r\n \t") != std::string::npos ||
      !(absl::StartsWith(options.url, "https://") || IsLoopbackHttp(options.url)) ||
      options.url.size() <= 8) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "url must be https:// (http:// only to a loopback host)"));
  }
  if (options.api_key.empty() || options.api_key.find_first_of("\r\n") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, "no usable API key"));
  }
  if (options.callback_url.find_first_of("\r\n \t\"\\") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat(where, "callback URL"));
  }
  if (options.connect_timeout <= absl::ZeroDuration() || options.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(where, "timeouts must be positive"));
  }
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    return absl::InvalidArgumentError(
        absl::StrCat(where, "CA file cannot be read: ", options.ca_file));
  }
  if (absl::Status init = curl::InitializeOnce(); !init.ok()) return init;
  return absl::WrapUnique(new HttpSmsSender(std::move(options)));
}

HttpSmsSender::HttpSmsSender(SmsProviderOptions options)
    : options_(std::move(options)),
      endpoint_(absl::StrCat(absl::StripSuffix(options_.url, "/"), "/messages")),
      authorization_(absl::StrCat("Authorization: Bearer ", options_.api_key)) {}

SmsResult HttpSmsSender::Send(const Sms& sms) {
  if (!IsE164(sms.to) || !IsSenderId(sms.from) || !IsReference(sms.reference) || sms.text.empty() ||
      sms.text.size() > kMaxTextBytes || !IsWellFormedUtf8(sms.text)) {
    return Invalid();
  }
  nlohmann::json request = {
      {"to", sms.to}, {"from", sms.from}, {"text", sms.text}, {"reference", sms.reference}};
  if (!options_.callback_url.empty()) request["callback_url"] = options_.callback_url;
  const std::string body = request.dump();
  const std::string idempotency = absl::StrCat("Idempotency-Key: ", sms.reference);

  curl::Handle handle(curl_easy_init());
  if (handle == nullptr) return Temporary("CURL_INIT_FAILED");
  curl_slist* lines = nullptr;
  for (const char* line : {authorization_.c_str(), "Content-Type: application/json",
                           "Accept: application/json", idempotency.c_str(), "Expect:"}) {
    curl_slist* longer = curl_slist_append(lines, line);
    if (longer == nullptr) {
      curl_slist_free_all(lines);
      return Temporary("CURL_INIT_FAILED");
    }
    lines = longer;
  }
  const curl::List headers(lines);
  std::string response;
  curl::Options set(handle.get());
  set.Set(CURLOPT_URL, endpoint_.c_str())
      .Set(CURLOPT_PROTOCOLS_STR, "https,http")
      .Set(CURLOPT_FOLLOWLOCATION, 0L)  // a redirect would carry the key elsewhere
      .Set(CURLOPT_NOSIGNAL, 1L)
      .Set(CURLOPT_CONNECTTIMEOUT_MS, curl::Milliseconds(options_.connect_timeout))
      .Set(CURLOPT_TIMEOUT_MS, curl::Milliseconds(options_.timeout))
      .Set(CURLOPT_HTTPHEADER, headers.get())
      .Set(CURLOPT_POSTFIELDS, body.c_str())
      .Set(CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()))
      .Set(CURLOPT_WRITEFUNCTION, &CollectResponse)
      .Set(CURLOPT_WRITEDATA, &response);
  if (!options_.ca_file.empty()) set.Set(CURLOPT_CAINFO, options_.ca_file.c_str());
  if (set.result() != CURLE_OK) {
    return Temporary(absl::StrCat("CURL_", static_cast<int>(set.result())));
  }
  const CURLcode code = curl_easy_perform(handle.get());
  long http_status = 0;
  curl_easy_getinfo(handle.get(), CURLINFO_RESPONSE_CODE, &http_status);
  if (code == CURLE_OK) return FromHttpStatus(http_status, response);
  if (std::optional<std::string> failure =
          curl::TransportFailure(code, curl::Connected(handle.get(), http_status))) {
    return Temporary(*std::move(failure));
  }
  switch (code) {
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_WEIRD_SERVER_REPLY:
    case CURLE_PARTIAL_FILE:
      return Temporary("CONNECTION_LOST");
    default:
      return Temporary(absl::StrCat("CURL_", static_cast<int>(code)));
  }
}

}  // namespace sportelli::notifications
