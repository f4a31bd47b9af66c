#include "sportelli/redis/reply.h"

#include <sstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::redis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(ReplyTest, DefaultIsNil) {
  Reply reply;
  EXPECT_TRUE(reply.is_nil());
  EXPECT_EQ(reply, Reply::Nil());
}

TEST(ReplyTest, AccessorsOfAnotherTypeAreEmpty) {
  const Reply integer = Reply::Integer(7);
  EXPECT_TRUE(integer.is_integer());
  EXPECT_EQ(integer.integer(), 7);
  EXPECT_EQ(integer.str(), "");
  EXPECT_TRUE(integer.elements().empty());
  EXPECT_EQ(integer.error_code(), "");
  EXPECT_EQ(Reply::String("x").integer(), 0);
}

TEST(ReplyTest, StringsKeepEveryByte) {
  const std::string bytes("a\0b\r\n\xff", 6);
  const Reply reply = Reply::String(bytes);
  EXPECT_EQ(reply.str().size(), 6u);
  EXPECT_EQ(reply.str(), bytes);
}

TEST(ReplyTest, EqualityComparesTypeAndValue) {
  EXPECT_EQ(Reply::String("OK"), Reply::String("OK"));
  EXPECT_NE(Reply::String("OK"), Reply::Status("OK"));
  EXPECT_NE(Reply::String("OK"), Reply::Error("OK"));
  EXPECT_NE(Reply::Integer(1), Reply::Integer(2));
  EXPECT_EQ(Reply::Array({Reply::Integer(1), Reply::Array({Reply::Nil()})}),
            Reply::Array({Reply::Integer(1), Reply::Array({Reply::Nil()})}));
  EXPECT_NE(Reply::Array({Reply::Integer(1)}), Reply::Array({}));
  EXPECT_NE(Reply::Array({}), Reply::Nil());
}

TEST(ReplyTest, ErrorCodeIsTheFirstWord) {
  EXPECT_EQ(Reply::Error("WRONGTYPE Operation against a key holding the wrong kind of value")
                .error_code(),
            "WRONGTYPE");
  EXPECT_EQ(Reply::Error("NOSCRIPT No matching script.").error_code(), "NOSCRIPT");
  EXPECT_EQ(Reply::Error("BARE").error_code(), "BARE");
  EXPECT_EQ(Reply::Error("").error_code(), "");
}

TEST(ReplyTest, PrintsReadably) {
  std::ostringstream out;
  PrintTo(Reply::Array({Reply::String(std::string("a\0", 2)), Reply::Integer(3), Reply::Nil(),
                        Reply::Error("ERR x")}),
          &out);
  EXPECT_EQ(out.str(), R"(["a\000", (integer) 3, (nil), (error) ERR x])");
}

TEST(ErrorReplyToStatusTest, NonErrorRepliesAreOk) {
  EXPECT_TRUE(ErrorReplyToStatus(Reply::Nil()).ok());
  EXPECT_TRUE(ErrorReplyToStatus(Reply::Status("OK")).ok());
  EXPECT_TRUE(ErrorReplyToStatus(Reply::Array({Reply::Error("ERR inside")})).ok());
}

