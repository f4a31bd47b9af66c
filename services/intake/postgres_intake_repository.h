// IntakeRepository on PostgreSQL (schema "intake"): persons' identities sealed as one record
// under the person's key, the information given at a contact sealed under the same key (or a
// key of its own for an anonymous contact), blind indexes for the searches, an audit row in the
// transaction of every access, events through the outbox.
#ifndef SPORTELLI_SERVICES_INTAKE_POSTGRES_INTAKE_REPOSITORY_H_
#define SPORTELLI_SERVICES_INTAKE_POSTGRES_INTAKE_REPOSITORY_H_

#include <string>
#include <vector>

#include "pqxx/transaction"
#include "services/intake/intake_repository.h"
#include "sportelli/audit/audit_log.h"
#include "sportelli/keyring/keyring.h"
#include "sportelli/pg/pool.h"

namespace sportelli::intake {

struct StoredCase;      // postgres_rows.h
struct StoredPerson;    // postgres_rows.h
struct StoredReferral;  // postgres_rows.h

// What the DPO's export (GDPR art. 15) holds of one person, opened: their record, contacts,
// cases with their history, every version of every note, the attachments (metadata: a copy of
// a file is given on request with GetAttachment), and the referrals with what they shared.
struct HeldCase {
  Case c;
  std::vector<Note> note_versions;  // oldest first
  std::vector<Attachment> attachments;
};
struct HeldAboutPerson {
  Person person;
  std::vector<Contact> contacts;
  std::vector<HeldCase> cases;
  std::vector<Referral> referrals;
};

inline constexpr char kSchema[] = "intake";

class PostgresIntakeRepository final : public IntakeRepository {
 public:
  // Pointers must outlive the repository; the keyring's and audit log's schema is "intake".
  PostgresIntakeRepository(pg::ConnectionPool* pool, keyring::Keyring* keyring,
                           const audit::AuditLog* audit)
      : pool_(pool), keyring_(keyring), audit_(audit) {}

  absl::StatusOr<pg::Created<Person>> CreatePerson(
      const NewPerson& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Person>& encode) override;
  absl::StatusOr<Person> GetPerson(const std::string& tenant, const std::string& id,
                                   const audit::Actor& who) override;
  absl::StatusOr<api::Page<Person>> SearchPersons(const std::string& tenant,
                                                  const PersonSearch& search,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who) override;
  absl::StatusOr<Person> UpdatePerson(const std::string& tenant, const std::string& id,
                                      const std::optional<std::vector<HouseholdMember>>& household,
                                      const std::optional<std::vector<Consent>>& consents,
                                      const audit::Actor& who, absl::Time now) override;
  absl::StatusOr<Person> SetProcessingRestriction(const std::string& tenant, const std::string& id,
                                                  bool restricted, const audit::Actor& who,
                                                  absl::Time now) override;
  absl::StatusOr<Person> ErasePerson(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who, absl::Time now) override;
  absl::StatusOr<pg::Created<Contact>> CreateContact(
      const NewContact& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Contact>& encode) override;
  absl::StatusOr<Contact> GetContact(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who) override;
  absl::StatusOr<api::Page<Contact>> ListContacts(const std::string& tenant,
                                                  const std::string& person_id,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who) override;

  absl::StatusOr<pg::Created<Case>> OpenCase(const std::string& tenant,
                                             const std::string& contact_id, const NewCase& request,
                                             const pg::RequestKey& key,
                                             const pg::ResponseEncoder<Case>& encode) override;
  absl::StatusOr<Case> GetCase(const std::string& tenant, const std::string& id,
                               const CaseAccess& access) override;
  absl::StatusOr<api::Page<Case>> ListCases(const std::string& tenant, const std::string& desk_id,
                                            const std::vector<CaseState>& states,
                                            const CaseAccess& access,
                                            const api::PageRequest& page) override;
  absl::StatusOr<Case> AssignCase(const std::string& tenant, const std::string& id,
                                  const std::string& assignee, const CaseAccess& access,
                                  absl::Time now) override;
  absl::StatusOr<Case> TransitionCase(const std::string& tenant, const std::string& id,
                                      CaseState to, std::optional<CloseReason> reason,
                                      const CaseAccess& access, absl::Time now) override;
  absl::StatusOr<Case> UpdatePact(const std::string& tenant, const std::string& id,
                                  const InclusionPact& pact, const CaseAccess& access,
                                  absl::Time now) override;

  absl::StatusOr<pg::Created<Note>> CreateNote(const NewNote& request, const pg::RequestKey& key,
                                               const pg::ResponseEncoder<Note>& encode) override;
  absl::StatusOr<Note> GetNote(const std::string& tenant, const std::string& case_id,
                               const std::string& note_id, int version,
                               const CaseAccess& access) override;
  absl::StatusOr<api::Page<Note>> ListNotes(const std::string& tenant, const std::string& case_id,
                                            const CaseAccess& access,
                                            const api::PageRequest& page) override;
  absl::StatusOr<Note> CorrectNote(const std::string& tenant, const std::string& case_id,
                                   const std::string& note_id, std::optional<NoteKind> kind,
                                   std::optional<std::string> text, int expected_version,
                                   const CaseAccess& access, absl::Time now) override;
  absl::StatusOr<pg::Created<Attachment>> CreateAttachment(
      const NewAttachment& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Attachment>& encode) override;
  absl::StatusOr<Attachment> GetAttachment(const std::string& tenant, const std::string& case_id,
                                           const std::string& attachment_id, bool with_content,
                                           const CaseAccess& access) override;
  absl::StatusOr<api::Page<Attachment>> ListAttachments(const std::string& tenant,
                                                        const std::string& case_id,
                                                        const CaseAccess& access,
                                                        const api::PageRequest& page) override;

