// An owned, plain C++ copy of a Redis reply, so that no hiredis `redisReply` (and no manual
// `freeReplyObject`) ever leaves the redis library, and helpers that turn a reply into the
// value a caller expects or into an absl::Status.
//
// A Redis *error reply* (WRONGTYPE, NOSCRIPT, BUSYGROUP, ...) is data, not a failure of the
// connection: RedisClient returns it as a Reply of type kError. Callers that have no use for
// the specific error convert it with the helpers below, which map it to a status:
//
//   ASSIGN_OR_RETURN(std::optional<std::string> cached,
//                    AsOptionalString(client.Command({"GET", key})));   // nil -> nullopt
//   ASSIGN_OR_RETURN(int64_t visits, AsInteger(client.Command({"INCR", counter_key})));
//
//   // Reacting to one specific error reply:
//   ASSIGN_OR_RETURN(Reply reply, client.Command({"XGROUP", "CREATE", stream, group, "$",
//                                                 "MKSTREAM"}));
//   if (reply.is_error() && reply.error_code() != "BUSYGROUP") {
//     return ErrorReplyToStatus(reply);
//   }
#ifndef SPORTELLI_REDIS_REPLY_H_
#define SPORTELLI_REDIS_REPLY_H_

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::redis {

// One RESP2 reply. Strings are binary-safe (they may contain NUL bytes). Accessors never fail:
// asking a reply for a field of another type yields an empty value, so a surprising server
// answer can produce a wrong value but never undefined behaviour.
class Reply final {
 public:
  enum class Type {
    kNil,      // missing key (GET), timed-out blocking pop, null array
    kString,   // bulk string: str()
    kStatus,   // simple string such as "OK" or "PONG": str()
    kInteger,  // integer()
    kArray,    // elements(), which may themselves be arrays
    kError,    // error reply: str() is the full text, error_code() its first word
  };

  // A nil reply.
  Reply() = default;

  static Reply Nil() { return Reply(); }
  static Reply String(std::string value);
  static Reply Status(std::string value);
  static Reply Integer(int64_t value);
  static Reply Array(std::vector<Reply> elements);
  static Reply Error(std::string message);

  Type type() const { return type_; }
  bool is_nil() const { return type_ == Type::kNil; }
  bool is_string() const { return type_ == Type::kString; }
  bool is_status() const { return type_ == Type::kStatus; }
  bool is_integer() const { return type_ == Type::kInteger; }
  bool is_array() const { return type_ == Type::kArray; }
  bool is_error() const { return type_ == Type::kError; }

  // The bytes of a string, status or error reply; empty for the other types.
  const std::string& str() const { return str_; }
  // The value of an integer reply; 0 for the other types.
  int64_t integer() const { return integer_; }
  // The elements of an array reply; empty for the other types.
  const std::vector<Reply>& elements() const { return elements_; }
  // For an error reply, its first word by Redis convention ("WRONGTYPE", "NOSCRIPT", "ERR",
  // or the prefix a Lua script chose); empty for the other types.
  absl::string_view error_code() const;

  friend bool operator==(const Reply& a, const Reply& b);
  friend bool operator!=(const Reply& a, const Reply& b) { return !(a == b); }

 private:
  Type type_ = Type::kNil;
  std::string str_;
  int64_t integer_ = 0;
  std::vector<Reply> elements_;
};

// "nil", "string", ...: for messages and logs.
absl::string_view TypeName(Reply::Type type);

// A readable rendering for test failure messages (GoogleTest picks it up). It prints values,
// so it must not be used for log lines that could carry personal data.
void PrintTo(const Reply& reply, std::ostream* os);

// The status for an error reply: OK for every other type.
//
//   LOADING, BUSY, MASTERDOWN, TRYAGAIN, CLUSTERDOWN, READONLY
//       -> UNAVAILABLE, "REDIS_UNAVAILABLE" (the server cannot serve right now: a retry may work)
//   OOM
//       -> RESOURCE_EXHAUSTED, "REDIS_OUT_OF_MEMORY"
//   anything else (WRONGTYPE, ERR, NOSCRIPT, NOAUTH, ...)
//       -> INTERNAL, "REDIS_ERROR_REPLY" (the request or the data is wrong: a retry will not help)
//
// The message carries only the error code, never the rest of the text: Redis echoes command
// arguments in some errors ("unknown command ..., with args beginning with: ..."), and those
// may be personal data.
absl::Status ErrorReplyToStatus(const Reply& reply);

// Typed views of a reply. Each returns the status of an error reply (see above), INTERNAL with
// reason "REDIS_UNEXPECTED_REPLY" for a reply of another type, and has an overload taking the
// StatusOr straight from RedisClient::Command so that failures propagate unchanged.

// The bytes of a string or status reply.
absl::StatusOr<std::string> AsString(const Reply& reply);
absl::StatusOr<std::string> AsString(const absl::StatusOr<Reply>& reply);

// Like AsString, with nil as nullopt (GET of a missing key).
absl::StatusOr<std::optional<std::string>> AsOptionalString(const Reply& reply);
absl::StatusOr<std::optional<std::string>> AsOptionalString(const absl::StatusOr<Reply>& reply);

// The value of an integer reply.
absl::StatusOr<int64_t> AsInteger(const Reply& reply);
absl::StatusOr<int64_t> AsInteger(const absl::StatusOr<Reply>& reply);

// The elements of an array reply (nil is not an empty array: it is an unexpected reply).
absl::StatusOr<std::vector<Reply>> AsArray(const Reply& reply);
absl::StatusOr<std::vector<Reply>> AsArray(const absl::StatusOr<Reply>& reply);

// OK for a status reply equal to `expected` (e.g. "OK" after SET), the error-reply status for
// an error reply, INTERNAL "REDIS_UNEXPECTED_REPLY" otherwise.
absl::Status ExpectStatus(const Reply& reply, absl::string_view expected);
absl::Status ExpectStatus(const absl::StatusOr<Reply>& reply, absl::string_view expected);

}  // namespace sportelli::redis

#endif  // SPORTELLI_REDIS_REPLY_H_
