#include "sportelli/citizen/citizen.h"

#include <algorithm>
#include <optional>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::citizen {
namespace {

using api::Utf8SequenceLength;
using status::FieldViolations;

constexpr char32_t kRightSingleQuotationMark = U'\u2019';
constexpr absl::string_view kRightSingleQuotationMarkUtf8 = "\xe2\x80\x99";

// Letters of the Latin script: ASCII, Latin-1 Supplement (without × and ÷), Latin
// Extended-A and -B, Latin Extended Additional (Vietnamese).
bool IsLatinLetter(char32_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= 0xc0 && c <= 0xff && c != 0xd7 && c != 0xf7) || (c >= 0x100 && c <= 0x24f) ||
         (c >= 0x1e00 && c <= 0x1eff);
}

// Combining Diacritical Marks: accents typed as a separate code point (decomposed, NFD),
// as some keyboards and macOS file pickers produce.
bool IsCombiningMark(char32_t c) { return c >= 0x300 && c <= 0x36f; }

bool IsNamePunctuation(char32_t c) {
  return c == ' ' || c == '\'' || c == kRightSingleQuotationMark || c == '-' || c == '.';
}

std::optional<std::string> PersonNameProblem(absl::string_view value) {
  const absl::string_view trimmed = absl::StripAsciiWhitespace(value);
  int length = 0;
  bool has_letter = false;
  bool allowed = true;
  // Validity of the encoding is checked on the whole value: trimming removes only ASCII.
  for (absl::string_view rest = value; !rest.empty();) {
    char32_t code_point = 0;
    const size_t size = Utf8SequenceLength(rest, code_point);
    if (size == 0) return "must be valid UTF-8";
    rest.remove_prefix(size);
  }
  for (absl::string_view rest = trimmed; !rest.empty();) {
    char32_t code_point = 0;
    rest.remove_prefix(Utf8SequenceLength(rest, code_point));
    ++length;
    if (IsLatinLetter(code_point)) {
      has_letter = true;
    } else if (!IsCombiningMark(code_point) && !IsNamePunctuation(code_point)) {
      allowed = false;
    }
  }
  if (length == 0) return "is required";
  if (!allowed) return "must contain only letters, spaces, apostrophes, hyphens and dots";
  if (!has_letter) return "must contain a letter";
  if (length > kMaxPersonNameLength) {
    return absl::StrCat("must be at most ", kMaxPersonNameLength, " characters");
  }
  return std::nullopt;
}

// A domain label as DNS hostnames allow: ASCII letters, digits and hyphens, not empty.
bool IsDomainLabel(absl::string_view label) {
  return !label.empty() && std::all_of(label.begin(), label.end(), [](char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-';
  });
}

bool IsContactChannel(ContactChannel channel) {
  switch (channel) {
    case ContactChannel::kSms:
    case ContactChannel::kEmail:
    case ContactChannel::kPhoneCall:
    case ContactChannel::kNone:
      return true;
  }
  return false;
}

}  // namespace

std::string NormalizePersonName(absl::string_view name) {
  std::string out;
  bool space = false;
  for (char c : absl::StripAsciiWhitespace(name)) {
    if (c == ' ') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return absl::StrReplaceAll(out, {{kRightSingleQuotationMarkUtf8, "'"}});
}

bool IsPlausibleEmail(absl::string_view value) {
  if (value.empty() || value.size() > kMaxEmailLength) return false;
  // Printable ASCII only: no spaces, control characters or UTF-8.
  if (!std::all_of(value.begin(), value.end(), [](char c) { return c > ' ' && c < 0x7f; })) {
    return false;
  }
  const size_t at = value.find('@');
  if (at == absl::string_view::npos || value.find('@', at + 1) != absl::string_view::npos) {
    return false;
  }
  const absl::string_view local = value.substr(0, at);
  const absl::string_view domain = value.substr(at + 1);
  if (local.empty() || local.size() > kMaxEmailLocalPartLength) return false;
  const std::vector<absl::string_view> labels = absl::StrSplit(domain, '.');
  return labels.size() >= 2 && std::all_of(labels.begin(), labels.end(), IsDomainLabel);
}

void CheckPersonName(absl::string_view field, absl::string_view value,
                     FieldViolations& violations) {
  if (auto problem = PersonNameProblem(value)) {
    violations.Add(std::string(field), *std::move(problem));
  }
}

FieldViolations ValidateCitizen(const Citizen& citizen) {
  FieldViolations violations;
  CheckPersonName("given_name", citizen.given_name, violations);
  CheckPersonName("family_name", citizen.family_name, violations);
  CheckCodiceFiscale("codice_fiscale", citizen.codice_fiscale, violations);

  const bool has_phone = !citizen.phone_e164.empty();
  const bool has_email = !citizen.email.empty();
  if (has_phone && !IsE164PhoneNumber(citizen.phone_e164)) {
    violations.Add("phone_number",
                   "must be an E.164 number: '+' then 8 to 15 digits, the first not 0");
  }
  if (has_email && !IsPlausibleEmail(citizen.email)) {
    violations.Add("email", "must be an email address such as nome@example.it");
  }
  if (!has_phone && !has_email) {
    // The desk must be able to reach the citizen if the appointment moves, whatever their
    // preference; either field satisfies that, so each says what would fix it.
    violations.Add("phone_number", "is required when email is empty");
    violations.Add("email", "is required when phone_number is empty");
  }

  switch (citizen.preferred_contact) {
    case ContactChannel::kSms:
      if (!has_phone) violations.Add("preferred_contact", "SMS needs a phone_number");
      break;
    case ContactChannel::kPhoneCall:
      if (!has_phone) violations.Add("preferred_contact", "a phone call needs a phone_number");
      break;
    case ContactChannel::kEmail:
      if (!has_email) violations.Add("preferred_contact", "email contact needs an email");
      break;
    case ContactChannel::kNone:
      break;
  }
  if (!IsContactChannel(citizen.preferred_contact)) {
    violations.Add("preferred_contact", "must be specified");
  }

  if (!citizen.privacy_notice_acknowledged) {
    violations.Add("privacy_notice_acknowledged",
                   "must be true: the citizen must be shown the privacy notice first");
  }
  return violations;
}

Citizen NormalizedCitizen(Citizen citizen) {
  citizen.given_name = NormalizePersonName(citizen.given_name);
  citizen.family_name = NormalizePersonName(citizen.family_name);
  if (auto code = NormalizeCodiceFiscale(citizen.codice_fiscale); code.ok()) {
    citizen.codice_fiscale = *std::move(code);
  }
  return citizen;
}

const char* ContactChannelName(ContactChannel contact) {
  switch (contact) {
    case ContactChannel::kSms:
      return "SMS";
    case ContactChannel::kEmail:
      return "EMAIL";
    case ContactChannel::kPhoneCall:
      return "PHONE_CALL";
    case ContactChannel::kNone:
      return "NONE";
  }
  return "UNKNOWN";
}

std::optional<ContactChannel> ParseContactChannel(absl::string_view name) {
  for (ContactChannel c : {ContactChannel::kSms, ContactChannel::kEmail, ContactChannel::kPhoneCall,
                           ContactChannel::kNone}) {
    if (name == ContactChannelName(c)) return c;
  }
  return std::nullopt;
}

}  // namespace sportelli::citizen
