// The pieces of intake's PostgreSQL repository that its .cc files share (persons, contacts and
// cases; notes and attachments; referrals): the columns a record is read with, how a row
// becomes a record (opening its sealed fields), the bindings sealed values are tied to and what
// the audit trail files an access under. Internal to PostgresIntakeRepository.
#ifndef SPORTELLI_SERVICES_INTAKE_POSTGRES_ROWS_H_
#define SPORTELLI_SERVICES_INTAKE_POSTGRES_ROWS_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "pqxx/pqxx"
#include "services/intake/domain/case.h"
#include "services/intake/domain/records.h"
#include "services/intake/domain/referral.h"
#include "sportelli/crypto/aead.h"
#include "sportelli/keyring/keyring.h"

namespace sportelli::intake {

// What the audit trail says was touched.
inline constexpr char kPersonData[] = "person.identity";
inline constexpr char kContactData[] = "contact.information";
inline constexpr char kCaseData[] = "case";
// A case opened by someone who may not normally see it: the trail says so.
inline constexpr char kCaseBreakGlass[] = "case.break_glass";
inline constexpr char kCasePactData[] = "case.pact";
// The DPO's acts on a person: a restriction set or lifted (art. 18), an erasure (art. 17).
inline constexpr char kPersonRestrictionData[] = "person.restriction";
inline constexpr char kPersonErasureData[] = "person.erasure";

std::string Hex(const std::string& bytes);
std::string Bytes(const pqxx::field& hex);

// SQL of a person's "<audit index> <subject index>" in hex, given the SQL of its tenant and
// person id columns (one lookup of the person for both), and the two read back as bytes.
std::string AuditAndSubjectIndexesOf(absl::string_view tenant_column,
                                     absl::string_view person_column);
std::pair<std::string, std::string> AuditAndSubjectIndexes(const pqxx::field& field);
// SQL: whether that person's processing is restricted (false without a person).
std::string RestrictedOf(absl::string_view tenant_column, absl::string_view person_column);
// FAILED_PRECONDITION, reason PROCESSING_RESTRICTED: what every access to a restricted person's
// records gets (GDPR art. 18), before anything is read or audited.
absl::Status ProcessingRestricted();

crypto::Binding IdentityBinding(const std::string& tenant, const std::string& person_id);
crypto::Binding InformationBinding(const std::string& tenant, const std::string& contact_id);

// The identity as one sealed record (JSON, so that fields can be added without a migration).
std::string IdentityRecord(const Identity& id);

// The person's key as stored next to their row (LEFT JOIN): nullopt when it was shredded, or
// when the key there is not the one that sealed `sealed` (shredded, then made anew).
absl::StatusOr<std::optional<crypto::AeadKey>> KeyThatSealed(
    pqxx::work& tx, keyring::Keyring& keyring, const std::string& tenant,
    const std::string& subject_index, const pqxx::field& key_id, const pqxx::field& sealed_key,
    const std::string& sealed);

// `sealed` opened with the person's key read once for several values: nullopt when there is
// no key any more (erasure) or it is not the one that sealed it.
absl::StatusOr<std::optional<std::string>> OpenWithPersonKey(
    const std::optional<crypto::AeadKey>& key, const std::string& sealed,
    const crypto::Binding& binding);

// ---- persons ----------------------------------------------------------------------------------

// SELECT PersonColumns() kPersonFrom WHERE p.… : one person with their key and consents.
std::string PersonColumns();
inline constexpr char kPersonFrom[] =
    " FROM intake.persons p LEFT JOIN intake.subject_keys k "
    "ON k.tenant_id = p.tenant_id AND k.subject_index = p.subject_index ";

struct StoredPerson {
  Person person;
  std::string subject_index;
  std::string codice_fiscale_index;  // empty without a codice fiscale
  // What the audit trail files the access under: the codice fiscale's index when there is one
  // (so "who looked at my data" finds it), else the person's subject.
  std::string AuditIndex() const {
    return codice_fiscale_index.empty() ? subject_index : codice_fiscale_index;
  }
};

absl::StatusOr<StoredPerson> PersonAt(pqxx::work& tx, keyring::Keyring& keyring,
                                      const std::string& tenant, const pqxx::row& row);

// ---- contacts ---------------------------------------------------------------------------------

std::string ContactColumns();
inline constexpr char kContactFrom[] =
    " FROM intake.contacts c LEFT JOIN intake.subject_keys k "
    "ON k.tenant_id = c.tenant_id AND k.subject_index = c.subject_index ";

struct StoredContact {
  Contact contact;
  std::string audit_index;
  bool restricted = false;  // its person's processing is restricted
};

absl::StatusOr<StoredContact> ContactAt(pqxx::work& tx, keyring::Keyring& keyring,
                                        const std::string& tenant, const pqxx::row& row);

std::string PersonResource(const std::string& tenant, const std::string& id);
std::string ContactResource(const std::string& tenant, const std::string& id);

// ---- cases ------------------------------------------------------------------------------------

// SELECT CaseColumns() FROM intake.cases k WHERE k.…
std::string CaseColumns();
std::string CaseResource(const std::string& tenant, const std::string& id);

struct StoredCase {
  Case c;
  std::string audit_index;
  // The person's key subject: what their notes, attachments and referrals are sealed under.
  std::string subject_index;
  std::string pact_sealed;  // empty: no pact
  bool restricted = false;  // the person's processing is restricted
};

// A referral as read by the repository: with the person's key subject (what its snapshot and
// reasons are sealed under) and audit index.
struct StoredReferral {
  Referral r;
  std::string subject_index;
  std::string audit_index;
};

absl::StatusOr<StoredCase> CaseAt(const std::string& tenant, const pqxx::row& row);

// The inclusion pact as one sealed record (JSON) bound to its case.
crypto::Binding PactBinding(const std::string& tenant, const std::string& case_id);
std::string PactRecord(const InclusionPact& pact);
// Sets `c.pact` from `sealed` (empty: none) opened with the person's key, or `c.pact_erased`.
absl::Status OpenPact(Case& c, const std::string& sealed,
                      const std::optional<crypto::AeadKey>& key);
absl::StatusOr<std::vector<CaseHistoryEntry>> HistoryOf(pqxx::work& tx, const std::string& tenant,
                                                        const std::string& id);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_POSTGRES_ROWS_H_
