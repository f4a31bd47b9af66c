#include "sportelli/crypto/key_encryption_key.h"

#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sportelli/crypto/random.h"

namespace sportelli::crypto {
namespace {

// A wrapped data key is bound to its context only: it has no row of its own.
Binding WrapBinding(absl::string_view context) {
  return Binding{"", "key-encryption-key", "data-key", std::string(context)};
}

}  // namespace

absl::StatusOr<std::unique_ptr<FileKeyEncryptionKey>> FileKeyEncryptionKey::Parse(
    absl::string_view contents) {
  std::map<uint32_t, AeadKey> keys;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(contents, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    uint32_t version = 0;
    std::string bytes;
    const auto bad_line = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("key-encryption key file, line ", line_number, ": ", why));
    };
    if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &version) || version == 0) {
      return bad_line("expected \"<version> <base64 of 32 bytes>\" with a version from 1");
    }
    if (!absl::Base64Unescape(parts[1], &bytes) || bytes.size() != kAeadKeyBytes) {
      return bad_line("the key is not the base64 of 32 bytes");
    }
    if (keys.count(version) != 0) return bad_line(absl::StrCat("version ", version, " repeats"));
    keys.emplace(version, *AeadKey::Create(std::move(bytes), version));
  }
  if (keys.empty()) return absl::InvalidArgumentError("the key-encryption key file has no key");
  return std::unique_ptr<FileKeyEncryptionKey>(new FileKeyEncryptionKey(std::move(keys)));
}

std::string FileKeyEncryptionKey::GenerateFile() {
  return absl::StrCat(
      "# sportelli key-encryption keys: \"<version> <base64 of 32 bytes>\" a line; the highest\n"
      "# version wraps new data keys, every version listed unwraps.\n",
      "1 ", absl::Base64Escape(RandomBytes(kAeadKeyBytes)), "\n");
}

absl::StatusOr<std::string> FileKeyEncryptionKey::Wrap(absl::string_view data_key,
                                                       absl::string_view context) const {
  return keys_.rbegin()->second.Seal(data_key, WrapBinding(context));
}

absl::StatusOr<std::string> FileKeyEncryptionKey::Unwrap(absl::string_view wrapped,
                                                         absl::string_view context) const {
  absl::StatusOr<uint32_t> version = SealedKeyVersion(wrapped);
  if (!version.ok()) return version.status();
  auto key = keys_.find(*version);
  if (key == keys_.end()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the data key was wrapped under key-encryption key version ", *version,
                     ", which the key file no longer holds"));
  }
  return key->second.Open(wrapped, WrapBinding(context));
}

}  // namespace sportelli::crypto
