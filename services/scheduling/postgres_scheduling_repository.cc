#include "services/scheduling/postgres_scheduling_repository.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "pqxx/nontransaction"
#include "services/scheduling/domain/slots.h"
#include "services/scheduling/outbox_events.h"
#include "sportelli/api/names.h"
#include "sportelli/crypto/aead.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

constexpr char kSchema[] = "scheduling";

// Slots last at most this long (the tenants service's bound on a service's duration): a
// booking overlapping an interval starts at most this long before it, which bounds the scan.
constexpr absl::Duration kLongestSlot = absl::Minutes(480);

// ---- values in and out of SQL ----------------------------------------------------------------
// Instants travel as UTC text and come back as microseconds since the epoch; bytes as hex.

using pg::Micros;
using pg::TimeAt;
using pg::Timestamp;

std::string PgDay(absl::CivilDay day) { return absl::FormatCivilTime(day); }

std::string Hex(const std::string& bytes) { return absl::BytesToHexString(bytes); }

absl::StatusOr<absl::CivilDay> DayAt(const pqxx::field& field) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(field.as<std::string>(), &day)) {
    return status::Internal("stored day does not parse");
  }
  return day;
}

// Capacity lock rows are quarter hours of a desk (migrations/V002__capacity_buckets.sql).
constexpr absl::Duration kCapacityBucket = absl::Minutes(15);

// The quarter hours [start, end) touches, in order: the capacity lock rows to take.
std::vector<std::string> CapacityBuckets(absl::Time start, absl::Time end) {
  std::vector<std::string> buckets;
  const absl::Time first =
      absl::UnixEpoch() + absl::Floor(start - absl::UnixEpoch(), kCapacityBucket);
  for (absl::Time bucket = first; bucket < std::max(end, start + absl::Microseconds(1));
       bucket += kCapacityBucket) {
    buckets.push_back(Timestamp(bucket));
  }
  return buckets;
}

// Locks the capacity rows `buckets` (sorted, distinct) for the rest of the transaction. Rows
// are taken in order, so two transactions never wait for each other in a cycle.
void LockCapacity(pqxx::work& tx, const std::string& tenant, const std::string& desk,
                  const std::vector<std::string>& buckets) {
  std::vector<std::string> quoted;
  quoted.reserve(buckets.size());
  for (const std::string& bucket : buckets) quoted.push_back(absl::StrCat("\"", bucket, "\""));
  pg::ExecPrepared(tx,
                   "INSERT INTO scheduling.capacity_locks (tenant_id, desk_id, bucket) "
                   "SELECT $1, $2, b FROM unnest($3::timestamptz[]) AS b ORDER BY b "
                   "ON CONFLICT (tenant_id, desk_id, bucket) DO UPDATE SET locked_at = now()",
                   tenant, desk, absl::StrCat("{", absl::StrJoin(quoted, ","), "}"));
}

absl::StatusOr<Channel> ChannelAt(const pqxx::field& field) {
  std::optional<Channel> channel = ParseChannel(field.as<std::string>());
  if (!channel) return status::Internal("stored channel is not known");
  return *channel;
}

struct Exclusions {
  std::string hold_id;         // the hold being consumed
  std::string appointment_id;  // the appointment being moved
};

absl::StatusOr<DeskOccupancy> ReadOccupancy(pqxx::work& tx, const std::string& tenant,
                                            const std::string& desk, absl::Time from, absl::Time to,
                                            absl::Time now, const Exclusions& exclude = {}) {
  // tenant_id repeats the row-level security predicate so the partial indexes lead with it.
  const pqxx::result rows = pg::ExecPrepared(
      tx,
      absl::StrCat("SELECT ", Micros("start_time"), ", ", Micros("end_time"),
                   ", channel, NULL::int8 FROM scheduling.appointments "
                   "WHERE tenant_id = $1 AND desk_id = $2 "
                   "AND state IN ('BOOKED', 'CHECKED_IN', 'COMPLETED') "
                   "AND start_time > $5::timestamptz AND start_time < $4::timestamptz "
                   "AND end_time > $3::timestamptz AND appointment_id <> $8 "
                   "UNION ALL SELECT ",
                   Micros("start_time"), ", ", Micros("end_time"), ", channel, ",
                   Micros("expire_time"),
                   " FROM scheduling.holds WHERE tenant_id = $1 AND desk_id = $2 "
                   "AND appointment_id IS NULL AND expire_time > $6::timestamptz "
                   "AND start_time > $5::timestamptz AND start_time < $4::timestamptz "
                   "AND end_time > $3::timestamptz AND hold_id <> $7"),
      tenant, desk, Timestamp(from), Timestamp(to), Timestamp(from - kLongestSlot), Timestamp(now),
      exclude.hold_id, exclude.appointment_id);
  DeskOccupancy occupancy;
  occupancy.taken.reserve(rows.size());
  for (const auto& row : rows) {
    ASSIGN_OR_RETURN(Channel channel, ChannelAt(row[2]));
    occupancy.taken.push_back({TimeAt(row[0]), TimeAt(row[1]), channel});
    if (!row[3].is_null()) {
      const absl::Time expiry = TimeAt(row[3]);
      if (!occupancy.first_hold_expiry || expiry < *occupancy.first_hold_expiry) {
        occupancy.first_hold_expiry = expiry;
      }
    }
  }
  return occupancy;
}

// Locks the desk for [start, end) and checks that `channel` may take a seat there.
absl::Status TakeSeat(pqxx::work& tx, const std::string& tenant, const std::string& desk,
                      absl::Time start, absl::Time end, Channel channel, const SeatRules& rules,
                      const Exclusions& exclude = {}) {
  LockCapacity(tx, tenant, desk, CapacityBuckets(start, end));
  ASSIGN_OR_RETURN(DeskOccupancy occupancy,
                   ReadOccupancy(tx, tenant, desk, start, end, rules.now, exclude));
  const std::vector<SlotUsage> usage = UsageOver(occupancy.taken, start, end);
  return CheckBookableOver(rules.open, rules.policy, usage, channel, start, rules.now);
}

// ---- appointments ----------------------------------------------------------------------------

// The citizen's fields, sealed each under the citizen's key (migrations/V004__sealed_citizen.sql).
struct SealedField {
  const char* column;
  std::string Citizen::*field;
};
constexpr SealedField kSealedFields[] = {
    {"given_name", &Citizen::given_name},
    {"family_name", &Citizen::family_name},
    {"codice_fiscale", &Citizen::codice_fiscale},
    {"phone_number", &Citizen::phone_e164},
    {"email", &Citizen::email},
};

