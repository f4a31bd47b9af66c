#include "services/intake/postgres_intake_repository.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "services/intake/outbox_events.h"
#include "services/intake/postgres_rows.h"
#include "sportelli/api/names.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {
namespace {

using pg::ExecPrepared;
using pg::Micros;
using pg::TimeAt;
using pg::Timestamp;

}  // namespace

absl::Status PostgresIntakeRepository::Audit(pqxx::work& tx, const std::string& tenant,
                                             const audit::Actor& who, audit::Action action,
                                             std::string resource, const char* data_class,
                                             std::vector<std::string> indexes) const {
  return audit_->Record(
      tx, tenant, audit::Access{who, action, std::move(resource), data_class, std::move(indexes)});
}

absl::StatusOr<pg::Created<Person>> PostgresIntakeRepository::CreatePerson(
    const NewPerson& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Person>& encode) {
  const Person& p = request.person;
  return pool_->RunInTenantTransaction(
      p.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Person>> {
        return pg::RunIdempotent<Person>(
            tx, kSchema, p.tenant_id, key, encode, [&]() -> absl::StatusOr<Person> {
              if (!request.codice_fiscale_index.empty()) {
                // Two registrations of one code at once: the second waits, then finds the first.
                ExecPrepared(tx,
                             "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || "
                             "'person' || chr(31) || $2, 0))",
                             p.tenant_id, Hex(request.codice_fiscale_index));
                const pqxx::result existing =
                    ExecPrepared(tx,
                                 "SELECT person_id FROM intake.persons WHERE tenant_id = $1 AND "
                                 "codice_fiscale_index = decode($2, 'hex')",
                                 p.tenant_id, Hex(request.codice_fiscale_index));
                if (!existing.empty()) {
                  return status::Error(
                      absl::StatusCode::kAlreadyExists,
                      absl::StrCat("the comune already has a person with this codice fiscale: ",
                                   PersonResource(p.tenant_id, existing[0][0].as<std::string>())),
                      "PERSON_EXISTS");
                }
              }
              RETURN_IF_ERROR(CheckHouseholdLinks(tx, p.tenant_id, p.id, p.identity.household));
              ASSIGN_OR_RETURN(
                  crypto::AeadKey person_key,
                  keyring_->SubjectKeyForWrite(tx, p.tenant_id, request.subject_index));
              const std::string sealed =
                  person_key.Seal(IdentityRecord(p.identity), IdentityBinding(p.tenant_id, p.id));
              ExecPrepared(
                  tx,
                  "INSERT INTO intake.persons (tenant_id, person_id, subject_index, "
                  "codice_fiscale_index, family_name_birth_index, identity_sealed, "
                  "privacy_notice_version, privacy_notice_time, privacy_notice_recorded_by, "
                  "create_time, update_time) VALUES ($1, $2, decode($3, 'hex'), "
                  "decode(nullif($4, ''), 'hex'), decode($5, 'hex'), decode($6, 'hex'), $7, "
                  "$8::timestamptz, $9, $10::timestamptz, $10::timestamptz)",
                  p.tenant_id, p.id, Hex(request.subject_index), Hex(request.codice_fiscale_index),
                  Hex(request.family_name_birth_index), Hex(sealed), p.privacy_notice_version,
                  Timestamp(p.privacy_notice_time), p.privacy_notice_recorded_by,
                  Timestamp(p.create_time));
              UpsertConsents(tx, p.tenant_id, p.id, p.consents);
              RETURN_IF_ERROR(
                  Audit(tx, p.tenant_id, request.who, audit::Action::kCreate,
                        PersonResource(p.tenant_id, p.id), kPersonData,
                        {request.codice_fiscale_index.empty() ? request.subject_index
                                                              : request.codice_fiscale_index}));
              return p;
            });
      });
}

absl::StatusOr<StoredPerson> PostgresIntakeRepository::ReadPerson(pqxx::work& tx,
                                                                  const std::string& tenant,
                                                                  const std::string& id,
                                                                  bool for_update) {
  const pqxx::result rows = ExecPrepared(tx,
                                         absl::StrCat("SELECT ", PersonColumns(), kPersonFrom,
                                                      "WHERE p.tenant_id = $1 AND p.person_id = $2",
                                                      for_update ? " FOR UPDATE OF p" : ""),
                                         tenant, id);
  if (rows.empty()) return status::NotFound("person");
  return PersonAt(tx, *keyring_, tenant, rows[0]);
}

