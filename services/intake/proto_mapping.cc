#include "services/intake/proto_mapping.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"

namespace sportelli::intake {
namespace {

using api::ToTimestamp;

v1::Sex ToProto(Sex sex) { return sex == Sex::kFemale ? v1::SEX_FEMALE : v1::SEX_MALE; }

v1::ConsentKind ToProto(ConsentKind kind) {
  switch (kind) {
    case ConsentKind::kShareWithReferralBodies:
      return v1::CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES;
    case ConsentKind::kContactBySms:
      return v1::CONSENT_KIND_CONTACT_BY_SMS;
    case ConsentKind::kContactByEmail:
      return v1::CONSENT_KIND_CONTACT_BY_EMAIL;
  }
  return v1::CONSENT_KIND_UNSPECIFIED;
}

v1::ContactChannel ToProto(ContactChannel channel) {
  switch (channel) {
    case ContactChannel::kAppointment:
      return v1::CONTACT_CHANNEL_APPOINTMENT;
    case ContactChannel::kWalkIn:
      return v1::CONTACT_CHANNEL_WALK_IN;
    case ContactChannel::kPhone:
      return v1::CONTACT_CHANNEL_PHONE;
    case ContactChannel::kEmail:
      return v1::CONTACT_CHANNEL_EMAIL;
  }
  return v1::CONTACT_CHANNEL_UNSPECIFIED;
}

// The proto enumerators are the domain's in the same order, shifted by UNSPECIFIED.
void ToProto(const Address& address, v1::Address* out) {
  out->set_street_address(address.street_address);
  out->set_postal_code(address.postal_code);
  out->set_locality(address.locality);
  out->set_province(address.province);
}

v1::NeedArea ToProto(NeedArea area) {
  return static_cast<v1::NeedArea>(static_cast<int>(area) + 1);
}

v1::ContactOutcome ToProto(ContactOutcome outcome) {
  switch (outcome) {
    case ContactOutcome::kInformationOnly:
      return v1::CONTACT_OUTCOME_INFORMATION_ONLY;
    case ContactOutcome::kReferred:
      return v1::CONTACT_OUTCOME_REFERRED;
    case ContactOutcome::kCaseOpened:
      return v1::CONTACT_OUTCOME_CASE_OPENED;
  }
  return v1::CONTACT_OUTCOME_UNSPECIFIED;
}

// Case states and close reasons: the proto enumerators are the domain's in the same order,
// shifted by UNSPECIFIED.
v1::CaseState ToProto(CaseState state) {
  return static_cast<v1::CaseState>(static_cast<int>(state) + 1);
}
v1::CloseReason ToProto(CloseReason reason) {
  return static_cast<v1::CloseReason>(static_cast<int>(reason) + 1);
}

}  // namespace

std::optional<CaseState> FromProto(v1::CaseState state) {
  if (state <= v1::CASE_STATE_UNSPECIFIED || state > v1::CASE_STATE_REOPENED) return std::nullopt;
  return static_cast<CaseState>(static_cast<int>(state) - 1);
}

std::optional<CloseReason> FromProto(v1::CloseReason reason) {
  if (reason <= v1::CLOSE_REASON_UNSPECIFIED || reason > v1::CLOSE_REASON_OTHER) {
    return std::nullopt;
  }
  return static_cast<CloseReason>(static_cast<int>(reason) - 1);
}

std::optional<NoteKind> FromProto(v1::NoteKind kind) {
  if (kind <= v1::NOTE_KIND_UNSPECIFIED || kind > v1::NOTE_KIND_HOME_VISIT) return std::nullopt;
  return static_cast<NoteKind>(static_cast<int>(kind) - 1);
}

std::optional<DestinationKind> FromProto(v1::DestinationKind kind) {
  if (kind <= v1::DESTINATION_KIND_UNSPECIFIED || kind > v1::DESTINATION_KIND_OTHER_COMUNE) {
    return std::nullopt;
  }
  return static_cast<DestinationKind>(static_cast<int>(kind) - 1);
}

std::optional<SharedField> FromProto(v1::SharedField field) {
  if (field <= v1::SHARED_FIELD_UNSPECIFIED || field > v1::SHARED_FIELD_MESSAGE) {
    return std::nullopt;
  }
  return static_cast<SharedField>(static_cast<int>(field) - 1);
}

std::optional<ReferralState> FromProto(v1::ReferralState state) {
  if (state <= v1::REFERRAL_STATE_UNSPECIFIED || state > v1::REFERRAL_STATE_REVOKED) {
    return std::nullopt;
  }
  return static_cast<ReferralState>(static_cast<int>(state) - 1);
}

v1::Destination ToProto(const Destination& d) {
  v1::Destination out;
  out.set_name(api::DestinationName{d.tenant_id, d.id}.ToString());
  out.set_display_name(d.display_name);
  out.set_kind(static_cast<v1::DestinationKind>(static_cast<int>(d.kind) + 1));
  if (!d.transfer_tenant.empty()) {
    out.set_transfer_comune(api::TenantName{d.transfer_tenant}.ToString());
  }
  out.set_example(d.example);
  out.set_active(d.active);
  ToTimestamp(d.create_time, out.mutable_create_time());
  ToTimestamp(d.update_time, out.mutable_update_time());
  return out;
}

v1::Referral ToProto(const Referral& r) {
  const auto state = [](ReferralState s) {
    return static_cast<v1::ReferralState>(static_cast<int>(s) + 1);
  };
  v1::Referral out;
  out.set_name(api::ReferralName{r.tenant_id, r.id}.ToString());
  if (!r.case_id.empty()) out.set_case_(api::CaseName{r.tenant_id, r.case_id}.ToString());
  if (!r.person_id.empty()) out.set_person(api::PersonName{r.tenant_id, r.person_id}.ToString());
  out.set_destination(api::DestinationName{r.tenant_id, r.destination_id}.ToString());
  for (SharedField field : r.shared_fields) {
    out.add_shared_fields(static_cast<v1::SharedField>(static_cast<int>(field) + 1));
  }
  out.set_message(r.message);
  const SharedData& s = r.shared;
  v1::SharedData* shared = out.mutable_shared();
  shared->set_given_name(s.given_name);
  shared->set_family_name(s.family_name);
  if (s.birth_date) *shared->mutable_birth_date() = api::ToDate(*s.birth_date);
  shared->set_codice_fiscale(s.codice_fiscale);
  shared->set_phone_number(s.phone_number);
  shared->set_email(s.email);
  if (s.address) ToProto(*s.address, shared->mutable_address());
  for (NeedArea area : s.need_areas) shared->add_need_areas(ToProto(area));
  shared->set_message(s.message);
  out.set_shared_erased(r.shared_erased);
  out.set_consent_overridden(r.consent_overridden);
  out.set_consent_override_reason(r.consent_override_reason);
  out.set_state(state(r.state));
  out.set_sent_by(r.sent_by);
  for (const ReferralHistoryEntry& e : r.history) {
    v1::ReferralHistoryEntry* entry = out.add_history();
    ToTimestamp(e.time, entry->mutable_time());
    entry->set_actor(e.actor);
    if (e.from_state) entry->set_from_state(state(*e.from_state));
    entry->set_to_state(state(e.to_state));
    entry->set_reason(e.reason);
  }
  ToTimestamp(r.create_time, out.mutable_create_time());
  ToTimestamp(r.update_time, out.mutable_update_time());
  return out;
}

v1::Note ToProto(const Note& note) {
  v1::Note out;
  out.set_name(api::NoteName{note.tenant_id, note.case_id, note.id}.ToString());
  out.set_kind(static_cast<v1::NoteKind>(static_cast<int>(note.kind) + 1));
  out.set_text(note.text);
  out.set_erased(note.erased);
  out.set_author(note.author);
  out.set_version(note.version);
  out.set_latest_version(note.latest_version);
  ToTimestamp(note.create_time, out.mutable_create_time());
  ToTimestamp(note.update_time, out.mutable_update_time());
  return out;
}

v1::Attachment ToProto(const Attachment& a) {
  v1::Attachment out;
  out.set_name(api::AttachmentName{a.tenant_id, a.case_id, a.id}.ToString());
  out.set_filename(a.filename);
  out.set_media_type(a.media_type);
  out.set_size_bytes(a.size_bytes);
  out.set_sha256(a.sha256_hex);
  out.set_uploader(a.uploader);
  ToTimestamp(a.create_time, out.mutable_create_time());
  out.set_content(a.content);
  out.set_erased(a.erased);
  return out;
}

InclusionPact PactFromProto(const v1::InclusionPact& proto, status::FieldViolations& violations) {
  InclusionPact pact;
  pact.goals.assign(proto.goals().begin(), proto.goals().end());
  pact.commitments.assign(proto.commitments().begin(), proto.commitments().end());
  pact.supports.assign(proto.supports().begin(), proto.supports().end());
  for (int i = 0; i < proto.meetings_size(); ++i) {
    const v1::PactMeeting& m = proto.meetings(i);
    if (!m.has_start_time()) {
      violations.Add(absl::StrCat("case.pact.meetings[", i, "].start_time"), "is required");
    }
    pact.meetings.push_back(
        {api::FromTimestamp(m.start_time()),
         absl::Seconds(m.duration().seconds()) + absl::Nanoseconds(m.duration().nanos())});
  }
  return pact;
}

v1::Case ToProto(const Case& c) {
  v1::Case out;
  out.set_name(api::CaseName{c.tenant_id, c.id}.ToString());
  out.set_person(api::PersonName{c.tenant_id, c.person_id}.ToString());
  out.set_contact(api::ContactName{c.tenant_id, c.contact_id}.ToString());
  out.set_desk(api::DeskName{c.tenant_id, c.desk_id}.ToString());
  out.set_state(ToProto(c.state));
  if (c.close_reason) out.set_close_reason(ToProto(*c.close_reason));
  out.set_assignee(c.assignee);
  if (c.pact) {
    v1::InclusionPact* pact = out.mutable_pact();
    for (const std::string& goal : c.pact->goals) pact->add_goals(goal);
    for (const std::string& commitment : c.pact->commitments) pact->add_commitments(commitment);
    for (const std::string& support : c.pact->supports) pact->add_supports(support);
    for (const PactMeeting& m : c.pact->meetings) {
      v1::PactMeeting* meeting = pact->add_meetings();
      ToTimestamp(m.start_time, meeting->mutable_start_time());
      meeting->mutable_duration()->set_seconds(absl::ToInt64Seconds(m.duration));
    }
  }
  out.set_pact_erased(c.pact_erased);
  for (const CaseHistoryEntry& e : c.history) {
    v1::CaseHistoryEntry* entry = out.add_history();
    ToTimestamp(e.time, entry->mutable_time());
    entry->set_actor(e.actor);
    if (e.from_state) entry->set_from_state(ToProto(*e.from_state));
    if (e.to_state) entry->set_to_state(ToProto(*e.to_state));
    if (e.close_reason) entry->set_close_reason(ToProto(*e.close_reason));
    entry->set_assigned(e.assigned);
    entry->set_assignee(e.assignee);
  }
  ToTimestamp(c.create_time, out.mutable_create_time());
  ToTimestamp(c.update_time, out.mutable_update_time());
  return out;
}

std::optional<Sex> FromProto(v1::Sex sex) {
  switch (sex) {
    case v1::SEX_FEMALE:
      return Sex::kFemale;
    case v1::SEX_MALE:
      return Sex::kMale;
    default:
      return std::nullopt;
  }
}

std::optional<ConsentKind> FromProto(v1::ConsentKind kind) {
  switch (kind) {
    case v1::CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES:
      return ConsentKind::kShareWithReferralBodies;
    case v1::CONSENT_KIND_CONTACT_BY_SMS:
      return ConsentKind::kContactBySms;
    case v1::CONSENT_KIND_CONTACT_BY_EMAIL:
      return ConsentKind::kContactByEmail;
    default:
      return std::nullopt;
  }
}

std::optional<ContactChannel> FromProto(v1::ContactChannel channel) {
  switch (channel) {
    case v1::CONTACT_CHANNEL_APPOINTMENT:
      return ContactChannel::kAppointment;
    case v1::CONTACT_CHANNEL_WALK_IN:
      return ContactChannel::kWalkIn;
    case v1::CONTACT_CHANNEL_PHONE:
      return ContactChannel::kPhone;
    case v1::CONTACT_CHANNEL_EMAIL:
      return ContactChannel::kEmail;
    default:
      return std::nullopt;
  }
}

std::optional<NeedArea> FromProto(v1::NeedArea area) {
  if (area <= v1::NEED_AREA_UNSPECIFIED || area > v1::NEED_AREA_OTHER) return std::nullopt;
  return static_cast<NeedArea>(static_cast<int>(area) - 1);
}

std::optional<ContactOutcome> FromProto(v1::ContactOutcome outcome) {
  switch (outcome) {
    case v1::CONTACT_OUTCOME_INFORMATION_ONLY:
      return ContactOutcome::kInformationOnly;
    case v1::CONTACT_OUTCOME_REFERRED:
      return ContactOutcome::kReferred;
    case v1::CONTACT_OUTCOME_CASE_OPENED:
      return ContactOutcome::kCaseOpened;
    default:
      return std::nullopt;
  }
}

v1::Person ToProto(const Person& p) {
  v1::Person out;
  out.set_name(api::PersonName{p.tenant_id, p.id}.ToString());
  out.set_erased(p.erased);
  out.set_processing_restricted(p.processing_restricted);
  if (!p.erased && !p.identity_withheld) {
    const Identity& id = p.identity;
    out.set_given_name(id.given_name);
    out.set_family_name(id.family_name);
    out.set_codice_fiscale(id.codice_fiscale);
    out.set_codice_fiscale_missing(id.codice_fiscale.empty());
    *out.mutable_birth_date() = api::ToDate(id.birth_date);
    out.set_sex(ToProto(id.sex));
    out.set_citizenship(id.citizenship);
    ToProto(id.address, out.mutable_address());
    out.set_phone_number(id.phone_number);
    out.set_email(id.email);
    for (const HouseholdMember& m : id.household) {
      v1::HouseholdMember* member = out.add_household();
      if (!m.person_id.empty()) {
        member->set_person(api::PersonName{p.tenant_id, m.person_id}.ToString());
      }
      member->set_given_name(m.given_name);
      member->set_family_name(m.family_name);
      if (m.birth_date) *member->mutable_birth_date() = api::ToDate(*m.birth_date);
      member->set_relation(static_cast<v1::HouseholdRelation>(static_cast<int>(m.relation) + 1));
      member->set_legal_role(static_cast<v1::LegalRole>(static_cast<int>(m.legal_role) + 1));
    }
  }
  out.set_privacy_notice_version(p.privacy_notice_version);
  ToTimestamp(p.privacy_notice_time, out.mutable_privacy_notice_time());
  out.set_privacy_notice_recorded_by(p.privacy_notice_recorded_by);
  for (const Consent& c : p.consents) {
    v1::Consent* consent = out.add_consents();
    consent->set_kind(ToProto(c.kind));
    consent->set_granted(c.granted);
    ToTimestamp(c.record_time, consent->mutable_record_time());
    consent->set_recorded_by(c.recorded_by);
  }
  ToTimestamp(p.create_time, out.mutable_create_time());
  ToTimestamp(p.update_time, out.mutable_update_time());
  return out;
}

v1::Contact ToProto(const Contact& c) {
  v1::Contact out;
  out.set_name(api::ContactName{c.tenant_id, c.id}.ToString());
  if (!c.person_id.empty()) out.set_person(api::PersonName{c.tenant_id, c.person_id}.ToString());
  out.set_desk(api::DeskName{c.tenant_id, c.desk_id}.ToString());
  out.set_channel(ToProto(c.channel));
  ToTimestamp(c.contact_time, out.mutable_contact_time());
  out.set_operator_(c.operator_subject);
  for (NeedArea area : c.need_areas) out.add_need_areas(ToProto(area));
  out.set_information_given(c.information_given);
  out.set_outcome(ToProto(c.outcome));
  if (!c.appointment_id.empty()) {
    out.set_appointment(api::AppointmentName{c.tenant_id, c.appointment_id}.ToString());
  }
  ToTimestamp(c.create_time, out.mutable_create_time());
  return out;
}

std::vector<HouseholdMember> HouseholdFromProto(
    const google::protobuf::RepeatedPtrField<v1::HouseholdMember>& proto, const std::string& tenant,
    status::FieldViolations& violations) {
  std::vector<HouseholdMember> household;
  for (int i = 0; i < proto.size(); ++i) {
    const v1::HouseholdMember& m = proto[i];
    const std::string field = absl::StrCat("person.household[", i, "]");
    HouseholdMember member;
    if (!m.person().empty()) {
      if (auto person =
              api::ParseName<api::PersonName>(m.person(), field + ".person", violations)) {
        if (person->tenant != tenant) {
          violations.Add(field + ".person", "must belong to the same tenant");
        }
        member.person_id = person->person;
      }
    }
    member.given_name = m.given_name();
    member.family_name = m.family_name();
    if (m.has_birth_date()) {
      member.birth_date = api::ParseDate(true, m.birth_date(), field + ".birth_date", violations);
    }
    if (m.relation() <= v1::HOUSEHOLD_RELATION_UNSPECIFIED ||
        m.relation() > v1::HOUSEHOLD_RELATION_NOT_RELATED) {
      violations.Add(field + ".relation", "must be a specified relation");
    } else {
      member.relation = static_cast<Relation>(static_cast<int>(m.relation()) - 1);
    }
    if (m.legal_role() < v1::LEGAL_ROLE_UNSPECIFIED || m.legal_role() > v1::LEGAL_ROLE_CURATOR) {
      violations.Add(field + ".legal_role", "must be one of the legal roles");
    } else if (m.legal_role() != v1::LEGAL_ROLE_UNSPECIFIED) {
      member.legal_role = static_cast<LegalRole>(static_cast<int>(m.legal_role()) - 1);
    }
    household.push_back(std::move(member));
  }
  return household;
}

Person PersonFromProto(const v1::Person& proto, status::FieldViolations& violations) {
  Person p;
  Identity& id = p.identity;
  id.given_name = proto.given_name();
  id.family_name = proto.family_name();
  id.codice_fiscale = proto.codice_fiscale();
  std::optional<absl::CivilDay> born =
      api::ParseDate(proto.has_birth_date(), proto.birth_date(), "person.birth_date", violations);
  if (born) id.birth_date = *born;
  std::optional<Sex> sex = FromProto(proto.sex());
  if (!sex) {
    violations.Add("person.sex", "must be FEMALE or MALE (as in the codice fiscale)");
  } else {
    id.sex = *sex;
  }
  id.citizenship = proto.citizenship();
  id.address = {proto.address().street_address(), proto.address().postal_code(),
                proto.address().locality(), proto.address().province()};
  id.phone_number = proto.phone_number();
  id.email = proto.email();
  p.privacy_notice_version = proto.privacy_notice_version();
  for (int i = 0; i < proto.consents_size(); ++i) {
    std::optional<ConsentKind> kind = FromProto(proto.consents(i).kind());
    if (!kind) {
      violations.Add(absl::StrCat("person.consents[", i, "].kind"), "must be a specified kind");
      continue;
    }
    p.consents.push_back({*kind, proto.consents(i).granted(), {}, ""});
  }
  return p;
}

Contact ContactFromProto(const v1::Contact& proto, status::FieldViolations& violations) {
  Contact c;
  std::optional<ContactChannel> channel = FromProto(proto.channel());
  if (!channel) {
    violations.Add("contact.channel", "must be APPOINTMENT, WALK_IN, PHONE or EMAIL");
  } else {
    c.channel = *channel;
  }
  std::optional<absl::Time> time = api::ParseTimestamp(
      proto.has_contact_time(), proto.contact_time(), "contact.contact_time", violations);
  if (time) c.contact_time = *time;
  for (int i = 0; i < proto.need_areas_size(); ++i) {
    std::optional<NeedArea> area = FromProto(proto.need_areas(i));
    if (!area) {
      violations.Add(absl::StrCat("contact.need_areas[", i, "]"), "must be a specified area");
      continue;
    }
    c.need_areas.push_back(*area);
  }
  c.information_given = proto.information_given();
  std::optional<ContactOutcome> outcome = FromProto(proto.outcome());
  if (!outcome) {
    violations.Add("contact.outcome", "must be INFORMATION_ONLY, REFERRED or CASE_OPENED");
  } else {
    c.outcome = *outcome;
  }
  return c;
}

}  // namespace sportelli::intake
