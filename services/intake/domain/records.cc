#include "services/intake/domain/records.h"

#include <utility>

#include "services/intake/domain/enum_names.h"

namespace sportelli::intake {
namespace {

constexpr std::pair<ConsentKind, const char*> kConsentKinds[] = {
    {ConsentKind::kShareWithReferralBodies, "SHARE_WITH_REFERRAL_BODIES"},
    {ConsentKind::kContactBySms, "CONTACT_BY_SMS"},
    {ConsentKind::kContactByEmail, "CONTACT_BY_EMAIL"},
};

constexpr std::pair<Relation, const char*> kRelations[] = {
    {Relation::kSpouseOrPartner, "SPOUSE_OR_PARTNER"},
    {Relation::kChild, "CHILD"},
    {Relation::kParent, "PARENT"},
    {Relation::kSibling, "SIBLING"},
    {Relation::kGrandparent, "GRANDPARENT"},
    {Relation::kGrandchild, "GRANDCHILD"},
    {Relation::kOtherRelative, "OTHER_RELATIVE"},
    {Relation::kCohabitant, "COHABITANT"},
    {Relation::kNotRelated, "NOT_RELATED"},
};

constexpr std::pair<LegalRole, const char*> kLegalRoles[] = {
    {LegalRole::kNone, "NONE"},
    {LegalRole::kGuardian, "GUARDIAN"},
    {LegalRole::kSupportAdministrator, "SUPPORT_ADMINISTRATOR"},
    {LegalRole::kCurator, "CURATOR"},
};

constexpr std::pair<ContactChannel, const char*> kContactChannels[] = {
    {ContactChannel::kAppointment, "APPOINTMENT"},
    {ContactChannel::kWalkIn, "WALK_IN"},
    {ContactChannel::kPhone, "PHONE"},
    {ContactChannel::kEmail, "EMAIL"},
};

constexpr std::pair<NeedArea, const char*> kNeedAreas[] = {
    {NeedArea::kEconomicHardship, "ECONOMIC_HARDSHIP"},
    {NeedArea::kHousing, "HOUSING"},
    {NeedArea::kWork, "WORK"},
    {NeedArea::kHealth, "HEALTH"},
    {NeedArea::kFamilyAndChildren, "FAMILY_AND_CHILDREN"},
    {NeedArea::kDisability, "DISABILITY"},
    {NeedArea::kOldAge, "OLD_AGE"},
    {NeedArea::kMigration, "MIGRATION"},
    {NeedArea::kLegal, "LEGAL"},
    {NeedArea::kOther, "OTHER"},
};

constexpr std::pair<ContactOutcome, const char*> kContactOutcomes[] = {
    {ContactOutcome::kInformationOnly, "INFORMATION_ONLY"},
    {ContactOutcome::kReferred, "REFERRED"},
    {ContactOutcome::kCaseOpened, "CASE_OPENED"},
};

}  // namespace

const char* ConsentKindName(ConsentKind kind) { return EnumName(kConsentKinds, kind); }
std::optional<ConsentKind> ParseConsentKind(absl::string_view name) {
  return ParseEnumName(kConsentKinds, name);
}
const char* RelationName(Relation relation) { return EnumName(kRelations, relation); }
std::optional<Relation> ParseRelation(absl::string_view name) {
  return ParseEnumName(kRelations, name);
}
const char* LegalRoleName(LegalRole role) { return EnumName(kLegalRoles, role); }
std::optional<LegalRole> ParseLegalRole(absl::string_view name) {
  return ParseEnumName(kLegalRoles, name);
}
const char* ContactChannelName(ContactChannel channel) {
  return EnumName(kContactChannels, channel);
}
std::optional<ContactChannel> ParseContactChannel(absl::string_view name) {
  return ParseEnumName(kContactChannels, name);
}
const char* NeedAreaName(NeedArea area) { return EnumName(kNeedAreas, area); }
std::optional<NeedArea> ParseNeedArea(absl::string_view name) {
  return ParseEnumName(kNeedAreas, name);
}
const char* ContactOutcomeName(ContactOutcome outcome) {
  return EnumName(kContactOutcomes, outcome);
}
std::optional<ContactOutcome> ParseContactOutcome(absl::string_view name) {
  return ParseEnumName(kContactOutcomes, name);
}

}  // namespace sportelli::intake