absl::StatusOr<Person> PostgresIntakeRepository::GetPerson(const std::string& tenant,
                                                           const std::string& id,
                                                           const audit::Actor& who) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Person> {
    ASSIGN_OR_RETURN(StoredPerson stored, ReadPerson(tx, tenant, id, /*for_update=*/false));
    if (stored.person.processing_restricted) return ProcessingRestricted();
    RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kRead, PersonResource(tenant, id),
                          kPersonData, {stored.AuditIndex()}));
    return std::move(stored.person);
  });
}

absl::StatusOr<api::Page<Person>> PostgresIntakeRepository::SearchPersons(
    const std::string& tenant, const PersonSearch& search, const api::PageRequest& page,
    const audit::Actor& who) {
  const bool by_code = !search.codice_fiscale_index.empty();
  const std::string index = by_code ? search.codice_fiscale_index : search.family_name_birth_index;
  const std::string after = page.after.empty() ? "" : page.after[0];
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Person>> {
        const pqxx::result rows = ExecPrepared(
            tx,
            absl::StrCat("SELECT ", PersonColumns(), kPersonFrom, "WHERE p.tenant_id = $1 AND ",
                         by_code ? "p.codice_fiscale_index" : "p.family_name_birth_index",
                         " = decode($2, 'hex') AND p.person_id > $3 ORDER BY p.person_id LIMIT $4"),
            tenant, Hex(index), after, page.limit + 1);
        std::vector<Person> persons;
        std::vector<std::string> indexes;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(StoredPerson stored, PersonAt(tx, *keyring_, tenant, row));
          // Found, so nobody registers them twice; shown without their identity.
          if (stored.person.processing_restricted) {
            stored.person.identity = Identity();
            stored.person.identity_withheld = true;
          }
          if (static_cast<int>(persons.size()) < page.limit) indexes.push_back(stored.AuditIndex());
          persons.push_back(std::move(stored.person));
        }
        // A search that found nobody still says who searched, and for whom when by code.
        if (indexes.empty() && by_code) indexes.push_back(search.codice_fiscale_index);
        RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kList,
                              absl::StrCat("tenants/", tenant, "/persons"), kPersonData,
                              std::move(indexes)));
        return api::TakePage(std::move(persons), page.limit);
      });
}

absl::Status PostgresIntakeRepository::CheckHouseholdLinks(
    pqxx::work& tx, const std::string& tenant, const std::string& self,
    const std::vector<HouseholdMember>& household) {
  std::vector<std::string> linked;
  for (size_t i = 0; i < household.size(); ++i) {
    if (household[i].person_id.empty()) continue;
    if (household[i].person_id == self) {
      status::FieldViolations violations;
      violations.Add(absl::StrCat("person.household[", i, "].person"),
                     "is the person: a household lists the others");
      return violations.ToStatus();
    }
    linked.push_back(household[i].person_id);
  }
  if (linked.empty()) return absl::OkStatus();
  const pqxx::result found = ExecPrepared(
      tx,
      "SELECT count(*) FROM intake.persons WHERE tenant_id = $1 AND person_id = ANY($2::text[])",
      tenant, absl::StrCat("{", absl::StrJoin(linked, ","), "}"));
  if (found[0][0].as<int64_t>() != static_cast<int64_t>(linked.size())) {
    return status::NotFound("household member");
  }
  return absl::OkStatus();
}

void PostgresIntakeRepository::UpsertConsents(pqxx::work& tx, const std::string& tenant,
                                              const std::string& person_id,
                                              const std::vector<Consent>& consents) {
  if (consents.empty()) return;
  std::vector<std::string> kinds, granted, times, by;
  for (const Consent& c : consents) {
    kinds.push_back(ConsentKindName(c.kind));
    granted.push_back(c.granted ? "true" : "false");
    times.push_back(absl::StrCat("\"", Timestamp(c.record_time), "\""));
    by.push_back(absl::StrCat("\"", c.recorded_by, "\""));
  }
  auto array = [](const std::vector<std::string>& values) {
    return absl::StrCat("{", absl::StrJoin(values, ","), "}");
  };
  ExecPrepared(tx,
               "INSERT INTO intake.person_consents (tenant_id, person_id, kind, granted, "
               "record_time, recorded_by) SELECT $1, $2, k, g, t, b FROM unnest($3::text[], "
               "$4::boolean[], $5::timestamptz[], $6::text[]) AS u(k, g, t, b) ON CONFLICT "
               "(tenant_id, person_id, kind) DO UPDATE SET granted = EXCLUDED.granted, "
               "record_time = EXCLUDED.record_time, recorded_by = EXCLUDED.recorded_by",
               tenant, person_id, array(kinds), array(granted), array(times), array(by));
}