crypto::Binding FieldBinding(const Appointment& a, const char* column) {
  return {a.tenant_id, "appointments", column, a.id};
}

// Column positions of AppointmentColumns().
enum AppointmentColumn {
  kTenant,
  kId,
  kDesk,
  kService,
  kStart,
  kEnd,
  kLocalDay,
  kChannel,
  kState,
  kPreferredContact,
  kCreateTime,
  kUpdateTime,
  kCancelTokenHash,
  kCitizenIndex,
  kSubjectKeyId,
  kSubjectKey,
  kFirstSealed,  // five sealed fields, kSealedFields' order
  kFirstClear =
      kFirstSealed + static_cast<int>(std::size(kSealedFields))  // five clear fields of old rows
};

// Selects an appointment with its citizen's key (the subject_keys row of its blind index),
// from statements on scheduling.appointments that do not alias it.
std::string AppointmentColumns() {
  std::string columns = absl::StrCat(
      "tenant_id, appointment_id, desk_id, service_id, ", Micros("start_time"), ", ",
      Micros("end_time"), ", local_day::text, channel, state, preferred_contact, ",
      Micros("create_time"), ", ", Micros("update_time"),
      ", encode(cancel_token_hash, 'hex'), encode(citizen_index, 'hex'), "
      "(SELECT key_id FROM scheduling.subject_keys k WHERE k.tenant_id = appointments.tenant_id "
      "AND k.subject_index = appointments.citizen_index), "
      "(SELECT encode(sealed_key, 'hex') FROM scheduling.subject_keys k WHERE k.tenant_id = "
      "appointments.tenant_id AND k.subject_index = appointments.citizen_index)");
  for (const SealedField& f : kSealedFields) {
    absl::StrAppend(&columns, ", encode(", f.column, "_sealed, 'hex')");
  }
  for (const SealedField& f : kSealedFields) absl::StrAppend(&columns, ", ", f.column);
  return columns;
}

// Opens the citizen of `row` into `a`: sealed fields under the citizen's key, or the clear
// columns of a row written before encryption. A citizen whose key was shredded (or replaced
// after a shredding) comes back erased.
absl::Status OpenCitizen(pqxx::work& tx, keyring::Keyring& keyring, const pqxx::row& row,
                         Appointment& a) {
  if (row[kFirstSealed].is_null()) {
    if (row[kFirstClear].is_null()) {
      a.citizen_erased = true;
      return absl::OkStatus();
    }
    for (int i = 0; i < static_cast<int>(std::size(kSealedFields)); ++i) {
      a.citizen.*kSealedFields[i].field = row[kFirstClear + i].as<std::string>("");
    }
    return absl::OkStatus();
  }
  const std::string subject = absl::HexStringToBytes(row[kCitizenIndex].as<std::string>());
  std::optional<int64_t> key_id;
  std::optional<std::string> sealed_key;
  if (!row[kSubjectKeyId].is_null()) {
    key_id = row[kSubjectKeyId].as<int64_t>();
    sealed_key = absl::HexStringToBytes(row[kSubjectKey].as<std::string>());
  }
  ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> key,
                   keyring.OpenSubjectKey(tx, a.tenant_id, subject, key_id, sealed_key));
  std::vector<std::string> sealed;
  std::optional<uint32_t> sealed_under;
  for (int i = 0; i < static_cast<int>(std::size(kSealedFields)); ++i) {
    sealed.push_back(absl::HexStringToBytes(row[kFirstSealed + i].as<std::string>()));
    ASSIGN_OR_RETURN(uint32_t version, crypto::SealedKeyVersion(sealed.back()));
    if (sealed_under && *sealed_under != version) {
      // One row's fields are always sealed together: a field from elsewhere was put here.
      return absl::DataLossError(
          "an appointment's citizen fields were sealed under different keys");
    }
    sealed_under = version;
  }
  if (!key || key->version() != *sealed_under) {
    a.citizen_erased = true;  // the key that sealed them was shredded
    return absl::OkStatus();
  }
  for (int i = 0; i < static_cast<int>(std::size(kSealedFields)); ++i) {
    ASSIGN_OR_RETURN(a.citizen.*kSealedFields[i].field,
                     key->Open(sealed[i], FieldBinding(a, kSealedFields[i].column)));
  }
  return absl::OkStatus();
}

// `open_citizen` false: the booking alone, the citizen's fields left empty and unopened.
absl::StatusOr<StoredAppointment> AppointmentAt(pqxx::work& tx, keyring::Keyring& keyring,
                                                const pqxx::row& row, bool open_citizen = true) {
  StoredAppointment stored;
  Appointment& a = stored.appointment;
  a.tenant_id = row[kTenant].as<std::string>();
  a.id = row[kId].as<std::string>();
  a.desk_id = row[kDesk].as<std::string>();
  a.service_id = row[kService].as<std::string>();
  a.start = TimeAt(row[kStart]);
  a.end = TimeAt(row[kEnd]);
  ASSIGN_OR_RETURN(a.local_day, DayAt(row[kLocalDay]));
  ASSIGN_OR_RETURN(a.channel, ChannelAt(row[kChannel]));
  std::optional<AppointmentState> state = ParseAppointmentState(row[kState].as<std::string>());
  if (!state) return status::Internal("stored appointment state is not known");
  a.state = *state;
  std::optional<ContactChannel> contact =
      citizen::ParseContactChannel(row[kPreferredContact].as<std::string>());
  if (!contact) return status::Internal("stored contact channel is not known");
  a.citizen.preferred_contact = *contact;
  a.citizen.privacy_notice_acknowledged = true;  // required to store the row at all
  a.create_time = TimeAt(row[kCreateTime]);
  a.update_time = TimeAt(row[kUpdateTime]);
  stored.cancel_token_hash = absl::HexStringToBytes(row[kCancelTokenHash].as<std::string>());
  stored.citizen_index = absl::HexStringToBytes(row[kCitizenIndex].as<std::string>());
  if (open_citizen) RETURN_IF_ERROR(OpenCitizen(tx, keyring, row, a));
  return stored;
}

absl::StatusOr<std::optional<StoredAppointment>> LockAppointment(pqxx::work& tx,
                                                                 keyring::Keyring& keyring,
                                                                 const std::string& tenant,
                                                                 const std::string& id) {
  const pqxx::result rows = pg::ExecPrepared(
      tx,
      absl::StrCat("SELECT ", AppointmentColumns(),
                   " FROM scheduling.appointments WHERE tenant_id = $1 AND appointment_id = $2 "
                   "FOR UPDATE"),
      tenant, id);
  if (rows.empty()) return std::optional<StoredAppointment>();
  ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, keyring, rows[0]));
  return std::optional<StoredAppointment>(std::move(stored));
}

