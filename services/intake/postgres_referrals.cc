// PostgresIntakeRepository: the comune's destinations and the referrals of its cases to them.
// A referral's snapshot of the shared fields, the coordinator's override reason and the reasons
// of its state changes are sealed under the person's key; every access is audited, a partner's
// as "referral.shared" so that the person's "who looked at my data" lists the body that did.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "nlohmann/json.hpp"
#include "services/intake/outbox_events.h"
#include "services/intake/postgres_intake_repository.h"
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

constexpr char kReferralData[] = "referral";
// What a partner read: the snapshot shared with it.
constexpr char kReferralSharedData[] = "referral.shared";
// A coordinator sent a referral without the person's consent.
constexpr char kConsentOverrideData[] = "referral.consent_override";

std::string ReferralResource(const std::string& tenant, const std::string& id) {
  return api::ReferralName{tenant, id}.ToString();
}

crypto::Binding SharedBinding(const std::string& tenant, const std::string& id) {
  return {tenant, "referrals", "shared", id};
}
crypto::Binding OverrideBinding(const std::string& tenant, const std::string& id) {
  return {tenant, "referrals", "override_reason", id};
}
crypto::Binding ReasonBinding(const std::string& tenant, const std::string& id, int sequence) {
  return {tenant, "referral_history", "reason", absl::StrCat(id, "/", sequence)};
}

