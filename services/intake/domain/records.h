// The records the intake service keeps, as plain structs: persons (identity, privacy notice,
// consents) and contacts. The gRPC layer maps them to sportelli.intake.v1 messages; the
// repository stores them, the identity and the information given sealed. Times are UTC instants.
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_RECORDS_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_RECORDS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::intake {

using citizen::Sex;

struct Address {
  std::string street_address;
  std::string postal_code;
  std::string locality;
  std::string province;
};

// How a member of the household is related to the person.
enum class Relation {
  kSpouseOrPartner,
  kChild,
  kParent,
  kSibling,
  kGrandparent,
  kGrandchild,
  kOtherRelative,
  kCohabitant,  // lives with the person, not a relative
  kNotRelated,  // e.g. an amministratore di sostegno from outside the family
};
const char* RelationName(Relation relation);  // "SPOUSE_OR_PARTNER", ...
std::optional<Relation> ParseRelation(absl::string_view name);

// The legal role a member holds for the person, if any.
enum class LegalRole {
  kNone,
  kGuardian,              // tutore (a minor, or an interdicted adult)
  kSupportAdministrator,  // amministratore di sostegno
  kCurator,               // curatore
};
const char* LegalRoleName(LegalRole role);  // "NONE", "GUARDIAN", ...
std::optional<LegalRole> ParseLegalRole(absl::string_view name);

// A member of the person's household (*nucleo familiare*) or their legal representative:
// a person registered at the comune (`person_id`), or one described by name.
struct HouseholdMember {
  std::string person_id;  // empty: described by name
  std::string given_name;
  std::string family_name;
  std::optional<absl::CivilDay> birth_date;
  Relation relation = Relation::kOtherRelative;
  LegalRole legal_role = LegalRole::kNone;
};

inline constexpr int kMaxHouseholdMembers = 20;

// Who the person is, and their household. Personal data: only sealed at rest, never logged or
// in a status.
struct Identity {
  std::string given_name;
  std::string family_name;
  std::string codice_fiscale;  // empty: the person has none
  absl::CivilDay birth_date;
  Sex sex = Sex::kFemale;
  std::string citizenship;  // ISO 3166-1 alpha-2
  Address address;
  std::string phone_number;  // E.164 or empty
  std::string email;
  std::vector<HouseholdMember> household;
};

enum class ConsentKind { kShareWithReferralBodies, kContactBySms, kContactByEmail };
const char* ConsentKindName(ConsentKind kind);  // "SHARE_WITH_REFERRAL_BODIES", ...
std::optional<ConsentKind> ParseConsentKind(absl::string_view name);

struct Consent {
  ConsentKind kind = ConsentKind::kShareWithReferralBodies;
  bool granted = false;
  absl::Time record_time;
  std::string recorded_by;  // the operator's token subject
};

struct Person {
  std::string tenant_id;
  std::string id;
  Identity identity;
  // The person's key was shredded (erasure): `identity` is empty.
  bool erased = false;
  // Processing restricted (GDPR art. 18): their data is stored and nothing else; a search shows
  // the person without their identity, every other access is refused.
  bool processing_restricted = false;
  // The identity is not shown (a restricted person found by a search): `identity` is empty.
  bool identity_withheld = false;
  std::string privacy_notice_version;
  absl::Time privacy_notice_time;
  std::string privacy_notice_recorded_by;
  std::vector<Consent> consents;  // at most one per kind, in kind order
  absl::Time create_time;
  absl::Time update_time;
};

enum class ContactChannel { kAppointment, kWalkIn, kPhone, kEmail };
const char* ContactChannelName(ContactChannel channel);  // "APPOINTMENT", ...
std::optional<ContactChannel> ParseContactChannel(absl::string_view name);

enum class NeedArea {
  kEconomicHardship,
  kHousing,
  kWork,
  kHealth,
  kFamilyAndChildren,
  kDisability,
  kOldAge,
  kMigration,
  kLegal,
  kOther,
};
const char* NeedAreaName(NeedArea area);  // "ECONOMIC_HARDSHIP", ...
std::optional<NeedArea> ParseNeedArea(absl::string_view name);

enum class ContactOutcome { kInformationOnly, kReferred, kCaseOpened };
const char* ContactOutcomeName(ContactOutcome outcome);  // "INFORMATION_ONLY", ...
std::optional<ContactOutcome> ParseContactOutcome(absl::string_view name);

struct Contact {
  std::string tenant_id;
  std::string id;
  std::string person_id;  // empty: an anonymous request for information
  std::string desk_id;
  ContactChannel channel = ContactChannel::kWalkIn;
  absl::Time contact_time;
  std::string operator_subject;  // from the caller's token, never from the request
  std::vector<NeedArea> need_areas;
  std::string information_given;  // personal data: sealed at rest
  // The key sealing `information_given` was shredded: it reads back empty.
  bool information_erased = false;
  ContactOutcome outcome = ContactOutcome::kInformationOnly;
  std::string appointment_id;  // the appointment it came from, or empty
  absl::Time create_time;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_RECORDS_H_