// ---- tickets ---------------------------------------------------------------------------------

absl::StatusOr<WalkInTicket> TicketAt(const pqxx::row& row) {
  WalkInTicket ticket;
  ticket.tenant_id = row[0].as<std::string>();
  ticket.desk_id = row[1].as<std::string>();
  ASSIGN_OR_RETURN(ticket.local_day, DayAt(row[2]));
  ticket.number = row[3].as<int>();
  std::optional<TicketState> state = ParseTicketState(row[4].as<std::string>());
  if (!state) return status::Internal("stored ticket state is not known");
  ticket.state = *state;
  ticket.create_time = TimeAt(row[5]);
  return ticket;
}

std::string TicketColumns() {
  return absl::StrCat("tenant_id, desk_id, local_day::text, number, state, ",
                      Micros("create_time"));
}

// What the trail calls the data read or written here.
constexpr char kCitizenData[] = "appointment.citizen";

std::string NameOf(const Appointment& a) {
  return api::AppointmentName{a.tenant_id, a.id}.ToString();
}

// The same words whatever the count: a caller learns that the limit is reached, not how many
// bookings the citizen has.
absl::Status TooManyFutureAppointments() {
  return status::Error(absl::StatusCode::kResourceExhausted,
                       "the citizen has as many future appointments in this comune as one "
                       "citizen may have",
                       "TOO_MANY_FUTURE_APPOINTMENTS");
}

}  // namespace

absl::Status PostgresSchedulingRepository::Audit(pqxx::work& tx, const std::string& tenant,
                                                 const audit::Actor& who, audit::Action action,
                                                 std::string resource,
                                                 std::vector<std::string> indexes) const {
  return audit_->Record(
      tx, tenant,
      audit::Access{who, action, std::move(resource), kCitizenData, std::move(indexes)});
}

absl::StatusOr<DeskOccupancy> PostgresSchedulingRepository::GetOccupancy(
    const std::string& tenant_id, const std::string& desk_id, absl::Time from, absl::Time to,
    absl::Time now) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) {
    return ReadOccupancy(tx, tenant_id, desk_id, from, to, now);
  });
}

absl::StatusOr<pg::Created<Appointment>> PostgresSchedulingRepository::CreateAppointment(
    const NewAppointment& request, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Appointment>& encode) {
  const Appointment& a = request.appointment;
  return pool_->RunInTenantTransaction(
      a.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Appointment>> {
        return pg::RunIdempotent<Appointment>(
            tx, kSchema, a.tenant_id, key, encode, [&]() -> absl::StatusOr<Appointment> {
              // One citizen's bookings run one at a time, so two at once cannot both pass the
              // limit.
              pg::ExecPrepared(
                  tx,
                  "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || 'citizen' || "
                  "chr(31) || $2, 0))",
                  a.tenant_id, Hex(request.citizen_index));
              const int future =
                  pg::ExecPrepared(tx,
                                   "SELECT count(*) FROM scheduling.appointments WHERE tenant_id = "
                                   "$1 AND citizen_index = decode($2, 'hex') AND state = 'BOOKED' "
                                   "AND start_time > $3::timestamptz",
                                   a.tenant_id, Hex(request.citizen_index),
                                   Timestamp(rules.now))[0][0]
                      .as<int>();
              if (future >= request.max_future_appointments) return TooManyFutureAppointments();

              Exclusions exclude;
              if (!request.hold_id.empty()) {
                const pqxx::result hold = pg::ExecPrepared(
                    tx,
                    absl::StrCat("SELECT desk_id, service_id, ", Micros("start_time"),
                                 ", channel, ", Micros("expire_time"),
                                 ", appointment_id IS NOT NULL, coalesce(citizen_index = "
                                 "decode($3, 'hex'), true) FROM scheduling.holds "
                                 "WHERE tenant_id = $1 AND hold_id = $2 FOR UPDATE"),
                    a.tenant_id, request.hold_id, Hex(request.citizen_index));
                if (hold.empty()) return status::NotFound("hold");
                const bool usable = hold[0][0].as<std::string>() == a.desk_id &&
                                    hold[0][1].as<std::string>() == a.service_id &&
                                    TimeAt(hold[0][2]) == a.start &&
                                    hold[0][3].as<std::string>() == ChannelName(a.channel) &&
                                    TimeAt(hold[0][4]) > rules.now && !hold[0][5].as<bool>() &&
                                    hold[0][6].as<bool>();
                if (!usable) return HoldNotUsable();
                exclude.hold_id = request.hold_id;  // its seat becomes the appointment's
              }
              RETURN_IF_ERROR(
                  TakeSeat(tx, a.tenant_id, a.desk_id, a.start, a.end, a.channel, rules, exclude));

              // The citizen's fields sealed under their own key (made on their first booking).
              ASSIGN_OR_RETURN(
                  crypto::AeadKey citizen_key,
                  keyring_->SubjectKeyForWrite(tx, a.tenant_id, request.citizen_index));
              std::vector<std::string> sealed;
              for (const SealedField& f : kSealedFields) {
                sealed.push_back(
                    Hex(citizen_key.Seal(a.citizen.*f.field, FieldBinding(a, f.column))));
              }
              pg::ExecPrepared(
                  tx,
                  "INSERT INTO scheduling.appointments (tenant_id, appointment_id, desk_id, "
                  "service_id, start_time, end_time, local_day, channel, state, given_name_sealed, "
                  "family_name_sealed, codice_fiscale_sealed, phone_number_sealed, email_sealed, "
                  "citizen_index, preferred_contact, cancel_token_hash, create_time, update_time) "
                  "VALUES ($1, $2, $3, $4, $5::timestamptz, $6::timestamptz, $7::date, $8, "
                  "'BOOKED', decode($9, 'hex'), decode($10, 'hex'), decode($11, 'hex'), "
                  "decode($12, 'hex'), decode($13, 'hex'), decode($14, 'hex'), $15, "
                  "decode($16, 'hex'), $17::timestamptz, $17::timestamptz)",
                  a.tenant_id, a.id, a.desk_id, a.service_id, Timestamp(a.start), Timestamp(a.end),
                  PgDay(a.local_day), ChannelName(a.channel), sealed[0], sealed[1], sealed[2],
                  sealed[3], sealed[4], Hex(request.citizen_index),
                  citizen::ContactChannelName(a.citizen.preferred_contact),
                  Hex(request.cancel_token_hash), Timestamp(a.create_time));
              if (!request.hold_id.empty()) {
                pg::ExecPrepared(
                    tx,
                    "UPDATE scheduling.holds SET appointment_id = $3 WHERE tenant_id = $1 AND "
                    "hold_id = $2",
                    a.tenant_id, request.hold_id, a.id);
              }
              events::WriteOutbox(tx, kSchema, AppointmentBookedEvent(a, rules.now));
              RETURN_IF_ERROR(Audit(tx, a.tenant_id, request.who, audit::Action::kCreate, NameOf(a),
                                    {request.citizen_index}));
              return a;
            });
      });
}

