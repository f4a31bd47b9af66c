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

// What the audit trail says was touched.
constexpr char kPersonData[] = "person.identity";
constexpr char kContactData[] = "contact.information";

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }
std::string Bytes(const pqxx::field& hex) { return absl::HexStringToBytes(hex.as<std::string>()); }

crypto::Binding IdentityBinding(const std::string& tenant, const std::string& person_id) {
  return {tenant, "persons", "identity", person_id};
}
crypto::Binding InformationBinding(const std::string& tenant, const std::string& contact_id) {
  return {tenant, "contacts", "information_given", contact_id};
}

// The identity as one sealed record. JSON so that fields can be added without a migration;
// read back strictly (a record that does not parse is DATA_LOSS, never half a person).
std::string IdentityRecord(const Identity& id) {
  return nlohmann::json{
      {"given_name", id.given_name},
      {"family_name", id.family_name},
      {"codice_fiscale", id.codice_fiscale},
      {"birth_date", absl::FormatCivilTime(id.birth_date)},
      {"sex", id.sex == Sex::kFemale ? "F" : "M"},
      {"citizenship", id.citizenship},
      {"address",
       {{"street_address", id.address.street_address},
        {"postal_code", id.address.postal_code},
        {"locality", id.address.locality},
        {"province", id.address.province}}},
      {"phone_number", id.phone_number},
      {"email", id.email},
  }
      .dump();
}

absl::StatusOr<Identity> ParseIdentityRecord(const std::string& record) {
  try {
    const nlohmann::json j = nlohmann::json::parse(record);
    Identity id;
    id.given_name = j.at("given_name").get<std::string>();
    id.family_name = j.at("family_name").get<std::string>();
    id.codice_fiscale = j.at("codice_fiscale").get<std::string>();
    if (!absl::ParseCivilTime(j.at("birth_date").get<std::string>(), &id.birth_date)) {
      return absl::DataLossError("a person's stored birth date does not parse");
    }
    id.sex = j.at("sex").get<std::string>() == "F" ? Sex::kFemale : Sex::kMale;
    id.citizenship = j.at("citizenship").get<std::string>();
    const nlohmann::json& address = j.at("address");
    id.address.street_address = address.at("street_address").get<std::string>();
    id.address.postal_code = address.at("postal_code").get<std::string>();
    id.address.locality = address.at("locality").get<std::string>();
    id.address.province = address.at("province").get<std::string>();
    id.phone_number = j.at("phone_number").get<std::string>();
    id.email = j.at("email").get<std::string>();
    return id;
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("a person's stored identity does not parse");
  }
}

// The person's key as stored next to their row (LEFT JOIN): nullopt when it was shredded, or
// when the key there is not the one that sealed `sealed` (shredded, then made anew).
absl::StatusOr<std::optional<crypto::AeadKey>> KeyThatSealed(
    pqxx::work& tx, keyring::Keyring& keyring, const std::string& tenant,
    const std::string& subject_index, const pqxx::field& key_id, const pqxx::field& sealed_key,
    const std::string& sealed) {
  std::optional<int64_t> id;
  std::optional<std::string> stored;
  if (!key_id.is_null()) {
    id = key_id.as<int64_t>();
    stored = Bytes(sealed_key);
  }
  ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                   keyring.OpenSubjectKey(tx, tenant, subject_index, id, stored));
  ASSIGN_OR_RETURN(uint32_t sealed_under, crypto::SealedKeyVersion(sealed));
  if (!key || key->version() != sealed_under) return std::optional<crypto::AeadKey>();
  return key;
}

// ---- persons ----------------------------------------------------------------------------------

enum PersonColumn {
  kPersonId,
  kPersonSubject,
  kPersonCodiceFiscaleIndex,
  kPersonIdentity,
  kNoticeVersion,
  kNoticeTime,
  kNoticeBy,
  kPersonCreateTime,
  kPersonUpdateTime,
  kPersonKeyId,
  kPersonKey,
  kConsents,
};

std::string PersonColumns() {
  return absl::StrCat(
      "p.person_id, encode(p.subject_index, 'hex'), encode(p.codice_fiscale_index, 'hex'), "
      "encode(p.identity_sealed, 'hex'), p.privacy_notice_version, ",
      Micros("p.privacy_notice_time"), ", p.privacy_notice_recorded_by, ", Micros("p.create_time"),
      ", ", Micros("p.update_time"),
      ", k.key_id, encode(k.sealed_key, 'hex'), "
      "(SELECT coalesce(json_agg(json_build_array(c.kind, c.granted, ",
      Micros("c.record_time"),
      ", c.recorded_by) ORDER BY c.kind), '[]') FROM intake.person_consents c "
      "WHERE c.tenant_id = p.tenant_id AND c.person_id = p.person_id)::text");
}