std::string TextArray(const std::vector<std::string>& values) {
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

// ---- destinations -----------------------------------------------------------------------------

std::string DestinationColumns() {
  return absl::StrCat("destination_id, display_name, kind, transfer_tenant, example, active, ",
                      Micros("create_time"), ", ", Micros("update_time"));
}

absl::StatusOr<Destination> DestinationAt(const std::string& tenant, const pqxx::row& row) {
  Destination d;
  d.tenant_id = tenant;
  d.id = row[0].as<std::string>();
  d.display_name = row[1].as<std::string>();
  std::optional<DestinationKind> kind = ParseDestinationKind(row[2].as<std::string>());
  if (!kind) return status::Internal("stored destination kind is not known");
  d.kind = *kind;
  d.transfer_tenant = row[3].as<std::string>("");
  d.example = row[4].as<bool>();
  d.active = row[5].as<bool>();
  d.create_time = TimeAt(row[6]);
  d.update_time = TimeAt(row[7]);
  return d;
}

// ---- the shared snapshot ----------------------------------------------------------------------

std::string SharedRecord(const SharedData& s) {
  nlohmann::json j{{"given_name", s.given_name},
                   {"family_name", s.family_name},
                   {"codice_fiscale", s.codice_fiscale},
                   {"phone_number", s.phone_number},
                   {"email", s.email},
                   {"message", s.message}};
  j["birth_date"] = s.birth_date ? nlohmann::json(absl::FormatCivilTime(*s.birth_date)) : nullptr;
  if (s.address) {
    j["address"] = {{"street_address", s.address->street_address},
                    {"postal_code", s.address->postal_code},
                    {"locality", s.address->locality},
                    {"province", s.address->province}};
  } else {
    j["address"] = nullptr;
  }
  j["need_areas"] = nlohmann::json::array();
  for (NeedArea area : s.need_areas) j["need_areas"].push_back(NeedAreaName(area));
  return j.dump();
}

absl::StatusOr<SharedData> ParseSharedRecord(const std::string& record) {
  try {
    const nlohmann::json j = nlohmann::json::parse(record);
    SharedData s;
    s.given_name = j.at("given_name").get<std::string>();
    s.family_name = j.at("family_name").get<std::string>();
    s.codice_fiscale = j.at("codice_fiscale").get<std::string>();
    s.phone_number = j.at("phone_number").get<std::string>();
    s.email = j.at("email").get<std::string>();
    s.message = j.at("message").get<std::string>();
    if (!j.at("birth_date").is_null()) {
      absl::CivilDay day;
      if (!absl::ParseCivilTime(j.at("birth_date").get<std::string>(), &day)) {
        return absl::DataLossError("a referral's stored birth date does not parse");
      }
      s.birth_date = day;
    }
    if (!j.at("address").is_null()) {
      const nlohmann::json& a = j.at("address");
      s.address =
          Address{a.at("street_address").get<std::string>(), a.at("postal_code").get<std::string>(),
                  a.at("locality").get<std::string>(), a.at("province").get<std::string>()};
    }
    for (const nlohmann::json& name : j.at("need_areas")) {
      std::optional<NeedArea> area = ParseNeedArea(name.get<std::string>());
      if (!area) return absl::DataLossError("a referral's stored need area is not known");
      s.need_areas.push_back(*area);
    }
    return s;
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("a referral's stored snapshot does not parse");
  }
}

// ---- referrals --------------------------------------------------------------------------------

enum ReferralColumn {
  kReferralId,
  kReferralCase,
  kReferralPerson,
  kReferralDestination,
  kReferralFields,
  kReferralShared,
  kReferralOverridden,
  kReferralOverride,
  kReferralState,
  kReferralSentBy,
  kReferralCreateTime,
  kReferralUpdateTime,
  kReferralIndexes,
  kReferralRestricted,
};

std::string ReferralColumns() {
  return absl::StrCat(
      "r.referral_id, r.case_id, r.person_id, r.destination_id, "
      "array_to_string(r.shared_fields, ','), encode(r.shared_sealed, 'hex'), "
      "r.consent_overridden, encode(r.override_sealed, 'hex'), r.state, r.sent_by, ",
      Micros("r.create_time"), ", ", Micros("r.update_time"), ", ",
      AuditAndSubjectIndexesOf("r.tenant_id", "r.person_id"), ", ",
      RestrictedOf("r.tenant_id", "r.person_id"));
}

// The row's referral with its sealed fields opened by `key` (the person's, nullopt when
// shredded: the snapshot reads back empty and `shared_erased`).
absl::StatusOr<Referral> ReferralAt(const std::string& tenant, const pqxx::row& row,
                                    const std::optional<crypto::AeadKey>& key) {
  Referral r;
  r.tenant_id = tenant;
  r.id = row[kReferralId].as<std::string>();
  r.case_id = row[kReferralCase].as<std::string>();
  r.person_id = row[kReferralPerson].as<std::string>();
  r.destination_id = row[kReferralDestination].as<std::string>();
  for (absl::string_view name : absl::StrSplit(row[kReferralFields].as<std::string>(), ',')) {
    std::optional<SharedField> field = ParseSharedField(name);
    if (!field) return status::Internal("stored shared field is not known");
    r.shared_fields.push_back(*field);
  }
  std::optional<ReferralState> state = ParseReferralState(row[kReferralState].as<std::string>());
  if (!state) return status::Internal("stored referral state is not known");
  r.state = *state;
  r.sent_by = row[kReferralSentBy].as<std::string>();
  r.create_time = TimeAt(row[kReferralCreateTime]);
  r.update_time = TimeAt(row[kReferralUpdateTime]);
  r.consent_overridden = row[kReferralOverridden].as<bool>();
  ASSIGN_OR_RETURN(
      std::optional<std::string> shared,
      OpenWithPersonKey(key, Bytes(row[kReferralShared]), SharedBinding(tenant, r.id)));
  if (!shared) {
    r.shared_erased = true;
    return r;
  }
  ASSIGN_OR_RETURN(r.shared, ParseSharedRecord(*shared));
  r.message = r.shared.message;
  if (!row[kReferralOverride].is_null()) {
    ASSIGN_OR_RETURN(
        std::optional<std::string> reason,
        OpenWithPersonKey(key, Bytes(row[kReferralOverride]), OverrideBinding(tenant, r.id)));
    r.consent_override_reason = reason.value_or("");
  }
  return r;
}

absl::StatusOr<std::vector<ReferralHistoryEntry>> ReferralHistoryOf(
    pqxx::work& tx, const std::string& tenant, const std::string& id,
    const std::optional<crypto::AeadKey>& key) {
  std::vector<ReferralHistoryEntry> history;
  for (const auto& row : ExecPrepared(
           tx,
           absl::StrCat("SELECT sequence, ", Micros("event_time"),
                        ", actor, from_state, to_state, encode(reason_sealed, 'hex') FROM "
                        "intake.referral_history WHERE tenant_id = $1 AND referral_id = $2 "
                        "ORDER BY sequence"),
           tenant, id)) {
    ReferralHistoryEntry entry;
    entry.time = TimeAt(row[1]);
    entry.actor = row[2].as<std::string>();
    if (!row[3].is_null()) entry.from_state = ParseReferralState(row[3].as<std::string>());
    std::optional<ReferralState> to = ParseReferralState(row[4].as<std::string>());
    if (!to) return status::Internal("stored referral state is not known");
    entry.to_state = *to;
    if (!row[5].is_null()) {
      ASSIGN_OR_RETURN(
          std::optional<std::string> reason,
          OpenWithPersonKey(key, Bytes(row[5]), ReasonBinding(tenant, id, row[0].as<int>())));
      entry.reason = reason.value_or("");
    }
    history.push_back(std::move(entry));
  }
  return history;
}

void AppendReferralHistory(pqxx::work& tx, const Referral& r, int sequence,
                           const ReferralHistoryEntry& entry, const crypto::AeadKey& key) {
  ExecPrepared(
      tx,
      "INSERT INTO intake.referral_history (tenant_id, referral_id, sequence, event_time, actor, "
      "from_state, to_state, reason_sealed) VALUES ($1, $2, $3, $4::timestamptz, $5, "
      "nullif($6, ''), $7, decode(nullif($8, ''), 'hex'))",
      r.tenant_id, r.id, sequence, Timestamp(entry.time), entry.actor,
      entry.from_state ? ReferralStateName(*entry.from_state) : "",
      ReferralStateName(entry.to_state),
      entry.reason.empty()
          ? std::string()
          : Hex(key.Seal(entry.reason, ReasonBinding(r.tenant_id, r.id, sequence))));
}

}  // namespace

