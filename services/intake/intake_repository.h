// Where intake keeps persons and contacts. Every method runs in one transaction of the comune,
// seals and opens personal data under the person's key (libs/keyring) and records the access in
// the audit trail (libs/audit) in that same transaction: an access whose audit row cannot be
// written fails.
#ifndef SPORTELLI_SERVICES_INTAKE_INTAKE_REPOSITORY_H_
#define SPORTELLI_SERVICES_INTAKE_INTAKE_REPOSITORY_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "services/intake/domain/case.h"
#include "services/intake/domain/case_records.h"
#include "services/intake/domain/records.h"
#include "services/intake/domain/referral.h"
#include "sportelli/api/pagination.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/pg/request_key.h"

namespace sportelli::intake {

struct NewPerson {
  Person person;  // validated and normalized; id, times and recorders set
  // Blind indexes (raw bytes): the key's subject, the codice fiscale's (empty without one) and
  // the family name with the birth date.
  std::string subject_index;
  std::string codice_fiscale_index;
  std::string family_name_birth_index;
  audit::Actor who;
};

// One of the two exact searches, by blind index (raw bytes).
struct PersonSearch {
  std::string codice_fiscale_index;
  std::string family_name_birth_index;
};

struct NewContact {
  Contact contact;  // validated; id, operator and times set
  // For an anonymous contact, a fresh random subject for the key sealing its information.
  std::string anonymous_subject_index;
  audit::Actor who;
};

struct NewCase {
  Case opened;  // id, times set; person, desk read from the contact
  audit::Actor who;
};

// Who accesses a case and may they: the repository reads the case, then lets `viewer` see it
// (domain MaySee), or, with `break_glass`, lets anyone of the comune's staff in and records the
// access as such; otherwise PERMISSION_DENIED, reason CASE_NOT_VISIBLE, and nothing is read.
struct CaseAccess {
  audit::Actor who;
  CaseViewer viewer;
  bool break_glass = false;
  // Called when `break_glass` let the caller in (the caller counts it, once per request); may
  // be empty.
  std::function<void()> on_break_glass;
};

// A note's or an attachment's id, times and writer are set; the case's visibility decides.
struct NewNote {
  Note note;
  CaseAccess access;
};
struct NewAttachment {
  Attachment attachment;  // with its content and digest
  CaseAccess access;
};

// Who reaches a referral: the comune's staff through its case (`staff`: the case's visibility
// and break-glass apply), or a partner through its destination (it reaches the referrals sent
// there and nothing else; another one is NOT_FOUND, as an unknown one).
struct ReferralAccess {
  CaseAccess staff;
  std::string partner_destination;  // non-empty: the caller is this destination's partner
  bool partner() const { return !partner_destination.empty(); }
};

struct NewReferral {
  Referral referral;  // id, times, sender, fields, message, override reason set
  bool override_requested = false;
  CaseAccess access;
};

// Which referrals to list: a case's, or a destination's (exactly one is set).
struct ReferralFilter {
  std::string case_id;
  std::string destination_id;
  std::vector<ReferralState> states;  // empty: all
};

class IntakeRepository {
 public:
  virtual ~IntakeRepository() = default;

  // ALREADY_EXISTS, reason PERSON_EXISTS, when the comune has a person with that codice fiscale
  // (the message names that person's resource).
  virtual absl::StatusOr<pg::Created<Person>> CreatePerson(
      const NewPerson& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Person>& encode) = 0;
  // NOT_FOUND for an unknown person.
  virtual absl::StatusOr<Person> GetPerson(const std::string& tenant, const std::string& id,
                                           const audit::Actor& who) = 0;
  // Ordered by id.
  virtual absl::StatusOr<api::Page<Person>> SearchPersons(const std::string& tenant,
                                                          const PersonSearch& search,
                                                          const api::PageRequest& page,
                                                          const audit::Actor& who) = 0;

  // Replaces the household and/or records consents anew (kinds not given stay); NOT_FOUND for
  // an unknown person or linked member, INVALID_ARGUMENT when a member is the person,
  // FAILED_PRECONDITION (PROCESSING_RESTRICTED, PERSON_ERASED) for who cannot be processed.
  virtual absl::StatusOr<Person> UpdatePerson(
      const std::string& tenant, const std::string& id,
      const std::optional<std::vector<HouseholdMember>>& household,
      const std::optional<std::vector<Consent>>& consents, const audit::Actor& who,
      absl::Time now) = 0;