constexpr char kPersonFrom[] =
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

absl::StatusOr<std::vector<Consent>> ConsentsAt(const pqxx::field& field) {
  std::vector<Consent> consents;
  try {
    for (const nlohmann::json& c : nlohmann::json::parse(field.as<std::string>())) {
      std::optional<ConsentKind> kind = ParseConsentKind(c.at(0).get<std::string>());
      if (!kind) return status::Internal("stored consent kind is not known");
      consents.push_back({*kind, c.at(1).get<bool>(), absl::FromUnixMicros(c.at(2).get<int64_t>()),
                          c.at(3).get<std::string>()});
    }
  } catch (const nlohmann::json::exception&) {
    return status::Internal("stored consents do not parse");
  }
  return consents;
}

absl::StatusOr<StoredPerson> PersonAt(pqxx::work& tx, keyring::Keyring& keyring,
                                      const std::string& tenant, const pqxx::row& row) {
  StoredPerson stored;
  Person& p = stored.person;
  p.tenant_id = tenant;
  p.id = row[kPersonId].as<std::string>();
  stored.subject_index = Bytes(row[kPersonSubject]);
  if (!row[kPersonCodiceFiscaleIndex].is_null()) {
    stored.codice_fiscale_index = Bytes(row[kPersonCodiceFiscaleIndex]);
  }
  p.privacy_notice_version = row[kNoticeVersion].as<std::string>();
  p.privacy_notice_time = TimeAt(row[kNoticeTime]);
  p.privacy_notice_recorded_by = row[kNoticeBy].as<std::string>();
  p.create_time = TimeAt(row[kPersonCreateTime]);
  p.update_time = TimeAt(row[kPersonUpdateTime]);
  ASSIGN_OR_RETURN(p.consents, ConsentsAt(row[kConsents]));
  const std::string sealed = Bytes(row[kPersonIdentity]);
  ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                   KeyThatSealed(tx, keyring, tenant, stored.subject_index, row[kPersonKeyId],
                                 row[kPersonKey], sealed));
  if (!key) {
    p.erased = true;
    return stored;
  }
  ASSIGN_OR_RETURN(std::string record, key->Open(sealed, IdentityBinding(tenant, p.id)));
  ASSIGN_OR_RETURN(p.identity, ParseIdentityRecord(record));
  return stored;
}

// ---- contacts ---------------------------------------------------------------------------------

enum ContactColumn {
  kContactId,
  kContactPerson,
  kContactSubject,
  kContactDesk,
  kContactChannel,
  kContactTime,
  kContactOperator,
  kNeedAreas,
  kInformation,
  kOutcome,
  kAppointment,
  kContactCreateTime,
  kContactKeyId,
  kContactKey,
  kContactPersonCodiceFiscaleIndex,
};

std::string ContactColumns() {
  return absl::StrCat(
      "c.contact_id, c.person_id, encode(c.subject_index, 'hex'), c.desk_id, c.channel, ",
      Micros("c.contact_time"),
      ", c.operator_subject, array_to_string(c.need_areas, ','), "
      "encode(c.information_sealed, 'hex'), c.outcome, c.appointment_id, ",
      Micros("c.create_time"),
      ", k.key_id, encode(k.sealed_key, 'hex'), "
      "(SELECT encode(p.codice_fiscale_index, 'hex') FROM intake.persons p "
      "WHERE p.tenant_id = c.tenant_id AND p.person_id = c.person_id)");
}

constexpr char kContactFrom[] =
    " FROM intake.contacts c LEFT JOIN intake.subject_keys k "
    "ON k.tenant_id = c.tenant_id AND k.subject_index = c.subject_index ";

struct StoredContact {
  Contact contact;
  std::string audit_index;
};