// ---- destinations -----------------------------------------------------------------------------

absl::StatusOr<pg::Created<Destination>> PostgresIntakeRepository::CreateDestination(
    const Destination& d, const pg::RequestKey& key,
    const pg::ResponseEncoder<Destination>& encode) {
  return pool_->RunInTenantTransaction(
      d.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Destination>> {
        return pg::RunIdempotent<Destination>(
            tx, kSchema, d.tenant_id, key, encode, [&]() -> absl::StatusOr<Destination> {
              ExecPrepared(tx,
                           "INSERT INTO intake.destinations (tenant_id, destination_id, "
                           "display_name, kind, transfer_tenant, example, active, create_time, "
                           "update_time) VALUES ($1, $2, $3, $4, nullif($5, ''), $6, $7, "
                           "$8::timestamptz, $8::timestamptz)",
                           d.tenant_id, d.id, d.display_name, DestinationKindName(d.kind),
                           d.transfer_tenant, d.example, d.active, Timestamp(d.create_time));
              return d;
            });
      });
}

absl::StatusOr<bool> PostgresIntakeRepository::SeedDestination(const Destination& d) {
  return pool_->RunInTenantTransaction(d.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<bool> {
    const pqxx::result inserted = ExecPrepared(
        tx,
        "INSERT INTO intake.destinations (tenant_id, destination_id, display_name, kind, "
        "transfer_tenant, example, active, create_time, update_time) VALUES ($1, $2, $3, $4, "
        "nullif($5, ''), $6, $7, $8::timestamptz, $8::timestamptz) ON CONFLICT (tenant_id, "
        "destination_id) DO NOTHING RETURNING destination_id",
        d.tenant_id, d.id, d.display_name, DestinationKindName(d.kind), d.transfer_tenant,
        d.example, d.active, Timestamp(d.create_time));
    return !inserted.empty();
  });
}

absl::StatusOr<Destination> PostgresIntakeRepository::GetDestination(const std::string& tenant,
                                                                     const std::string& id) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Destination> {
    const pqxx::result rows = ExecPrepared(
        tx,
        absl::StrCat("SELECT ", DestinationColumns(),
                     " FROM intake.destinations WHERE tenant_id = $1 AND destination_id = $2"),
        tenant, id);
    if (rows.empty()) return status::NotFound("destination");
    return DestinationAt(tenant, rows[0]);
  });
}

absl::StatusOr<api::Page<Destination>> PostgresIntakeRepository::ListDestinations(
    const std::string& tenant, bool include_inactive, const api::PageRequest& page) {
  const std::string after = page.after.empty() ? "" : page.after[0];
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Destination>> {
        std::vector<Destination> destinations;
        for (const auto& row : ExecPrepared(
                 tx,
                 absl::StrCat("SELECT ", DestinationColumns(),
                              " FROM intake.destinations WHERE tenant_id = $1 AND ($2 OR active) "
                              "AND destination_id > $3 ORDER BY destination_id LIMIT $4"),
                 tenant, include_inactive, after, page.limit + 1)) {
          ASSIGN_OR_RETURN(Destination d, DestinationAt(tenant, row));
          destinations.push_back(std::move(d));
        }
        return api::TakePage(std::move(destinations), page.limit);
      });
}

