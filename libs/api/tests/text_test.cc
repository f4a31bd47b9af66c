#include "sportelli/api/text.h"

#include <string>

#include "gtest/gtest.h"

namespace sportelli::api {
namespace {

size_t Length(const std::string& text) {
  char32_t code_point = 0;
  return Utf8SequenceLength(text, code_point);
}

TEST(Utf8SequenceLengthTest, DecodesEachSize) {
  char32_t code_point = 0;
  EXPECT_EQ(Utf8SequenceLength("a", code_point), 1u);
  EXPECT_EQ(code_point, U'a');
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa0", code_point), 2u);  // à
  EXPECT_EQ(code_point, U'\u00e0');
  EXPECT_EQ(Utf8SequenceLength("\xe2\x80\x99", code_point), 3u);  // ’
  EXPECT_EQ(code_point, U'\u2019');
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x99\x82", code_point), 4u);
  EXPECT_EQ(code_point, U'\U0001F642');
}

TEST(Utf8SequenceLengthTest, RefusesMalformedSequences) {
  EXPECT_EQ(Length("\xc0\xaf"), 0u);          // overlong '/'
  EXPECT_EQ(Length("\xe0\x80\xaf"), 0u);      // overlong
  EXPECT_EQ(Length("\xed\xa0\x80"), 0u);      // surrogate
  EXPECT_EQ(Length("\xf4\x90\x80\x80"), 0u);  // past U+10FFFF
  EXPECT_EQ(Length("\xc3"), 0u);              // truncated
  EXPECT_EQ(Length("\x80"), 0u);              // lone continuation byte
  EXPECT_EQ(Length("\xff"), 0u);
}

// The cases both services' validators relied on, kept in one place with the function.
TEST(IsE164PhoneNumberTest, Boundaries) {
  for (const char* valid : {"+390583428252", "+393331234567", "+12345678", "+123456789012345"}) {
    EXPECT_TRUE(IsE164PhoneNumber(valid)) << valid;
  }
  for (const char* invalid :
       {"+1234567", "+1234567890123456", "390583428252", "3331234567", "0583428252",
        "+0390583428252", "+0393331234567", "+0583428252", "+39 0583 428252", "+39 333 1234567",
        "+39-0583428252", "+39-3331234567", " +393331234567", "+", ""}) {
    EXPECT_FALSE(IsE164PhoneNumber(invalid)) << invalid;
  }
}

}  // namespace
}  // namespace sportelli::api