TEST(ErrorReplyToStatusTest, RequestErrorsAreInternalWithTheCodeOnly) {
  const absl::Status status = ErrorReplyToStatus(
      Reply::Error("ERR unknown command 'FOO', with args beginning with: 'Mario Rossi'"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status::ReasonOf(status), "REDIS_ERROR_REPLY");
  EXPECT_THAT(status.message(), HasSubstr("ERR"));
  // Redis echoes arguments; they must not reach status messages.
  EXPECT_THAT(status.message(), Not(HasSubstr("Mario")));

  EXPECT_EQ(ErrorReplyToStatus(Reply::Error("WRONGTYPE Operation")).code(),
            absl::StatusCode::kInternal);
}

TEST(ErrorReplyToStatusTest, ServerNotReadyIsUnavailable) {
  for (const char* text : {"LOADING Redis is loading the dataset in memory",
                           "BUSY Redis is busy running a script", "READONLY You can't write",
                           "MASTERDOWN Link with MASTER is down", "TRYAGAIN", "CLUSTERDOWN"}) {
    const absl::Status status = ErrorReplyToStatus(Reply::Error(text));
    EXPECT_EQ(status.code(), absl::StatusCode::kUnavailable) << text;
    EXPECT_EQ(status::ReasonOf(status), "REDIS_UNAVAILABLE") << text;
  }
}

TEST(ErrorReplyToStatusTest, OutOfMemoryIsResourceExhausted) {
  const absl::Status status =
      ErrorReplyToStatus(Reply::Error("OOM command not allowed when used memory > 'maxmemory'."));
  EXPECT_EQ(status.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(status::ReasonOf(status), "REDIS_OUT_OF_MEMORY");
}

TEST(ErrorReplyToStatusTest, ImplausibleCodesAreNotCopied) {
  // A script can put anything first, e.g. a value; it is not an error code.
  const absl::Status status = ErrorReplyToStatus(Reply::Error("mario.rossi@example.com failed"));
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_THAT(status.message(), Not(HasSubstr("mario")));
  EXPECT_THAT(status.message(), HasSubstr("UNKNOWN"));
}

TEST(TypedViewTest, AsString) {
  EXPECT_EQ(AsString(Reply::String("v")).value(), "v");
  EXPECT_EQ(AsString(Reply::Status("OK")).value(), "OK");
  EXPECT_EQ(AsString(Reply::Nil()).status().code(), absl::StatusCode::kInternal);
  EXPECT_EQ(status::ReasonOf(AsString(Reply::Integer(1)).status()), "REDIS_UNEXPECTED_REPLY");
  EXPECT_EQ(status::ReasonOf(AsString(Reply::Error("WRONGTYPE x")).status()), "REDIS_ERROR_REPLY");
}

TEST(TypedViewTest, AsOptionalStringTreatsNilAsAbsent) {
  EXPECT_EQ(AsOptionalString(Reply::Nil()).value(), std::nullopt);
  EXPECT_EQ(AsOptionalString(Reply::String("")).value(), std::optional<std::string>(""));
  EXPECT_FALSE(AsOptionalString(Reply::Array({})).ok());
  EXPECT_FALSE(AsOptionalString(Reply::Error("ERR x")).ok());
}

TEST(TypedViewTest, AsIntegerAndAsArray) {
  EXPECT_EQ(AsInteger(Reply::Integer(-5)).value(), -5);
  EXPECT_FALSE(AsInteger(Reply::String("5")).ok());
  EXPECT_THAT(AsArray(Reply::Array({Reply::Integer(1), Reply::Nil()})).value(),
              ElementsAre(Reply::Integer(1), Reply::Nil()));
  EXPECT_FALSE(AsArray(Reply::Nil()).ok());
}

TEST(TypedViewTest, ExpectStatus) {
  EXPECT_TRUE(ExpectStatus(Reply::Status("OK"), "OK").ok());
  EXPECT_FALSE(ExpectStatus(Reply::Status("QUEUED"), "OK").ok());
  EXPECT_FALSE(ExpectStatus(Reply::String("OK"), "OK").ok());  // a bulk string is not a status
  EXPECT_FALSE(ExpectStatus(Reply::Nil(), "OK").ok());         // SET ... NX that did not set
}

TEST(TypedViewTest, FailuresOfTheCallPassThroughUnchanged) {
  const absl::StatusOr<Reply> failed =
      status::Error(absl::StatusCode::kUnavailable, "down", "REDIS_UNAVAILABLE");
  for (const absl::Status& status :
       {AsString(failed).status(), AsOptionalString(failed).status(), AsInteger(failed).status(),
        AsArray(failed).status(), ExpectStatus(failed, "OK")}) {
    EXPECT_EQ(status, failed.status());
  }
  EXPECT_EQ(AsInteger(absl::StatusOr<Reply>(Reply::Integer(3))).value(), 3);
}

}  // namespace
}  // namespace sportelli::redis
