#include "services/notifications/domain/sms.h"

#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace sportelli::notifications {
namespace {

bool IsGsm7(const std::string& text) { return MeasureSms(text).encoding == SmsEncoding::kGsm7; }

TEST(MeasureSmsTest, AnEmptyTextIsNoSms) {
  const SmsLength length = MeasureSms("");
  EXPECT_EQ(length.encoding, SmsEncoding::kGsm7);
  EXPECT_EQ(length.units, 0);
  EXPECT_EQ(length.segments, 0);
}

TEST(MeasureSmsTest, ItalianWithItsAccentsStaysGsm7) {
  const std::string text = "Perché è già così? Più però città, là e là. Ho 12€? No: 12 $ e £.";
  const SmsLength length = MeasureSms(text);
  EXPECT_EQ(length.encoding, SmsEncoding::kGsm7);
  // 65 characters, the € counting two.
  EXPECT_EQ(length.units, 66);
  EXPECT_EQ(length.segments, 1);
  for (const char* accented : {"à", "è", "é", "ì", "ò", "ù", "É", "Ç", "Ä", "Ö", "Ñ", "Ü", "ß"}) {
    EXPECT_TRUE(IsGsm7(accented)) << accented;
  }
}

TEST(MeasureSmsTest, AccentsOutsideTheGsmAlphabetMakeTheWholeTextUcs2) {
  // Capital È is not in the GSM alphabet (only É is), nor are the acute á í ó ú.
  for (const char* accented : {"È", "À", "Ì", "Ò", "Ù", "á", "í", "ó", "ú", "ê", "ç"}) {
    EXPECT_FALSE(IsGsm7(accented)) << accented;
  }
  const SmsLength length = MeasureSms("È aperto");
  EXPECT_EQ(length.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(length.units, 8);
  // Typographic quotes and apostrophes, a tab and a backtick are not GSM either.
  for (const char* other : {"l’ufficio", "“sì”", "a\tb", "`"}) {
    EXPECT_FALSE(IsGsm7(other)) << other;
  }
}

TEST(MeasureSmsTest, ExtensionCharactersCountTwo) {
  for (const char* extension : {"€", "^", "{", "}", "\\", "[", "~", "]", "|", "\f"}) {
    const SmsLength length = MeasureSms(extension);
    EXPECT_EQ(length.encoding, SmsEncoding::kGsm7) << extension;
    EXPECT_EQ(length.units, 2) << extension;
  }
  EXPECT_EQ(MeasureSms("Costo: 2€").units, 10);
  EXPECT_EQ(MeasureSms("@$\n\r_!\"#%&'()*+,-./:;<=>?¡¿§¤").units, 29);
}

TEST(MeasureSmsTest, AnEmojiMakesTheTextUcs2AndCountsTwoUnits) {
  const SmsLength length = MeasureSms("Ciao 😀");
  EXPECT_EQ(length.encoding, SmsEncoding::kUcs2);
  EXPECT_EQ(length.units, 7);
  EXPECT_EQ(length.segments, 1);
}

TEST(MeasureSmsTest, Gsm7TakesOneSegmentUpTo160UnitsThen153Each) {
  EXPECT_EQ(MeasureSms(std::string(160, 'a')).segments, 1);
  EXPECT_EQ(MeasureSms(std::string(161, 'a')).segments, 2);
  EXPECT_EQ(MeasureSms(std::string(306, 'a')).segments, 2);
  EXPECT_EQ(MeasureSms(std::string(307, 'a')).segments, 3);
  // The € counts two units towards the 160 too.
  EXPECT_EQ(MeasureSms(std::string(158, 'a') + "€").segments, 1);
  EXPECT_EQ(MeasureSms(std::string(159, 'a') + "€").units, 161);
  EXPECT_EQ(MeasureSms(std::string(159, 'a') + "€").segments, 2);
}

TEST(MeasureSmsTest, AnEscapeIsNeverSplitAcrossSegments) {
  // 152 + 2 + 152 = 306 units, which would be two full segments, but the € cannot straddle
  // the first boundary: it opens the second segment, and the last 'a' needs a third.
  const std::string text = std::string(152, 'a') + "€" + std::string(152, 'a');
  const SmsLength length = MeasureSms(text);
  EXPECT_EQ(length.units, 306);
  EXPECT_EQ(length.segments, 3);
  // With the € one place earlier it fits the first segment, and two suffice.
  EXPECT_EQ(MeasureSms(std::string(151, 'a') + "€" + std::string(153, 'a')).segments, 2);
}

TEST(MeasureSmsTest, Ucs2TakesOneSegmentUpTo70UnitsThen67Each) {
  const std::string e_grave = "È";
  const auto repeat = [](const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  };
  EXPECT_EQ(MeasureSms(repeat(e_grave, 70)).segments, 1);
  EXPECT_EQ(MeasureSms(repeat(e_grave, 71)).segments, 2);
  EXPECT_EQ(MeasureSms(repeat(e_grave, 134)).segments, 2);
  EXPECT_EQ(MeasureSms(repeat(e_grave, 135)).segments, 3);
  // A surrogate pair straddling the first boundary moves to the second segment.
  const SmsLength split = MeasureSms(repeat(e_grave, 66) + "😀" + repeat(e_grave, 66));
  EXPECT_EQ(split.units, 134);
  EXPECT_EQ(split.segments, 3);
}

TEST(MeasureSmsTest, EachInvalidUtf8ByteIsOneUcs2Unit) {
  const struct {
    std::string text;
    int units;
  } cases[] = {
      {"abc\xFF", 4},  // a byte that never starts UTF-8
      {"\xC3", 1},     // a truncated "à"
      {"\xC3"
       "a",
       2},                      // a lead byte followed by no continuation
      {"\x80\x80", 2},          // lone continuation bytes
      {"\xC0\xAF", 2},          // an overlong '/'
      {"\xED\xA0\x80", 3},      // an encoded surrogate
      {"\xF4\x90\x80\x80", 4},  // past U+10FFFF
  };
  for (const auto& c : cases) {
    const SmsLength length = MeasureSms(c.text);
    EXPECT_EQ(length.encoding, SmsEncoding::kUcs2) << absl::CEscape(c.text);
    EXPECT_EQ(length.units, c.units) << absl::CEscape(c.text);
  }
}

}  // namespace
}  // namespace sportelli::notifications

namespace sportelli::notifications {
namespace {

TEST(IsWellFormedUtf8Test, AcceptsItalianAndRefusesWhatNoClientCouldShow) {
  EXPECT_TRUE(IsWellFormedUtf8("Promemoria: mercoledì 9 dicembre, 09:00 — €"));
  EXPECT_TRUE(IsWellFormedUtf8(""));
  EXPECT_FALSE(IsWellFormedUtf8("\xC0\xAF"));          // an overlong "/"
  EXPECT_FALSE(IsWellFormedUtf8("\xED\xA0\x80"));      // a surrogate
  EXPECT_FALSE(IsWellFormedUtf8("ora \xE2\x82"));      // cut in the middle of "€"
  EXPECT_FALSE(IsWellFormedUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsWellFormedUtf8("caf\xE9"));           // Latin-1, not UTF-8
}

}  // namespace
}  // namespace sportelli::notifications
