// The intake application: what the gRPC layer asks for, checked against the domain rules and
// the tenants directory, with ids, times, the recording operator and the blind indexes filled
// in, then stored through the repository. A plain class: the gRPC layer maps protos and
// statuses around it, the repository keeps and audits the data.
//
//   ASSIGN_OR_RETURN(pg::Created<Person> created,
//                    intake.CreatePerson(call.OnBehalfOfCaller(), person, who, key, encode));
#ifndef SPORTELLI_SERVICES_INTAKE_INTAKE_H_
#define SPORTELLI_SERVICES_INTAKE_INTAKE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/intake/intake_repository.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/status/errors.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::intake {

class Intake {
 public:
  // Pointers must outlive the object. `secret` keys the blind indexes and request fingerprints.
  Intake(IntakeRepository* repository, tenants_client::Directory* directory,
         const crypto::SecretKey* secret, const clock::Clock* clock)
      : repository_(repository), directory_(directory), secret_(secret), clock_(clock) {}

  // Adds the domain's problems with a new person or contact to `violations` (the comune's local
  // day decides what "in the future" means), so that a request is answered with every problem at
  // once. A field that already has a violation (it could not even be read) gets no second one.
  // Fails only when the tenants directory cannot answer.
  absl::Status CheckNewPerson(const auth::OnBehalfOf& caller, const Person& person,
                              status::FieldViolations& violations);
  void CheckNewContact(const Contact& contact, status::FieldViolations& violations);

  // `person`: tenant_id, identity, privacy_notice_version and consents (kinds and choices) as
  // requested. INVALID_ARGUMENT with every field violation; ALREADY_EXISTS, reason PERSON_EXISTS.
  absl::StatusOr<pg::Created<Person>> CreatePerson(const auth::OnBehalfOf& caller, Person person,
                                                   const audit::Actor& who,
                                                   const pg::RequestKey& key,
                                                   const pg::ResponseEncoder<Person>& encode);
  absl::StatusOr<Person> GetPerson(const std::string& tenant, const std::string& id,
                                   const audit::Actor& who);
  // Exactly one of: a codice fiscale, or a family name with a birth date (the gRPC layer has
  // checked which was given).
  absl::StatusOr<api::Page<Person>> SearchByCodiceFiscale(const std::string& tenant,
                                                          const std::string& codice_fiscale,
                                                          const api::PageRequest& page,
                                                          const audit::Actor& who);
  absl::StatusOr<api::Page<Person>> SearchByFamilyNameAndBirthDate(const std::string& tenant,
                                                                   const std::string& family_name,
                                                                   absl::CivilDay birth_date,
                                                                   const api::PageRequest& page,
                                                                   const audit::Actor& who);

  // `contact`: everything but id, operator and create time. NOT_FOUND for an unknown desk or
  // person.
  absl::StatusOr<pg::Created<Contact>> CreateContact(const auth::OnBehalfOf& caller,
                                                     Contact contact, const audit::Actor& who,
                                                     const pg::RequestKey& key,
                                                     const pg::ResponseEncoder<Contact>& encode);
  absl::StatusOr<Contact> GetContact(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who);
  absl::StatusOr<api::Page<Contact>> ListContacts(const std::string& tenant,
                                                  const std::string& person_id,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who);

 private:
  IntakeRepository* const repository_;
  tenants_client::Directory* const directory_;
  const crypto::SecretKey* const secret_;
  const clock::Clock* const clock_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_INTAKE_H_
