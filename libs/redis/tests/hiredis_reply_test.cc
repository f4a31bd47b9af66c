// ReplyFromHiredis against reply trees built by hiredis's own protocol reader from raw RESP2
// bytes, i.e. exactly what the client receives from a socket.
#include "hiredis_reply.h"

#include <string>

#include "gtest/gtest.h"

namespace sportelli::redis::internal {
namespace {

struct ReaderDeleter {
  void operator()(redisReader* reader) const { redisReaderFree(reader); }
};

// The reply hiredis parses from `resp`; fails the test if it parses none.
Reply Parse(const std::string& resp) {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  EXPECT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK) << reader->errstr;
  EXPECT_NE(raw, nullptr) << "incomplete reply";
  if (raw == nullptr) return Reply::Error("test: no reply");
  ReplyPtr owned(static_cast<redisReply*>(raw));
  return ReplyFromHiredis(*owned);
}

TEST(ReplyFromHiredisTest, BulkStringIsBinarySafe) {
  const std::string resp("$6\r\na\0b\r\n\xff\r\n", 13);
  EXPECT_EQ(Parse(resp), Reply::String(std::string("a\0b\r\n\xff", 6)));
}

TEST(ReplyFromHiredisTest, EmptyBulkStringIsNotNil) {
  EXPECT_EQ(Parse("$0\r\n\r\n"), Reply::String(""));
  EXPECT_EQ(Parse("$-1\r\n"), Reply::Nil());
}

TEST(ReplyFromHiredisTest, StatusIntegerAndError) {
  EXPECT_EQ(Parse("+OK\r\n"), Reply::Status("OK"));
  EXPECT_EQ(Parse(":-9223372036854775808\r\n"), Reply::Integer(INT64_MIN));
  const Reply error = Parse("-WRONGTYPE Operation against a key\r\n");
  EXPECT_EQ(error, Reply::Error("WRONGTYPE Operation against a key"));
  EXPECT_EQ(error.error_code(), "WRONGTYPE");
}

TEST(ReplyFromHiredisTest, NestedArraysWithNils) {
  // The shape of XRANGE: [[id, [field, value]], ...], plus a null array and a null element.
  const Reply reply = Parse("*3\r\n*2\r\n$3\r\n1-0\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n*-1\r\n$-1\r\n");
  EXPECT_EQ(reply,
            Reply::Array({Reply::Array({Reply::String("1-0"),
                                        Reply::Array({Reply::String("f"), Reply::String("v")})}),
                          Reply::Nil(), Reply::Nil()}));
  EXPECT_EQ(Parse("*0\r\n"), Reply::Array({}));
}

std::string NestedArrays(int depth) {
  std::string resp;
  for (int i = 0; i < depth; ++i) resp += "*1\r\n";
  return resp + ":1\r\n";
}

TEST(ReplyFromHiredisTest, EightLevelsOfNestingAreSupported) {
  Reply expected = Reply::Integer(1);
  for (int i = 0; i < 8; ++i) expected = Reply::Array({expected});
  EXPECT_EQ(Parse(NestedArrays(8)), expected);
}

// The limit the client documents (REDIS_PROTOCOL_ERROR beyond it) is hiredis's own.
TEST(ReplyFromHiredisTest, HiredisRejectsNineLevels) {
  std::unique_ptr<redisReader, ReaderDeleter> reader(redisReaderCreate());
  const std::string resp = NestedArrays(9);
  ASSERT_EQ(redisReaderFeed(reader.get(), resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_ERR);
  EXPECT_EQ(reader->err, REDIS_ERR_PROTOCOL);
  EXPECT_EQ(raw, nullptr);
}

}  // namespace
}  // namespace sportelli::redis::internal