  // The DPO's: sets or lifts the restriction of processing (GDPR art. 18), recorded as
  // "person.restriction"; the person without identity.
  virtual absl::StatusOr<Person> SetProcessingRestriction(const std::string& tenant,
                                                          const std::string& id, bool restricted,
                                                          const audit::Actor& who,
                                                          absl::Time now) = 0;
  // The DPO's erasure: shreds the person's key (FAILED_PRECONDITION, reason
  // PERSON_HAS_OPEN_CASES, while a case of theirs is not CLOSED), recorded as "person.erasure".
  virtual absl::StatusOr<Person> ErasePerson(const std::string& tenant, const std::string& id,
                                             const audit::Actor& who, absl::Time now) = 0;

  // NOT_FOUND (reason RESOURCE_NOT_FOUND) when the contact names an unknown person.
  virtual absl::StatusOr<pg::Created<Contact>> CreateContact(
      const NewContact& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Contact>& encode) = 0;
  virtual absl::StatusOr<Contact> GetContact(const std::string& tenant, const std::string& id,
                                             const audit::Actor& who) = 0;
  // A person's contacts, newest first; NOT_FOUND for an unknown person.
  virtual absl::StatusOr<api::Page<Contact>> ListContacts(const std::string& tenant,
                                                          const std::string& person_id,
                                                          const api::PageRequest& page,
                                                          const audit::Actor& who) = 0;

  // From `contact_id`: NOT_FOUND for an unknown contact, FAILED_PRECONDITION (reason
  // CONTACT_NOT_CASE_OPENED) unless its outcome was CASE_OPENED, ALREADY_EXISTS (reason
  // CASE_EXISTS) when the contact already has its case.
  virtual absl::StatusOr<pg::Created<Case>> OpenCase(const std::string& tenant,
                                                     const std::string& contact_id,
                                                     const NewCase& request,
                                                     const pg::RequestKey& key,
                                                     const pg::ResponseEncoder<Case>& encode) = 0;
  // With its history.
  virtual absl::StatusOr<Case> GetCase(const std::string& tenant, const std::string& id,
                                       const CaseAccess& access) = 0;
  // The desk's cases in `states` that `access.viewer` may see, most recently updated first,
  // without their history; the page key is (update time in microseconds, id), descending.
  virtual absl::StatusOr<api::Page<Case>> ListCases(const std::string& tenant,
                                                    const std::string& desk_id,
                                                    const std::vector<CaseState>& states,
                                                    const CaseAccess& access,
                                                    const api::PageRequest& page) = 0;
  // Coordinators' (the caller checks): a new assignee (empty: nobody), recorded in the history.
  virtual absl::StatusOr<Case> AssignCase(const std::string& tenant, const std::string& id,
                                          const std::string& assignee, const CaseAccess& access,
                                          absl::Time now) = 0;
  // Replaces the case's inclusion pact (validated, normalized); a CLOSED case is not edited
  // (FAILED_PRECONDITION, reason CASE_CLOSED). The case with its history and pact.
  virtual absl::StatusOr<Case> UpdatePact(const std::string& tenant, const std::string& id,
                                          const InclusionPact& pact, const CaseAccess& access,
                                          absl::Time now) = 0;
  // CheckTransition's refusals, or the move recorded in the history.
  virtual absl::StatusOr<Case> TransitionCase(const std::string& tenant, const std::string& id,
                                              CaseState to, std::optional<CloseReason> reason,
                                              const CaseAccess& access, absl::Time now) = 0;

