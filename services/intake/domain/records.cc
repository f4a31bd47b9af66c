#include "services/intake/domain/records.h"

#include <utility>

namespace sportelli::intake {
namespace {

// One table per enum: its stored (and proto suffix) names, in enumerator order.
template <typename Enum, size_t N>
std::optional<Enum> Parse(const std::pair<Enum, const char*> (&names)[N], absl::string_view name) {
  for (const auto& [value, text] : names) {
    if (name == text) return value;
  }
  return std::nullopt;
}

template <typename Enum, size_t N>
const char* Name(const std::pair<Enum, const char*> (&names)[N], Enum value) {
  for (const auto& [candidate, text] : names) {
    if (candidate == value) return text;
  }
  return "UNKNOWN";
}

constexpr std::pair<ConsentKind, const char*> kConsentKinds[] = {
    {ConsentKind::kShareWithReferralBodies, "SHARE_WITH_REFERRAL_BODIES"},
    {ConsentKind::kContactBySms, "CONTACT_BY_SMS"},
    {ConsentKind::kContactByEmail, "CONTACT_BY_EMAIL"},
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

const char* ConsentKindName(ConsentKind kind) { return Name(kConsentKinds, kind); }
std::optional<ConsentKind> ParseConsentKind(absl::string_view name) {
  return Parse(kConsentKinds, name);
}
const char* ContactChannelName(ContactChannel channel) { return Name(kContactChannels, channel); }
std::optional<ContactChannel> ParseContactChannel(absl::string_view name) {
  return Parse(kContactChannels, name);
}
const char* NeedAreaName(NeedArea area) { return Name(kNeedAreas, area); }
std::optional<NeedArea> ParseNeedArea(absl::string_view name) { return Parse(kNeedAreas, name); }
const char* ContactOutcomeName(ContactOutcome outcome) { return Name(kContactOutcomes, outcome); }
std::optional<ContactOutcome> ParseContactOutcome(absl::string_view name) {
  return Parse(kContactOutcomes, name);
}

}  // namespace sportelli::intake