absl::StatusOr<std::vector<absl::StatusOr<pg::Created<Appointment>>>>
PostgresSchedulingRepository::CreateAppointments(const std::vector<BookingAttempt>& attempts) {
  using Answer = absl::StatusOr<pg::Created<Appointment>>;
  if (attempts.empty()) return std::vector<Answer>();
  const std::string tenant = attempts.front().booking.appointment.tenant_id;
  absl::Time earliest = attempts.front().rules.now;
  for (const BookingAttempt& attempt : attempts) {
    if (attempt.booking.appointment.tenant_id != tenant || !attempt.booking.hold_id.empty()) {
      return status::Internal("a batch of bookings is of one comune and without holds");
    }
    earliest = std::min(earliest, attempt.rules.now);
  }
  const std::string request_ids = absl::StrCat(kSchema, ".request_ids");
  // When every attempt is refused, the transaction is rolled back (it would only commit its
  // capacity-row locks): the answers leave through this, with a status that ends the
  // transaction.
  std::optional<std::vector<Answer>> nothing_written;
  absl::StatusOr<std::vector<Answer>> result = pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Answer>> {
        std::vector<Answer> answers(attempts.size(), Answer(pg::Created<Appointment>{}));
        std::vector<bool> pending(attempts.size(), true);

        // 1. Retries get their first reply; the others lock their request ids (in key order).
        std::vector<pg::idempotency::Key> keys;
        std::vector<size_t> keyed;
        for (size_t i = 0; i < attempts.size(); ++i) {
          const pg::RequestKey& key = attempts[i].key;
          if (key.request_id.empty()) continue;
          keys.push_back(
              {tenant, key.request_id, key.method, pg::idempotency::HashRequest(key.fingerprint)});
          keyed.push_back(i);
        }
        ASSIGN_OR_RETURN(auto looked_up, pg::idempotency::LookupMany(tx, request_ids, keys));
        for (size_t k = 0; k < keyed.size(); ++k) {
          const size_t i = keyed[k];
          if (!looked_up[k].ok()) {
            answers[i] = looked_up[k].status();
            pending[i] = false;
          } else if (looked_up[k]->has_value()) {
            answers[i] = pg::Created<Appointment>{std::nullopt, **looked_up[k]};
            pending[i] = false;
          }
        }

        // 2. The citizens, locked as CreateAppointment locks one, and their future bookings.
        std::vector<std::string> citizens;
        for (size_t i = 0; i < attempts.size(); ++i) {
          if (pending[i]) citizens.push_back(Hex(attempts[i].booking.citizen_index));
        }
        std::map<std::string, int> future;
        if (!citizens.empty()) {
          pg::ExecPrepared(tx,
                           "SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT "
                           "hashtextextended($1 || chr(31) || 'citizen' || chr(31) || c, 0) AS k "
                           "FROM unnest($2::text[]) AS c) AS l ORDER BY k",
                           tenant, pg::TextArray(citizens));
          for (const auto& row : pg::ExecPrepared(
                   tx,
                   "SELECT encode(citizen_index, 'hex'), count(*) FROM scheduling.appointments "
                   "WHERE tenant_id = $1 AND citizen_index = ANY (ARRAY(SELECT decode(c, 'hex') "
                   "FROM unnest($2::text[]) AS c)) AND state = 'BOOKED' AND start_time > "
                   "$3::timestamptz GROUP BY citizen_index",
                   tenant, pg::TextArray(citizens), Timestamp(earliest))) {
            future[row[0].as<std::string>()] = row[1].as<int>();
          }
        }

        // 3. The capacity rows of every desk and quarter hour asked for, in (desk, bucket)
        // order, then each desk's seats over the span of its attempts.
        std::set<std::pair<std::string, std::string>> buckets;
        std::map<std::string, std::pair<absl::Time, absl::Time>> spans;  // desk -> [from, to)
        for (size_t i = 0; i < attempts.size(); ++i) {
          if (!pending[i]) continue;
          const Appointment& a = attempts[i].booking.appointment;
          for (const std::string& bucket : CapacityBuckets(a.start, a.end)) {
            buckets.emplace(a.desk_id, bucket);
          }
          auto [span, added] = spans.try_emplace(a.desk_id, a.start, a.end);
          if (!added) {
            span->second.first = std::min(span->second.first, a.start);
            span->second.second = std::max(span->second.second, a.end);
          }
        }
        std::map<std::string, std::vector<Occupancy>> taken;
        if (!buckets.empty()) {
          std::vector<std::string> desks, times;
          for (const auto& [desk, bucket] : buckets) {
            desks.push_back(desk);
            times.push_back(bucket);
          }
          pg::ExecPrepared(
              tx,
              "INSERT INTO scheduling.capacity_locks (tenant_id, desk_id, bucket) SELECT $1, d, "
              "b::timestamptz FROM unnest($2::text[], $3::text[]) AS u(d, b) ORDER BY d, "
              "b::timestamptz ON CONFLICT (tenant_id, desk_id, bucket) DO UPDATE SET locked_at = "
              "now()",
              tenant, pg::TextArray(desks), pg::TextArray(times));
          for (const auto& [desk, span] : spans) {
            ASSIGN_OR_RETURN(DeskOccupancy occupancy,
                             ReadOccupancy(tx, tenant, desk, span.first, span.second, earliest));
            taken[desk] = std::move(occupancy.taken);
          }
        }

        // 4. Each attempt in turn, against the seats and bookings of those before it.
        std::vector<size_t> accepted;
        for (size_t i = 0; i < attempts.size(); ++i) {
          if (!pending[i]) continue;
          const BookingAttempt& attempt = attempts[i];
          const Appointment& a = attempt.booking.appointment;
          int& citizen_future = future[Hex(attempt.booking.citizen_index)];
          if (citizen_future >= attempt.booking.max_future_appointments) {
            answers[i] = TooManyFutureAppointments();
            continue;
          }
          std::vector<Occupancy>& desk = taken[a.desk_id];
          const std::vector<SlotUsage> usage = UsageOver(desk, a.start, a.end);
          absl::Status seat = CheckBookableOver(attempt.rules.open, attempt.rules.policy, usage,
                                                a.channel, a.start, attempt.rules.now);
          if (!seat.ok()) {
            answers[i] = seat;
            continue;
          }
          desk.push_back({a.start, a.end, a.channel});
          ++citizen_future;
          accepted.push_back(i);
        }
        if (accepted.empty()) {
          nothing_written = std::move(answers);
          return absl::CancelledError("every attempt of the batch was refused");
        }

        // 5. The accepted ones written together: citizens' keys, rows, events, replies, audit.
        std::vector<std::string> subjects;
        for (size_t i : accepted) subjects.push_back(attempts[i].booking.citizen_index);
        ASSIGN_OR_RETURN(std::vector<crypto::AeadKey> citizen_keys,
                         keyring_->SubjectKeysForWrite(tx, tenant, subjects));
        std::vector<std::vector<std::string>> columns(16);
        std::vector<events::v1::Event> booked;
        std::vector<pg::idempotency::Key> recorded;
        std::vector<std::string> replies;
        std::vector<audit::Access> accesses;
        for (size_t k = 0; k < accepted.size(); ++k) {
          const BookingAttempt& attempt = attempts[accepted[k]];
          const Appointment& a = attempt.booking.appointment;
          std::vector<std::string> row = {
              a.id,
              a.desk_id,
              a.service_id,
              Timestamp(a.start),
              Timestamp(a.end),
              PgDay(a.local_day),
              std::string(ChannelName(a.channel)),
              Hex(attempt.booking.citizen_index),
              std::string(citizen::ContactChannelName(a.citizen.preferred_contact)),
              Hex(attempt.booking.cancel_token_hash),
              Timestamp(a.create_time)};
          for (const SealedField& f : kSealedFields) {
            row.push_back(Hex(citizen_keys[k].Seal(a.citizen.*f.field, FieldBinding(a, f.column))));
          }
          for (size_t c = 0; c < row.size(); ++c) columns[c].push_back(std::move(row[c]));
          booked.push_back(AppointmentBookedEvent(a, attempt.rules.now));
          if (!attempt.key.request_id.empty()) {
            recorded.push_back({tenant, attempt.key.request_id, attempt.key.method,
                                pg::idempotency::HashRequest(attempt.key.fingerprint)});
            replies.push_back((*attempt.encode)(a));
          }
          accesses.push_back(audit::Access{attempt.booking.who,
                                           audit::Action::kCreate,
                                           NameOf(a),
                                           kCitizenData,
                                           {attempt.booking.citizen_index}});
          answers[accepted[k]] = pg::Created<Appointment>{a, std::nullopt};
        }
        std::vector<std::string> arrays;
        for (const std::vector<std::string>& column : columns) {
          arrays.push_back(pg::TextArray(column));
        }
        pg::ExecPrepared(
            tx,
            "INSERT INTO scheduling.appointments (tenant_id, appointment_id, desk_id, service_id, "
            "start_time, end_time, local_day, channel, state, citizen_index, preferred_contact, "
            "cancel_token_hash, create_time, update_time, given_name_sealed, family_name_sealed, "
            "codice_fiscale_sealed, phone_number_sealed, email_sealed) SELECT $1, id, desk, "
            "service, s::timestamptz, e::timestamptz, d::date, ch, 'BOOKED', decode(ci, 'hex'), "
            "pc, decode(th, 'hex'), ct::timestamptz, ct::timestamptz, decode(f1, 'hex'), "
            "decode(f2, 'hex'), decode(f3, 'hex'), decode(f4, 'hex'), decode(f5, 'hex') FROM "
            "unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], "
            "$8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], "
            "$14::text[], $15::text[], $16::text[], $17::text[]) AS u(id, desk, service, s, e, d, "
            "ch, ci, pc, th, ct, f1, f2, f3, f4, f5)",
            tenant, arrays[0], arrays[1], arrays[2], arrays[3], arrays[4], arrays[5], arrays[6],
            arrays[7], arrays[8], arrays[9], arrays[10], arrays[11], arrays[12], arrays[13],
            arrays[14], arrays[15]);
        events::WriteOutboxMany(tx, kSchema, booked);
        RETURN_IF_ERROR(pg::idempotency::RecordMany(tx, request_ids, recorded, replies));
        RETURN_IF_ERROR(audit_->RecordMany(tx, tenant, accesses));
        return answers;
      });
  if (nothing_written) return *std::move(nothing_written);
  return result;
}

