// Referrals: a case is referred to a body of the comune's catalog (a destination) — most often
// the Punto Insieme — with the person's fields chosen explicitly, a snapshot of which the body
// (a `partner`) sees and nothing else. The rules as pure functions; the repository stores them.
//
//   SENT ──► ACCEPTED ──► COMPLETED        (the partner)
//     ├────► REJECTED                      (the partner)
//     └──────────┴──────► REVOKED          (the comune's staff)
//
// Sharing needs the person's consent (SHARE_WITH_REFERRAL_BODIES); without it only a
// coordinator sends, stating a reason, and the override is recorded and audited.
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_REFERRAL_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_REFERRAL_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/intake/domain/records.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

// ---- the catalog ------------------------------------------------------------------------------

enum class DestinationKind {
  kPuntoInsieme,   // socio-economic inclusion access point
  kSocialService,  // servizio sociale professionale
  kJobCentre,      // centro per l'impiego
  kHealthService,  // the local health service (ASL)
  kThirdSector,    // associations, Caritas, food banks, ...
  kOtherComune,    // another comune of the ambito, as a transfer
};
const char* DestinationKindName(DestinationKind kind);  // "PUNTO_INSIEME", ...
std::optional<DestinationKind> ParseDestinationKind(absl::string_view name);

inline constexpr int kMaxDisplayNameLength = 120;  // code points

struct Destination {
  std::string tenant_id;
  std::string id;
  std::string display_name;
  DestinationKind kind = DestinationKind::kPuntoInsieme;
  std::string transfer_tenant;  // kOtherComune only: the comune taking the case over
  // Seeded as an example where the sources name no real body: to be checked by the comune.
  bool example = false;
  bool active = true;  // an inactive destination takes no new referrals
  absl::Time create_time;
  absl::Time update_time;
};

// Every problem of a destination ("destination.display_name", ...): a display name of
// 1..kMaxDisplayNameLength code points; transfer_tenant set exactly for kOtherComune, and not
// the destination's own comune.
status::FieldViolations ValidateDestination(const Destination& destination);

// ---- referrals --------------------------------------------------------------------------------

// What of the person a referral shares, each chosen explicitly.
enum class SharedField {
  kName,  // given and family names
  kBirthDate,
  kCodiceFiscale,
  kContactDetails,  // phone and e-mail
  kAddress,
  kNeedAreas,  // of the contact the case was opened from
  kMessage,    // the text written for the destination
};
const char* SharedFieldName(SharedField field);  // "NAME", ...
std::optional<SharedField> ParseSharedField(absl::string_view name);

// The snapshot a destination receives, taken when the referral is sent: only the chosen
// fields are filled. Personal data: sealed at rest.
struct SharedData {
  std::string given_name;
  std::string family_name;
  std::optional<absl::CivilDay> birth_date;
  std::string codice_fiscale;
  std::string phone_number;
  std::string email;
  std::optional<Address> address;
  std::vector<NeedArea> need_areas;
  std::string message;
};

// `fields` of the person, their need areas and the message, and nothing else.
SharedData SharedDataFor(const std::vector<SharedField>& fields, const Identity& identity,
                         const std::vector<NeedArea>& need_areas, const std::string& message);

inline constexpr int kMaxReferralMessageLength = 4000;  // code points
inline constexpr int kMaxReferralReasonLength = 1000;   // code points

enum class ReferralState { kSent, kAccepted, kRejected, kCompleted, kRevoked };
const char* ReferralStateName(ReferralState state);  // "SENT", ...
std::optional<ReferralState> ParseReferralState(absl::string_view name);

// Who moves a referral: the destination's partner or the comune's staff.
enum class ReferralParty { kPartner, kStaff };

// OK when `party` may move a referral from `from` to `to` (see the drawing). A move of the
// other party is PERMISSION_DENIED (reason REFERRAL_MOVE_NOT_YOURS); a move the drawing does
// not have, FAILED_PRECONDITION (reason ILLEGAL_TRANSITION). REJECTED and REVOKED need a reason
// (INVALID_ARGUMENT on "reason").
absl::Status CheckReferralTransition(ReferralState from, ReferralState to, ReferralParty party,
                                     bool has_reason);

// Whether a referral sharing the person's data may be sent: with their consent to share with
// referral bodies, yes; without it (refused or never asked), only a coordinator overriding it
// with a reason. FAILED_PRECONDITION, reason CONSENT_MISSING, when there is no consent and no
// override; PERMISSION_DENIED, reason CONSENT_OVERRIDE_COORDINATOR_ONLY, for anyone else's
// override. Returns whether the consent was overridden.
absl::StatusOr<bool> CheckReferralConsent(const std::vector<Consent>& consents,
                                          bool override_requested, bool coordinator);

struct ReferralHistoryEntry {
  absl::Time time;
  std::string actor;  // the token subject (a partner's or a member of staff's)
  std::optional<ReferralState> from_state;  // empty for the sending
  ReferralState to_state = ReferralState::kSent;
  std::string reason;  // personal data possibly: sealed at rest
};

struct Referral {
  std::string tenant_id;
  std::string id;
  std::string case_id;
  std::string person_id;
  std::string destination_id;
  std::vector<SharedField> shared_fields;
  SharedData shared;
  bool shared_erased = false;  // the person's key was shredded
  std::string message;         // as requested (copied into `shared` when kMessage is chosen)
  bool consent_overridden = false;
  std::string consent_override_reason;  // sealed at rest
  ReferralState state = ReferralState::kSent;
  std::string sent_by;
  std::vector<ReferralHistoryEntry> history;  // oldest first
  absl::Time create_time;
  absl::Time update_time;
};

// Every problem of a new referral ("referral.shared_fields", ...): at least one shared field,
// none twice; `message` required exactly when MESSAGE is shared, of at most
// kMaxReferralMessageLength code points; a consent override needs its reason
// ("consent_override_reason", at most kMaxReferralReasonLength) and a reason only goes with
// an override.
status::FieldViolations ValidateNewReferral(const Referral& referral, bool override_requested);

// What a partner sees of a referral: the shared snapshot, the state and its history, never
// the case, the person's record or who overrode what.
Referral PartnerView(Referral referral);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_REFERRAL_H_
