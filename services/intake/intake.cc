#include "services/intake/intake.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/intake/domain/rules.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {

namespace {

void MergeUnreported(const status::FieldViolations& more, status::FieldViolations& violations) {
  for (const auto& [field, description] : more.violations()) {
    bool reported = false;
    for (const auto& [seen, ignored] : violations.violations())
      reported = reported || seen == field;
    if (!reported) violations.Add(field, description);
  }
}

}  // namespace

Intake::Intake(IntakeRepository* repository, tenants_client::Directory* directory,
               AppointmentReader* appointments, const crypto::SecretKey* secret,
               const clock::Clock* clock, prometheus::Registry& registry,
               int64_t max_attachment_bytes)
    : repository_(repository),
      directory_(directory),
      appointments_(appointments),
      secret_(secret),
      clock_(clock),
      break_glass_(&prometheus::BuildCounter()
                        .Name("sportelli_intake_break_glass_total")
                        .Help("Cases opened by staff who may not normally see them, stating a "
                              "reason (break-glass), by comune.")
                        .Register(registry)),
      max_attachment_bytes_(max_attachment_bytes) {}

absl::Status Intake::CheckNewPerson(const auth::OnBehalfOf& caller, const Person& person,
                                    status::FieldViolations& violations) {
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, person.tenant_id));
  MergeUnreported(ValidateNewPerson(person, absl::ToCivilDay(clock_->Now(), zone)), violations);
  return absl::OkStatus();
}

absl::Status Intake::CheckHousehold(const auth::OnBehalfOf& caller, const std::string& tenant,
                                    const std::vector<HouseholdMember>& household,
                                    status::FieldViolations& violations) {
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant));
  MergeUnreported(ValidateHousehold(household, absl::ToCivilDay(clock_->Now(), zone)), violations);
  return absl::OkStatus();
}

void Intake::CheckNewContact(const Contact& contact, status::FieldViolations& violations) {
  MergeUnreported(ValidateNewContact(contact, clock_->Now()), violations);
}

absl::StatusOr<pg::Created<Person>> Intake::CreatePerson(
    const auth::OnBehalfOf& caller, Person person, const audit::Actor& who,
    const pg::RequestKey& key, const pg::ResponseEncoder<Person>& encode) {
  const absl::Time now = clock_->Now();
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, person.tenant_id));
  RETURN_IF_ERROR(ValidateNewPerson(person, absl::ToCivilDay(now, zone)).ToStatus());

  NewPerson request;
  request.who = who;
  person.identity = NormalizedIdentity(std::move(person.identity));
  person.id = crypto::RandomResourceId("p");
  person.create_time = now;
  person.update_time = now;
  person.privacy_notice_time = now;
  person.privacy_notice_recorded_by = who.subject;
  for (Consent& consent : person.consents) {
    consent.record_time = now;
    consent.recorded_by = who.subject;
  }
  std::sort(person.consents.begin(), person.consents.end(),
            [](const Consent& a, const Consent& b) { return a.kind < b.kind; });
  const std::string& tenant = person.tenant_id;
  if (!person.identity.codice_fiscale.empty()) {
    request.codice_fiscale_index =
        citizen::CitizenIndex(*secret_, tenant, person.identity.codice_fiscale);
  }
  // The key's subject: the code's index, so that erasing "this codice fiscale" reaches the
  // person; without a code, a random subject nobody can derive.
  request.subject_index =
      request.codice_fiscale_index.empty() ? crypto::RandomBytes(32) : request.codice_fiscale_index;
  ASSIGN_OR_RETURN(std::string family, citizen::NormalizeFamilyName(person.identity.family_name));
  request.family_name_birth_index =
      citizen::FamilyNameBirthIndex(*secret_, tenant, family, person.identity.birth_date);
  request.person = std::move(person);
  return repository_->CreatePerson(
      request, server::WithKeyedFingerprint(key, *secret_, request.person.tenant_id), encode);
}

absl::StatusOr<Person> Intake::GetPerson(const std::string& tenant, const std::string& id,
                                         const audit::Actor& who) {
  return repository_->GetPerson(tenant, id, who);
}

absl::StatusOr<api::Page<Person>> Intake::SearchByCodiceFiscale(const std::string& tenant,
                                                                const std::string& codice_fiscale,
                                                                const api::PageRequest& page,
                                                                const audit::Actor& who) {
  ASSIGN_OR_RETURN(std::string code, citizen::NormalizeCodiceFiscale(codice_fiscale));
  PersonSearch search;
  search.codice_fiscale_index = citizen::CitizenIndex(*secret_, tenant, code);
  return repository_->SearchPersons(tenant, search, page, who);
}

