#include "sportelli/redis/reply.h"

#include <ostream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sportelli/status/errors.h"

namespace sportelli::redis {
namespace {

// Error codes that mean "the server cannot serve right now" rather than "this request is
// wrong": a caller may retry, and readiness should report not serving.
constexpr absl::string_view kTransientErrorCodes[] = {"LOADING",  "BUSY",        "MASTERDOWN",
                                                      "TRYAGAIN", "CLUSTERDOWN", "READONLY"};

// Error codes are upper-case words by convention, but a Lua script may put anything in front of
// its error text; only a plausible code goes into a status message.
bool LooksLikeErrorCode(absl::string_view code) {
  if (code.empty() || code.size() > 32) return false;
  for (char c : code) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

absl::Status UnexpectedReply(const Reply& reply, absl::string_view wanted) {
  return status::Error(
      absl::StatusCode::kInternal,
      absl::StrCat("unexpected redis reply: wanted ", wanted, ", got ", TypeName(reply.type())),
      "REDIS_UNEXPECTED_REPLY");
}

}  // namespace

Reply Reply::String(std::string value) {
  Reply reply;
  reply.type_ = Type::kString;
  reply.str_ = std::move(value);
  return reply;
}

Reply Reply::Status(std::string value) {
  Reply reply;
  reply.type_ = Type::kStatus;
  reply.str_ = std::move(value);
  return reply;
}

Reply Reply::Integer(int64_t value) {
  Reply reply;
  reply.type_ = Type::kInteger;
  reply.integer_ = value;
  return reply;
}

Reply Reply::Array(std::vector<Reply> elements) {
  Reply reply;
  reply.type_ = Type::kArray;
  reply.elements_ = std::move(elements);
  return reply;
}

Reply Reply::Error(std::string message) {
  Reply reply;
  reply.type_ = Type::kError;
  reply.str_ = std::move(message);
  return reply;
}

absl::string_view Reply::error_code() const {
  if (type_ != Type::kError) return {};
  absl::string_view text = str_;
  return text.substr(0, text.find(' '));
}

bool operator==(const Reply& a, const Reply& b) {
  return a.type_ == b.type_ && a.str_ == b.str_ && a.integer_ == b.integer_ &&
         a.elements_ == b.elements_;
}

absl::string_view TypeName(Reply::Type type) {
  switch (type) {
    case Reply::Type::kNil:
      return "nil";
    case Reply::Type::kString:
      return "string";
    case Reply::Type::kStatus:
      return "status";
    case Reply::Type::kInteger:
      return "integer";
    case Reply::Type::kArray:
      return "array";
    case Reply::Type::kError:
      return "error";
  }
  return "unknown";
}

void PrintTo(const Reply& reply, std::ostream* os) {
  switch (reply.type()) {
    case Reply::Type::kNil:
      *os << "(nil)";
      return;
    case Reply::Type::kString:
      *os << '"' << absl::CEscape(reply.str()) << '"';
      return;
    case Reply::Type::kStatus:
      *os << "(status) " << absl::CEscape(reply.str());
      return;
    case Reply::Type::kInteger:
      *os << "(integer) " << reply.integer();
      return;
    case Reply::Type::kError:
      *os << "(error) " << absl::CEscape(reply.str());
      return;
    case Reply::Type::kArray:
      *os << '[';
      for (size_t i = 0; i < reply.elements().size(); ++i) {
        if (i > 0) *os << ", ";
        PrintTo(reply.elements()[i], os);
      }
      *os << ']';
      return;
  }
}

absl::Status ErrorReplyToStatus(const Reply& reply) {
  if (!reply.is_error()) return absl::OkStatus();
  absl::string_view code = reply.error_code();
  if (!LooksLikeErrorCode(code)) code = "UNKNOWN";
  for (absl::string_view transient : kTransientErrorCodes) {
    if (code == transient) {
      return status::Error(absl::StatusCode::kUnavailable,
                           absl::StrCat("redis is temporarily unable to serve (", code, ")"),
                           "REDIS_UNAVAILABLE");
    }
  }
  if (code == "OOM") {
    return status::Error(absl::StatusCode::kResourceExhausted, "redis is out of memory (OOM)",
                         "REDIS_OUT_OF_MEMORY");
  }
  return status::Error(absl::StatusCode::kInternal,
                       absl::StrCat("redis replied with an error (", code, ")"),
                       "REDIS_ERROR_REPLY");
}

absl::StatusOr<std::string> AsString(const Reply& reply) {
  if (reply.is_string() || reply.is_status()) return reply.str();
  if (reply.is_error()) return ErrorReplyToStatus(reply);
  return UnexpectedReply(reply, "string");
}

absl::StatusOr<std::string> AsString(const absl::StatusOr<Reply>& reply) {
  if (!reply.ok()) return reply.status();
  return AsString(*reply);
}

absl::StatusOr<std::optional<std::string>> AsOptionalString(const Reply& reply) {
  if (reply.is_nil()) return std::optional<std::string>();
  if (reply.is_string() || reply.is_status()) return std::optional<std::string>(reply.str());
  if (reply.is_error()) return ErrorReplyToStatus(reply);
  return UnexpectedReply(reply, "string or nil");
}

absl::StatusOr<std::optional<std::string>> AsOptionalString(const absl::StatusOr<Reply>& reply) {
  if (!reply.ok()) return reply.status();
  return AsOptionalString(*reply);
}

absl::StatusOr<int64_t> AsInteger(const Reply& reply) {
  if (reply.is_integer()) return reply.integer();
  if (reply.is_error()) return ErrorReplyToStatus(reply);
  return UnexpectedReply(reply, "integer");
}

absl::StatusOr<int64_t> AsInteger(const absl::StatusOr<Reply>& reply) {
  if (!reply.ok()) return reply.status();
  return AsInteger(*reply);
}

absl::StatusOr<std::vector<Reply>> AsArray(const Reply& reply) {
  if (reply.is_array()) return reply.elements();
  if (reply.is_error()) return ErrorReplyToStatus(reply);
  return UnexpectedReply(reply, "array");
}

absl::StatusOr<std::vector<Reply>> AsArray(const absl::StatusOr<Reply>& reply) {
  if (!reply.ok()) return reply.status();
  return AsArray(*reply);
}

absl::Status ExpectStatus(const Reply& reply, absl::string_view expected) {
  if (reply.is_status() && reply.str() == expected) return absl::OkStatus();
  if (reply.is_error()) return ErrorReplyToStatus(reply);
  return UnexpectedReply(reply, absl::StrCat("status ", expected));
}

absl::Status ExpectStatus(const absl::StatusOr<Reply>& reply, absl::string_view expected) {
  if (!reply.ok()) return reply.status();
  return ExpectStatus(*reply, expected);
}

}  // namespace sportelli::redis
