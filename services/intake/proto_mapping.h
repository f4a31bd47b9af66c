// Records <-> sportelli.intake.v1 messages. FromProto functions read only what a client may
// set (output-only fields are ignored); enum values a client left unspecified come back as
// nullopt for the caller to report as a field violation.
#ifndef SPORTELLI_SERVICES_INTAKE_PROTO_MAPPING_H_
#define SPORTELLI_SERVICES_INTAKE_PROTO_MAPPING_H_

#include <optional>

#include "services/intake/domain/case.h"
#include "services/intake/domain/case_records.h"
#include "services/intake/domain/records.h"
#include "services/intake/domain/referral.h"
#include "sportelli/intake/v1/intake_service.pb.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

v1::Person ToProto(const Person& person);
v1::Contact ToProto(const Contact& contact);
v1::Case ToProto(const Case& c);
v1::Note ToProto(const Note& note);
v1::Destination ToProto(const Destination& destination);
v1::Referral ToProto(const Referral& referral);
// Without its content unless it was read with it.
v1::Attachment ToProto(const Attachment& attachment);

std::optional<Sex> FromProto(v1::Sex sex);
std::optional<ConsentKind> FromProto(v1::ConsentKind kind);
std::optional<ContactChannel> FromProto(v1::ContactChannel channel);
std::optional<NeedArea> FromProto(v1::NeedArea area);
std::optional<ContactOutcome> FromProto(v1::ContactOutcome outcome);
std::optional<CaseState> FromProto(v1::CaseState state);
std::optional<CloseReason> FromProto(v1::CloseReason reason);
std::optional<NoteKind> FromProto(v1::NoteKind kind);
std::optional<DestinationKind> FromProto(v1::DestinationKind kind);
std::optional<SharedField> FromProto(v1::SharedField field);
std::optional<ReferralState> FromProto(v1::ReferralState state);

// The person a CreatePerson request describes (tenant left to the caller), with a violation
// under "person." for each field that cannot even be read (a missing date, an unspecified
// enum).
Person PersonFromProto(const v1::Person& proto, status::FieldViolations& violations);
// The pact of an UpdateCase request, with a violation under "case.pact." for what cannot be
// read (a meeting without a start time).
InclusionPact PactFromProto(const v1::InclusionPact& proto, status::FieldViolations& violations);
// A person's household as requested, member names checked against `tenant`; a violation under
// "person.household[i]." for what cannot be read.
std::vector<HouseholdMember> HouseholdFromProto(
    const google::protobuf::RepeatedPtrField<v1::HouseholdMember>& proto, const std::string& tenant,
    status::FieldViolations& violations);
// Likewise for a contact, under "contact."; person, desk and appointment names are parsed by
// the caller, which knows the request's tenant.
Contact ContactFromProto(const v1::Contact& proto, status::FieldViolations& violations);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_PROTO_MAPPING_H_
