#include "sportelli/audit/audit_log.h"

#include <algorithm>
#include <map>

#include "absl/random/random.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::audit {

namespace audit_component {
const std::vector<pg::Migration>& Migrations();  // generated from migrations/audit/
}  // namespace audit_component

pg::MigrationComponent AuditComponent() { return {"audit", &audit_component::Migrations()}; }

pg::RetentionStep AuditRetention(std::string schema, absl::Duration keep) {
  return {"audit_events",
          [schema, keep](pqxx::work& tx, const std::string&, absl::Time now,
                         int batch) -> absl::StatusOr<int> {
            return tx
                .exec_params(
                    absl::StrCat("SELECT ", schema, ".expire_audit_events($1::timestamptz, $2)"),
                    pg::Timestamp(now - keep), batch)[0][0]
                .as<int>();
          }};
}

namespace {

constexpr const char* kActionNames[] = {"READ", "LIST", "CREATE", "UPDATE", "DELETE", "EXPORT"};
constexpr const char* kPurposeNames[] = {"service_delivery", "citizen_request", "case_management",
                                         "administration",   "data_protection", "service",
                                         "referral",         "notification"};

const std::string& Genesis() {
  static const std::string* genesis = new std::string(32, '\0');
  return *genesis;
}

void AppendPart(std::string& out, absl::string_view part) {
  const uint32_t size = static_cast<uint32_t>(part.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(size >> shift));
  out.append(part.data(), part.size());
}

// `count` (at most kLanes) distinct lanes chosen at random, in lane order: the order every
// writer locks their heads in.
std::vector<int> RandomLanes(size_t count) {
  static absl::Mutex mutex(absl::kConstInit);
  static absl::BitGen* bits = new absl::BitGen();
  std::vector<int> lanes(kLanes);
  for (int i = 0; i < kLanes; ++i) lanes[i] = i;
  {
    absl::MutexLock lock(&mutex);
    std::shuffle(lanes.begin(), lanes.end(), *bits);
  }
  lanes.resize(std::min<size_t>(kLanes, count));
  std::sort(lanes.begin(), lanes.end());
  return lanes;
}

// The head's next sequence number in the encoding of RowHash, for the head upserts below.
constexpr char kNextSequencePart[] =
    "int4send(octet_length((h.last_sequence + 1)::text)) || "
    "convert_to((h.last_sequence + 1)::text, 'UTF8')";

using pg::Timestamp;

// Bytes as a PostgreSQL text[] literal of their hex.
std::string HexArray(const std::vector<std::string>& values) {
  std::vector<std::string> hex;
  hex.reserve(values.size());
  for (const std::string& v : values) hex.push_back(absl::BytesToHexString(v));
  return pg::TextArray(hex);
}

std::string EventColumns() {
  return "tenant_id, lane, sequence, (extract(epoch from event_time) * 1000000)::int8, subject, "
         "array_to_string(roles, ','), subject_tenant, action, resource, data_class, purpose, "
         "request_id, (SELECT coalesce(string_agg(encode(x, 'hex'), ',' ORDER BY o), '') FROM "
         "unnest(citizen_indexes) WITH ORDINALITY AS u(x, o)), encode(previous_hash, 'hex'), "
         "encode(row_hash, 'hex')";
}

absl::StatusOr<Event> EventAt(const pqxx::row& row) {
  Event e;
  e.tenant_id = row[0].as<std::string>();
  e.lane = row[1].as<int>();
  e.sequence = row[2].as<int64_t>();
  e.time = absl::FromUnixMicros(row[3].as<int64_t>());
  Actor& actor = e.access.actor;
  actor.subject = row[4].as<std::string>();
  actor.roles = absl::StrSplit(row[5].as<std::string>(), ',', absl::SkipEmpty());
  actor.tenant = row[6].as<std::string>();
  std::optional<Action> action = ParseAction(row[7].as<std::string>());
  std::optional<Purpose> purpose = ParsePurpose(row[10].as<std::string>());
  // A value outside the lists cannot be stored (CHECK) or was changed: Verify reports it by
  // hash; here it is kept as the first enumerator and the row hash will not match.
  e.access.action = action.value_or(Action::kRead);
  actor.purpose = purpose.value_or(Purpose::kServiceDelivery);
  e.access.resource = row[8].as<std::string>();
  e.access.data_class = row[9].as<std::string>();
  actor.request_id = row[11].as<std::string>();
  for (absl::string_view hex : absl::StrSplit(row[12].as<std::string>(), ',', absl::SkipEmpty())) {
    e.access.citizen_indexes.push_back(absl::HexStringToBytes(hex));
  }
  e.previous_hash = absl::HexStringToBytes(row[13].as<std::string>());
  e.row_hash = absl::HexStringToBytes(row[14].as<std::string>());
  if (!action || !purpose) e.row_hash = "unknown action or purpose";
  return e;
}

}  // namespace