absl::StatusOr<Destination> PostgresIntakeRepository::UpdateDestination(
    const std::string& tenant, const std::string& id,
    const std::optional<std::string>& display_name, std::optional<bool> active, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Destination> {
    const pqxx::result rows = ExecPrepared(
        tx,
        absl::StrCat("UPDATE intake.destinations SET display_name = coalesce($3, display_name), "
                     "active = coalesce($4, active), update_time = $5::timestamptz WHERE "
                     "tenant_id = $1 AND destination_id = $2 RETURNING ",
                     DestinationColumns()),
        tenant, id, display_name, active, Timestamp(now));
    if (rows.empty()) return status::NotFound("destination");
    return DestinationAt(tenant, rows[0]);
  });
}

// ---- referrals --------------------------------------------------------------------------------

absl::StatusOr<StoredReferral> PostgresIntakeRepository::ReadReferral(
    pqxx::work& tx, const std::string& tenant, const std::string& id, const ReferralAccess& access,
    audit::Action action, bool for_update) {
  const pqxx::result rows = ExecPrepared(
      tx,
      absl::StrCat("SELECT ", ReferralColumns(),
                   " FROM intake.referrals r WHERE r.tenant_id = $1 AND r.referral_id = $2",
                   for_update ? " FOR UPDATE OF r" : ""),
      tenant, id);
  // Another destination's referral is answered as an unknown one: a partner learns nothing of
  // what was sent elsewhere, not even that it exists.
  if (rows.empty() || (access.partner() && rows[0][kReferralDestination].as<std::string>() !=
                                               access.partner_destination)) {
    return status::NotFound("referral");
  }
  if (rows[0][kReferralRestricted].as<bool>()) return ProcessingRestricted();
  StoredReferral stored;
  std::tie(stored.audit_index, stored.subject_index) =
      AuditAndSubjectIndexes(rows[0][kReferralIndexes]);
  const std::string resource = ReferralResource(tenant, id);
  if (access.partner()) {
    RETURN_IF_ERROR(Audit(tx, tenant, access.staff.who, action, resource, kReferralSharedData,
                          {stored.audit_index}));
  } else {
    RETURN_IF_ERROR(ReadStoredCase(tx, tenant, rows[0][kReferralCase].as<std::string>(),
                                   access.staff, action, /*for_update=*/false, kReferralData,
                                   resource)
                        .status());
  }
  ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                   keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
  ASSIGN_OR_RETURN(stored.r, ReferralAt(tenant, rows[0], key));
  ASSIGN_OR_RETURN(stored.r.history, ReferralHistoryOf(tx, tenant, id, key));
  return stored;
}