absl::StatusOr<StoredContact> ContactAt(pqxx::work& tx, keyring::Keyring& keyring,
                                        const std::string& tenant, const pqxx::row& row) {
  StoredContact stored;
  Contact& c = stored.contact;
  c.tenant_id = tenant;
  c.id = row[kContactId].as<std::string>();
  c.person_id = row[kContactPerson].as<std::string>("");
  const std::string subject = Bytes(row[kContactSubject]);
  stored.audit_index = row[kContactPersonCodiceFiscaleIndex].is_null()
                           ? subject
                           : Bytes(row[kContactPersonCodiceFiscaleIndex]);
  c.desk_id = row[kContactDesk].as<std::string>();
  std::optional<ContactChannel> channel =
      ParseContactChannel(row[kContactChannel].as<std::string>());
  if (!channel) return status::Internal("stored contact channel is not known");
  c.channel = *channel;
  c.contact_time = TimeAt(row[kContactTime]);
  c.operator_subject = row[kContactOperator].as<std::string>();
  for (absl::string_view name : absl::StrSplit(row[kNeedAreas].as<std::string>(), ',')) {
    std::optional<NeedArea> area = ParseNeedArea(name);
    if (!area) return status::Internal("stored need area is not known");
    c.need_areas.push_back(*area);
  }
  std::optional<ContactOutcome> outcome = ParseContactOutcome(row[kOutcome].as<std::string>());
  if (!outcome) return status::Internal("stored contact outcome is not known");
  c.outcome = *outcome;
  c.appointment_id = row[kAppointment].as<std::string>("");
  c.create_time = TimeAt(row[kContactCreateTime]);
  if (row[kInformation].is_null()) return stored;
  const std::string sealed = Bytes(row[kInformation]);
  ASSIGN_OR_RETURN(
      std::optional<crypto::AeadKey> key,
      KeyThatSealed(tx, keyring, tenant, subject, row[kContactKeyId], row[kContactKey], sealed));
  if (!key) {
    c.information_erased = true;
    return stored;
  }
  ASSIGN_OR_RETURN(c.information_given, key->Open(sealed, InformationBinding(tenant, c.id)));
  return stored;
}

std::string PersonResource(const std::string& tenant, const std::string& id) {
  return api::PersonName{tenant, id}.ToString();
}
std::string ContactResource(const std::string& tenant, const std::string& id) {
  return api::ContactName{tenant, id}.ToString();
}

// ---- cases ------------------------------------------------------------------------------------

constexpr char kCaseData[] = "case";
// A case opened by someone who may not normally see it: the trail says so.
constexpr char kCaseBreakGlass[] = "case.break_glass";

enum CaseColumn {
  kCaseId,
  kCasePerson,
  kCaseContact,
  kCaseDesk,
  kCaseState,
  kCaseCloseReason,
  kCaseAssignee,
  kCaseCreateTime,
  kCaseUpdateTime,
  kCaseAuditIndex,
};

std::string CaseColumns() {
  return absl::StrCat(
      "k.case_id, k.person_id, k.contact_id, k.desk_id, k.state, k.close_reason, k.assignee, ",
      Micros("k.create_time"), ", ", Micros("k.update_time"),
      ", (SELECT encode(coalesce(p.codice_fiscale_index, p.subject_index), 'hex') FROM "
      "intake.persons p WHERE p.tenant_id = k.tenant_id AND p.person_id = k.person_id)");
}

std::string CaseResource(const std::string& tenant, const std::string& id) {
  return api::CaseName{tenant, id}.ToString();
}

struct StoredCase {
  Case c;
  std::string audit_index;
};

absl::StatusOr<StoredCase> CaseAt(const std::string& tenant, const pqxx::row& row) {
  StoredCase stored;
  Case& c = stored.c;
  c.tenant_id = tenant;
  c.id = row[kCaseId].as<std::string>();
  c.person_id = row[kCasePerson].as<std::string>();
  c.contact_id = row[kCaseContact].as<std::string>();
  c.desk_id = row[kCaseDesk].as<std::string>();
  std::optional<CaseState> state = ParseCaseState(row[kCaseState].as<std::string>());
  if (!state) return status::Internal("stored case state is not known");
  c.state = *state;
  if (!row[kCaseCloseReason].is_null()) {
    c.close_reason = ParseCloseReason(row[kCaseCloseReason].as<std::string>());
    if (!c.close_reason) return status::Internal("stored close reason is not known");
  }
  c.assignee = row[kCaseAssignee].as<std::string>("");
  c.create_time = TimeAt(row[kCaseCreateTime]);
  c.update_time = TimeAt(row[kCaseUpdateTime]);
  stored.audit_index = Bytes(row[kCaseAuditIndex]);
  return stored;
}