absl::StatusOr<api::Page<Person>> Intake::SearchByFamilyNameAndBirthDate(
    const std::string& tenant, const std::string& family_name, absl::CivilDay birth_date,
    const api::PageRequest& page, const audit::Actor& who) {
  ASSIGN_OR_RETURN(std::string family, citizen::NormalizeFamilyName(family_name));
  PersonSearch search;
  search.family_name_birth_index =
      citizen::FamilyNameBirthIndex(*secret_, tenant, family, birth_date);
  return repository_->SearchPersons(tenant, search, page, who);
}

absl::StatusOr<Person> Intake::UpdatePerson(const auth::OnBehalfOf& caller,
                                            const std::string& tenant, const std::string& id,
                                            std::optional<std::vector<HouseholdMember>> household,
                                            std::optional<std::vector<Consent>> consents,
                                            const audit::Actor& who) {
  const absl::Time now = clock_->Now();
  status::FieldViolations violations;
  if (household) {
    ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, tenant));
    violations.Merge(ValidateHousehold(*household, absl::ToCivilDay(now, zone)));
    Identity normalized;
    normalized.household = std::move(*household);
    household = NormalizedIdentity(std::move(normalized)).household;
  }
  if (consents) {
    std::set<ConsentKind> kinds;
    for (size_t i = 0; i < consents->size(); ++i) {
      Consent& consent = (*consents)[i];
      if (!kinds.insert(consent.kind).second) {
        violations.Add(absl::StrCat("person.consents[", i, "].kind"), "is given twice");
      }
      consent.record_time = now;
      consent.recorded_by = who.subject;
    }
  }
  RETURN_IF_ERROR(violations.ToStatus());
  return repository_->UpdatePerson(tenant, id, household, consents, who, now);
}

absl::StatusOr<Person> Intake::SetProcessingRestriction(const std::string& tenant,
                                                        const std::string& id, bool restricted,
                                                        const audit::Actor& who) {
  return repository_->SetProcessingRestriction(tenant, id, restricted, who, clock_->Now());
}

absl::StatusOr<Person> Intake::ErasePerson(const std::string& tenant, const std::string& id,
                                           const audit::Actor& who) {
  return repository_->ErasePerson(tenant, id, who, clock_->Now());
}

absl::StatusOr<pg::Created<Contact>> Intake::CreateContact(
    const auth::OnBehalfOf& caller, Contact contact, const audit::Actor& who,
    const pg::RequestKey& key, const pg::ResponseEncoder<Contact>& encode) {
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(ValidateNewContact(contact, now).ToStatus());
  // The desk must exist in the comune (NOT_FOUND otherwise), as the tenants service says now.
  RETURN_IF_ERROR(directory_->GetDesk(caller, contact.tenant_id, contact.desk_id).status());
  if (!contact.appointment_id.empty()) {
    // The appointment as scheduling says, to the caller: at this desk, and the citizen came.
    ASSIGN_OR_RETURN(AppointmentFacts facts,
                     appointments_->Get(caller, contact.tenant_id, contact.appointment_id));
    if (facts.desk_id != contact.desk_id) {
      status::FieldViolations violations;
      violations.Add("contact.desk", "must be the appointment's desk");
      return violations.ToStatus();
    }
    if (!facts.attended) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           "the citizen has not been checked in for this appointment",
                           "APPOINTMENT_NOT_ATTENDED");
    }
  }
  NewContact request;
  request.who = who;
  contact.id = crypto::RandomResourceId("c");
  contact.operator_subject = who.subject;
  contact.create_time = now;
  if (contact.person_id.empty()) request.anonymous_subject_index = crypto::RandomBytes(32);
  request.contact = std::move(contact);
  return repository_->CreateContact(
      request, server::WithKeyedFingerprint(key, *secret_, request.contact.tenant_id), encode);
}

