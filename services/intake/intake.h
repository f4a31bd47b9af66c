// The intake application: what the gRPC layer asks for, checked against the domain rules and
// the tenants directory, with ids, times, the recording operator and the blind indexes filled
// in, then stored through the repository. A plain class: the gRPC layer maps protos and
// statuses around it, the repository keeps and audits the data.
//
//   ASSIGN_OR_RETURN(pg::Created<Person> created,
//                    intake.CreatePerson(call.OnBehalfOfCaller(), person, who, key, encode));
#ifndef SPORTELLI_SERVICES_INTAKE_INTAKE_H_
#define SPORTELLI_SERVICES_INTAKE_INTAKE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/intake/appointments.h"
#include "services/intake/intake_repository.h"
#include "sportelli/api/names.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/status/errors.h"
#include "sportelli/tenants_client/directory.h"

namespace sportelli::intake {

class Intake {
 public:
  // Pointers must outlive the object. `secret` keys the blind indexes and request fingerprints.
  // `max_attachment_bytes`: the largest attachment body accepted (RESOURCE_EXHAUSTED above).
  Intake(IntakeRepository* repository, tenants_client::Directory* directory,
         AppointmentReader* appointments, const crypto::SecretKey* secret,
         const clock::Clock* clock, prometheus::Registry& registry,
         int64_t max_attachment_bytes = kDefaultMaxAttachmentBytes);

  // Adds the domain's problems with a new person or contact to `violations` (the comune's local
  // day decides what "in the future" means), so that a request is answered with every problem at
  // once. A field that already has a violation (it could not even be read) gets no second one.
  // Fails only when the tenants directory cannot answer.
  absl::Status CheckNewPerson(const auth::OnBehalfOf& caller, const Person& person,
                              status::FieldViolations& violations);
  void CheckNewContact(const Contact& contact, status::FieldViolations& violations);
  absl::Status CheckHousehold(const auth::OnBehalfOf& caller, const std::string& tenant,
                              const std::vector<HouseholdMember>& household,
                              status::FieldViolations& violations);

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

  // A new household (ValidateHousehold against the comune's day; names normalized) and/or
  // consents recorded anew with the time and `who` (at most one per kind).
  absl::StatusOr<Person> UpdatePerson(const auth::OnBehalfOf& caller, const std::string& tenant,
                                      const std::string& id,
                                      std::optional<std::vector<HouseholdMember>> household,
                                      std::optional<std::vector<Consent>> consents,
                                      const audit::Actor& who);

  // The DPO's (the gRPC layer checks the role): restriction of processing and erasure.
  absl::StatusOr<Person> SetProcessingRestriction(const std::string& tenant, const std::string& id,
                                                  bool restricted, const audit::Actor& who);
  absl::StatusOr<Person> ErasePerson(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who);

  // `contact`: everything but id, operator and create time. NOT_FOUND for an unknown desk or
  // person. With an appointment (read from scheduling with the caller's token): at its desk
  // (INVALID_ARGUMENT on contact.desk), the citizen checked in or the appointment completed
  // (FAILED_PRECONDITION, reason APPOINTMENT_NOT_ATTENDED).
  absl::StatusOr<pg::Created<Contact>> CreateContact(const auth::OnBehalfOf& caller,
                                                     Contact contact, const audit::Actor& who,
                                                     const pg::RequestKey& key,
                                                     const pg::ResponseEncoder<Contact>& encode);
  absl::StatusOr<Contact> GetContact(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who);
  // A contact not stored, filled from an attended appointment: its desk, the APPOINTMENT
  // channel, now, the operator, and the person registered with the booking's codice fiscale
  // when there is one. FAILED_PRECONDITION, reason APPOINTMENT_NOT_ATTENDED, before check-in.
  absl::StatusOr<Contact> PrefillContact(const auth::OnBehalfOf& caller, const std::string& tenant,
                                         const std::string& appointment_id,
                                         const audit::Actor& who);
  absl::StatusOr<api::Page<Contact>> ListContacts(const std::string& tenant,
                                                  const std::string& person_id,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who);

  // Cases. `who` is the caller; whether they may see a case follows the domain's MaySee, with
  // the desks they serve read from the tenants directory. `break_glass`: the caller stated a
  // reason to open a case they may not normally see; every such access is counted
  // (sportelli_intake_break_glass_total) and recorded as such in the audit trail.
  absl::StatusOr<pg::Created<Case>> OpenCase(const std::string& tenant,
                                             const std::string& contact_id, const audit::Actor& who,
                                             const pg::RequestKey& key,
                                             const pg::ResponseEncoder<Case>& encode);
  absl::StatusOr<Case> GetCase(const auth::OnBehalfOf& caller, const std::string& tenant,
                               const std::string& id, const audit::Actor& who, bool break_glass);
  absl::StatusOr<api::Page<Case>> ListCases(const auth::OnBehalfOf& caller,
                                            const std::string& tenant, const std::string& desk_id,
                                            std::vector<CaseState> states,
                                            const api::PageRequest& page, const audit::Actor& who);
  // Coordinators only (the gRPC layer checks the role). A non-empty assignee must serve the
  // case's desk: FAILED_PRECONDITION, reason ASSIGNEE_NOT_AT_DESK, otherwise.
  absl::StatusOr<Case> AssignCase(const auth::OnBehalfOf& caller, const std::string& tenant,
                                  const std::string& id, const std::string& assignee,
                                  const audit::Actor& who);
  absl::StatusOr<Case> TransitionCase(const auth::OnBehalfOf& caller, const std::string& tenant,
                                      const std::string& id, CaseState to,
                                      std::optional<CloseReason> reason, const audit::Actor& who);
  // Replaces the case's inclusion pact (ValidatePact has passed); meetings put in time order.
  absl::StatusOr<Case> UpdatePact(const auth::OnBehalfOf& caller, const std::string& tenant,
                                  const std::string& id, InclusionPact pact,
                                  const audit::Actor& who);

