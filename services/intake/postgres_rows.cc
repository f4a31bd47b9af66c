#include "services/intake/postgres_rows.h"

#include <optional>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "sportelli/api/names.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {
namespace {

using pg::ExecPrepared;
using pg::Micros;
using pg::TimeAt;

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
  kPersonRestricted,
};

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
  kContactRestricted,
};

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
  kCasePact,
  kCaseRestricted,
};

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
    // Records sealed before households were kept have none.
    for (const nlohmann::json& m : j.value("household", nlohmann::json::array())) {
      HouseholdMember member;
      member.person_id = m.at("person_id").get<std::string>();
      member.given_name = m.at("given_name").get<std::string>();
      member.family_name = m.at("family_name").get<std::string>();
      const std::string born = m.at("birth_date").get<std::string>();
      if (!born.empty()) {
        absl::CivilDay day;
        if (!absl::ParseCivilTime(born, &day)) {
          return absl::DataLossError("a household member's stored birth date does not parse");
        }
        member.birth_date = day;
      }
      std::optional<Relation> relation = ParseRelation(m.at("relation").get<std::string>());
      std::optional<LegalRole> role = ParseLegalRole(m.at("legal_role").get<std::string>());
      if (!relation || !role) return absl::DataLossError("a household member does not parse");
      member.relation = *relation;
      member.legal_role = *role;
      id.household.push_back(std::move(member));
    }
    return id;
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("a person's stored identity does not parse");
  }
}

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

}  // namespace

std::string AuditAndSubjectIndexesOf(absl::string_view tenant_column,
                                     absl::string_view person_column) {
  return absl::StrCat(
      "(SELECT encode(coalesce(p.codice_fiscale_index, p.subject_index), 'hex') || ' ' || "
      "encode(p.subject_index, 'hex') FROM intake.persons p WHERE p.tenant_id = ",
      tenant_column, " AND p.person_id = ", person_column, ")");
}

std::string RestrictedOf(absl::string_view tenant_column, absl::string_view person_column) {
  return absl::StrCat(
      "coalesce((SELECT p.processing_restricted FROM intake.persons p WHERE p.tenant_id = ",
      tenant_column, " AND p.person_id = ", person_column, "), false)");
}

absl::Status ProcessingRestricted() {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the person's data is restricted (GDPR art. 18): it is kept, not "
                       "processed, until the DPO lifts the restriction",
                       "PROCESSING_RESTRICTED");
}

std::pair<std::string, std::string> AuditAndSubjectIndexes(const pqxx::field& field) {
  const std::pair<std::string, std::string> hex = absl::StrSplit(field.as<std::string>(), ' ');
  return {absl::HexStringToBytes(hex.first), absl::HexStringToBytes(hex.second)};
}

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
  nlohmann::json household = nlohmann::json::array();
  for (const HouseholdMember& m : id.household) {
    household.push_back({{"person_id", m.person_id},
                         {"given_name", m.given_name},
                         {"family_name", m.family_name},
                         {"birth_date", m.birth_date ? absl::FormatCivilTime(*m.birth_date) : ""},
                         {"relation", RelationName(m.relation)},
                         {"legal_role", LegalRoleName(m.legal_role)}});
  }
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
      {"household", household},
  }
      .dump();
}

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

absl::StatusOr<std::optional<std::string>> OpenWithPersonKey(
    const std::optional<crypto::AeadKey>& key, const std::string& sealed,
    const crypto::Binding& binding) {
  ASSIGN_OR_RETURN(uint32_t sealed_under, crypto::SealedKeyVersion(sealed));
  if (!key || key->version() != sealed_under) return std::optional<std::string>();
  ASSIGN_OR_RETURN(std::string clear, key->Open(sealed, binding));
  return std::optional<std::string>(std::move(clear));
}

// ---- persons ----------------------------------------------------------------------------------

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
      "WHERE c.tenant_id = p.tenant_id AND c.person_id = p.person_id)::text, "
      "p.processing_restricted");
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
  p.processing_restricted = row[kPersonRestricted].as<bool>();
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