absl::StatusOr<Person> PostgresIntakeRepository::UpdatePerson(
    const std::string& tenant, const std::string& id,
    const std::optional<std::vector<HouseholdMember>>& household,
    const std::optional<std::vector<Consent>>& consents, const audit::Actor& who, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Person> {
    ASSIGN_OR_RETURN(StoredPerson stored, ReadPerson(tx, tenant, id, /*for_update=*/true));
    if (stored.person.processing_restricted) return ProcessingRestricted();
    if (stored.person.erased) {
      return status::Error(absl::StatusCode::kFailedPrecondition, "the person's data was erased",
                           "PERSON_ERASED");
    }
    if (household) {
      RETURN_IF_ERROR(CheckHouseholdLinks(tx, tenant, id, *household));
      Identity identity = stored.person.identity;
      identity.household = *household;
      ASSIGN_OR_RETURN(crypto::AeadKey key,
                       keyring_->SubjectKeyForWrite(tx, tenant, stored.subject_index));
      ExecPrepared(tx,
                   "UPDATE intake.persons SET identity_sealed = decode($3, 'hex') WHERE "
                   "tenant_id = $1 AND person_id = $2",
                   tenant, id,
                   Hex(key.Seal(IdentityRecord(identity), IdentityBinding(tenant, id))));
    }
    if (consents) UpsertConsents(tx, tenant, id, *consents);
    ExecPrepared(tx,
                 "UPDATE intake.persons SET update_time = $3::timestamptz WHERE tenant_id = $1 "
                 "AND person_id = $2",
                 tenant, id, Timestamp(now));
    RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kUpdate, PersonResource(tenant, id),
                          kPersonData, {stored.AuditIndex()}));
    ASSIGN_OR_RETURN(StoredPerson reread, ReadPerson(tx, tenant, id, /*for_update=*/false));
    return std::move(reread.person);
  });
}

absl::StatusOr<Person> PostgresIntakeRepository::SetProcessingRestriction(const std::string& tenant,
                                                                          const std::string& id,
                                                                          bool restricted,
                                                                          const audit::Actor& who,
                                                                          absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Person> {
    ExecPrepared(tx,
                 "UPDATE intake.persons SET processing_restricted = $3, restriction_time = CASE "
                 "WHEN $3 THEN $4::timestamptz END, restricted_by = CASE WHEN $3 THEN $5 END, "
                 "update_time = $4::timestamptz WHERE tenant_id = $1 AND person_id = $2",
                 tenant, id, restricted, Timestamp(now), who.subject);
    ASSIGN_OR_RETURN(StoredPerson stored, ReadPerson(tx, tenant, id, /*for_update=*/false));
    RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kUpdate, PersonResource(tenant, id),
                          kPersonRestrictionData, {stored.AuditIndex()}));
    stored.person.identity = Identity();
    stored.person.identity_withheld = true;
    return std::move(stored.person);
  });
}