absl::StatusOr<Contact> Intake::PrefillContact(const auth::OnBehalfOf& caller,
                                               const std::string& tenant,
                                               const std::string& appointment_id,
                                               const audit::Actor& who) {
  ASSIGN_OR_RETURN(AppointmentFacts facts, appointments_->Get(caller, tenant, appointment_id));
  if (!facts.attended) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the citizen has not been checked in for this appointment",
                         "APPOINTMENT_NOT_ATTENDED");
  }
  Contact draft;
  draft.tenant_id = tenant;
  draft.desk_id = facts.desk_id;
  draft.channel = ContactChannel::kAppointment;
  draft.appointment_id = appointment_id;
  draft.contact_time = clock_->Now();
  draft.operator_subject = who.subject;
  if (!facts.codice_fiscale.empty() && !citizen::CheckCodiceFiscale(facts.codice_fiscale)) {
    // The person registered with that code, if any (an audited search, as the operator's).
    api::PageRequest first;
    first.limit = 1;
    ASSIGN_OR_RETURN(api::Page<Person> found,
                     SearchByCodiceFiscale(tenant, facts.codice_fiscale, first, who));
    if (!found.items.empty()) draft.person_id = found.items.front().id;
  }
  return draft;
}

absl::StatusOr<Contact> Intake::GetContact(const std::string& tenant, const std::string& id,
                                           const audit::Actor& who) {
  return repository_->GetContact(tenant, id, who);
}

absl::StatusOr<api::Page<Contact>> Intake::ListContacts(const std::string& tenant,
                                                        const std::string& person_id,
                                                        const api::PageRequest& page,
                                                        const audit::Actor& who) {
  return repository_->ListContacts(tenant, person_id, page, who);
}

// ---- cases ------------------------------------------------------------------------------------

absl::StatusOr<CaseAccess> Intake::AccessOf(const auth::OnBehalfOf& caller,
                                            const std::string& tenant, const audit::Actor& who,
                                            bool break_glass) {
  CaseAccess access;
  access.who = who;
  access.viewer.subject = who.subject;
  access.viewer.coordinator =
      std::find(who.roles.begin(), who.roles.end(), "coordinator") != who.roles.end();
  if (!access.viewer.coordinator) {
    ASSIGN_OR_RETURN(access.viewer.desks,
                     directory_->GetOperatorDesks(caller, tenant, who.subject));
  }
  access.break_glass = break_glass;
  if (break_glass) {
    // Once per request, however many records it opens and however often its transaction is
    // retried (the copies of `access` share the flag).
    access.on_break_glass = [counter = &break_glass_->Add({{"tenant", tenant}}),
                             counted = std::make_shared<std::atomic<bool>>(false)] {
      if (!counted->exchange(true)) counter->Increment();
    };
  }
  return access;
}

absl::StatusOr<pg::Created<Case>> Intake::OpenCase(const std::string& tenant,
                                                   const std::string& contact_id,
                                                   const audit::Actor& who,
                                                   const pg::RequestKey& key,
                                                   const pg::ResponseEncoder<Case>& encode) {
  NewCase request;
  request.who = who;
  request.opened.id = crypto::RandomResourceId("k");
  request.opened.create_time = clock_->Now();
  request.opened.update_time = request.opened.create_time;
  return repository_->OpenCase(tenant, contact_id, request, key, encode);
}

absl::StatusOr<Case> Intake::GetCase(const auth::OnBehalfOf& caller, const std::string& tenant,
                                     const std::string& id, const audit::Actor& who,
                                     bool break_glass) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, break_glass));
  return repository_->GetCase(tenant, id, access);
}

absl::StatusOr<api::Page<Case>> Intake::ListCases(
    const auth::OnBehalfOf& caller, const std::string& tenant, const std::string& desk_id,
    std::vector<CaseState> states, const api::PageRequest& page, const audit::Actor& who) {
  RETURN_IF_ERROR(directory_->GetDesk(caller, tenant, desk_id).status());
  if (states.empty()) {
    states = {CaseState::kOpen, CaseState::kAssessment, CaseState::kActive, CaseState::kReopened};
  }
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, /*break_glass=*/false));
  return repository_->ListCases(tenant, desk_id, states, access, page);
}

absl::StatusOr<Case> Intake::AssignCase(const auth::OnBehalfOf& caller, const std::string& tenant,
                                        const std::string& id, const std::string& assignee,
                                        const audit::Actor& who) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, /*break_glass=*/false));
  if (!assignee.empty()) {
    ASSIGN_OR_RETURN(Case c, repository_->GetCase(tenant, id, access));
    ASSIGN_OR_RETURN(std::vector<std::string> desks,
                     directory_->GetOperatorDesks(caller, tenant, assignee));
    if (std::find(desks.begin(), desks.end(), c.desk_id) == desks.end()) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           "the assignee does not serve the case's desk (tenants' operators)",
                           "ASSIGNEE_NOT_AT_DESK");
    }
  }
  return repository_->AssignCase(tenant, id, assignee, access, clock_->Now());
}

