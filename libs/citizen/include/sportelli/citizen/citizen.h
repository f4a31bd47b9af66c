// The citizen a booking is for, and the rules their data must meet before an appointment is
// written: a name the desk can call out, a codice fiscale (the key social services file by),
// a way to reach them about changes, and proof they were shown the privacy notice (GDPR art.
// 13: the data is collected from them, so they must be informed at collection).
//
//   FieldViolations violations;
//   violations.Merge(ValidateCitizen(citizen), "citizen.");
//   RETURN_IF_ERROR(violations.ToStatus());
//   Citizen stored = NormalizedCitizen(std::move(citizen));
//
// Field paths are relative to the Citizen message and named as in the proto, which calls the
// phone field "phone_number". Descriptions never repeat the submitted value: all of it is
// personal data, and descriptions reach logs.
#ifndef SPORTELLI_CITIZEN_CITIZEN_H_
#define SPORTELLI_CITIZEN_CITIZEN_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "sportelli/api/text.h"
#include "sportelli/status/errors.h"

namespace sportelli::citizen {

// How the citizen wants to hear about changes to the appointment. Like the tenants domain,
// there is no "unspecified" value: a mapper that meets one stores a value outside the
// enumerators and ValidateCitizen reports "must be specified".
enum class ContactChannel { kSms, kEmail, kPhoneCall, kNone };

struct Citizen {
  std::string given_name;
  std::string family_name;
  std::string codice_fiscale;
  std::string phone_e164;  // optional; "+390583..." when set
  std::string email;       // optional
  ContactChannel preferred_contact = ContactChannel::kNone;
  bool privacy_notice_acknowledged = false;
};

// In Unicode code points, after trimming ASCII whitespace at both ends. Long enough for the
// several given names and double surnames on Italian and Latin-American documents.
inline constexpr int kMaxPersonNameLength = 100;
// RFC 5321: 64 octets for the local part, 254 for a whole address usable in a path.
inline constexpr size_t kMaxEmailLocalPartLength = 64;
inline constexpr size_t kMaxEmailLength = 254;

// '+' then 8 to 15 digits, the first not 0 (E.164 country codes never start with 0).
using api::IsE164PhoneNumber;  // shared with every service: sportelli/api/text.h

// A pragmatic check that catches typing mistakes, not RFC 5322: printable ASCII without
// spaces, exactly one '@', a local part of 1..64 characters, a domain of at least two
// dot-separated labels of ASCII letters, digits and hyphens (which catches "gmail,com" and
// "libero..it"), at most 254 characters in all. The full grammar
// (quoted local parts, comments, address literals) accepts strings no desk operator or mail
// relay would want, and passing the grammar proves nothing about delivery: only a message
// that arrives does. Non-ASCII addresses (SMTPUTF8) are refused because the relay that sends
// reminders is not known to support them; an internationalised domain can be given in its
// ASCII (punycode) form.
bool IsPlausibleEmail(absl::string_view value);

// Required given or family name: valid UTF-8; after trimming, 1..kMaxPersonNameLength code
// points of Latin-script letters (ASCII, Latin-1, Latin Extended-A/B and Additional, so
// "Niccolò", "Şahin", "Nguyễn"), combining accents, spaces, apostrophes (' and the
// typographic ’ that phones type), hyphens and dots, with at least one letter: "D'Angelo",
// "De Luca", "Maria-Grazia", "G. Battista". Latin script only because the name must match
// the identity document and the codice fiscale, which Italian authorities write in Latin
// letters (other scripts are transliterated on them).
void CheckPersonName(absl::string_view field, absl::string_view value,
                     status::FieldViolations& violations);

// A name as stored: trimmed, each run of spaces made one, the typographic apostrophe (’)
// written as ' (case kept: it is how the person spells their name).
std::string NormalizePersonName(absl::string_view name);

// The stored names: "SMS", "EMAIL", "PHONE_CALL", "NONE"; "UNKNOWN" for a value outside the
// enumerators. The inverse gives nullopt for anything else, e.g. a corrupt row.
const char* ContactChannelName(ContactChannel contact);
std::optional<ContactChannel> ParseContactChannel(absl::string_view name);

// Every problem of `citizen`, at most one per field, in the order of the struct:
//   given_name, family_name           CheckPersonName
//   codice_fiscale                    required, valid (codice_fiscale.h)
//   phone_number, email               each optional but valid when set; when both are empty
//                                     each gets "is required when <other> is empty"
//   preferred_contact                 specified; kSms and kPhoneCall need a phone number,
//                                     kEmail an email (reported only when that field is
//                                     empty: a malformed one already has its own violation)
//   privacy_notice_acknowledged       must be true
status::FieldViolations ValidateCitizen(const Citizen& citizen);

// The form to store once ValidateCitizen found nothing: names trimmed, runs of spaces made
// one and ’ written as ', so that searches and duplicates compare equal (case is kept: it is
// how the citizen spells their name); the codice fiscale in its canonical form
// (NormalizeCodiceFiscale). Phone and email are kept as given: they were accepted only
// without surrounding spaces. Fields that are not valid are left unchanged.
Citizen NormalizedCitizen(Citizen citizen);

}  // namespace sportelli::citizen

#endif  // SPORTELLI_CITIZEN_CITIZEN_H_