absl::StatusOr<Person> PostgresIntakeRepository::ErasePerson(const std::string& tenant,
                                                             const std::string& id,
                                                             const audit::Actor& who,
                                                             absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Person> {
    const pqxx::result person = ExecPrepared(
        tx,
        "SELECT encode(subject_index, 'hex'), encode(coalesce(codice_fiscale_index, "
        "subject_index), 'hex'), (SELECT count(*) FROM intake.cases k WHERE k.tenant_id = "
        "p.tenant_id AND k.person_id = p.person_id AND k.state <> 'CLOSED') FROM intake.persons p "
        "WHERE p.tenant_id = $1 AND p.person_id = $2 FOR UPDATE",
        tenant, id);
    if (person.empty()) return status::NotFound("person");
    if (person[0][2].as<int64_t>() > 0) {
      return status::Error(absl::StatusCode::kFailedPrecondition,
                           "the person has cases under way: close them before erasing",
                           "PERSON_HAS_OPEN_CASES");
    }
    RETURN_IF_ERROR(keyring_->ShredSubject(tx, tenant, Bytes(person[0][0])).status());
    ExecPrepared(tx,
                 "UPDATE intake.persons SET update_time = $3::timestamptz WHERE tenant_id = $1 AND "
                 "person_id = $2",
                 tenant, id, Timestamp(now));
    RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kDelete, PersonResource(tenant, id),
                          kPersonErasureData, {Bytes(person[0][1])}));
    ASSIGN_OR_RETURN(StoredPerson stored, ReadPerson(tx, tenant, id, /*for_update=*/false));
    return std::move(stored.person);
  });
}

absl::StatusOr<pg::Created<Contact>> PostgresIntakeRepository::CreateContact(
    const NewContact& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Contact>& encode) {
  const Contact& c = request.contact;
  return pool_->RunInTenantTransaction(
      c.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Contact>> {
        return pg::RunIdempotent<Contact>(
            tx, kSchema, c.tenant_id, key, encode, [&]() -> absl::StatusOr<Contact> {
              std::string subject = request.anonymous_subject_index;
              std::string audit_index = subject;
              if (!c.person_id.empty()) {
                const pqxx::result person = ExecPrepared(
                    tx,
                    "SELECT encode(subject_index, 'hex'), encode(codice_fiscale_index, 'hex'), "
                    "processing_restricted FROM intake.persons WHERE tenant_id = $1 AND "
                    "person_id = $2 FOR SHARE",
                    c.tenant_id, c.person_id);
                if (person.empty()) return status::NotFound("person");
                if (person[0][2].as<bool>()) return ProcessingRestricted();
                subject = Bytes(person[0][0]);
                audit_index = person[0][1].is_null() ? subject : Bytes(person[0][1]);
              }
              std::string sealed;  // hex; empty: nothing was said worth recording
              if (!c.information_given.empty()) {
                ASSIGN_OR_RETURN(crypto::AeadKey contact_key,
                                 keyring_->SubjectKeyForWrite(tx, c.tenant_id, subject));
                sealed = Hex(
                    contact_key.Seal(c.information_given, InformationBinding(c.tenant_id, c.id)));
              }
              std::vector<std::string> areas;
              for (NeedArea area : c.need_areas) areas.push_back(NeedAreaName(area));
              ExecPrepared(
                  tx,
                  "INSERT INTO intake.contacts (tenant_id, contact_id, person_id, subject_index, "
                  "desk_id, channel, contact_time, operator_subject, need_areas, "
                  "information_sealed, outcome, appointment_id, create_time) VALUES ($1, $2, "
                  "nullif($3, ''), decode($4, 'hex'), $5, $6, $7::timestamptz, $8, $9::text[], "
                  "decode(nullif($10, ''), 'hex'), $11, nullif($12, ''), $13::timestamptz)",
                  c.tenant_id, c.id, c.person_id, Hex(subject), c.desk_id,
                  ContactChannelName(c.channel), Timestamp(c.contact_time), c.operator_subject,
                  absl::StrCat("{", absl::StrJoin(areas, ","), "}"), sealed,
                  ContactOutcomeName(c.outcome), c.appointment_id, Timestamp(c.create_time));
              events::WriteOutbox(tx, kSchema, ContactRecordedEvent(c));
              RETURN_IF_ERROR(Audit(tx, c.tenant_id, request.who, audit::Action::kCreate,
                                    ContactResource(c.tenant_id, c.id), kContactData,
                                    {audit_index}));
              return c;
            });
      });
}

absl::StatusOr<Contact> PostgresIntakeRepository::GetContact(const std::string& tenant,
                                                             const std::string& id,
                                                             const audit::Actor& who) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Contact> {
    const pqxx::result rows =
        ExecPrepared(tx,
                     absl::StrCat("SELECT ", ContactColumns(), kContactFrom,
                                  "WHERE c.tenant_id = $1 AND c.contact_id = $2"),
                     tenant, id);
    if (rows.empty()) return status::NotFound("contact");
    ASSIGN_OR_RETURN(StoredContact stored, ContactAt(tx, *keyring_, tenant, rows[0]));
    if (stored.restricted) return ProcessingRestricted();
    RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kRead, ContactResource(tenant, id),
                          kContactData, {stored.audit_index}));
    return std::move(stored.contact);
  });
}