const char* ActionName(Action action) { return kActionNames[static_cast<int>(action)]; }

std::optional<Action> ParseAction(absl::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(kActionNames)); ++i) {
    if (name == kActionNames[i]) return static_cast<Action>(i);
  }
  return std::nullopt;
}

const char* PurposeName(Purpose purpose) { return kPurposeNames[static_cast<int>(purpose)]; }

std::optional<Purpose> ParsePurpose(absl::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(kPurposeNames)); ++i) {
    if (name == kPurposeNames[i]) return static_cast<Purpose>(i);
  }
  return std::nullopt;
}

namespace {

// A row's hashed encoding is: magic, tenant, lane | sequence | time ... citizens | previous hash,
// each length-prefixed. The parts around the sequence and the previous hash are made here, so
// that PostgreSQL can finish the hash in the append itself (Record), where the sequence and the
// previous hash are known.
std::string EncodedBeforeSequence(const Event& e) {
  std::string encoded = "sportelli-audit-v1";
  AppendPart(encoded, e.tenant_id);
  AppendPart(encoded, absl::StrCat(e.lane));
  return encoded;
}

std::string EncodedBetween(const Event& e) {
  std::string encoded;
  const Actor& actor = e.access.actor;
  for (const std::string& part :
       {absl::StrCat(absl::ToUnixMicros(e.time)), actor.subject, absl::StrJoin(actor.roles, ","),
        actor.tenant, std::string(ActionName(e.access.action)), e.access.resource,
        e.access.data_class, std::string(PurposeName(actor.purpose)), actor.request_id,
        absl::StrCat(e.access.citizen_indexes.size())}) {
    AppendPart(encoded, part);
  }
  for (const std::string& index : e.access.citizen_indexes) AppendPart(encoded, index);
  return encoded;
}

}  // namespace

std::string RowHash(const Event& e) {
  std::string encoded = EncodedBeforeSequence(e);
  AppendPart(encoded, absl::StrCat(e.sequence));
  encoded += EncodedBetween(e);
  AppendPart(encoded, e.previous_hash);
  return crypto::Sha256(encoded);
}

AuditLog::AuditLog(std::string schema, const clock::Clock* clock)
    : schema_(std::move(schema)), clock_(clock) {}