  // Notes and attachments, under the case's visibility (as GetCase, break-glass included for
  // reading; writing needs the case visible). The author or uploader is `who`.
  absl::StatusOr<pg::Created<Note>> CreateNote(const auth::OnBehalfOf& caller,
                                               const std::string& tenant,
                                               const std::string& case_id, NoteKind kind,
                                               std::string text, const audit::Actor& who,
                                               const pg::RequestKey& key,
                                               const pg::ResponseEncoder<Note>& encode);
  absl::StatusOr<Note> GetNote(const auth::OnBehalfOf& caller, const api::NoteName& name,
                               int version, const audit::Actor& who, bool break_glass);
  absl::StatusOr<api::Page<Note>> ListNotes(const auth::OnBehalfOf& caller,
                                            const std::string& tenant, const std::string& case_id,
                                            const api::PageRequest& page, const audit::Actor& who,
                                            bool break_glass);
  absl::StatusOr<Note> CorrectNote(const auth::OnBehalfOf& caller, const api::NoteName& name,
                                   std::optional<NoteKind> kind, std::optional<std::string> text,
                                   int expected_version, const audit::Actor& who);
  // `attachment`: filename, media type and content as requested (ValidateNewAttachment has
  // passed); CheckAttachmentSize's refusal above the configured size.
  absl::StatusOr<pg::Created<Attachment>> CreateAttachment(
      const auth::OnBehalfOf& caller, Attachment attachment, const audit::Actor& who,
      const pg::RequestKey& key, const pg::ResponseEncoder<Attachment>& encode);
  absl::StatusOr<Attachment> GetAttachment(const auth::OnBehalfOf& caller,
                                           const api::AttachmentName& name, bool with_content,
                                           const audit::Actor& who, bool break_glass);
  absl::StatusOr<api::Page<Attachment>> ListAttachments(const auth::OnBehalfOf& caller,
                                                        const std::string& tenant,
                                                        const std::string& case_id,
                                                        const api::PageRequest& page,
                                                        const audit::Actor& who, bool break_glass);
  int64_t max_attachment_bytes() const { return max_attachment_bytes_; }

  // The comune's destinations (tenant_admin's; the gRPC layer checks). `destination`:
  // display name, kind, transfer tenant, example as requested; ValidateDestination's problems.
  absl::StatusOr<pg::Created<Destination>> CreateDestination(
      Destination destination, const pg::RequestKey& key,
      const pg::ResponseEncoder<Destination>& encode);
  absl::StatusOr<Destination> GetDestination(const std::string& tenant, const std::string& id);
  absl::StatusOr<api::Page<Destination>> ListDestinations(const std::string& tenant,
                                                          bool include_inactive,
                                                          const api::PageRequest& page);
  absl::StatusOr<Destination> UpdateDestination(const std::string& tenant, const std::string& id,
                                                const std::optional<std::string>& display_name,
                                                std::optional<bool> active);

  // Referrals. `referral`: tenant, case, destination, shared fields, message and override
  // reason as requested (ValidateNewReferral has passed); the sender is `who`.
  absl::StatusOr<pg::Created<Referral>> CreateReferral(const auth::OnBehalfOf& caller,
                                                       Referral referral, bool override_consent,
                                                       const audit::Actor& who,
                                                       const pg::RequestKey& key,
                                                       const pg::ResponseEncoder<Referral>& encode);
  // `partner_destination`: the caller's destination when it is a partner, else empty (staff:
  // the case's visibility applies, break-glass included).
  absl::StatusOr<Referral> GetReferral(const auth::OnBehalfOf& caller, const std::string& tenant,
                                       const std::string& id, const audit::Actor& who,
                                       const std::string& partner_destination, bool break_glass);
  absl::StatusOr<api::Page<Referral>> ListReferrals(
      const auth::OnBehalfOf& caller, const std::string& tenant, const ReferralFilter& filter,
      const api::PageRequest& page, const audit::Actor& who, const std::string& partner_destination,
      bool break_glass);
  absl::StatusOr<Referral> TransitionReferral(const auth::OnBehalfOf& caller,
                                              const std::string& tenant, const std::string& id,
                                              ReferralState to, const std::string& reason,
                                              const audit::Actor& who,
                                              const std::string& partner_destination);

 private:
  absl::StatusOr<CaseAccess> AccessOf(const auth::OnBehalfOf& caller, const std::string& tenant,
                                      const audit::Actor& who, bool break_glass);
  absl::StatusOr<ReferralAccess> ReferralAccessOf(const auth::OnBehalfOf& caller,
                                                  const std::string& tenant,
                                                  const audit::Actor& who,
                                                  const std::string& partner_destination,
                                                  bool break_glass);

  IntakeRepository* const repository_;
  tenants_client::Directory* const directory_;
  AppointmentReader* const appointments_;
  const crypto::SecretKey* const secret_;
  const clock::Clock* const clock_;
  prometheus::Family<prometheus::Counter>* break_glass_;
  const int64_t max_attachment_bytes_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_INTAKE_H_