absl::StatusOr<api::Page<Contact>> PostgresIntakeRepository::ListContacts(
    const std::string& tenant, const std::string& person_id, const api::PageRequest& page,
    const audit::Actor& who) {
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Contact>> {
        const pqxx::result person =
            ExecPrepared(tx,
                         "SELECT encode(coalesce(codice_fiscale_index, subject_index), 'hex'), "
                         "processing_restricted FROM intake.persons WHERE tenant_id = $1 AND "
                         "person_id = $2",
                         tenant, person_id);
        if (person.empty()) return status::NotFound("person");
        if (person[0][1].as<bool>()) return ProcessingRestricted();
        // Newest first; the page key is (contact time in microseconds, id), descending.
        const bool first = page.after.empty();
        const pqxx::result rows = ExecPrepared(
            tx,
            absl::StrCat("SELECT ", ContactColumns(), kContactFrom,
                         "WHERE c.tenant_id = $1 AND c.person_id = $2 AND ($3 OR (",
                         Micros("c.contact_time"),
                         ", c.contact_id) < ($4::int8, $5)) ORDER BY c.contact_time DESC, "
                         "c.contact_id DESC LIMIT $6"),
            tenant, person_id, first, first ? "0" : page.after[0], first ? "" : page.after[1],
            page.limit + 1);
        std::vector<Contact> contacts;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(StoredContact stored, ContactAt(tx, *keyring_, tenant, row));
          contacts.push_back(std::move(stored.contact));
        }
        RETURN_IF_ERROR(Audit(tx, tenant, who, audit::Action::kList,
                              absl::StrCat(PersonResource(tenant, person_id), "/contacts"),
                              kContactData, {Bytes(person[0][0])}));
        return api::TakePage(std::move(contacts), page.limit);
      });
}

absl::StatusOr<StoredCase> PostgresIntakeRepository::ReadStoredCase(
    pqxx::work& tx, const std::string& tenant, const std::string& id, const CaseAccess& access,
    audit::Action action, bool for_update, const char* data_class, const std::string& resource) {
  const pqxx::result rows =
      ExecPrepared(tx,
                   absl::StrCat("SELECT ", CaseColumns(),
                                " FROM intake.cases k WHERE k.tenant_id = $1 AND k.case_id = $2",
                                for_update ? " FOR UPDATE" : ""),
                   tenant, id);
  if (rows.empty()) return status::NotFound("case");
  ASSIGN_OR_RETURN(StoredCase stored, CaseAt(tenant, rows[0]));
  const bool visible = MaySee(access.viewer, {stored.c.desk_id, stored.c.assignee});
  if (!visible && !access.break_glass) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         "the case is assigned to someone else or belongs to another desk: state "
                         "an access_reason to open it anyway (recorded)",
                         "CASE_NOT_VISIBLE");
  }
  // After visibility: a refused break-glass is neither counted nor audited.
  if (stored.restricted) return ProcessingRestricted();
  if (!visible && access.on_break_glass) access.on_break_glass();
  RETURN_IF_ERROR(Audit(tx, tenant, access.who, action, resource,
                        visible ? data_class : kCaseBreakGlass, {stored.audit_index}));
  return stored;
}

absl::StatusOr<Case> PostgresIntakeRepository::ReadCase(pqxx::work& tx, const std::string& tenant,
                                                        const std::string& id,
                                                        const CaseAccess& access,
                                                        audit::Action action, bool for_update,
                                                        bool with_history) {
  ASSIGN_OR_RETURN(StoredCase stored, ReadStoredCase(tx, tenant, id, access, action, for_update,
                                                     kCaseData, CaseResource(tenant, id)));
  if (with_history) {
    ASSIGN_OR_RETURN(stored.c.history, HistoryOf(tx, tenant, id));
    if (!stored.pact_sealed.empty()) {
      ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                       keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
      RETURN_IF_ERROR(OpenPact(stored.c, stored.pact_sealed, key));
    }
  }
  return std::move(stored.c);
}