  // ---- notes and attachments of a case: each access first passes the case's visibility
  // (ReadCase's refusals), then CheckCaseTakesRecords for a write. Sealed under the case's
  // person's key. NOT_FOUND for an unknown case or note.
  virtual absl::StatusOr<pg::Created<Note>> CreateNote(const NewNote& request,
                                                       const pg::RequestKey& key,
                                                       const pg::ResponseEncoder<Note>& encode) = 0;
  // The latest version, or `version` (0: the latest; NOT_FOUND beyond it).
  virtual absl::StatusOr<Note> GetNote(const std::string& tenant, const std::string& case_id,
                                       const std::string& note_id, int version,
                                       const CaseAccess& access) = 0;
  // The case's notes in their latest versions, newest first; the page key is (create time in
  // microseconds, id), descending.
  virtual absl::StatusOr<api::Page<Note>> ListNotes(const std::string& tenant,
                                                    const std::string& case_id,
                                                    const CaseAccess& access,
                                                    const api::PageRequest& page) = 0;
  // A new version: `kind` and `text` as given, or as they were (CheckNoteCorrection's
  // refusals).
  virtual absl::StatusOr<Note> CorrectNote(const std::string& tenant, const std::string& case_id,
                                           const std::string& note_id, std::optional<NoteKind> kind,
                                           std::optional<std::string> text, int expected_version,
                                           const CaseAccess& access, absl::Time now) = 0;

  virtual absl::StatusOr<pg::Created<Attachment>> CreateAttachment(
      const NewAttachment& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Attachment>& encode) = 0;
  // Its metadata, and its content when `with_content`.
  virtual absl::StatusOr<Attachment> GetAttachment(const std::string& tenant,
                                                   const std::string& case_id,
                                                   const std::string& attachment_id,
                                                   bool with_content, const CaseAccess& access) = 0;
  // Metadata only, newest first; the page key as ListNotes'.
  virtual absl::StatusOr<api::Page<Attachment>> ListAttachments(const std::string& tenant,
                                                                const std::string& case_id,
                                                                const CaseAccess& access,
                                                                const api::PageRequest& page) = 0;

  // ---- the comune's destinations (tenant_admin's catalog; not personal data, not audited) ---
  virtual absl::StatusOr<pg::Created<Destination>> CreateDestination(
      const Destination& destination, const pg::RequestKey& key,
      const pg::ResponseEncoder<Destination>& encode) = 0;
  virtual absl::StatusOr<Destination> GetDestination(const std::string& tenant,
                                                     const std::string& id) = 0;
  // Ordered by id; `include_inactive`: those that take no new referrals too.
  virtual absl::StatusOr<api::Page<Destination>> ListDestinations(const std::string& tenant,
                                                                  bool include_inactive,
                                                                  const api::PageRequest& page) = 0;
  virtual absl::StatusOr<Destination> UpdateDestination(
      const std::string& tenant, const std::string& id,
      const std::optional<std::string>& display_name, std::optional<bool> active,
      absl::Time now) = 0;

  // ---- referrals --------------------------------------------------------------------------
  // From a case the sender may see, not CLOSED, to an active destination of the comune
  // (NOT_FOUND; FAILED_PRECONDITION, reason DESTINATION_INACTIVE), with the person's consent
  // or a coordinator's override (CheckReferralConsent); ALREADY_EXISTS, reason
  // REFERRAL_UNDER_WAY, while another referral of the case to that destination is SENT or
  // ACCEPTED. The snapshot of the shared fields is taken now.
  virtual absl::StatusOr<pg::Created<Referral>> CreateReferral(
      const NewReferral& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Referral>& encode) = 0;
  // With its history; as the partner sees it when the caller is one (PartnerView).
  virtual absl::StatusOr<Referral> GetReferral(const std::string& tenant, const std::string& id,
                                               const ReferralAccess& access) = 0;
  // Newest first; the page key is (create time in microseconds, id), descending. A case's
  // referrals pass its visibility; a destination's are its partner's or a coordinator's (the
  // caller checks).
  virtual absl::StatusOr<api::Page<Referral>> ListReferrals(const std::string& tenant,
                                                            const ReferralFilter& filter,
                                                            const ReferralAccess& access,
                                                            const api::PageRequest& page) = 0;
  // CheckReferralTransition's refusals, or the move recorded in the history.
  virtual absl::StatusOr<Referral> TransitionReferral(const std::string& tenant,
                                                      const std::string& id, ReferralState to,
                                                      const std::string& reason,
                                                      const ReferralAccess& access,
                                                      absl::Time now) = 0;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_INTAKE_REPOSITORY_H_