absl::Status AuditLog::Record(pqxx::work& tx, const std::string& tenant,
                              const Access& access) const {
  Event e;
  e.tenant_id = tenant;
  e.lane = RandomLanes(1).front();
  e.time = absl::FromUnixMicros(absl::ToUnixMicros(clock_->Now()));  // as PostgreSQL keeps it
  e.access = access;
  // One statement: the lane's head (made on its first use) moves on by one row and takes the new
  // row's hash, computed here by PostgreSQL over the same encoding as RowHash (the sequence and
  // the previous hash are the head's); the row is inserted with both. The head's row lock orders
  // the lane's appends until this transaction ends.
  const Actor& actor = access.actor;
  pg::ExecPrepared(
      tx,
      absl::StrCat(
          "WITH head AS (INSERT INTO ", schema_,
          ".audit_heads AS h (tenant_id, lane, last_sequence, previous_hash, last_hash) VALUES "
          "($1, $2, 1, decode($15, 'hex'), sha256(decode($3, 'hex') || int4send(1) || "
          "convert_to('1', 'UTF8') || decode($4, 'hex') || int4send(32) || decode($15, 'hex'))) "
          "ON CONFLICT (tenant_id, lane) DO UPDATE SET last_sequence = h.last_sequence + 1, "
          "previous_hash = h.last_hash, last_hash = sha256(decode($3, 'hex') || ",
          kNextSequencePart,
          " || decode($4, 'hex') || int4send(octet_length(h.last_hash)) || h.last_hash) "
          "RETURNING last_sequence, previous_hash, last_hash) INSERT INTO ",
          schema_,
          ".audit_events (tenant_id, lane, sequence, event_time, subject, roles, subject_tenant, "
          "action, resource, data_class, purpose, request_id, citizen_indexes, previous_hash, "
          "row_hash) SELECT $1, $2, last_sequence, $5::timestamptz, $6, $7::text[], $8, $9, $10, "
          "$11, $12, $13, (SELECT coalesce(array_agg(decode(x, 'hex') ORDER BY o), '{}') FROM "
          "unnest($14::text[]) WITH ORDINALITY AS u(x, o)), previous_hash, last_hash FROM head"),
      tenant, e.lane, absl::BytesToHexString(EncodedBeforeSequence(e)),
      absl::BytesToHexString(EncodedBetween(e)), Timestamp(e.time), actor.subject,
      absl::StrCat("{", absl::StrJoin(actor.roles, ","), "}"), actor.tenant,
      std::string(ActionName(access.action)), access.resource, access.data_class,
      std::string(PurposeName(actor.purpose)), actor.request_id, HexArray(access.citizen_indexes),
      absl::BytesToHexString(Genesis()));
  return absl::OkStatus();
}

absl::Status AuditLog::RecordMany(pqxx::work& tx, const std::string& tenant,
                                  const std::vector<Access>& accesses) const {
  if (accesses.empty()) return absl::OkStatus();
  const std::vector<int> lanes = RandomLanes(accesses.size());

  const absl::Time now = absl::FromUnixMicros(absl::ToUnixMicros(clock_->Now()));
  const std::string sql = absl::StrCat(
      "WITH input AS (SELECT * FROM unnest($2::int4[], $3::text[], $4::text[], $5::text[], "
      "$6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], "
      "$13::text[]) AS u(lane, before_hex, between_hex, subject, roles, subject_tenant, action, "
      "resource, data_class, purpose, request_id, indexes)), head AS (INSERT INTO ",
      schema_,
      ".audit_heads AS h (tenant_id, lane, last_sequence, previous_hash, last_hash) SELECT $1, "
      "lane, 1, decode($15, 'hex'), sha256(decode(before_hex, 'hex') || int4send(1) || "
      "convert_to('1', 'UTF8') || decode(between_hex, 'hex') || int4send(32) || "
      "decode($15, 'hex')) FROM input ORDER BY lane ON CONFLICT (tenant_id, lane) DO UPDATE SET "
      "last_sequence = h.last_sequence + 1, previous_hash = h.last_hash, last_hash = "
      "sha256((SELECT decode(i.before_hex, 'hex') FROM input AS i WHERE i.lane = EXCLUDED.lane) "
      "|| ",
      kNextSequencePart,
      " || (SELECT decode(i.between_hex, 'hex') FROM input AS i WHERE i.lane = EXCLUDED.lane) "
      "|| int4send(octet_length(h.last_hash)) || h.last_hash) RETURNING lane, last_sequence, "
      "previous_hash, last_hash) INSERT INTO ",
      schema_,
      ".audit_events (tenant_id, lane, sequence, event_time, subject, roles, subject_tenant, "
      "action, resource, data_class, purpose, request_id, citizen_indexes, previous_hash, "
      "row_hash) SELECT $1, i.lane, head.last_sequence, $14::timestamptz, i.subject, "
      "string_to_array(i.roles, ','), i.subject_tenant, i.action, i.resource, i.data_class, "
      "i.purpose, i.request_id, ARRAY(SELECT decode(x, 'hex') FROM "
      "unnest(string_to_array(i.indexes, ',')) WITH ORDINALITY AS u(x, o) ORDER BY o), "
      "head.previous_hash, head.last_hash FROM head JOIN input AS i USING (lane) ORDER BY i.lane");

  for (size_t first = 0; first < accesses.size(); first += lanes.size()) {
    const size_t count = std::min(lanes.size(), accesses.size() - first);
    std::vector<std::string> lane_texts, before, between, subjects, roles, subject_tenants, actions,
        resources, data_classes, purposes, request_ids, indexes;
    for (size_t k = 0; k < count; ++k) {
      Event e;
      e.tenant_id = tenant;
      e.lane = lanes[k];
      e.time = now;
      e.access = accesses[first + k];
      const Actor& actor = e.access.actor;
      lane_texts.push_back(absl::StrCat(e.lane));
      before.push_back(absl::BytesToHexString(EncodedBeforeSequence(e)));
      between.push_back(absl::BytesToHexString(EncodedBetween(e)));
      subjects.push_back(actor.subject);
      roles.push_back(absl::StrJoin(actor.roles, ","));
      subject_tenants.push_back(actor.tenant);
      actions.push_back(std::string(ActionName(e.access.action)));
      resources.push_back(e.access.resource);
      data_classes.push_back(e.access.data_class);
      purposes.push_back(std::string(PurposeName(actor.purpose)));
      request_ids.push_back(actor.request_id);
      std::vector<std::string> hex;
      for (const std::string& index : e.access.citizen_indexes) {
        hex.push_back(absl::BytesToHexString(index));
      }
      indexes.push_back(absl::StrJoin(hex, ","));
    }
    pg::ExecPrepared(tx, sql, tenant, absl::StrCat("{", absl::StrJoin(lane_texts, ","), "}"),
                     pg::TextArray(before), pg::TextArray(between), pg::TextArray(subjects),
                     pg::TextArray(roles), pg::TextArray(subject_tenants), pg::TextArray(actions),
                     pg::TextArray(resources), pg::TextArray(data_classes), pg::TextArray(purposes),
                     pg::TextArray(request_ids), pg::TextArray(indexes), Timestamp(now),
                     absl::BytesToHexString(Genesis()));
  }
  return absl::OkStatus();
}