void PostgresIntakeRepository::AppendHistory(pqxx::work& tx, const Case& c,
                                             const CaseHistoryEntry& entry) {
  ExecPrepared(
      tx,
      "INSERT INTO intake.case_history (tenant_id, case_id, sequence, event_time, actor, "
      "from_state, to_state, close_reason, assigned, assignee) SELECT $1, $2, "
      "coalesce(max(sequence), 0) + 1, $3::timestamptz, $4, nullif($5, ''), nullif($6, ''), "
      "nullif($7, ''), $8, nullif($9, '') FROM intake.case_history WHERE tenant_id = $1 AND "
      "case_id = $2",
      c.tenant_id, c.id, Timestamp(entry.time), entry.actor,
      entry.from_state ? CaseStateName(*entry.from_state) : "",
      entry.to_state ? CaseStateName(*entry.to_state) : "",
      entry.close_reason ? CloseReasonName(*entry.close_reason) : "", entry.assigned,
      entry.assignee);
}

absl::StatusOr<pg::Created<Case>> PostgresIntakeRepository::OpenCase(
    const std::string& tenant, const std::string& contact_id, const NewCase& request,
    const pg::RequestKey& key, const pg::ResponseEncoder<Case>& encode) {
  pg::TransactionOptions options;
  options.tenant_id = tenant;
  options.constraint_errors.push_back(
      {"cases_one_per_contact", status::Error(absl::StatusCode::kAlreadyExists,
                                              "the contact already has its case", "CASE_EXISTS")});
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Case>> {
    return pg::RunIdempotent<Case>(tx, kSchema, tenant, key, encode, [&]() -> absl::StatusOr<Case> {
      const pqxx::result contact = ExecPrepared(
          tx,
          "SELECT c.person_id, c.desk_id, c.outcome, encode(coalesce(p.codice_fiscale_index, "
          "p.subject_index), 'hex'), (SELECT case_id FROM intake.cases k WHERE k.tenant_id = "
          "c.tenant_id AND k.contact_id = c.contact_id), coalesce(p.processing_restricted, "
          "false) FROM intake.contacts c LEFT JOIN "
          "intake.persons p ON p.tenant_id = c.tenant_id AND p.person_id = c.person_id WHERE "
          "c.tenant_id = $1 AND c.contact_id = $2 FOR SHARE OF c",
          tenant, contact_id);
      if (contact.empty()) return status::NotFound("contact");
      if (contact[0][5].as<bool>()) return ProcessingRestricted();
      if (!contact[0][4].is_null()) {
        return status::Error(absl::StatusCode::kAlreadyExists,
                             absl::StrCat("the contact already has its case: ",
                                          CaseResource(tenant, contact[0][4].as<std::string>())),
                             "CASE_EXISTS");
      }
      if (contact[0][0].is_null() || contact[0][2].as<std::string>() != "CASE_OPENED") {
        return status::Error(absl::StatusCode::kFailedPrecondition,
                             "a case is opened from a contact whose outcome was CASE_OPENED",
                             "CONTACT_NOT_CASE_OPENED");
      }
      Case c = request.opened;
      c.tenant_id = tenant;
      c.contact_id = contact_id;
      c.person_id = contact[0][0].as<std::string>();
      c.desk_id = contact[0][1].as<std::string>();
      c.state = CaseState::kOpen;
      ExecPrepared(tx,
                   "INSERT INTO intake.cases (tenant_id, case_id, person_id, contact_id, desk_id, "
                   "state, create_time, update_time) VALUES ($1, $2, $3, $4, $5, 'OPEN', "
                   "$6::timestamptz, $6::timestamptz)",
                   tenant, c.id, c.person_id, c.contact_id, c.desk_id, Timestamp(c.create_time));
      CaseHistoryEntry opened;
      opened.time = c.create_time;
      opened.actor = request.who.subject;
      opened.to_state = CaseState::kOpen;
      AppendHistory(tx, c, opened);
      c.history = {opened};
      events::WriteOutbox(tx, kSchema, CaseOpenedEvent(c));
      RETURN_IF_ERROR(Audit(tx, tenant, request.who, audit::Action::kCreate,
                            CaseResource(tenant, c.id), kCaseData, {Bytes(contact[0][3])}));
      return c;
    });
  });
}