absl::StatusOr<pg::Created<Hold>> PostgresSchedulingRepository::CreateHold(
    const NewHold& request, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Hold>& encode) {
  const Hold& hold = request.hold;
  return pool_->RunInTenantTransaction(
      hold.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Hold>> {
        return pg::RunIdempotent<
            Hold>(tx, kSchema, hold.tenant_id, key, encode, [&]() -> absl::StatusOr<Hold> {
          // One citizen's holds and bookings, and one holder's holds, run one at a time (in
          // this order everywhere), so two at once cannot both pass a cap.
          pg::ExecPrepared(tx,
                           "SELECT pg_advisory_xact_lock(hashtextextended($1 || chr(31) || "
                           "'citizen' || chr(31) || $2, 0)), pg_advisory_xact_lock("
                           "hashtextextended($1 || chr(31) || 'holder' || chr(31) || $3, 0))",
                           hold.tenant_id, Hex(request.citizen_index), Hex(request.holder));
          const pqxx::row kept = pg::ExecPrepared(
              tx,
              "SELECT count(*) FILTER (WHERE citizen_index = decode($2, 'hex')), "
              "count(*) FILTER (WHERE holder = decode($3, 'hex')) FROM scheduling.holds "
              "WHERE tenant_id = $1 AND appointment_id IS NULL AND expire_time > $4::timestamptz "
              "AND (citizen_index = decode($2, 'hex') OR holder = decode($3, 'hex'))",
              hold.tenant_id, Hex(request.citizen_index), Hex(request.holder),
              Timestamp(rules.now))[0];
          if (kept[0].as<int>() >= request.max_per_citizen ||
              kept[1].as<int>() >= request.max_per_holder) {
            return TooManyHolds();
          }
          RETURN_IF_ERROR(TakeSeat(tx, hold.tenant_id, hold.desk_id, hold.start, hold.end,
                                   hold.channel, rules));
          pg::ExecPrepared(
              tx,
              "INSERT INTO scheduling.holds (tenant_id, hold_id, desk_id, service_id, start_time, "
              "end_time, channel, expire_time, create_time, citizen_index, holder) VALUES ($1, "
              "$2, $3, $4, $5::timestamptz, $6::timestamptz, $7, $8::timestamptz, "
              "$9::timestamptz, decode($10, 'hex'), decode($11, 'hex'))",
              hold.tenant_id, hold.id, hold.desk_id, hold.service_id, Timestamp(hold.start),
              Timestamp(hold.end), ChannelName(hold.channel), Timestamp(hold.expire_time),
              Timestamp(rules.now), Hex(request.citizen_index), Hex(request.holder));
          return hold;
        });
      });
}