absl::StatusOr<pg::Created<Referral>> PostgresIntakeRepository::CreateReferral(
    const NewReferral& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Referral>& encode) {
  const std::string& tenant = request.referral.tenant_id;
  const auto under_way = [&](const std::string& existing) {
    return status::Error(absl::StatusCode::kAlreadyExists,
                         absl::StrCat("the case has a referral to this destination under way",
                                      existing.empty() ? "" : ": ",
                                      existing.empty() ? "" : ReferralResource(tenant, existing)),
                         "REFERRAL_UNDER_WAY");
  };
  pg::TransactionOptions options;
  options.tenant_id = tenant;
  options.constraint_errors.push_back({"referrals_one_under_way", under_way("")});
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Referral>> {
        return pg::RunIdempotent<Referral>(
            tx, kSchema, tenant, key, encode, [&]() -> absl::StatusOr<Referral> {
              Referral r = request.referral;
              ASSIGN_OR_RETURN(
                  auto written,
                  CaseTakingRecords(tx, tenant, r.case_id, request.access, audit::Action::kCreate,
                                    kReferralData, ReferralResource(tenant, r.id)));
              const StoredCase& stored = written.first;
              const crypto::AeadKey& person_key = written.second;
              const pqxx::result destination =
                  ExecPrepared(tx,
                               "SELECT active FROM intake.destinations WHERE tenant_id = $1 AND "
                               "destination_id = $2",
                               tenant, r.destination_id);
              if (destination.empty()) return status::NotFound("destination");
              if (!destination[0][0].as<bool>()) {
                return status::Error(absl::StatusCode::kFailedPrecondition,
                                     "the destination takes no new referrals",
                                     "DESTINATION_INACTIVE");
              }
              const pqxx::result existing = ExecPrepared(
                  tx,
                  "SELECT referral_id FROM intake.referrals WHERE tenant_id = $1 AND case_id = "
                  "$2 AND destination_id = $3 AND state IN ('SENT', 'ACCEPTED')",
                  tenant, r.case_id, r.destination_id);
              if (!existing.empty()) return under_way(existing[0][0].as<std::string>());

              const pqxx::result person =
                  ExecPrepared(tx,
                               absl::StrCat("SELECT ", PersonColumns(), kPersonFrom,
                                            "WHERE p.tenant_id = $1 AND p.person_id = $2"),
                               tenant, stored.c.person_id);
              if (person.empty()) return status::Internal("a case's person is missing");
              ASSIGN_OR_RETURN(StoredPerson who, PersonAt(tx, *keyring_, tenant, person[0]));
              if (who.person.erased) {
                return status::Error(absl::StatusCode::kFailedPrecondition,
                                     "the person's data was erased: there is nothing to share",
                                     "PERSON_ERASED");
              }
              ASSIGN_OR_RETURN(r.consent_overridden,
                               CheckReferralConsent(who.person.consents, request.override_requested,
                                                    request.access.viewer.coordinator));
              if (!r.consent_overridden) r.consent_override_reason.clear();
              std::vector<NeedArea> need_areas;
              for (const auto& row : ExecPrepared(
                       tx,
                       "SELECT unnest(need_areas) FROM intake.contacts WHERE tenant_id = $1 AND "
                       "contact_id = $2",
                       tenant, stored.c.contact_id)) {
                if (std::optional<NeedArea> area = ParseNeedArea(row[0].as<std::string>())) {
                  need_areas.push_back(*area);
                }
              }
              r.person_id = stored.c.person_id;
              r.shared = SharedDataFor(r.shared_fields, who.person.identity, need_areas, r.message);
              r.state = ReferralState::kSent;

              std::vector<std::string> fields;
              for (SharedField field : r.shared_fields) fields.emplace_back(SharedFieldName(field));
              ExecPrepared(
                  tx,
                  "INSERT INTO intake.referrals (tenant_id, referral_id, case_id, person_id, "
                  "destination_id, shared_fields, shared_sealed, consent_overridden, "
                  "override_sealed, state, sent_by, create_time, update_time) VALUES ($1, $2, "
                  "$3, $4, $5, $6::text[], decode($7, 'hex'), $8, decode(nullif($9, ''), "
                  "'hex'), 'SENT', $10, $11::timestamptz, $11::timestamptz)",
                  tenant, r.id, r.case_id, r.person_id, r.destination_id, TextArray(fields),
                  Hex(person_key.Seal(SharedRecord(r.shared), SharedBinding(tenant, r.id))),
                  r.consent_overridden,
                  r.consent_overridden ? Hex(person_key.Seal(r.consent_override_reason,
                                                             OverrideBinding(tenant, r.id)))
                                       : std::string(),
                  r.sent_by, Timestamp(r.create_time));
              ReferralHistoryEntry sent;
              sent.time = r.create_time;
              sent.actor = r.sent_by;
              sent.to_state = ReferralState::kSent;
              AppendReferralHistory(tx, r, 1, sent, person_key);
              r.history = {sent};
              events::WriteOutbox(tx, kSchema, ReferralSentEvent(r));
              if (r.consent_overridden) {
                RETURN_IF_ERROR(Audit(tx, tenant, request.access.who, audit::Action::kCreate,
                                      ReferralResource(tenant, r.id), kConsentOverrideData,
                                      {stored.audit_index}));
              }
              return r;
            });
      });
}

absl::StatusOr<Referral> PostgresIntakeRepository::GetReferral(const std::string& tenant,
                                                               const std::string& id,
                                                               const ReferralAccess& access) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Referral> {
    ASSIGN_OR_RETURN(StoredReferral stored,
                     ReadReferral(tx, tenant, id, access, audit::Action::kRead,
                                  /*for_update=*/false));
    return access.partner() ? PartnerView(std::move(stored.r)) : std::move(stored.r);
  });
}

