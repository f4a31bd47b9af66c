#include "services/intake/domain/referral.h"

#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {
namespace {

constexpr ReferralState kAll[] = {ReferralState::kSent, ReferralState::kAccepted,
                                  ReferralState::kRejected, ReferralState::kCompleted,
                                  ReferralState::kRevoked};

std::string ReasonOf(const absl::Status& status) { return status::ReasonOf(status).value_or(""); }

// The whole table: exactly the drawn moves, each for its party only.
TEST(ReferralTransitionTest, ExactlyTheDrawnMovesByTheirParty) {
  struct Allowed {
    ReferralState from, to;
    ReferralParty party;
  };
  const std::vector<Allowed> allowed = {
      {ReferralState::kSent, ReferralState::kAccepted, ReferralParty::kPartner},
      {ReferralState::kSent, ReferralState::kRejected, ReferralParty::kPartner},
      {ReferralState::kAccepted, ReferralState::kCompleted, ReferralParty::kPartner},
      {ReferralState::kSent, ReferralState::kRevoked, ReferralParty::kStaff},
      {ReferralState::kAccepted, ReferralState::kRevoked, ReferralParty::kStaff},
  };
  for (ReferralState from : kAll) {
    for (ReferralState to : kAll) {
      for (ReferralParty party : {ReferralParty::kPartner, ReferralParty::kStaff}) {
        const absl::Status status = CheckReferralTransition(from, to, party, /*has_reason=*/true);
        std::optional<ReferralParty> owner;
        for (const Allowed& a : allowed) {
          if (a.from == from && a.to == to) owner = a.party;
        }
        const std::string move = std::string(ReferralStateName(from)) + ">" + ReferralStateName(to);
        if (!owner) {
          EXPECT_EQ(ReasonOf(status), "ILLEGAL_TRANSITION") << move;
        } else if (*owner != party) {
          EXPECT_EQ(ReasonOf(status), "REFERRAL_MOVE_NOT_YOURS") << move;
        } else {
          EXPECT_TRUE(status.ok()) << move;
        }
      }
    }
  }
}

TEST(ReferralTransitionTest, RejectingAndRevokingNeedAReason) {
  EXPECT_EQ(CheckReferralTransition(ReferralState::kSent, ReferralState::kRejected,
                                    ReferralParty::kPartner, false)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckReferralTransition(ReferralState::kAccepted, ReferralState::kRevoked,
                                    ReferralParty::kStaff, false)
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(CheckReferralTransition(ReferralState::kSent, ReferralState::kAccepted,
                                      ReferralParty::kPartner, false)
                  .ok());
}

TEST(ReferralConsentTest, ConsentOrACoordinatorsOverride) {
  const Consent granted{ConsentKind::kShareWithReferralBodies, true, {}, "op"};
  const Consent refused{ConsentKind::kShareWithReferralBodies, false, {}, "op"};
  const Consent sms{ConsentKind::kContactBySms, true, {}, "op"};
  EXPECT_EQ(*CheckReferralConsent({granted}, false, false), false);
  EXPECT_EQ(*CheckReferralConsent({granted}, true, false), false);  // nothing to override
  EXPECT_EQ(ReasonOf(CheckReferralConsent({refused}, false, true).status()), "CONSENT_MISSING");
  // Another kind of consent is not this one.
  EXPECT_EQ(ReasonOf(CheckReferralConsent({sms}, false, false).status()), "CONSENT_MISSING");
  EXPECT_EQ(ReasonOf(CheckReferralConsent({}, true, false).status()),
            "CONSENT_OVERRIDE_COORDINATOR_ONLY");
  EXPECT_EQ(*CheckReferralConsent({refused}, true, true), true);
}

TEST(SharedDataTest, OnlyTheChosenFieldsAreShared) {
  Identity id;
  id.given_name = "Maria";
  id.family_name = "Rossi";
  id.codice_fiscale = "RSSMRA80A41B648X";
  id.birth_date = absl::CivilDay(1980, 1, 1);
  id.phone_number = "+393331234567";
  id.address.locality = "Capannori";
  const SharedData none = SharedDataFor({SharedField::kNeedAreas}, id, {NeedArea::kHousing}, "m");
  EXPECT_TRUE(none.given_name.empty());
  EXPECT_TRUE(none.codice_fiscale.empty());
  EXPECT_FALSE(none.birth_date.has_value());
  EXPECT_FALSE(none.address.has_value());
  EXPECT_TRUE(none.message.empty());
  EXPECT_EQ(none.need_areas, std::vector<NeedArea>{NeedArea::kHousing});
  const SharedData some =
      SharedDataFor({SharedField::kName, SharedField::kContactDetails, SharedField::kMessage}, id,
                    {NeedArea::kHousing}, "m");
  EXPECT_EQ(some.family_name, "Rossi");
  EXPECT_EQ(some.phone_number, "+393331234567");
  EXPECT_EQ(some.message, "m");
  EXPECT_TRUE(some.need_areas.empty());
  EXPECT_TRUE(some.codice_fiscale.empty());
}

TEST(ReferralValidationTest, FieldsMessageAndOverrideReason) {
  Referral r;
  EXPECT_FALSE(ValidateNewReferral(r, false).empty());
  r.shared_fields = {SharedField::kName, SharedField::kName};
  EXPECT_FALSE(ValidateNewReferral(r, false).empty());
  r.shared_fields = {SharedField::kName};
  EXPECT_TRUE(ValidateNewReferral(r, false).empty());
  r.message = "testo";
  EXPECT_FALSE(ValidateNewReferral(r, false).empty());  // message without MESSAGE
  r.shared_fields.push_back(SharedField::kMessage);
  EXPECT_TRUE(ValidateNewReferral(r, false).empty());
  EXPECT_FALSE(ValidateNewReferral(r, true).empty());  // override without its reason
  r.consent_override_reason = "urgente";
  EXPECT_TRUE(ValidateNewReferral(r, true).empty());
  EXPECT_FALSE(ValidateNewReferral(r, false).empty());  // a reason without an override
}

TEST(DestinationTest, ATransferNamesAnotherComune) {
  Destination d;
  d.tenant_id = "capannori";
  d.display_name = "Punto Insieme";
  EXPECT_TRUE(ValidateDestination(d).empty());
  d.transfer_tenant = "lucca";
  EXPECT_FALSE(ValidateDestination(d).empty());
  d.kind = DestinationKind::kOtherComune;
  EXPECT_TRUE(ValidateDestination(d).empty());
  d.transfer_tenant = "capannori";
  EXPECT_FALSE(ValidateDestination(d).empty());
  d.transfer_tenant.clear();
  EXPECT_FALSE(ValidateDestination(d).empty());
  d.kind = DestinationKind::kPuntoInsieme;
  d.display_name.clear();
  EXPECT_FALSE(ValidateDestination(d).empty());
}

TEST(PartnerViewTest, HidesTheCaseThePersonAndTheOverride) {
  Referral r;
  r.case_id = "k1";
  r.person_id = "p1";
  r.message = "m";
  r.shared.message = "m";
  r.consent_overridden = true;
  r.consent_override_reason = "urgente";
  const Referral seen = PartnerView(r);
  EXPECT_TRUE(seen.case_id.empty());
  EXPECT_TRUE(seen.person_id.empty());
  EXPECT_TRUE(seen.message.empty());
  EXPECT_EQ(seen.shared.message, "m");
  EXPECT_FALSE(seen.consent_overridden);
  EXPECT_TRUE(seen.consent_override_reason.empty());
}

}  // namespace
}  // namespace sportelli::intake