absl::StatusOr<Case> Intake::TransitionCase(const auth::OnBehalfOf& caller,
                                            const std::string& tenant, const std::string& id,
                                            CaseState to, std::optional<CloseReason> reason,
                                            const audit::Actor& who) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, /*break_glass=*/false));
  return repository_->TransitionCase(tenant, id, to, reason, access, clock_->Now());
}

absl::StatusOr<Case> Intake::UpdatePact(const auth::OnBehalfOf& caller, const std::string& tenant,
                                        const std::string& id, InclusionPact pact,
                                        const audit::Actor& who) {
  RETURN_IF_ERROR(ValidatePact(pact).ToStatus());
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, /*break_glass=*/false));
  return repository_->UpdatePact(tenant, id, NormalizedPact(std::move(pact)), access,
                                 clock_->Now());
}

// ---- notes and attachments --------------------------------------------------------------------

absl::StatusOr<pg::Created<Note>> Intake::CreateNote(const auth::OnBehalfOf& caller,
                                                     const std::string& tenant,
                                                     const std::string& case_id, NoteKind kind,
                                                     std::string text, const audit::Actor& who,
                                                     const pg::RequestKey& key,
                                                     const pg::ResponseEncoder<Note>& encode) {
  NewNote request;
  ASSIGN_OR_RETURN(request.access, AccessOf(caller, tenant, who, /*break_glass=*/false));
  Note& note = request.note;
  note.tenant_id = tenant;
  note.case_id = case_id;
  note.id = crypto::RandomResourceId("n");
  note.kind = kind;
  note.text = std::move(text);
  note.author = who.subject;
  note.create_time = clock_->Now();
  note.update_time = note.create_time;
  return repository_->CreateNote(request, server::WithKeyedFingerprint(key, *secret_, tenant),
                                 encode);
}

absl::StatusOr<Note> Intake::GetNote(const auth::OnBehalfOf& caller, const api::NoteName& name,
                                     int version, const audit::Actor& who, bool break_glass) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, name.tenant, who, break_glass));
  return repository_->GetNote(name.tenant, name.case_id, name.note, version, access);
}

absl::StatusOr<api::Page<Note>> Intake::ListNotes(const auth::OnBehalfOf& caller,
                                                  const std::string& tenant,
                                                  const std::string& case_id,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who, bool break_glass) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, break_glass));
  return repository_->ListNotes(tenant, case_id, access, page);
}

absl::StatusOr<Note> Intake::CorrectNote(const auth::OnBehalfOf& caller, const api::NoteName& name,
                                         std::optional<NoteKind> kind,
                                         std::optional<std::string> text, int expected_version,
                                         const audit::Actor& who) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, name.tenant, who, /*break_glass=*/false));
  return repository_->CorrectNote(name.tenant, name.case_id, name.note, kind, std::move(text),
                                  expected_version, access, clock_->Now());
}

absl::StatusOr<pg::Created<Attachment>> Intake::CreateAttachment(
    const auth::OnBehalfOf& caller, Attachment attachment, const audit::Actor& who,
    const pg::RequestKey& key, const pg::ResponseEncoder<Attachment>& encode) {
  RETURN_IF_ERROR(
      CheckAttachmentSize(static_cast<int64_t>(attachment.content.size()), max_attachment_bytes_));
  NewAttachment request;
  ASSIGN_OR_RETURN(request.access,
                   AccessOf(caller, attachment.tenant_id, who, /*break_glass=*/false));
  attachment.id = crypto::RandomResourceId("f");
  attachment.size_bytes = static_cast<int64_t>(attachment.content.size());
  attachment.sha256_hex = crypto::Sha256Hex(attachment.content);
  attachment.uploader = who.subject;
  attachment.create_time = clock_->Now();
  request.attachment = std::move(attachment);
  return repository_->CreateAttachment(
      request, server::WithKeyedFingerprint(key, *secret_, request.attachment.tenant_id), encode);
}

absl::StatusOr<Attachment> Intake::GetAttachment(const auth::OnBehalfOf& caller,
                                                 const api::AttachmentName& name, bool with_content,
                                                 const audit::Actor& who, bool break_glass) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, name.tenant, who, break_glass));
  return repository_->GetAttachment(name.tenant, name.case_id, name.attachment, with_content,
                                    access);
}

