#include "services/intake/domain/referral.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/intake/domain/enum_names.h"
#include "services/intake/domain/rules.h"

namespace sportelli::intake {
namespace {

constexpr std::pair<DestinationKind, const char*> kDestinationKinds[] = {
    {DestinationKind::kPuntoInsieme, "PUNTO_INSIEME"},
    {DestinationKind::kSocialService, "SOCIAL_SERVICE"},
    {DestinationKind::kJobCentre, "JOB_CENTRE"},
    {DestinationKind::kHealthService, "HEALTH_SERVICE"},
    {DestinationKind::kThirdSector, "THIRD_SECTOR"},
    {DestinationKind::kOtherComune, "OTHER_COMUNE"},
};

constexpr std::pair<SharedField, const char*> kSharedFields[] = {
    {SharedField::kName, "NAME"},
    {SharedField::kBirthDate, "BIRTH_DATE"},
    {SharedField::kCodiceFiscale, "CODICE_FISCALE"},
    {SharedField::kContactDetails, "CONTACT_DETAILS"},
    {SharedField::kAddress, "ADDRESS"},
    {SharedField::kNeedAreas, "NEED_AREAS"},
    {SharedField::kMessage, "MESSAGE"},
};

constexpr std::pair<ReferralState, const char*> kReferralStates[] = {
    {ReferralState::kSent, "SENT"},         {ReferralState::kAccepted, "ACCEPTED"},
    {ReferralState::kRejected, "REJECTED"}, {ReferralState::kCompleted, "COMPLETED"},
    {ReferralState::kRevoked, "REVOKED"},
};

struct Move {
  ReferralState from;
  ReferralState to;
  ReferralParty party;
};

constexpr Move kMoves[] = {
    {ReferralState::kSent, ReferralState::kAccepted, ReferralParty::kPartner},
    {ReferralState::kSent, ReferralState::kRejected, ReferralParty::kPartner},
    {ReferralState::kAccepted, ReferralState::kCompleted, ReferralParty::kPartner},
    {ReferralState::kSent, ReferralState::kRevoked, ReferralParty::kStaff},
    {ReferralState::kAccepted, ReferralState::kRevoked, ReferralParty::kStaff},
};

}  // namespace

const char* DestinationKindName(DestinationKind kind) { return EnumName(kDestinationKinds, kind); }
std::optional<DestinationKind> ParseDestinationKind(absl::string_view name) {
  return ParseEnumName(kDestinationKinds, name);
}
const char* SharedFieldName(SharedField field) { return EnumName(kSharedFields, field); }
std::optional<SharedField> ParseSharedField(absl::string_view name) {
  return ParseEnumName(kSharedFields, name);
}
const char* ReferralStateName(ReferralState state) { return EnumName(kReferralStates, state); }
std::optional<ReferralState> ParseReferralState(absl::string_view name) {
  return ParseEnumName(kReferralStates, name);
}

status::FieldViolations ValidateDestination(const Destination& destination) {
  status::FieldViolations violations;
  if (destination.display_name.empty()) {
    violations.Add("destination.display_name", "is required");
  } else {
    CheckText("destination.display_name", destination.display_name, kMaxDisplayNameLength,
              /*multiline=*/false, violations);
  }
  const bool transfer = destination.kind == DestinationKind::kOtherComune;
  if (transfer && destination.transfer_tenant.empty()) {
    violations.Add("destination.transfer_tenant", "is required for another comune");
  } else if (!transfer && !destination.transfer_tenant.empty()) {
    violations.Add("destination.transfer_tenant", "is only for OTHER_COMUNE");
  } else if (transfer && destination.transfer_tenant == destination.tenant_id) {
    violations.Add("destination.transfer_tenant", "must be another comune");
  }
  return violations;
}

SharedData SharedDataFor(const std::vector<SharedField>& fields, const Identity& identity,
                         const std::vector<NeedArea>& need_areas, const std::string& message) {
  SharedData shared;
  for (SharedField field : fields) {
    switch (field) {
      case SharedField::kName:
        shared.given_name = identity.given_name;
        shared.family_name = identity.family_name;
        break;
      case SharedField::kBirthDate:
        shared.birth_date = identity.birth_date;
        break;
      case SharedField::kCodiceFiscale:
        shared.codice_fiscale = identity.codice_fiscale;
        break;
      case SharedField::kContactDetails:
        shared.phone_number = identity.phone_number;
        shared.email = identity.email;
        break;
      case SharedField::kAddress:
        shared.address = identity.address;
        break;
      case SharedField::kNeedAreas:
        shared.need_areas = need_areas;
        break;
      case SharedField::kMessage:
        shared.message = message;
        break;
    }
  }
  return shared;
}

absl::Status CheckReferralTransition(ReferralState from, ReferralState to, ReferralParty party,
                                     bool has_reason) {
  const Move* move = nullptr;
  for (const Move& candidate : kMoves) {
    if (candidate.from == from && candidate.to == to) move = &candidate;
  }
  if (move == nullptr) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         absl::StrCat("a referral in state ", ReferralStateName(from),
                                      " cannot move to ", ReferralStateName(to)),
                         "ILLEGAL_TRANSITION");
  }
  if (move->party != party) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         party == ReferralParty::kPartner
                             ? "only the comune's staff revoke a referral"
                             : "only the destination accepts, rejects or completes a referral",
                         "REFERRAL_MOVE_NOT_YOURS");
  }
  if ((to == ReferralState::kRejected || to == ReferralState::kRevoked) && !has_reason) {
    status::FieldViolations violations;
    violations.Add("reason", "is required to reject or revoke a referral");
    return violations.ToStatus();
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> CheckReferralConsent(const std::vector<Consent>& consents,
                                          bool override_requested, bool coordinator) {
  const bool granted = std::any_of(consents.begin(), consents.end(), [](const Consent& c) {
    return c.kind == ConsentKind::kShareWithReferralBodies && c.granted;
  });
  if (granted) return false;
  if (!override_requested) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the person has not consented to sharing with referral bodies: record "
                         "their consent, or a coordinator overrides it with a reason",
                         "CONSENT_MISSING");
  }
  if (!coordinator) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         "only a coordinator overrides a missing consent",
                         "CONSENT_OVERRIDE_COORDINATOR_ONLY");
  }
  return true;
}