absl::StatusOr<bool> PostgresSchedulingRepository::RequestIdExists(const std::string& tenant_id,
                                                                   const std::string& request_id) {
  // One round trip (pg::idempotency::Exists): this runs for every booking attempt on a slot the
  // cache knows is full, most of a click day's traffic.
  // A session that fails the read is closed, and the read tried once more on another: one left
  // unusable (say, inside an aborted transaction) must not cost a citizen their answer.
  for (int attempt = 0;; ++attempt) {
    ASSIGN_OR_RETURN(pg::PooledConnection connection, pool_->Acquire());
    try {
      return pg::idempotency::Exists(connection.get(), kSchema, tenant_id, request_id);
    } catch (const std::exception&) {
      connection.Discard();
      if (attempt > 0) return status::Unavailable("database");
    }
  }
}

absl::StatusOr<StoredAppointment> PostgresSchedulingRepository::GetAppointment(
    const std::string& tenant_id, const std::string& id, const audit::Actor* who) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = who == nullptr;  // an audited read writes its audit row
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<StoredAppointment> {
    const pqxx::result rows = pg::ExecPrepared(
        tx,
        absl::StrCat("SELECT ", AppointmentColumns(),
                     " FROM scheduling.appointments WHERE tenant_id = $1 AND appointment_id = $2"),
        tenant_id, id);
    if (rows.empty()) return status::NotFound("appointment");
    ASSIGN_OR_RETURN(StoredAppointment stored,
                     AppointmentAt(tx, *keyring_, rows[0], /*open_citizen=*/who != nullptr));
    if (who != nullptr) {
      RETURN_IF_ERROR(Audit(tx, tenant_id, *who, audit::Action::kRead, NameOf(stored.appointment),
                            {stored.citizen_index}));
    }
    return stored;
  });
}

absl::StatusOr<api::Page<Appointment>> PostgresSchedulingRepository::ListAppointments(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day,
    const std::vector<AppointmentState>& states, const api::PageRequest& page,
    const audit::Actor& who) {
  std::vector<std::string> state_names;
  for (AppointmentState state : states) {
    state_names.emplace_back(AppointmentStateName(state));
  }
  // The key is (start in Unix microseconds, id), checked by the edge when read from a token.
  int64_t after_micros = 0;
  if (!page.first_page() && !absl::SimpleAtoi(page.after[0], &after_micros)) {
    return status::Internal("page key is not a time");
  }
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Appointment>> {
        const pqxx::result rows = pg::ExecPrepared(
            tx,
            absl::StrCat("SELECT ", AppointmentColumns(),
                         " FROM scheduling.appointments WHERE tenant_id = $1 AND desk_id = $2 "
                         "AND local_day = $3::date AND (cardinality($4::text[]) = 0 OR state = "
                         "ANY($4::text[])) AND ($5 = '' OR (start_time, appointment_id) > "
                         "($6::timestamptz, $5)) ORDER BY start_time, appointment_id LIMIT $7"),
            tenant_id, desk_id, PgDay(day), absl::StrCat("{", absl::StrJoin(state_names, ","), "}"),
            page.first_page() ? std::string() : page.after[1],
            Timestamp(absl::FromUnixMicros(after_micros)), page.limit + 1);
        std::vector<Appointment> items;
        std::vector<std::string> citizens;
        for (const auto& row : rows) {
          if (static_cast<int>(items.size()) == page.limit) break;  // the extra row: not read
          ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, *keyring_, row));
          items.push_back(std::move(stored.appointment));
          citizens.push_back(std::move(stored.citizen_index));
        }
        RETURN_IF_ERROR(Audit(tx, tenant_id, who, audit::Action::kList,
                              api::DeskName{tenant_id, desk_id}.ToString(), std::move(citizens)));
        api::Page<Appointment> listed;
        listed.more = static_cast<int>(rows.size()) > page.limit;
        listed.items = std::move(items);
        return listed;
      });
}

absl::StatusOr<std::vector<Appointment>> PostgresSchedulingRepository::AppointmentsOfCitizen(
    pqxx::work& tx, const std::string& tenant_id, const std::string& citizen_index) {
  std::vector<Appointment> held;
  for (const auto& row : pg::ExecPrepared(
           tx,
           absl::StrCat("SELECT ", AppointmentColumns(),
                        " FROM scheduling.appointments WHERE tenant_id = $1 AND citizen_index = "
                        "decode($2, 'hex') ORDER BY start_time, appointment_id"),
           tenant_id, Hex(citizen_index))) {
    ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, *keyring_, row));
    held.push_back(std::move(stored.appointment));
  }
  return held;
}

absl::StatusOr<int> PostgresSchedulingRepository::SealClearCitizens(const std::string& tenant_id,
                                                                    int batch) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<int> {
    const pqxx::result rows = pg::ExecPrepared(
        tx,
        "SELECT appointment_id, encode(citizen_index, 'hex'), given_name, family_name, "
        "codice_fiscale, coalesce(phone_number, ''), coalesce(email, '') FROM "
        "scheduling.appointments WHERE tenant_id = $1 AND given_name IS NOT NULL LIMIT $2 FOR "
        "UPDATE SKIP LOCKED",
        tenant_id, batch);
    for (const auto& row : rows) {
      Appointment a;
      a.tenant_id = tenant_id;
      a.id = row[0].as<std::string>();
      for (int i = 0; i < static_cast<int>(std::size(kSealedFields)); ++i) {
        a.citizen.*kSealedFields[i].field = row[2 + i].as<std::string>();
      }
      ASSIGN_OR_RETURN(crypto::AeadKey key,
                       keyring_->SubjectKeyForWrite(
                           tx, tenant_id, absl::HexStringToBytes(row[1].as<std::string>())));
      std::vector<std::string> sealed;
      for (const SealedField& f : kSealedFields) {
        sealed.push_back(Hex(key.Seal(a.citizen.*f.field, FieldBinding(a, f.column))));
      }
      pg::ExecPrepared(
          tx,
          "UPDATE scheduling.appointments SET given_name_sealed = decode($3, 'hex'), "
          "family_name_sealed = decode($4, 'hex'), codice_fiscale_sealed = decode($5, 'hex'), "
          "phone_number_sealed = decode($6, 'hex'), email_sealed = decode($7, 'hex'), "
          "given_name = NULL, family_name = NULL, codice_fiscale = NULL, phone_number = NULL, "
          "email = NULL WHERE tenant_id = $1 AND appointment_id = $2",
          tenant_id, a.id, sealed[0], sealed[1], sealed[2], sealed[3], sealed[4]);
    }
    return static_cast<int>(rows.size());
  });
}