absl::StatusOr<api::Page<Referral>> PostgresIntakeRepository::ListReferrals(
    const std::string& tenant, const ReferralFilter& filter, const ReferralAccess& access,
    const api::PageRequest& page) {
  const bool by_case = !filter.case_id.empty();
  std::vector<std::string> states;
  for (ReferralState state : filter.states) states.emplace_back(ReferralStateName(state));
  const bool first = page.after.empty();
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Referral>> {
        const std::string resource =
            by_case ? absl::StrCat(CaseResource(tenant, filter.case_id), "/referrals")
                    : absl::StrCat(api::DestinationName{tenant, filter.destination_id}.ToString(),
                                   "/referrals");
        if (by_case) {
          RETURN_IF_ERROR(ReadStoredCase(tx, tenant, filter.case_id, access.staff,
                                         audit::Action::kList, /*for_update=*/false, kReferralData,
                                         resource)
                              .status());
        }
        const pqxx::result rows = ExecPrepared(
            tx,
            absl::StrCat("SELECT ", ReferralColumns(), " FROM intake.referrals r WHERE ",
                         "r.tenant_id = $1 AND ", by_case ? "r.case_id" : "r.destination_id",
                         " = $2 AND NOT ", RestrictedOf("r.tenant_id", "r.person_id"),
                         " AND (cardinality($3::text[]) = 0 OR r.state = ANY($3::text[])) "
                         "AND ($4 OR (",
                         Micros("r.create_time"),
                         ", r.referral_id) < ($5::int8, $6)) ORDER BY r.create_time DESC, "
                         "r.referral_id DESC LIMIT $7"),
            tenant, by_case ? filter.case_id : filter.destination_id, TextArray(states), first,
            first ? "0" : page.after[0], first ? "" : page.after[1], page.limit + 1);
        std::vector<Referral> referrals;
        std::vector<std::string> indexes;
        for (const auto& row : rows) {
          const auto [audit_index, subject_index] = AuditAndSubjectIndexes(row[kReferralIndexes]);
          ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                           keyring_->ReadSubjectKey(tx, tenant, subject_index));
          ASSIGN_OR_RETURN(Referral r, ReferralAt(tenant, row, key));
          if (static_cast<int>(referrals.size()) < page.limit) indexes.push_back(audit_index);
          referrals.push_back(access.partner() ? PartnerView(std::move(r)) : std::move(r));
        }
        if (!by_case) {
          RETURN_IF_ERROR(Audit(tx, tenant, access.staff.who, audit::Action::kList, resource,
                                access.partner() ? kReferralSharedData : kReferralData,
                                std::move(indexes)));
        }
        return api::TakePage(std::move(referrals), page.limit);
      });
}

absl::StatusOr<Referral> PostgresIntakeRepository::TransitionReferral(
    const std::string& tenant, const std::string& id, ReferralState to, const std::string& reason,
    const ReferralAccess& access, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Referral> {
    ASSIGN_OR_RETURN(StoredReferral stored,
                     ReadReferral(tx, tenant, id, access, audit::Action::kUpdate,
                                  /*for_update=*/true));
    Referral& r = stored.r;
    RETURN_IF_ERROR(CheckReferralTransition(
        r.state, to, access.partner() ? ReferralParty::kPartner : ReferralParty::kStaff,
        !reason.empty()));
    ASSIGN_OR_RETURN(crypto::AeadKey person_key,
                     keyring_->SubjectKeyForWrite(tx, tenant, stored.subject_index));
    ExecPrepared(tx,
                 "UPDATE intake.referrals SET state = $3, update_time = $4::timestamptz WHERE "
                 "tenant_id = $1 AND referral_id = $2",
                 tenant, id, ReferralStateName(to), Timestamp(now));
    ReferralHistoryEntry entry;
    entry.time = now;
    entry.actor = access.staff.who.subject;
    entry.from_state = r.state;
    entry.to_state = to;
    entry.reason = reason;
    AppendReferralHistory(tx, r, static_cast<int>(r.history.size()) + 1, entry, person_key);
    const ReferralState from = r.state;
    r.state = to;
    r.update_time = now;
    r.history.push_back(entry);
    events::WriteOutbox(tx, kSchema, ReferralStateChangedEvent(r, from, now));
    return access.partner() ? PartnerView(std::move(r)) : std::move(r);
  });
}

absl::StatusOr<std::vector<Referral>> PostgresIntakeRepository::HeldReferrals(
    pqxx::work& tx, const std::string& tenant, const std::string& person_id,
    const std::optional<crypto::AeadKey>& key) {
  std::vector<Referral> referrals;
  for (const auto& row : ExecPrepared(
           tx,
           absl::StrCat("SELECT ", ReferralColumns(),
                        " FROM intake.referrals r WHERE r.tenant_id = $1 AND r.person_id = $2 "
                        "ORDER BY r.create_time, r.referral_id"),
           tenant, person_id)) {
    ASSIGN_OR_RETURN(Referral r, ReferralAt(tenant, row, key));
    ASSIGN_OR_RETURN(r.history, ReferralHistoryOf(tx, tenant, r.id, key));
    referrals.push_back(std::move(r));
  }
  return referrals;
}

}  // namespace sportelli::intake