status::FieldViolations ValidateNewReferral(const Referral& referral, bool override_requested) {
  status::FieldViolations violations;
  const std::vector<SharedField>& fields = referral.shared_fields;
  if (fields.empty()) violations.Add("referral.shared_fields", "choose at least one field");
  for (size_t i = 0; i < fields.size(); ++i) {
    if (std::find(fields.begin(), fields.begin() + i, fields[i]) != fields.begin() + i) {
      violations.Add(absl::StrCat("referral.shared_fields[", i, "]"), "is chosen twice");
    }
  }
  const bool shares_message =
      std::find(fields.begin(), fields.end(), SharedField::kMessage) != fields.end();
  if (shares_message && referral.message.empty()) {
    violations.Add("referral.message", "is required when MESSAGE is shared");
  } else if (!shares_message && !referral.message.empty()) {
    violations.Add("referral.message", "is shared only when MESSAGE is chosen");
  } else {
    CheckText("referral.message", referral.message, kMaxReferralMessageLength,
              /*multiline=*/true, violations);
  }
  if (override_requested && referral.consent_override_reason.empty()) {
    violations.Add("consent_override_reason", "is required to override a missing consent");
  } else if (!override_requested && !referral.consent_override_reason.empty()) {
    violations.Add("consent_override_reason", "goes only with override_consent");
  } else {
    CheckText("consent_override_reason", referral.consent_override_reason, kMaxReferralReasonLength,
              /*multiline=*/true, violations);
  }
  return violations;
}

Referral PartnerView(Referral referral) {
  referral.case_id.clear();
  referral.person_id.clear();
  referral.message.clear();  // what was shared of it is in `shared`
  referral.consent_overridden = false;
  referral.consent_override_reason.clear();
  return referral;
}

}  // namespace sportelli::intake