absl::StatusOr<std::vector<Appointment>> PostgresSchedulingRepository::ListBooked(
    const std::string& tenant_id, const std::string& desk_id, absl::Time from, absl::Time to,
    const audit::Actor& who) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Appointment>> {
        const pqxx::result rows = pg::ExecPrepared(
            tx,
            absl::StrCat("SELECT ", AppointmentColumns(),
                         " FROM scheduling.appointments WHERE tenant_id = $1 AND desk_id = $2 "
                         "AND state = 'BOOKED' AND start_time >= $3::timestamptz "
                         "AND start_time < $4::timestamptz ORDER BY start_time, appointment_id"),
            tenant_id, desk_id, Timestamp(from), Timestamp(to));
        std::vector<Appointment> booked;
        std::vector<std::string> citizens;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, *keyring_, row));
          booked.push_back(std::move(stored.appointment));
          citizens.push_back(std::move(stored.citizen_index));
        }
        RETURN_IF_ERROR(Audit(tx, tenant_id, who, audit::Action::kList,
                              api::DeskName{tenant_id, desk_id}.ToString(), std::move(citizens)));
        return booked;
      });
}

absl::StatusOr<Appointment> PostgresSchedulingRepository::ChangeState(
    const std::string& tenant_id, const std::string& id, const StateChange& change,
    const StateDecision& decide, absl::Time now, const audit::Actor& who) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Appointment> {
        ASSIGN_OR_RETURN(std::optional<StoredAppointment> stored,
                         LockAppointment(tx, *keyring_, tenant_id, id));
        if (!stored) return status::NotFound("appointment");
        ASSIGN_OR_RETURN(Transition transition, decide(*stored));
        Appointment a = stored->appointment;
        if (!transition.changed) {  // a repeat: nothing to write, no second event
          RETURN_IF_ERROR(
              Audit(tx, tenant_id, who, audit::Action::kRead, NameOf(a), {stored->citizen_index}));
          return a;
        }
        a.state = transition.state;
        a.update_time = now;
        pg::ExecPrepared(
            tx,
            "UPDATE scheduling.appointments SET state = $3, update_time = $4::timestamptz, "
            "checked_in_at = CASE WHEN $3 = 'CHECKED_IN' THEN $4::timestamptz ELSE checked_in_at "
            "END "
            "WHERE tenant_id = $1 AND appointment_id = $2",
            tenant_id, id, std::string(AppointmentStateName(a.state)), Timestamp(now));
        events::WriteOutbox(tx, kSchema,
                            AppointmentTransitionEvent(a, change.event, change.actor, now));
        RETURN_IF_ERROR(
            Audit(tx, tenant_id, who, audit::Action::kUpdate, NameOf(a), {stored->citizen_index}));
        return a;
      });
}

absl::StatusOr<pg::Created<Appointment>> PostgresSchedulingRepository::Reschedule(
    const std::string& tenant_id, const std::string& id, absl::Time start, absl::Time end,
    absl::CivilDay local_day, const SeatRules& rules, const pg::RequestKey& key,
    const pg::ResponseEncoder<Appointment>& encode, const audit::Actor& who) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Appointment>> {
        return pg::RunIdempotent<Appointment>(
            tx, kSchema, tenant_id, key, encode, [&]() -> absl::StatusOr<Appointment> {
              ASSIGN_OR_RETURN(std::optional<StoredAppointment> stored,
                               LockAppointment(tx, *keyring_, tenant_id, id));
              if (!stored) return status::NotFound("appointment");
              Appointment a = stored->appointment;
              if (a.state != AppointmentState::kBooked) {
                return status::Error(
                    absl::StatusCode::kFailedPrecondition,
                    absl::StrCat("an appointment in state ", AppointmentStateName(a.state),
                                 " cannot be rescheduled"),
                    "ILLEGAL_TRANSITION");
              }
              // Both the old and the new quarter hours are locked (in order) before anything is
              // read, so the seat cannot be taken by someone else between the check and the move.
              // The appointment's own seat is left out of the count: moving it 30 minutes later
              // within its own hour must not fail for want of the seat it is giving up.
              std::vector<std::string> buckets = CapacityBuckets(a.start, a.end);
              for (std::string& bucket : CapacityBuckets(start, end))
                buckets.push_back(std::move(bucket));
              std::sort(buckets.begin(), buckets.end());
              buckets.erase(std::unique(buckets.begin(), buckets.end()), buckets.end());
              LockCapacity(tx, tenant_id, a.desk_id, buckets);
              ASSIGN_OR_RETURN(DeskOccupancy occupancy,
                               ReadOccupancy(tx, tenant_id, a.desk_id, start, end, rules.now,
                                             Exclusions{"", a.id}));
              RETURN_IF_ERROR(CheckBookableOver(rules.open, rules.policy,
                                                UsageOver(occupancy.taken, start, end), a.channel,
                                                start, rules.now));
              const absl::Time previous_start = a.start;
              a.start = start;
              a.end = end;
              a.local_day = local_day;
              a.update_time = rules.now;
              pg::ExecPrepared(
                  tx,
                  "UPDATE scheduling.appointments SET start_time = $3::timestamptz, end_time = "
                  "$4::timestamptz, local_day = $5::date, update_time = $6::timestamptz "
                  "WHERE tenant_id = $1 AND appointment_id = $2",
                  tenant_id, id, Timestamp(start), Timestamp(end), PgDay(local_day),
                  Timestamp(rules.now));
              events::WriteOutbox(tx, kSchema,
                                  AppointmentRescheduledEvent(a, previous_start, rules.now));
              RETURN_IF_ERROR(Audit(tx, tenant_id, who, audit::Action::kUpdate, NameOf(a),
                                    {stored->citizen_index}));
              return a;
            });
      });
}