absl::StatusOr<VerifyReport> AuditLog::Verify(pqxx::work& tx, const std::string& tenant) const {
  VerifyReport report;
  std::map<int, std::pair<int64_t, std::string>> heads;  // lane -> (last sequence, last hash)
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT lane, last_sequence, encode(last_hash, 'hex') FROM ",
                                   schema_, ".audit_heads WHERE tenant_id = $1 ORDER BY lane"),
                      tenant)) {
    heads[row[0].as<int>()] = {row[1].as<int64_t>(),
                               absl::HexStringToBytes(row[2].as<std::string>())};
  }
  for (const auto& row : tx.exec_params(absl::StrCat("SELECT DISTINCT lane FROM ", schema_,
                                                     ".audit_events WHERE tenant_id = $1"),
                                        tenant)) {
    heads.try_emplace(row[0].as<int>(), 0, "");  // rows without a head: reported below
  }
  std::map<int, std::pair<int64_t, std::string>> anchors;  // lane -> (last deleted, its hash)
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT lane, sequence, encode(row_hash, 'hex') FROM ", schema_,
                                   ".audit_anchors WHERE tenant_id = $1"),
                      tenant)) {
    anchors[row[0].as<int>()] = {row[1].as<int64_t>(),
                                 absl::HexStringToBytes(row[2].as<std::string>())};
  }
  constexpr int kBatch = 1000;
  for (const auto& [lane, head] : heads) {
    ++report.lanes;
    std::optional<Event> previous;
    // Where the lane must start: after its anchor when retention deleted its oldest rows.
    auto anchor = anchors.find(lane);
    const int64_t start = anchor == anchors.end() ? 1 : anchor->second.first + 1;
    const std::string& start_link = anchor == anchors.end() ? Genesis() : anchor->second.second;
    const auto broken = [&](int64_t sequence, std::string problem) {
      report.first_break = VerifyReport::Break{lane, sequence, std::move(problem)};
    };
    for (int64_t after = 0;;) {
      const pqxx::result rows = tx.exec_params(
          absl::StrCat("SELECT ", EventColumns(), " FROM ", schema_,
                       ".audit_events WHERE tenant_id = $1 AND lane = $2 AND sequence > $3 "
                       "ORDER BY sequence LIMIT $4"),
          tenant, lane, after, kBatch);
      for (const auto& row : rows) {
        ASSIGN_OR_RETURN(Event e, EventAt(row));
        ++report.rows;
        if (!previous && e.sequence != start) {
          broken(e.sequence, absl::StrCat("the lane starts at row ", e.sequence,
                                          ": the rows before it are missing"));
        } else if (!previous && e.previous_hash != start_link) {
          broken(e.sequence, "the lane's first row does not link to the start of the chain");
        } else if (previous && e.sequence != previous->sequence + 1) {
          broken(previous->sequence + 1, absl::StrCat("rows ", previous->sequence + 1, " to ",
                                                      e.sequence - 1, " are missing"));
        } else if (previous && e.previous_hash != previous->row_hash) {
          broken(e.sequence, "the row does not link to the row before it");
        } else if (RowHash(e) != e.row_hash) {
          broken(e.sequence, "the row's hash does not match its content (the row was changed)");
        }
        if (report.first_break) return report;
        after = e.sequence;
        previous = std::move(e);
      }
      if (static_cast<int>(rows.size()) < kBatch) break;
    }
    const int64_t last = previous ? previous->sequence : start - 1;
    if (head.first == 0 && last > 0) {
      broken(1, "the lane has rows but no head");
    } else if (head.first > last) {
      broken(last + 1, absl::StrCat("rows ", last + 1, " to ", head.first,
                                    " are missing (the newest of the lane)"));
    } else if (head.second != (previous ? previous->row_hash : start_link) && head.first > 0) {
      broken(last, "the lane's last row is not the one its head recorded");
    }
    if (report.first_break) return report;
  }
  return report;
}

