#include "services/notifications/sms_receipts.h"

#include <civetweb.h>

#include <algorithm>
#include <utility>

#include "absl/memory/memory.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"
#include "sportelli/crypto/hashes.h"

namespace sportelli::notifications {
namespace {

constexpr absl::string_view kPathPrefix = "/sms/receipts/";

std::string SignedPayload(absl::string_view timestamp, absl::string_view body) {
  return absl::StrCat(timestamp, ".", body);
}

SmsReceipts::Reply Error(int status, absl::string_view code) {
  return {status, absl::StrCat(R"({"error":")", code, R"("})")};
}

// A provider's code, kept only if it is a short token: it goes into reasons and logs.
std::string CodeSuffix(const nlohmann::json& receipt) {
  if (!receipt.contains("code")) return "";
  const nlohmann::json& value = receipt["code"];
  std::string code = value.is_string()           ? value.get<std::string>()
                     : value.is_number_integer() ? std::to_string(value.get<int64_t>())
                                                 : "";
  if (code.empty() || code.size() > 16 ||
      !std::all_of(code.begin(), code.end(), [](char c) { return absl::ascii_isalnum(c); })) {
    return "";
  }
  return absl::StrCat("_", absl::AsciiStrToUpper(code));
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void Respond(mg_connection* connection, const SmsReceipts::Reply& reply) {
  if (reply.body.empty()) {
    mg_printf(connection, "HTTP/1.1 %d %s\r\nContent-Length: 0\r\n\r\n", reply.status,
              ReasonPhrase(reply.status));
    return;
  }
  mg_printf(connection,
            "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
            reply.status, ReasonPhrase(reply.status), reply.body.size());
  mg_write(connection, reply.body.data(), reply.body.size());
}

int HandleRequest(mg_connection* connection, void* data) {
  auto* receipts = static_cast<SmsReceipts*>(data);
  const mg_request_info* request = mg_get_request_info(connection);
  absl::string_view path = request->local_uri != nullptr ? request->local_uri : "";
  if (!absl::ConsumePrefix(&path, kPathPrefix) || path.empty() || absl::StrContains(path, "/")) {
    Respond(connection, Error(404, "NOT_FOUND"));
    return 404;
  }
  if (absl::string_view(request->request_method) != "POST") {
    Respond(connection, Error(405, "METHOD_NOT_ALLOWED"));
    return 405;
  }
  if (request->content_length < 0) {  // chunked: a receipt is small, its length known
    Respond(connection, Error(411, "LENGTH_REQUIRED"));
    return 411;
  }
  if (request->content_length > static_cast<long long>(kMaxReceiptBytes)) {
    Respond(connection, Error(413, "TOO_LARGE"));
    return 413;
  }
  std::string body(static_cast<size_t>(request->content_length), '\0');
  size_t read = 0;
  while (read < body.size()) {
    const int n = mg_read(connection, body.data() + read, body.size() - read);
    if (n <= 0) break;
    read += static_cast<size_t>(n);
  }
  if (read != body.size()) {
    Respond(connection, Error(400, "TRUNCATED"));
    return 400;
  }
  const char* timestamp = mg_get_header(connection, "X-Sportelli-Timestamp");
  const char* signature = mg_get_header(connection, "X-Sportelli-Signature");
  const SmsReceipts::Reply reply = receipts->Handle(path, timestamp != nullptr ? timestamp : "",
                                                    signature != nullptr ? signature : "", body);
  Respond(connection, reply);
  return reply.status;
}

}  // namespace

std::string SignReceipt(absl::string_view secret, int64_t unix_seconds, absl::string_view body) {
  return absl::StrCat("v1=", absl::BytesToHexString(crypto::HmacSha256(
                                 secret, SignedPayload(absl::StrCat(unix_seconds), body))));
}

absl::Status VerifyReceipt(const std::vector<std::string>& secrets, absl::string_view timestamp,
                           absl::string_view signature, absl::string_view body, absl::Time now) {
  int64_t seconds = 0;
  if (timestamp.empty() || timestamp.size() > 12 || !absl::SimpleAtoi(timestamp, &seconds)) {
    return absl::UnauthenticatedError("no timestamp");
  }
  if (absl::AbsDuration(now - absl::FromUnixSeconds(seconds)) > kReceiptTolerance) {
    return absl::UnauthenticatedError("timestamp outside the tolerance");
  }
  const std::string payload = SignedPayload(timestamp, body);
  // Every presented signature against every secret, whatever matches first: the time taken
  // says nothing about which one was close.
  bool valid = false;
  int presented = 0;
  for (absl::string_view part : absl::StrSplit(signature, ',')) {
    part = absl::StripAsciiWhitespace(part);
    if (!absl::ConsumePrefix(&part, "v1=")) continue;
    if (++presented > 4) break;
    if (part.size() != 64 ||
        !std::all_of(part.begin(), part.end(), [](char c) { return absl::ascii_isxdigit(c); }))
      continue;
    const std::string digest = absl::HexStringToBytes(part);
    for (const std::string& secret : secrets) {
      valid |= crypto::ConstantTimeEquals(crypto::HmacSha256(secret, payload), digest);
    }
  }
  if (!valid) return absl::UnauthenticatedError("no valid signature");
  return absl::OkStatus();
}

SmsReceipts::SmsReceipts(MessagesRepository* repository, const clock::Clock* clock,
                         logging::Logger* logger, prometheus::Registry* registry,
                         std::vector<Provider> providers, std::vector<std::string> tenants)
    : repository_(repository),
      clock_(clock),
      logger_(logger),
      tenants_(tenants.begin(), tenants.end()) {
  for (Provider& provider : providers) {
    secrets_[provider.name] = std::move(provider.secrets);
  }
  if (registry != nullptr) {
    receipts_ = &prometheus::BuildCounter()
                     .Name("sportelli_sms_receipts_total")
                     .Help(
                         "Delivery receipts posted by the SMS providers, by provider and by what "
                         "became of them (delivered, failed, unchanged, unknown, ignored, "
                         "unauthenticated, malformed, unavailable).")
                     .Register(*registry);
  }
}

SmsReceipts::Reply SmsReceipts::Counted(const std::string& provider, absl::string_view result,
                                        Reply reply) {
  if (receipts_ != nullptr) {
    receipts_->Add({{"provider", provider}, {"result", std::string(result)}}).Increment();
  }
  return reply;
}

SmsReceipts::Reply SmsReceipts::Handle(absl::string_view provider_name, absl::string_view timestamp,
                                       absl::string_view signature, absl::string_view body) {
  const auto provider = secrets_.find(provider_name);
  if (provider == secrets_.end()) return Error(404, "UNKNOWN_PROVIDER");
  const std::string& name = provider->first;
  if (body.size() > kMaxReceiptBytes) return Counted(name, "malformed", Error(413, "TOO_LARGE"));
  if (absl::Status verified =
          VerifyReceipt(provider->second, timestamp, signature, body, clock_->Now());
      !verified.ok()) {
    logger_->Warning("SMS receipt refused",
                     {{"provider", name}, {"why", std::string(verified.message())}});
    return Counted(name, "unauthenticated", Error(401, "BAD_SIGNATURE"));
  }
  const nlohmann::json receipt = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!receipt.is_object() || !receipt.contains("reference") || !receipt["reference"].is_string() ||
      !receipt.contains("status") || !receipt["status"].is_string()) {
    return Counted(name, "malformed", Error(400, "NOT_A_RECEIPT"));
  }
  const std::string status = absl::AsciiStrToUpper(receipt["status"].get<std::string>());
  std::optional<MessageState> state;
  std::string reason;
  if (status == "DELIVERED") {
    state = MessageState::kDelivered;
  } else if (status == "FAILED" || status == "UNDELIVERABLE" || status == "REJECTED" ||
             status == "EXPIRED") {
    state = MessageState::kPermanentFailure;
    reason = absl::StrCat("SMS_", status, CodeSuffix(receipt));
  } else {
    return Counted(name, "ignored", {});  // ACCEPTED, QUEUED...: the final one will follow
  }
  const std::string reference = receipt["reference"].get<std::string>();
  const std::vector<std::string> parts = absl::StrSplit(reference, absl::MaxSplits('/', 1));
  if (parts.size() != 2 || !tenants_.contains(parts[0]) || parts[1].empty()) {
    return Counted(name, "unknown", {});
  }
  absl::StatusOr<ReceiptEffect> effect =
      repository_->RecordReceipt(parts[0], parts[1], name, *state, reason, clock_->Now());
  if (!effect.ok()) {
    logger_->Warning(
        "SMS receipt not recorded",
        {{"provider", name}, {"tenant", parts[0]}, {"error", effect.status().ToString()}});
    return Counted(name, "unavailable", Error(503, "UNAVAILABLE"));
  }
  switch (*effect) {
    case ReceiptEffect::kApplied:
      return Counted(name, *state == MessageState::kDelivered ? "delivered" : "failed", {});
    case ReceiptEffect::kUnchanged:
      return Counted(name, "unchanged", {});
    case ReceiptEffect::kUnknown:
      return Counted(name, "unknown", {});
  }
  return Counted(name, "unknown", {});
}

absl::StatusOr<std::unique_ptr<ReceiptServer>> ReceiptServer::Start(SmsReceipts* receipts,
                                                                    const std::string& listen) {
  // Reference-counted by CivetWeb: the metrics exposer (prometheus-cpp) initializes it too.
  mg_init_library(0);
  const char* options[] = {
      "listening_ports", listen.c_str(),      "num_threads", "4",    "request_timeout_ms",
      "10000",           "enable_keep_alive", "yes",         nullptr};
  mg_callbacks callbacks{};
  auto server = absl::WrapUnique(new ReceiptServer());
  server->context_ = mg_start(&callbacks, nullptr, options);
  if (server->context_ == nullptr) {
    mg_exit_library();
    return absl::UnavailableError(absl::StrCat("SMS receipts: cannot listen on ", listen));
  }
  mg_set_request_handler(server->context_, "/sms/receipts/", &HandleRequest, receipts);
  mg_server_port ports[1]{};
  if (mg_get_server_ports(server->context_, 1, ports) < 1) {
    return absl::InternalError("SMS receipts: no listening port");
  }
  server->port_ = ports[0].port;
  return server;
}

ReceiptServer::~ReceiptServer() {
  if (context_ != nullptr) {
    mg_stop(context_);
    mg_exit_library();
  }
}

}  // namespace sportelli::notifications
