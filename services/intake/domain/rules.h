// The checks a person or a contact must pass before it is stored, and the form it is stored in.
// Pure: the gRPC layer reports what it could not even parse (a missing date, an unknown enum)
// and merges these violations with its own.
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_RULES_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_RULES_H_

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/intake/domain/records.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

inline constexpr int kMaxInformationLength = 4000;  // code points
inline constexpr int kMaxAddressLineLength = 200;   // code points
// How far back an operator may record a contact made earlier (notes written after a busy day).
inline constexpr absl::Duration kMaxContactAge = absl::Hours(24 * 90);
// Clocks of the operator's device and the server may disagree by this much.
inline constexpr absl::Duration kClockSkew = absl::Minutes(2);

// Adds a violation to `field` unless `value` is well-formed UTF-8 of at most `max_length` code
// points without control characters (`multiline`: newlines and tabs allowed).
void CheckText(const std::string& field, absl::string_view value, int max_length, bool multiline,
               status::FieldViolations& violations);

// Every problem of a new person, fields named as in the request ("person.given_name", ...):
//   given_name, family_name   citizen::CheckPersonName
//   codice_fiscale            optional; when set, valid, and its birth date (day, month, the
//                             year's last two digits) and sex must be the person's
//   birth_date                not after `today` (the comune's day), not before 1900
//   citizenship               empty or two letters (ISO 3166-1 alpha-2)
//   address.*                 lines of at most kMaxAddressLineLength code points, valid UTF-8,
//                             no control characters; postal_code empty or 5 digits; province
//                             empty or 2 letters
//   phone_number, email       optional, valid when set
//   privacy_notice_version    required: 1..32 of [A-Za-z0-9._-]
//   consents                  at most one per kind
//   household                 ValidateHousehold
status::FieldViolations ValidateNewPerson(const Person& person, absl::CivilDay today);

// Every problem of a household ("person.household[0].given_name", ...): at most
// kMaxHouseholdMembers members; each either a registered person (`person_id`, no names, listed
// once) or given and family names (citizen::CheckPersonName); a birth date, when given, past
// and after 1900. (That a linked person exists, and is not the person, is the repository's.)
status::FieldViolations ValidateHousehold(const std::vector<HouseholdMember>& household,
                                          absl::CivilDay today);

// The identity to store once ValidateNewPerson found nothing: names trimmed with single spaces
// (case kept), the codice fiscale canonical, citizenship and province upper case, address
// lines trimmed.
Identity NormalizedIdentity(Identity identity);

// Every problem of a new contact ("contact.need_areas", ...):
//   contact_time        not after now + kClockSkew, not before now - kMaxContactAge
//   need_areas          at least one, no repeats
//   information_given   at most kMaxInformationLength code points, valid UTF-8
//   outcome             INFORMATION_ONLY when there is no person
//   appointment         only for the APPOINTMENT channel
status::FieldViolations ValidateNewContact(const Contact& contact, absl::Time now);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_RULES_H_