absl::StatusOr<api::Page<Attachment>> Intake::ListAttachments(
    const auth::OnBehalfOf& caller, const std::string& tenant, const std::string& case_id,
    const api::PageRequest& page, const audit::Actor& who, bool break_glass) {
  ASSIGN_OR_RETURN(CaseAccess access, AccessOf(caller, tenant, who, break_glass));
  return repository_->ListAttachments(tenant, case_id, access, page);
}

// ---- destinations and referrals ---------------------------------------------------------------

absl::StatusOr<pg::Created<Destination>> Intake::CreateDestination(
    Destination destination, const pg::RequestKey& key,
    const pg::ResponseEncoder<Destination>& encode) {
  RETURN_IF_ERROR(ValidateDestination(destination).ToStatus());
  destination.id = crypto::RandomResourceId("d");
  destination.active = true;
  destination.create_time = clock_->Now();
  destination.update_time = destination.create_time;
  return repository_->CreateDestination(destination, key, encode);
}

absl::StatusOr<Destination> Intake::GetDestination(const std::string& tenant,
                                                   const std::string& id) {
  return repository_->GetDestination(tenant, id);
}

absl::StatusOr<api::Page<Destination>> Intake::ListDestinations(const std::string& tenant,
                                                                bool include_inactive,
                                                                const api::PageRequest& page) {
  return repository_->ListDestinations(tenant, include_inactive, page);
}

absl::StatusOr<Destination> Intake::UpdateDestination(
    const std::string& tenant, const std::string& id,
    const std::optional<std::string>& display_name, std::optional<bool> active) {
  return repository_->UpdateDestination(tenant, id, display_name, active, clock_->Now());
}

absl::StatusOr<ReferralAccess> Intake::ReferralAccessOf(const auth::OnBehalfOf& caller,
                                                        const std::string& tenant,
                                                        const audit::Actor& who,
                                                        const std::string& partner_destination,
                                                        bool break_glass) {
  ReferralAccess access;
  if (!partner_destination.empty()) {
    access.staff.who = who;
    access.partner_destination = partner_destination;
    return access;
  }
  ASSIGN_OR_RETURN(access.staff, AccessOf(caller, tenant, who, break_glass));
  return access;
}

absl::StatusOr<pg::Created<Referral>> Intake::CreateReferral(
    const auth::OnBehalfOf& caller, Referral referral, bool override_consent,
    const audit::Actor& who, const pg::RequestKey& key,
    const pg::ResponseEncoder<Referral>& encode) {
  NewReferral request;
  ASSIGN_OR_RETURN(request.access,
                   AccessOf(caller, referral.tenant_id, who, /*break_glass=*/false));
  request.override_requested = override_consent;
  referral.id = crypto::RandomResourceId("r");
  referral.sent_by = who.subject;
  referral.create_time = clock_->Now();
  referral.update_time = referral.create_time;
  request.referral = std::move(referral);
  return repository_->CreateReferral(
      request, server::WithKeyedFingerprint(key, *secret_, request.referral.tenant_id), encode);
}

absl::StatusOr<Referral> Intake::GetReferral(const auth::OnBehalfOf& caller,
                                             const std::string& tenant, const std::string& id,
                                             const audit::Actor& who,
                                             const std::string& partner_destination,
                                             bool break_glass) {
  ASSIGN_OR_RETURN(ReferralAccess access,
                   ReferralAccessOf(caller, tenant, who, partner_destination, break_glass));
  return repository_->GetReferral(tenant, id, access);
}

absl::StatusOr<api::Page<Referral>> Intake::ListReferrals(
    const auth::OnBehalfOf& caller, const std::string& tenant, const ReferralFilter& filter,
    const api::PageRequest& page, const audit::Actor& who, const std::string& partner_destination,
    bool break_glass) {
  ASSIGN_OR_RETURN(ReferralAccess access,
                   ReferralAccessOf(caller, tenant, who, partner_destination, break_glass));
  return repository_->ListReferrals(tenant, filter, access, page);
}

absl::StatusOr<Referral> Intake::TransitionReferral(const auth::OnBehalfOf& caller,
                                                    const std::string& tenant,
                                                    const std::string& id, ReferralState to,
                                                    const std::string& reason,
                                                    const audit::Actor& who,
                                                    const std::string& partner_destination) {
  ASSIGN_OR_RETURN(ReferralAccess access, ReferralAccessOf(caller, tenant, who, partner_destination,
                                                           /*break_glass=*/false));
  return repository_->TransitionReferral(tenant, id, to, reason, access, clock_->Now());
}

}  // namespace sportelli::intake
