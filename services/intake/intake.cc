#include "services/intake/intake.h"

#include <algorithm>
#include <utility>

#include "services/intake/domain/rules.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/crypto/random.h"
#include "sportelli/server/request_ids.h"
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

absl::Status Intake::CheckNewPerson(const auth::OnBehalfOf& caller, const Person& person,
                                    status::FieldViolations& violations) {
  ASSIGN_OR_RETURN(absl::TimeZone zone, directory_->GetTimeZone(caller, person.tenant_id));
  MergeUnreported(ValidateNewPerson(person, absl::ToCivilDay(clock_->Now(), zone)), violations);
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

absl::StatusOr<pg::Created<Contact>> Intake::CreateContact(
    const auth::OnBehalfOf& caller, Contact contact, const audit::Actor& who,
    const pg::RequestKey& key, const pg::ResponseEncoder<Contact>& encode) {
  const absl::Time now = clock_->Now();
  RETURN_IF_ERROR(ValidateNewContact(contact, now).ToStatus());
  // The desk must exist in the comune (NOT_FOUND otherwise), as the tenants service says now.
  RETURN_IF_ERROR(directory_->GetDesk(caller, contact.tenant_id, contact.desk_id).status());
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

}  // namespace sportelli::intake