absl::StatusOr<Case> PostgresIntakeRepository::GetCase(const std::string& tenant,
                                                       const std::string& id,
                                                       const CaseAccess& access) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Case> {
    return ReadCase(tx, tenant, id, access, audit::Action::kRead, /*for_update=*/false,
                    /*with_history=*/true);
  });
}

absl::StatusOr<api::Page<Case>> PostgresIntakeRepository::ListCases(
    const std::string& tenant, const std::string& desk_id, const std::vector<CaseState>& states,
    const CaseAccess& access, const api::PageRequest& page) {
  std::vector<std::string> state_names;
  for (CaseState state : states) state_names.push_back(CaseStateName(state));
  const bool first = page.after.empty();
  const bool serves_desk = std::find(access.viewer.desks.begin(), access.viewer.desks.end(),
                                     desk_id) != access.viewer.desks.end();
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Case>> {
        // Visibility in SQL, as MaySee says: a coordinator sees all; an operator the desk's
        // cases assigned to them, and those assigned to nobody when they serve the desk.
        const pqxx::result rows = ExecPrepared(
            tx,
            absl::StrCat("SELECT ", CaseColumns(),
                         " FROM intake.cases k WHERE k.tenant_id = $1 AND k.desk_id = $2 AND "
                         "k.state = ANY($3::text[]) AND ($4 OR k.assignee = $5 OR (k.assignee IS "
                         "NULL AND $6)) AND ($7 OR (",
                         Micros("k.update_time"),
                         ", k.case_id) < ($8::int8, $9)) ORDER BY k.update_time DESC, k.case_id "
                         "DESC LIMIT $10"),
            tenant, desk_id, absl::StrCat("{", absl::StrJoin(state_names, ","), "}"),
            access.viewer.coordinator, access.viewer.subject, serves_desk, first,
            first ? "0" : page.after[0], first ? "" : page.after[1], page.limit + 1);
        std::vector<Case> cases;
        std::vector<std::string> indexes;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(StoredCase stored, CaseAt(tenant, row));
          if (static_cast<int>(cases.size()) < page.limit) indexes.push_back(stored.audit_index);
          cases.push_back(std::move(stored.c));
        }
        RETURN_IF_ERROR(Audit(tx, tenant, access.who, audit::Action::kList,
                              absl::StrCat("tenants/", tenant, "/desks/", desk_id, "/cases"),
                              kCaseData, std::move(indexes)));
        return api::TakePage(std::move(cases), page.limit);
      });
}

absl::StatusOr<Case> PostgresIntakeRepository::AssignCase(const std::string& tenant,
                                                          const std::string& id,
                                                          const std::string& assignee,
                                                          const CaseAccess& access,
                                                          absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Case> {
    ASSIGN_OR_RETURN(Case c, ReadCase(tx, tenant, id, access, audit::Action::kUpdate,
                                      /*for_update=*/true, /*with_history=*/false));
    ExecPrepared(tx,
                 "UPDATE intake.cases SET assignee = nullif($3, ''), update_time = "
                 "$4::timestamptz WHERE tenant_id = $1 AND case_id = $2",
                 tenant, id, assignee, Timestamp(now));
    CaseHistoryEntry entry;
    entry.time = now;
    entry.actor = access.who.subject;
    entry.assigned = true;
    entry.assignee = assignee;
    AppendHistory(tx, c, entry);
    c.assignee = assignee;
    c.update_time = now;
    events::WriteOutbox(tx, kSchema, CaseAssignedEvent(c, now));
    ASSIGN_OR_RETURN(c.history, HistoryOf(tx, tenant, id));
    return c;
  });
}