absl::StatusOr<pg::Created<WalkInTicket>> PostgresSchedulingRepository::CreateTicket(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay day, absl::Time now,
    const pg::RequestKey& key, const pg::ResponseEncoder<WalkInTicket>& encode) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<WalkInTicket>> {
        return pg::RunIdempotent<WalkInTicket>(
            tx, kSchema, tenant_id, key, encode, [&]() -> absl::StatusOr<WalkInTicket> {
              const int number =
                  pg::ExecPrepared(
                      tx,
                      "INSERT INTO scheduling.desk_days (tenant_id, desk_id, local_day, "
                      "last_ticket) "
                      "VALUES ($1, $2, $3::date, 1) ON CONFLICT (tenant_id, desk_id, local_day) "
                      "DO UPDATE SET last_ticket = scheduling.desk_days.last_ticket + 1 "
                      "RETURNING last_ticket",
                      tenant_id, desk_id, PgDay(day))[0][0]
                      .as<int>();
              WalkInTicket ticket{tenant_id, desk_id, day, number, TicketState::kWaiting, now};
              pg::ExecPrepared(
                  tx,
                  "INSERT INTO scheduling.walk_in_tickets (tenant_id, desk_id, local_day, number, "
                  "state, create_time) VALUES ($1, $2, $3::date, $4, 'WAITING', $5::timestamptz)",
                  tenant_id, desk_id, PgDay(day), number, Timestamp(now));
              events::WriteOutbox(tx, kSchema, WalkInTicketTakenEvent(ticket, now));
              return ticket;
            });
      });
}

absl::StatusOr<QueueEntry> PostgresSchedulingRepository::CallNext(const std::string& tenant_id,
                                                                  const std::string& desk_id,
                                                                  absl::CivilDay day,
                                                                  absl::Time now,
                                                                  const audit::Actor& who) {
  const std::string& operator_id = who.subject;
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<QueueEntry> {
        // The day's queue row serializes callers at this desk: two operators pressing "next" at
        // once get two different citizens.
        pg::ExecPrepared(
            tx,
            "INSERT INTO scheduling.desk_days (tenant_id, desk_id, local_day) VALUES ($1, $2, "
            "$3::date) ON CONFLICT (tenant_id, desk_id, local_day) DO UPDATE SET last_ticket = "
            "scheduling.desk_days.last_ticket",
            tenant_id, desk_id, PgDay(day));
        // Fair order: whoever has been entitled to be seen for longest goes first. A checked-in
        // citizen is entitled from their slot's start (or from check-in, if they came late); a
        // walk-in from taking the ticket. Ties go to the appointment.
        const pqxx::result next = pg::ExecPrepared(
            tx,
            "SELECT kind, id FROM ("
            " SELECT 0 AS kind, appointment_id AS id, greatest(start_time, checked_in_at) AS due "
            " FROM scheduling.appointments WHERE tenant_id = $1 AND desk_id = $2 AND local_day = "
            " $3::date AND state = 'CHECKED_IN' AND called_at IS NULL"
            " UNION ALL"
            " SELECT 1, number::text, create_time FROM scheduling.walk_in_tickets WHERE tenant_id "
            "= "
            " $1 AND desk_id = $2 AND local_day = $3::date AND state = 'WAITING'"
            ") q ORDER BY due, kind, id LIMIT 1",
            tenant_id, desk_id, PgDay(day));
        QueueEntry entry;
        if (next.empty()) return entry;
        const std::string id = next[0][1].as<std::string>();
        if (next[0][0].as<int>() == 0) {
          const pqxx::result rows = pg::ExecPrepared(
              tx,
              absl::StrCat("UPDATE scheduling.appointments SET called_at = $3::timestamptz, "
                           "called_by = $4 WHERE tenant_id = $1 AND appointment_id = $2 RETURNING ",
                           AppointmentColumns()),
              tenant_id, id, Timestamp(now), operator_id);
          ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, *keyring_, rows[0]));
          RETURN_IF_ERROR(Audit(tx, tenant_id, who, audit::Action::kUpdate,
                                NameOf(stored.appointment), {stored.citizen_index}));
          events::WriteOutbox(tx, kSchema, AppointmentCalledEvent(stored.appointment, now));
          entry.appointment = std::move(stored.appointment);
        } else {
          const pqxx::result rows = pg::ExecPrepared(
              tx,
              absl::StrCat("UPDATE scheduling.walk_in_tickets SET state = 'CALLED', called_at = "
                           "$5::timestamptz, called_by = $6 WHERE tenant_id = $1 AND desk_id = $2 "
                           "AND local_day = $3::date AND number = $4::int RETURNING ",
                           TicketColumns()),
              tenant_id, desk_id, PgDay(day), id, Timestamp(now), operator_id);
          ASSIGN_OR_RETURN(entry.ticket, TicketAt(rows[0]));
          events::WriteOutbox(tx, kSchema, WalkInTicketCalledEvent(*entry.ticket, now));
        }
        return entry;
      });
}

absl::StatusOr<Queue> PostgresSchedulingRepository::ListQueue(const std::string& tenant_id,
                                                              const std::string& desk_id,
                                                              absl::CivilDay day,
                                                              const audit::Actor& who) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Queue> {
    Queue queue;
    std::vector<std::string> citizens;
    for (const auto& row : pg::ExecPrepared(
             tx,
             absl::StrCat("SELECT ", AppointmentColumns(),
                          " FROM scheduling.appointments WHERE tenant_id = $1 AND desk_id = $2 "
                          "AND local_day = $3::date AND state = 'CHECKED_IN' AND called_at IS "
                          "NULL ORDER BY greatest(start_time, checked_in_at), appointment_id"),
             tenant_id, desk_id, PgDay(day))) {
      ASSIGN_OR_RETURN(StoredAppointment stored, AppointmentAt(tx, *keyring_, row));
      queue.checked_in.push_back(std::move(stored.appointment));
      citizens.push_back(std::move(stored.citizen_index));
    }
    if (!citizens.empty()) {
      RETURN_IF_ERROR(Audit(tx, tenant_id, who, audit::Action::kList,
                            api::DeskName{tenant_id, desk_id}.ToString(), std::move(citizens)));
    }
    for (const auto& row : pg::ExecPrepared(
             tx,
             absl::StrCat("SELECT ", TicketColumns(),
                          " FROM scheduling.walk_in_tickets WHERE tenant_id = $1 AND desk_id = "
                          "$2 AND local_day = $3::date AND state = 'WAITING' ORDER BY number"),
             tenant_id, desk_id, PgDay(day))) {
      ASSIGN_OR_RETURN(WalkInTicket ticket, TicketAt(row));
      queue.waiting.push_back(std::move(ticket));
    }
    return queue;
  });
}

}  // namespace sportelli::scheduling