absl::StatusOr<api::Page<Event>> AuditLog::List(pqxx::work& tx, const std::string& tenant,
                                                const Filter& filter,
                                                const api::PageRequest& page) const {
  int64_t after_micros = 0, after_lane = 0, after_sequence = 0;
  if (!page.first_page() &&
      (page.after.size() != 3 || !absl::SimpleAtoi(page.after[0], &after_micros) ||
       !absl::SimpleAtoi(page.after[1], &after_lane) ||
       !absl::SimpleAtoi(page.after[2], &after_sequence))) {
    return status::Internal("audit page key is not (time, lane, sequence)");
  }
  const pqxx::result rows = tx.exec_params(
      absl::StrCat(
          "SELECT ", EventColumns(), " FROM ", schema_,
          ".audit_events WHERE tenant_id = $1 AND ($2 = '' OR resource = $2) AND ($3 = '' OR "
          "subject = $3) AND ($4 = '' OR citizen_indexes @> ARRAY[decode($4, 'hex')]) AND ($5 = "
          "'' OR event_time >= $5::timestamptz) AND ($6 = '' OR event_time < $6::timestamptz) "
          "AND ($7 OR (event_time, lane, sequence) < ('epoch'::timestamptz + $8 * interval '1 "
          "microsecond', "
          "$9, $10)) ORDER BY event_time DESC, lane DESC, sequence DESC LIMIT $11"),
      tenant, filter.resource, filter.subject, absl::BytesToHexString(filter.citizen_index),
      filter.from ? Timestamp(*filter.from) : std::string(),
      filter.to ? Timestamp(*filter.to) : std::string(), page.first_page(), after_micros,
      after_lane, after_sequence, page.limit + 1);
  std::vector<Event> events;
  for (const auto& row : rows) {
    ASSIGN_OR_RETURN(Event e, EventAt(row));
    events.push_back(std::move(e));
  }
  return api::TakePage(std::move(events), page.limit);
}

}  // namespace sportelli::audit
