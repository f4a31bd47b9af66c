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
  absl::StatusOr<pg::Created<Contact>> CreateContact(
      const NewContact& request, const pg::RequestKey& key,
      const pg::ResponseEncoder<Contact>& encode) override;
  absl::StatusOr<Contact> GetContact(const std::string& tenant, const std::string& id,
                                     const audit::Actor& who) override;
  absl::StatusOr<api::Page<Contact>> ListContacts(const std::string& tenant,
                                                  const std::string& person_id,
                                                  const api::PageRequest& page,
                                                  const audit::Actor& who) override;

  // Everything held about the persons with this codice fiscale blind index, for the DPO's
  // export (GDPR art. 15): their records and contacts, opened. In the caller's transaction.
  absl::StatusOr<std::vector<std::pair<Person, std::vector<Contact>>>> HeldAbout(
      pqxx::work& tx, const std::string& tenant, const std::string& codice_fiscale_index);

 private:
  absl::Status Audit(pqxx::work& tx, const std::string& tenant, const audit::Actor& who,
                     audit::Action action, std::string resource, const char* data_class,
                     std::vector<std::string> indexes) const;

  pg::ConnectionPool* const pool_;
  keyring::Keyring* const keyring_;
  const audit::AuditLog* const audit_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_POSTGRES_INTAKE_REPOSITORY_H_