std::string ContactColumns() {
  return absl::StrCat(
      "c.contact_id, c.person_id, encode(c.subject_index, 'hex'), c.desk_id, c.channel, ",
      Micros("c.contact_time"),
      ", c.operator_subject, array_to_string(c.need_areas, ','), "
      "encode(c.information_sealed, 'hex'), c.outcome, c.appointment_id, ",
      Micros("c.create_time"),
      ", k.key_id, encode(k.sealed_key, 'hex'), "
      "(SELECT encode(p.codice_fiscale_index, 'hex') FROM intake.persons p "
      "WHERE p.tenant_id = c.tenant_id AND p.person_id = c.person_id), ",
      RestrictedOf("c.tenant_id", "c.person_id"));
}

absl::StatusOr<StoredContact> ContactAt(pqxx::work& tx, keyring::Keyring& keyring,
                                        const std::string& tenant, const pqxx::row& row) {
  StoredContact stored;
  Contact& c = stored.contact;
  c.tenant_id = tenant;
  c.id = row[kContactId].as<std::string>();
  c.person_id = row[kContactPerson].as<std::string>("");
  const std::string subject = Bytes(row[kContactSubject]);
  stored.restricted = row[kContactRestricted].as<bool>();
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

std::string CaseColumns() {
  return absl::StrCat(
      "k.case_id, k.person_id, k.contact_id, k.desk_id, k.state, k.close_reason, k.assignee, ",
      Micros("k.create_time"), ", ", Micros("k.update_time"), ", ",
      AuditAndSubjectIndexesOf("k.tenant_id", "k.person_id"), ", encode(k.pact_sealed, 'hex'), ",
      RestrictedOf("k.tenant_id", "k.person_id"));
}

std::string CaseResource(const std::string& tenant, const std::string& id) {
  return api::CaseName{tenant, id}.ToString();
}

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
  std::tie(stored.audit_index, stored.subject_index) = AuditAndSubjectIndexes(row[kCaseAuditIndex]);
  if (!row[kCasePact].is_null()) stored.pact_sealed = Bytes(row[kCasePact]);
  stored.restricted = row[kCaseRestricted].as<bool>();
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

crypto::Binding PactBinding(const std::string& tenant, const std::string& case_id) {
  return {tenant, "cases", "pact", case_id};
}

std::string PactRecord(const InclusionPact& pact) {
  nlohmann::json meetings = nlohmann::json::array();
  for (const PactMeeting& m : pact.meetings) {
    meetings.push_back({{"start_micros", absl::ToUnixMicros(m.start_time)},
                        {"minutes", absl::ToInt64Minutes(m.duration)}});
  }
  return nlohmann::json{{"goals", pact.goals},
                        {"commitments", pact.commitments},
                        {"supports", pact.supports},
                        {"meetings", meetings}}
      .dump();
}

absl::Status OpenPact(Case& c, const std::string& sealed,
                      const std::optional<crypto::AeadKey>& key) {
  if (sealed.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> record,
                   OpenWithPersonKey(key, sealed, PactBinding(c.tenant_id, c.id)));
  if (!record) {
    c.pact_erased = true;
    return absl::OkStatus();
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(*record);
    InclusionPact pact;
    pact.goals = j.at("goals").get<std::vector<std::string>>();
    pact.commitments = j.at("commitments").get<std::vector<std::string>>();
    pact.supports = j.at("supports").get<std::vector<std::string>>();
    for (const nlohmann::json& m : j.at("meetings")) {
      pact.meetings.push_back({absl::FromUnixMicros(m.at("start_micros").get<int64_t>()),
                               absl::Minutes(m.at("minutes").get<int64_t>())});
    }
    c.pact = std::move(pact);
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("a case's stored pact does not parse");
  }
  return absl::OkStatus();
}

}  // namespace sportelli::intake