absl::StatusOr<Case> PostgresIntakeRepository::TransitionCase(const std::string& tenant,
                                                              const std::string& id, CaseState to,
                                                              std::optional<CloseReason> reason,
                                                              const CaseAccess& access,
                                                              absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Case> {
    ASSIGN_OR_RETURN(Case c, ReadCase(tx, tenant, id, access, audit::Action::kUpdate,
                                      /*for_update=*/true, /*with_history=*/false));
    RETURN_IF_ERROR(CheckTransition(c.state, to, reason));
    ExecPrepared(tx,
                 "UPDATE intake.cases SET state = $3, close_reason = nullif($4, ''), update_time = "
                 "$5::timestamptz WHERE tenant_id = $1 AND case_id = $2",
                 tenant, id, CaseStateName(to), reason ? CloseReasonName(*reason) : "",
                 Timestamp(now));
    CaseHistoryEntry entry;
    entry.time = now;
    entry.actor = access.who.subject;
    entry.from_state = c.state;
    entry.to_state = to;
    entry.close_reason = reason;
    AppendHistory(tx, c, entry);
    const CaseState from = c.state;
    c.state = to;
    c.close_reason = reason;
    c.update_time = now;
    events::WriteOutbox(tx, kSchema, CaseStateChangedEvent(c, from, now));
    ASSIGN_OR_RETURN(c.history, HistoryOf(tx, tenant, id));
    return c;
  });
}

absl::StatusOr<Case> PostgresIntakeRepository::UpdatePact(const std::string& tenant,
                                                          const std::string& id,
                                                          const InclusionPact& pact,
                                                          const CaseAccess& access,
                                                          absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Case> {
    ASSIGN_OR_RETURN(auto written, CaseTakingRecords(tx, tenant, id, access, audit::Action::kUpdate,
                                                     kCasePactData, CaseResource(tenant, id)));
    ExecPrepared(tx,
                 "UPDATE intake.cases SET pact_sealed = decode($3, 'hex'), update_time = "
                 "$4::timestamptz WHERE tenant_id = $1 AND case_id = $2",
                 tenant, id, Hex(written.second.Seal(PactRecord(pact), PactBinding(tenant, id))),
                 Timestamp(now));
    Case c = std::move(written.first.c);
    c.update_time = now;
    c.pact = pact;
    ASSIGN_OR_RETURN(c.history, HistoryOf(tx, tenant, id));
    return c;
  });
}

absl::StatusOr<std::vector<HeldAboutPerson>> PostgresIntakeRepository::HeldAbout(
    pqxx::work& tx, const std::string& tenant, const std::string& codice_fiscale_index) {
  std::vector<HeldAboutPerson> held;
  const pqxx::result persons = ExecPrepared(
      tx,
      absl::StrCat("SELECT ", PersonColumns(), kPersonFrom,
                   "WHERE p.tenant_id = $1 AND p.codice_fiscale_index = decode($2, 'hex')"),
      tenant, Hex(codice_fiscale_index));
  for (const auto& row : persons) {
    ASSIGN_OR_RETURN(StoredPerson stored, PersonAt(tx, *keyring_, tenant, row));
    std::vector<Contact> contacts;
    for (const auto& contact_row : ExecPrepared(
             tx,
             absl::StrCat("SELECT ", ContactColumns(), kContactFrom,
                          "WHERE c.tenant_id = $1 AND c.person_id = $2 ORDER BY c.contact_time"),
             tenant, stored.person.id)) {
      ASSIGN_OR_RETURN(StoredContact contact, ContactAt(tx, *keyring_, tenant, contact_row));
      contacts.push_back(std::move(contact.contact));
    }
    HeldAboutPerson entry;
    entry.contacts = std::move(contacts);
    ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                     keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
    for (const auto& case_row : ExecPrepared(
             tx,
             absl::StrCat("SELECT ", CaseColumns(),
                          " FROM intake.cases k WHERE k.tenant_id = $1 AND k.person_id = $2 "
                          "ORDER BY k.create_time, k.case_id"),
             tenant, stored.person.id)) {
      ASSIGN_OR_RETURN(StoredCase c, CaseAt(tenant, case_row));
      ASSIGN_OR_RETURN(c.c.history, HistoryOf(tx, tenant, c.c.id));
      RETURN_IF_ERROR(OpenPact(c.c, c.pact_sealed, key));
      ASSIGN_OR_RETURN(HeldCase records, HeldCaseRecords(tx, std::move(c.c), key));
      entry.cases.push_back(std::move(records));
    }
    ASSIGN_OR_RETURN(entry.referrals, HeldReferrals(tx, tenant, stored.person.id, key));
    entry.person = std::move(stored.person);
    held.push_back(std::move(entry));
  }
  return held;
}

}  // namespace sportelli::intake