absl::StatusOr<std::vector<CaseHistoryEntry>> HistoryOf(pqxx::work& tx, const std::string& tenant,
                                                        const std::string& id) {
  std::vector<CaseHistoryEntry> history;
  for (const auto& row : ExecPrepared(
           tx,
           absl::StrCat("SELECT ", Micros("event_time"),
                        ", actor, from_state, to_state, close_reason, assigned, assignee FROM "
                        "intake.case_history WHERE tenant_id = $1 AND case_id = $2 ORDER BY "
                        "sequence"),
           tenant, id)) {
    CaseHistoryEntry entry;
    entry.time = TimeAt(row[0]);
    entry.actor = row[1].as<std::string>();
    if (!row[2].is_null()) entry.from_state = ParseCaseState(row[2].as<std::string>());
    if (!row[3].is_null()) entry.to_state = ParseCaseState(row[3].as<std::string>());
    if (!row[4].is_null()) entry.close_reason = ParseCloseReason(row[4].as<std::string>());
    entry.assigned = row[5].as<bool>();
    entry.assignee = row[6].as<std::string>("");
    history.push_back(std::move(entry));
  }
  return history;
}

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
              if (!p.consents.empty()) {
                std::vector<std::string> kinds, granted, times, by;
                for (const Consent& c : p.consents) {
                  kinds.push_back(ConsentKindName(c.kind));
                  granted.push_back(c.granted ? "true" : "false");
                  times.push_back(absl::StrCat("\"", Timestamp(c.record_time), "\""));
                  by.push_back(absl::StrCat("\"", c.recorded_by, "\""));
                }
                auto array = [](const std::vector<std::string>& values) {
                  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
                };
                ExecPrepared(tx,
                             "INSERT INTO intake.person_consents (tenant_id, person_id, kind, "
                             "granted, record_time, recorded_by) SELECT $1, $2, k, g, t, b FROM "
                             "unnest($3::text[], $4::boolean[], $5::timestamptz[], $6::text[]) "
                             "AS u(k, g, t, b)",
                             p.tenant_id, p.id, array(kinds), array(granted), array(times),
                             array(by));
              }
              RETURN_IF_ERROR(
                  Audit(tx, p.tenant_id, request.who, audit::Action::kCreate,
                        PersonResource(p.tenant_id, p.id), kPersonData,
                        {request.codice_fiscale_index.empty() ? request.subject_index
                                                              : request.codice_fiscale_index}));
              return p;
            });
      });
}

absl::StatusOr<Person> PostgresIntakeRepository::GetPerson(const std::string& tenant,
                                                           const std::string& id,
                                                           const audit::Actor& who) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Person> {
    const pqxx::result rows =
        ExecPrepared(tx,
                     absl::StrCat("SELECT ", PersonColumns(), kPersonFrom,
                                  "WHERE p.tenant_id = $1 AND p.person_id = $2"),
                     tenant, id);
    if (rows.empty()) return status::NotFound("person");
    ASSIGN_OR_RETURN(StoredPerson stored, PersonAt(tx, *keyring_, tenant, rows[0]));
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
                    "SELECT encode(subject_index, 'hex'), encode(codice_fiscale_index, 'hex') "
                    "FROM intake.persons WHERE tenant_id = $1 AND person_id = $2 FOR SHARE",
                    c.tenant_id, c.person_id);
                if (person.empty()) return status::NotFound("person");
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
                         "SELECT encode(coalesce(codice_fiscale_index, subject_index), 'hex') FROM "
                         "intake.persons WHERE tenant_id = $1 AND person_id = $2",
                         tenant, person_id);
        if (person.empty()) return status::NotFound("person");
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

absl::StatusOr<Case> PostgresIntakeRepository::ReadCase(pqxx::work& tx, const std::string& tenant,
                                                        const std::string& id,
                                                        const CaseAccess& access,
                                                        audit::Action action, bool for_update,
                                                        bool with_history) {
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
  if (with_history) {
    ASSIGN_OR_RETURN(stored.c.history, HistoryOf(tx, tenant, id));
  }
  RETURN_IF_ERROR(Audit(tx, tenant, access.who, action, CaseResource(tenant, id),
                        visible ? kCaseData : kCaseBreakGlass, {stored.audit_index}));
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
          "c.tenant_id AND k.contact_id = c.contact_id) FROM intake.contacts c LEFT JOIN "
          "intake.persons p ON p.tenant_id = c.tenant_id AND p.person_id = c.person_id WHERE "
          "c.tenant_id = $1 AND c.contact_id = $2 FOR SHARE OF c",
          tenant, contact_id);
      if (contact.empty()) return status::NotFound("contact");
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

absl::StatusOr<std::vector<std::pair<Person, std::vector<Contact>>>>
PostgresIntakeRepository::HeldAbout(pqxx::work& tx, const std::string& tenant,
                                    const std::string& codice_fiscale_index) {
  std::vector<std::pair<Person, std::vector<Contact>>> held;
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
    held.emplace_back(std::move(stored.person), std::move(contacts));
  }
  return held;
}

}  // namespace sportelli::intake
