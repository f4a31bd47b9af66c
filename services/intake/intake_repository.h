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
  // Called when `break_glass` let the caller in (the caller counts it); may be empty.
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
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_INTAKE_REPOSITORY_H_
