#include "services/intake/domain/rules.h"

#include <set>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sportelli/api/text.h"
#include "sportelli/citizen/citizen.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::intake {
namespace {

// Code points of `text`, or nullopt when it is not well-formed UTF-8 or has a control
// character (a line of an address or a note's text would carry it into every printout).
std::optional<int> PrintableLength(absl::string_view text, bool allow_newlines) {
  int length = 0;
  while (!text.empty()) {
    char32_t code_point = 0;
    const size_t size = api::Utf8SequenceLength(text, code_point);
    if (size == 0) return std::nullopt;
    const bool newline = code_point == '\n' || code_point == '\r' || code_point == '\t';
    if ((code_point < 0x20 && !(allow_newlines && newline)) ||
        (code_point >= 0x7f && code_point < 0xa0)) {
      return std::nullopt;
    }
    text.remove_prefix(size);
    ++length;
  }
  return length;
}

bool AllOf(absl::string_view text, size_t size, bool (*is)(unsigned char)) {
  if (text.size() != size) return false;
  for (char c : text) {
    if (!is(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

void CheckLine(const std::string& field, absl::string_view value, int max_length,
               status::FieldViolations& violations) {
  CheckText(field, value, max_length, /*multiline=*/false, violations);
}

void CheckPrivacyNoticeVersion(absl::string_view version, status::FieldViolations& violations) {
  bool valid = !version.empty() && version.size() <= 32;
  for (char c : version) {
    valid = valid && (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                      c == '-');
  }
  if (!valid) {
    violations.Add("person.privacy_notice_version",
                   "is required: the version of the privacy notice the person acknowledged "
                   "(1 to 32 letters, digits, '.', '_' or '-')");
  }
}

}  // namespace

status::FieldViolations ValidateNewPerson(const Person& person, absl::CivilDay today) {
  status::FieldViolations violations;
  const Identity& id = person.identity;
  citizen::CheckPersonName("person.given_name", id.given_name, violations);
  citizen::CheckPersonName("person.family_name", id.family_name, violations);

  if (id.birth_date > today) {
    violations.Add("person.birth_date", "must not be in the future");
  } else if (id.birth_date < absl::CivilDay(1900, 1, 1)) {
    violations.Add("person.birth_date", "must be in 1900 or later");
  }
  if (!id.codice_fiscale.empty()) {
    const size_t before = violations.size();
    citizen::CheckCodiceFiscale("person.codice_fiscale", id.codice_fiscale, violations);
    if (violations.size() == before) {
      absl::StatusOr<citizen::CodiceFiscaleData> data =
          citizen::DecodeCodiceFiscale(id.codice_fiscale, today);
      // The code keeps two digits of the year: compare those, not the century it guesses.
      if (data.ok() && (data->birth_date.month() != id.birth_date.month() ||
                        data->birth_date.day() != id.birth_date.day() ||
                        data->birth_date.year() % 100 != id.birth_date.year() % 100)) {
        violations.Add("person.birth_date", "does not match the codice fiscale");
      }
      if (data.ok() && data->sex != id.sex) {
        violations.Add("person.sex", "does not match the codice fiscale");
      }
    }
  }
  if (!id.citizenship.empty() && !AllOf(id.citizenship, 2, absl::ascii_isalpha)) {
    violations.Add("person.citizenship", "must be a two-letter country code (ISO 3166-1), e.g. IT");
  }
  CheckLine("person.address.street_address", id.address.street_address, kMaxAddressLineLength,
            violations);
  CheckLine("person.address.locality", id.address.locality, kMaxAddressLineLength, violations);
  if (!id.address.postal_code.empty() && !AllOf(id.address.postal_code, 5, absl::ascii_isdigit)) {
    violations.Add("person.address.postal_code", "must be five digits (CAP)");
  }
  if (!id.address.province.empty() && !AllOf(id.address.province, 2, absl::ascii_isalpha)) {
    violations.Add("person.address.province", "must be a two-letter province code, e.g. LU");
  }
  if (!id.phone_number.empty() && !api::IsE164PhoneNumber(id.phone_number)) {
    violations.Add("person.phone_number", "must be in E.164 form, e.g. +393331234567");
  }
  if (!id.email.empty() && !citizen::IsPlausibleEmail(id.email)) {
    violations.Add("person.email", "must be an e-mail address");
  }
  CheckPrivacyNoticeVersion(person.privacy_notice_version, violations);
  violations.Merge(ValidateHousehold(id.household, today));
  std::set<ConsentKind> kinds;
  for (size_t i = 0; i < person.consents.size(); ++i) {
    if (!kinds.insert(person.consents[i].kind).second) {
      violations.Add(absl::StrCat("person.consents[", i, "].kind"), "is given twice");
    }
  }
  return violations;
}

Identity NormalizedIdentity(Identity identity) {
  identity.given_name = citizen::NormalizePersonName(identity.given_name);
  identity.family_name = citizen::NormalizePersonName(identity.family_name);
  if (!identity.codice_fiscale.empty()) {
    absl::StatusOr<std::string> code = citizen::NormalizeCodiceFiscale(identity.codice_fiscale);
    if (code.ok()) identity.codice_fiscale = *std::move(code);
  }
  absl::AsciiStrToUpper(&identity.citizenship);
  absl::AsciiStrToUpper(&identity.address.province);
  identity.address.street_address =
      std::string(absl::StripAsciiWhitespace(identity.address.street_address));
  identity.address.locality = std::string(absl::StripAsciiWhitespace(identity.address.locality));
  for (HouseholdMember& member : identity.household) {
    member.given_name = citizen::NormalizePersonName(member.given_name);
    member.family_name = citizen::NormalizePersonName(member.family_name);
  }
  return identity;
}

status::FieldViolations ValidateHousehold(const std::vector<HouseholdMember>& household,
                                          absl::CivilDay today) {
  status::FieldViolations violations;
  if (static_cast<int>(household.size()) > kMaxHouseholdMembers) {
    violations.Add("person.household", absl::StrCat("at most ", kMaxHouseholdMembers, " members"));
    return violations;
  }
  std::set<std::string> linked;
  for (size_t i = 0; i < household.size(); ++i) {
    const HouseholdMember& m = household[i];
    const std::string field = absl::StrCat("person.household[", i, "]");
    if (m.person_id.empty()) {
      citizen::CheckPersonName(field + ".given_name", m.given_name, violations);
      citizen::CheckPersonName(field + ".family_name", m.family_name, violations);
    } else if (!m.given_name.empty() || !m.family_name.empty()) {
      violations.Add(field + ".person",
                     "a registered person is named by their record: leave the names empty");
    } else if (!linked.insert(m.person_id).second) {
      violations.Add(field + ".person", "is listed twice");
    }
    if (m.birth_date && (*m.birth_date > today || m.birth_date->year() < 1900)) {
      violations.Add(field + ".birth_date", "must be a past date after 1900");
    }
  }
  return violations;
}

status::FieldViolations ValidateNewContact(const Contact& contact, absl::Time now) {
  status::FieldViolations violations;
  if (contact.contact_time > now + kClockSkew) {
    violations.Add("contact.contact_time", "must not be in the future");
  } else if (contact.contact_time < now - kMaxContactAge) {
    violations.Add("contact.contact_time", "must be within the last 90 days");
  }
  if (contact.need_areas.empty()) {
    violations.Add("contact.need_areas", "must name at least one area of need");
  }
  std::set<NeedArea> areas;
  for (size_t i = 0; i < contact.need_areas.size(); ++i) {
    if (!areas.insert(contact.need_areas[i]).second) {
      violations.Add(absl::StrCat("contact.need_areas[", i, "]"), "is given twice");
    }
  }
  CheckText("contact.information_given", contact.information_given, kMaxInformationLength,
            /*multiline=*/true, violations);
  if (contact.person_id.empty() && contact.outcome != ContactOutcome::kInformationOnly) {
    violations.Add("contact.outcome",
                   "must be INFORMATION_ONLY for a contact without a person: referring someone "
                   "or opening their case needs to know who they are");
  }
  if (!contact.appointment_id.empty() && contact.channel != ContactChannel::kAppointment) {
    violations.Add("contact.appointment", "is only for a contact of the APPOINTMENT channel");
  }
  return violations;
}

void CheckText(const std::string& field, absl::string_view value, int max_length, bool multiline,
               status::FieldViolations& violations) {
  const std::optional<int> length = PrintableLength(value, /*allow_newlines=*/multiline);
  if (!length) {
    violations.Add(field, "must be text without control characters");
  } else if (*length > max_length) {
    violations.Add(field, absl::StrCat("must be at most ", max_length, " characters"));
  }
}

}  // namespace sportelli::intake
