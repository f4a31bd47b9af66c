#include "sportelli/citizen/blind_index.h"

#include <memory>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "unicode/translit.h"
#include "unicode/uchar.h"
#include "unicode/unistr.h"

namespace sportelli::citizen {

std::string CitizenIndex(const crypto::SecretKey& key, absl::string_view tenant,
                         absl::string_view codice_fiscale) {
  return key.Hmac("citizen-index", tenant, codice_fiscale);
}

absl::StatusOr<std::string> NormalizeFamilyName(absl::string_view family_name) {
  // A transliterator is not safe to share between threads: one per thread, made once.
  thread_local std::unique_ptr<icu::Transliterator> fold = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> made(icu::Transliterator::createInstance(
        "NFD; [:Nonspacing Mark:] Remove; Upper; NFC", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(made) : nullptr;
  }();
  if (fold == nullptr) return absl::InternalError("ICU cannot fold names");
  icu::UnicodeString text = icu::UnicodeString::fromUTF8(
      icu::StringPiece(family_name.data(), static_cast<int32_t>(family_name.size())));
  if (text.indexOf(static_cast<UChar32>(0xFFFD)) >= 0) {
    return absl::InvalidArgumentError("the family name is not valid UTF-8");
  }
  fold->transliterate(text);
  text.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x2019)), icu::UnicodeString("'"));
  std::string folded;
  text.toUTF8String(folded);
  std::vector<absl::string_view> words =
      absl::StrSplit(folded, absl::ByAnyChar(" \t\n\r\f\v"), absl::SkipEmpty());
  std::string normalized = absl::StrJoin(words, " ");
  bool has_letter = false;
  for (int32_t i = 0; i < text.length() && !has_letter; ++i)
    has_letter = u_isalpha(text.char32At(i));
  if (!has_letter) return absl::InvalidArgumentError("the family name has no letter");
  return normalized;
}

std::string FamilyNameIndex(const crypto::SecretKey& key, absl::string_view tenant,
                            absl::string_view normalized_family_name) {
  return key.Hmac("family-name-index", tenant, normalized_family_name);
}

std::string FamilyNameBirthIndex(const crypto::SecretKey& key, absl::string_view tenant,
                                 absl::string_view normalized_family_name,
                                 absl::CivilDay birth_date) {
  // The date first, always ten characters ("2001-02-03"), so no two pairs share an encoding.
  return key.Hmac("family-name-birth-index", tenant,
                  absl::StrCat(absl::FormatCivilTime(birth_date), normalized_family_name));
}

}  // namespace sportelli::citizen