  absl::StatusOr<pg::Created<Destination>> CreateDestination(
      const Destination& destination, const pg::RequestKey& key,
      const pg::ResponseEncoder<Destination>& encode) override;
  absl::StatusOr<Destination> GetDestination(const std::string& tenant,
                                             const std::string& id) override;
  absl::StatusOr<api::Page<Destination>> ListDestinations(const std::string& tenant,
                                                          bool include_inactive,
                                                          const api::PageRequest& page) override;
  absl::StatusOr<Destination> UpdateDestination(const std::string& tenant, const std::string& id,
                                                const std::optional<std::string>& display_name,
                                                std::optional<bool> active,
                                                absl::Time now) override;
  absl::StatusOr<pg::Created<Referral>> CreateReferral(
      const NewReferral& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Referral>& encode) override;
  absl::StatusOr<Referral> GetReferral(const std::string& tenant, const std::string& id,
                                       const ReferralAccess& access) override;
  absl::StatusOr<api::Page<Referral>> ListReferrals(const std::string& tenant,
                                                    const ReferralFilter& filter,
                                                    const ReferralAccess& access,
                                                    const api::PageRequest& page) override;
  absl::StatusOr<Referral> TransitionReferral(const std::string& tenant, const std::string& id,
                                              ReferralState to, const std::string& reason,
                                              const ReferralAccess& access,
                                              absl::Time now) override;

  // The case records and the referrals of the export, with the person's key (nullopt: erased).
  absl::StatusOr<HeldCase> HeldCaseRecords(pqxx::work& tx, Case c,
                                           const std::optional<crypto::AeadKey>& key);
  absl::StatusOr<std::vector<Referral>> HeldReferrals(pqxx::work& tx, const std::string& tenant,
                                                      const std::string& person_id,
                                                      const std::optional<crypto::AeadKey>& key);

  // Adds `destination` unless the comune has one with its id (then false; nothing changes).
  absl::StatusOr<bool> SeedDestination(const Destination& destination);

  // Everything held about the persons with this codice fiscale blind index, for the DPO's
  // export (GDPR art. 15): their records and contacts, opened. In the caller's transaction.
  absl::StatusOr<std::vector<HeldAboutPerson>> HeldAbout(pqxx::work& tx, const std::string& tenant,
                                                         const std::string& codice_fiscale_index);

 private:
  absl::Status Audit(pqxx::work& tx, const std::string& tenant, const audit::Actor& who,
                     audit::Action action, std::string resource, const char* data_class,
                     std::vector<std::string> indexes) const;

  // The person `id` opened (NOT_FOUND for an unknown one), locked when `for_update`.
  absl::StatusOr<StoredPerson> ReadPerson(pqxx::work& tx, const std::string& tenant,
                                          const std::string& id, bool for_update);

  // The case `id` locked for update (or only read), visible to `access` (see CaseAccess),
  // with its history when `with_history`; the access recorded in the audit trail as `action`.
  absl::StatusOr<Case> ReadCase(pqxx::work& tx, const std::string& tenant, const std::string& id,
                                const CaseAccess& access, audit::Action action, bool for_update,
                                bool with_history);
  // As ReadCase, with the person's key subject and audit index; the access recorded under
  // `data_class` (or the break-glass class) and `resource`.
  absl::StatusOr<StoredCase> ReadStoredCase(pqxx::work& tx, const std::string& tenant,
                                            const std::string& id, const CaseAccess& access,
                                            audit::Action action, bool for_update,
                                            const char* data_class, const std::string& resource);
  // ReadStoredCase for writing a record of the case (a note, an attachment, a referral): the
  // case locked, visible to `access` and not CLOSED (CheckCaseTakesRecords), with the person's
  // key to seal the record under.
  absl::StatusOr<std::pair<StoredCase, crypto::AeadKey>> CaseTakingRecords(
      pqxx::work& tx, const std::string& tenant, const std::string& case_id,
      const CaseAccess& access, audit::Action action, const char* data_class,
      const std::string& resource);

  // The referral `id` (locked for update, or only read) as `access` may reach it, with its
  // history and snapshot opened; the access recorded in the audit trail as `action`.
  absl::StatusOr<StoredReferral> ReadReferral(pqxx::work& tx, const std::string& tenant,
                                              const std::string& id, const ReferralAccess& access,
                                              audit::Action action, bool for_update);

  // NOT_FOUND unless every linked member of `household` is a person of the comune (other than
  // `self`: INVALID_ARGUMENT).
  absl::Status CheckHouseholdLinks(pqxx::work& tx, const std::string& tenant,
                                   const std::string& self,
                                   const std::vector<HouseholdMember>& household);
  void UpsertConsents(pqxx::work& tx, const std::string& tenant, const std::string& person_id,
                      const std::vector<Consent>& consents);

  // Appends `entry` to the case's history and stamps the case's update time.
  void AppendHistory(pqxx::work& tx, const Case& c, const CaseHistoryEntry& entry);

  pg::ConnectionPool* const pool_;
  keyring::Keyring* const keyring_;
  const audit::AuditLog* const audit_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_POSTGRES_INTAKE_REPOSITORY_H_
