#include "sportelli/crypto/aead.h"

#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/crypto/key_encryption_key.h"
#include "sportelli/crypto/random.h"

namespace sportelli::crypto {
namespace {

using ::testing::HasSubstr;

const Binding kRow{"capannori", "appointments", "family_name", "a1"};

TEST(AeadKeyTest, OpensWhatItSealedAndHidesIt) {
  const AeadKey key = AeadKey::Generate(3);
  for (const std::string& plain : {std::string(), std::string("Rossi"),
                                   std::string("Nguyễn D'Angelo"), std::string(5000, 'x')}) {
    const std::string sealed = key.Seal(plain, kRow);
    EXPECT_EQ(*SealedKeyVersion(sealed), 3u);
    if (!plain.empty()) {
      EXPECT_EQ(sealed.find(plain), std::string::npos);
    }
    absl::StatusOr<std::string> opened = key.Open(sealed, kRow);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plain);
  }
}

TEST(AeadKeyTest, SealingTwiceGivesDifferentBytes) {
  const AeadKey key = AeadKey::Generate(1);
  EXPECT_NE(key.Seal("RSSMRA80A01E715X", kRow), key.Seal("RSSMRA80A01E715X", kRow));
}

TEST(AeadKeyTest, AValueMovedToAnotherRowColumnTableOrComuneDoesNotOpen) {
  const AeadKey key = AeadKey::Generate(1);
  const std::string sealed = key.Seal("Rossi", kRow);
  for (const Binding& elsewhere : {
           Binding{"lucca", "appointments", "family_name", "a1"},
           Binding{"capannori", "persons", "family_name", "a1"},
           Binding{"capannori", "appointments", "given_name", "a1"},
           Binding{"capannori", "appointments", "family_name", "a2"},
           // Parts are length-prefixed: moving a character between parts is another binding.
           Binding{"capannor", "iappointments", "family_name", "a1"},
       }) {
    absl::StatusOr<std::string> opened = key.Open(sealed, elsewhere);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << elsewhere.Encode();
    EXPECT_THAT(opened.status().message(), HasSubstr("another row, column, table or comune"));
  }
}

TEST(AeadKeyTest, EveryAlteredByteIsRefused) {
  const AeadKey key = AeadKey::Generate(1);
  const std::string sealed = key.Seal("Rossi", kRow);
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string altered = sealed;
    altered[i] = static_cast<char>(altered[i] ^ 0x01);
    EXPECT_FALSE(key.Open(altered, kRow).ok()) << "byte " << i;
  }
  EXPECT_FALSE(key.Open(sealed.substr(0, sealed.size() - 1), kRow).ok());
  EXPECT_EQ(key.Open("Rossi", kRow).status().code(), absl::StatusCode::kDataLoss);
}

TEST(AeadKeyTest, AnotherKeyOrVersionDoesNotOpen) {
  const AeadKey key = AeadKey::Generate(1);
  const std::string sealed = key.Seal("Rossi", kRow);
  EXPECT_EQ(AeadKey::Generate(1).Open(sealed, kRow).status().code(), absl::StatusCode::kDataLoss);
  // The same key bytes under another version number: the header says which version sealed it.
  const AeadKey relabelled = *AeadKey::Create(key.bytes(), 2);
  EXPECT_EQ(relabelled.Open(sealed, kRow).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(AeadKeyTest, KeysMustBe32Bytes) {
  EXPECT_EQ(AeadKey::Create(std::string(31, 'k'), 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(AeadKey::Create(std::string(32, 'k'), 1).ok());
}

std::string KeyLine(uint32_t version, const std::string& bytes) {
  return absl::StrCat(version, " ", absl::Base64Escape(bytes), "\n");
}

TEST(FileKeyEncryptionKeyTest, WrapsWithTheHighestVersionAndUnwrapsWithAnyHeld) {
  const std::string v1 = RandomBytes(32), v2 = RandomBytes(32);
  auto old_file = FileKeyEncryptionKey::Parse("# comment\n\n" + KeyLine(1, v1));
  ASSERT_TRUE(old_file.ok()) << old_file.status();
  const std::string data_key = RandomBytes(32);
  const std::string wrapped_v1 = *(*old_file)->Wrap(data_key, "scheduling/capannori/1");
  EXPECT_EQ(*SealedKeyVersion(wrapped_v1), 1u);

  auto rotated = FileKeyEncryptionKey::Parse(KeyLine(2, v2) + KeyLine(1, v1));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ((*rotated)->current_version(), 2u);
  EXPECT_EQ(*(*rotated)->Unwrap(wrapped_v1, "scheduling/capannori/1"), data_key);
  const std::string wrapped_v2 = *(*rotated)->Wrap(data_key, "scheduling/capannori/1");
  EXPECT_EQ(*SealedKeyVersion(wrapped_v2), 2u);

  // Once version 1 is removed from the file, what it wrapped can no longer be unwrapped.
  auto retired = FileKeyEncryptionKey::Parse(KeyLine(2, v2));
  EXPECT_EQ(*(*retired)->Unwrap(wrapped_v2, "scheduling/capannori/1"), data_key);
  EXPECT_EQ((*retired)->Unwrap(wrapped_v1, "scheduling/capannori/1").status().code(),
            absl::StatusCode::kFailedPrecondition);
  // A data key unwrapped as another comune's is refused.
  EXPECT_EQ((*retired)->Unwrap(wrapped_v2, "scheduling/lucca/1").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(FileKeyEncryptionKeyTest, BadFilesNameTheLineAndNeverShowAKey) {
  const std::string short_key = absl::Base64Escape("0123456789");
  for (const std::string& contents :
       {std::string(""), std::string("# only a comment\n"), absl::StrCat("1 ", short_key, "\n"),
        absl::StrCat("x ", absl::Base64Escape(std::string(32, 'k')), "\n"),
        absl::StrCat("0 ", absl::Base64Escape(std::string(32, 'k')), "\n"),
        KeyLine(1, std::string(32, 'k')) + KeyLine(1, std::string(32, 'j'))}) {
    auto parsed = FileKeyEncryptionKey::Parse(contents);
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument) << contents;
    EXPECT_THAT(parsed.status().message(), ::testing::Not(HasSubstr(short_key)));
  }
  EXPECT_THAT(FileKeyEncryptionKey::Parse("# c\n1 abc\n").status().message(), HasSubstr("line 2"));
}

TEST(FileKeyEncryptionKeyTest, GeneratedFilesParse) {
  auto parsed = FileKeyEncryptionKey::Parse(FileKeyEncryptionKey::GenerateFile());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ((*parsed)->current_version(), 1u);
  EXPECT_NE(FileKeyEncryptionKey::GenerateFile(), FileKeyEncryptionKey::GenerateFile());
}

}  // namespace
}  // namespace sportelli::crypto
