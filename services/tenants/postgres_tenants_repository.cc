#include "services/tenants/postgres_tenants_repository.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "pqxx/pqxx"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/outbox.h"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::tenants {
namespace {

constexpr char kSchema[] = "tenants";

// ---- value conversions ---------------------------------------------------------------------

using pg::TextArray;

std::vector<std::string> FromArray(const pqxx::field& field) {
  std::vector<std::string> out;
  pqxx::array_parser parser = field.as_array();
  for (auto [kind, value] = parser.get_next(); kind != pqxx::array_parser::done;
       std::tie(kind, value) = parser.get_next()) {
    if (kind == pqxx::array_parser::string_value) out.push_back(value);
  }
  return out;
}

std::string DateText(absl::CivilDay day) {
  return absl::StrFormat("%04d-%02d-%02d", day.year(), day.month(), day.day());
}

absl::CivilDay ParseDate(const pqxx::field& field) {
  absl::CivilDay day;
  absl::ParseCivilTime(field.as<std::string>(), &day);
  return day;
}

absl::Time MicrosToTime(const pqxx::field& field) {
  return absl::FromUnixMicros(field.as<int64_t>());
}

// Timestamps travel as microseconds since the epoch: exact, and no text parsing.
constexpr char kTimes[] =
    "(extract(epoch FROM create_time) * 1000000)::bigint, (extract(epoch FROM update_time) * "
    "1000000)::bigint";

const char* BookingModeText(BookingMode mode) {
  switch (mode) {
    case BookingMode::kWalkIn:
      return "walk_in";
    case BookingMode::kAppointmentOnly:
      return "appointment_only";
    case BookingMode::kWalkInAndAppointment:
      return "walk_in_and_appointment";
  }
  return "walk_in_and_appointment";
}

BookingMode ParseBookingMode(const std::string& text) {
  if (text == "walk_in") return BookingMode::kWalkIn;
  if (text == "appointment_only") return BookingMode::kAppointmentOnly;
  return BookingMode::kWalkInAndAppointment;
}

const char* ChannelKindText(ChannelKind kind) {
  switch (kind) {
    case ChannelKind::kPhone:
      return "phone";
    case ChannelKind::kWeb:
      return "web";
    case ChannelKind::kDesk:
      return "desk";
  }
  return "phone";
}

ChannelKind ParseChannelKind(const std::string& text) {
  if (text == "web") return ChannelKind::kWeb;
  if (text == "desk") return ChannelKind::kDesk;
  return ChannelKind::kPhone;
}

const char* RoleText(OperatorRole role) {
  switch (role) {
    case OperatorRole::kOperator:
      return "operator";
    case OperatorRole::kCoordinator:
      return "coordinator";
    case OperatorRole::kTenantAdmin:
      return "tenant_admin";
    case OperatorRole::kDpo:
      return "dpo";
  }
  return "operator";
}

std::optional<OperatorRole> ParseRoleText(const std::string& text) {
  if (text == "operator") return OperatorRole::kOperator;
  if (text == "coordinator") return OperatorRole::kCoordinator;
  if (text == "tenant_admin") return OperatorRole::kTenantAdmin;
  if (text == "dpo") return OperatorRole::kDpo;
  return std::nullopt;
}

// ISO 8601 weekday numbers, as stored: Monday = 1 ... Sunday = 7.
int WeekdayNumber(absl::Weekday day) {
  switch (day) {
    case absl::Weekday::monday:
      return 1;
    case absl::Weekday::tuesday:
      return 2;
    case absl::Weekday::wednesday:
      return 3;
    case absl::Weekday::thursday:
      return 4;
    case absl::Weekday::friday:
      return 5;
    case absl::Weekday::saturday:
      return 6;
    case absl::Weekday::sunday:
      return 7;
  }
  return 1;
}

absl::Weekday WeekdayFromNumber(int number) {
  static constexpr absl::Weekday kDays[] = {absl::Weekday::monday,    absl::Weekday::tuesday,
                                            absl::Weekday::wednesday, absl::Weekday::thursday,
                                            absl::Weekday::friday,    absl::Weekday::saturday,
                                            absl::Weekday::sunday};
  return kDays[(number - 1) % 7];
}

PostalAddress AddressFrom(const pqxx::row& row, int first) {
  return PostalAddress{row[first].as<std::string>(), row[first + 1].as<std::string>(),
                       row[first + 2].as<std::string>(), row[first + 3].as<std::string>()};
}

// ---- hours ---------------------------------------------------------------------------------

// Loads the weekly hours of several owners (desks or channels) in one query.
std::map<std::string, std::vector<WeeklyInterval>> LoadHours(
    pqxx::work& tx, const char* table, const char* owner_column, const std::string& tenant_id,
    const std::vector<std::string>& owner_ids) {
  std::map<std::string, std::vector<WeeklyInterval>> hours;
  if (owner_ids.empty()) return hours;
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT ", owner_column, ", day_of_week, start_minute, end_minute FROM ", table,
                   " WHERE tenant_id = $1 AND ", owner_column,
                   " = ANY($2::text[]) ORDER BY day_of_week, start_minute"),
      tenant_id, TextArray(owner_ids));
  for (const pqxx::row& row : rows) {
    hours[row[0].as<std::string>()].push_back(
        WeeklyInterval{WeekdayFromNumber(row[1].as<int>()), row[2].as<int>(), row[3].as<int>()});
  }
  return hours;
}

void ReplaceHours(pqxx::work& tx, const char* table, const char* owner_column,
                  const std::string& tenant_id, const std::string& owner_id,
                  const std::vector<WeeklyInterval>& intervals) {
  tx.exec_params(
      absl::StrCat("DELETE FROM ", table, " WHERE tenant_id = $1 AND ", owner_column, " = $2"),
      tenant_id, owner_id);
  for (const WeeklyInterval& interval : intervals) {
    tx.exec_params(
        absl::StrCat("INSERT INTO ", table, " (tenant_id, ", owner_column,
                     ", day_of_week, start_minute, end_minute) VALUES ($1, $2, $3, $4, $5)"),
        tenant_id, owner_id, WeekdayNumber(interval.day), interval.start_minute,
        interval.end_minute);
  }
}

// ---- row mappers ---------------------------------------------------------------------------

constexpr char kTenantColumns[] =
    "tenant_id, display_name, istat_code, street, postal_code, locality, province, phone_number, "
    "lead, "
    "time_zone, ";

Tenant TenantFrom(const pqxx::row& row) {
  Tenant tenant;
  tenant.id = row[0].as<std::string>();
  tenant.display_name = row[1].as<std::string>();
  tenant.istat_code = row[2].as<std::string>();
  tenant.address = AddressFrom(row, 3);
  tenant.phone_number = row[7].as<std::string>();
  tenant.lead = row[8].as<bool>();
  tenant.time_zone = row[9].as<std::string>();
  tenant.create_time = MicrosToTime(row[10]);
  tenant.update_time = MicrosToTime(row[11]);
  return tenant;
}

constexpr char kDeskColumns[] =
    "tenant_id, desk_id, display_name, street, postal_code, locality, province, booking_mode, "
    "capacity, "
    "service_ids, ";

Desk DeskFrom(const pqxx::row& row) {
  Desk desk;
  desk.tenant_id = row[0].as<std::string>();
  desk.id = row[1].as<std::string>();
  desk.display_name = row[2].as<std::string>();
  desk.address = AddressFrom(row, 3);
  desk.booking_mode = ParseBookingMode(row[7].as<std::string>());
  desk.capacity = row[8].as<int>();
  desk.service_ids = FromArray(row[9]);
  desk.create_time = MicrosToTime(row[10]);
  desk.update_time = MicrosToTime(row[11]);
  return desk;
}

constexpr char kServiceColumns[] =
    "tenant_id, service_id, display_name, description, duration_minutes, ";

Service ServiceFrom(const pqxx::row& row) {
  Service service;
  service.tenant_id = row[0].as<std::string>();
  service.id = row[1].as<std::string>();
  service.display_name = row[2].as<std::string>();
  service.description = row[3].as<std::string>();
  service.duration_minutes = row[4].as<int>();
  service.create_time = MicrosToTime(row[5]);
  service.update_time = MicrosToTime(row[6]);
  return service;
}

constexpr char kChannelColumns[] = "tenant_id, channel_id, display_name, kind, phone_number, ";

Channel ChannelFrom(const pqxx::row& row) {
  Channel channel;
  channel.tenant_id = row[0].as<std::string>();
  channel.id = row[1].as<std::string>();
  channel.display_name = row[2].as<std::string>();
  channel.kind = ParseChannelKind(row[3].as<std::string>());
  channel.phone_number = row[4].as<std::string>();
  channel.create_time = MicrosToTime(row[5]);
  channel.update_time = MicrosToTime(row[6]);
  return channel;
}

constexpr char kClosureColumns[] =
    "tenant_id, desk_id, closure_id, start_date::text, end_date::text, reason, "
    "(extract(epoch FROM create_time) * 1000000)::bigint, citizen_notice";

const char* ClosureNoticeName(ClosureNotice notice) {
  switch (notice) {
    case ClosureNotice::kMoved:
      return "MOVED";
    case ClosureNotice::kCancelled:
      return "CANCELLED";
    case ClosureNotice::kNone:
      break;
  }
  return "NONE";
}

Closure ClosureFrom(const pqxx::row& row) {
  Closure closure;
  closure.tenant_id = row[0].as<std::string>();
  closure.desk_id = row[1].as<std::string>();
  closure.id = row[2].as<std::string>();
  closure.start_date = ParseDate(row[3]);
  closure.end_date = ParseDate(row[4]);
  closure.reason = row[5].as<std::string>();
  closure.create_time = MicrosToTime(row[6]);
  const std::string notice = row[7].as<std::string>();
  closure.citizen_notice = notice == "MOVED"       ? ClosureNotice::kMoved
                           : notice == "CANCELLED" ? ClosureNotice::kCancelled
                                                   : ClosureNotice::kNone;
  return closure;
}

constexpr char kHolidayColumns[] =
    "tenant_id, holiday_id, display_name, year, month, day, (extract(epoch FROM create_time) * "
    "1000000)::bigint";

Holiday HolidayFrom(const pqxx::row& row) {
  Holiday holiday;
  holiday.tenant_id = row[0].as<std::string>();
  holiday.id = row[1].as<std::string>();
  holiday.display_name = row[2].as<std::string>();
  holiday.recurring = row[3].is_null();
  // A recurring holiday is anchored in leap year 2000, so that 29 February stays representable.
  const int year = holiday.recurring ? 2000 : row[3].as<int>();
  holiday.date = absl::CivilDay(year, row[4].as<int>(), row[5].as<int>());
  holiday.create_time = MicrosToTime(row[6]);
  return holiday;
}

constexpr char kOperatorColumns[] =
    "tenant_id, operator_id, display_name, subject, roles, desk_ids, ";

Operator OperatorFrom(const pqxx::row& row) {
  Operator op;
  op.tenant_id = row[0].as<std::string>();
  op.id = row[1].as<std::string>();
  op.display_name = row[2].as<std::string>();
  op.subject = row[3].as<std::string>();
  for (const std::string& role : FromArray(row[4])) {
    if (std::optional<OperatorRole> parsed = ParseRoleText(role)) op.roles.push_back(*parsed);
  }
  op.desk_ids = FromArray(row[5]);
  op.create_time = MicrosToTime(row[6]);
  op.update_time = MicrosToTime(row[7]);
  return op;
}

std::vector<std::string> RoleTexts(const std::vector<OperatorRole>& roles) {
  std::vector<std::string> out;
  for (OperatorRole role : roles) out.push_back(RoleText(role));
  return out;
}

// ---- generic read helpers ------------------------------------------------------------------

template <typename T, typename Mapper>
std::vector<T> MapRows(const pqxx::result& rows, Mapper mapper) {
  std::vector<T> out;
  out.reserve(rows.size());
  for (const pqxx::row& row : rows) out.push_back(mapper(row));
  return out;
}

absl::Status ExpectOneRow(const pqxx::result& result, absl::string_view what) {
  if (result.affected_rows() == 0) return status::NotFound(what);
  return absl::OkStatus();
}

// Write transactions of one tenant. A foreign key failing means the parent is gone: the comune
// is not (yet) in the directory, or the desk was deleted by a concurrent call. Both are
// NOT_FOUND for the caller, not an internal error.
pg::TransactionOptions WriteOptions(const std::string& tenant_id) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  for (const char* table : {"services", "desks", "channels", "holidays", "operators"}) {
    options.constraint_errors.push_back(
        {absl::StrCat(table, "_tenant_id_fkey"), status::NotFound("tenant")});
  }
  options.constraint_errors.push_back(
      {"closures_tenant_id_desk_id_fkey", status::NotFound("desk")});
  options.constraint_errors.push_back(
      {"desk_hours_tenant_id_desk_id_fkey", status::NotFound("desk")});
  options.constraint_errors.push_back(
      {"channel_hours_tenant_id_channel_id_fkey", status::NotFound("channel")});
  options.constraint_errors.push_back(
      {"operators_tenant_id_subject_key", status::AlreadyExists("operator subject")});
  return options;
}

// Runs an idempotent create in a write transaction of the tenant: replays the recorded response
// of a known request id, otherwise runs `insert` and records the encoded response in the same
// transaction (pg::RunIdempotent).
template <typename T, typename Insert>
absl::StatusOr<Created<T>> CreateIdempotently(pg::ConnectionPool& pool,
                                              const std::string& tenant_id, const RequestKey& key,
                                              const ResponseEncoder<T>& encode, Insert insert) {
  return pool.RunInTransaction(
      WriteOptions(tenant_id), [&](pqxx::work& tx) -> absl::StatusOr<Created<T>> {
        return pg::RunIdempotent<T>(tx, kSchema, tenant_id, key, encode,
                                    [&]() -> absl::StatusOr<T> { return insert(tx); });
      });
}

// The configuration event of a change, written in the transaction that makes it, so that it
// exists if and only if the change committed (and other services hear of it within a second).
template <typename SetPayload>
void Publish(pqxx::work& tx, const clock::Clock& clock, const std::string& tenant,
             const std::string& resource, SetPayload set_payload) {
  events::v1::Event event = events::NewEvent(tenant, resource, clock.Now());
  set_payload(event);
  events::WriteOutbox(tx, kSchema, event);
}

constexpr events::v1::Change kUpserted = events::v1::CHANGE_UPSERTED;
constexpr events::v1::Change kDeleted = events::v1::CHANGE_DELETED;

void PublishClosure(pqxx::work& tx, const clock::Clock& clock, const Closure& closure,
                    events::v1::Change change) {
  Publish(tx, clock, closure.tenant_id,
          api::ClosureName{closure.tenant_id, closure.desk_id, closure.id}.ToString(),
          [&](events::v1::Event& e) {
            events::v1::ClosureChanged* changed = e.mutable_closure_changed();
            changed->set_change(change);
            changed->set_desk(api::DeskName{closure.tenant_id, closure.desk_id}.ToString());
            *changed->mutable_start_date() = api::ToDate(closure.start_date);
            *changed->mutable_end_date() = api::ToDate(closure.end_date);
            if (change == kUpserted) {
              changed->set_citizen_notice(closure.citizen_notice == ClosureNotice::kMoved
                                              ? events::v1::CITIZEN_NOTICE_MOVED
                                          : closure.citizen_notice == ClosureNotice::kCancelled
                                              ? events::v1::CITIZEN_NOTICE_CANCELLED
                                              : events::v1::CITIZEN_NOTICE_NONE);
            }
          });
}

void PublishHoliday(pqxx::work& tx, const clock::Clock& clock, const Holiday& holiday,
                    events::v1::Change change) {
  Publish(tx, clock, holiday.tenant_id, api::HolidayName{holiday.tenant_id, holiday.id}.ToString(),
          [&](events::v1::Event& e) {
            events::v1::HolidayChanged* changed = e.mutable_holiday_changed();
            changed->set_change(change);
            *changed->mutable_date() =
                holiday.recurring ? api::ToYearlessDate(holiday.date) : api::ToDate(holiday.date);
          });
}

// ---- reads used inside write transactions ----------------------------------------------------

// Desks and channels: a row of their own plus weekly hours in a second table, read and listed
// together.
template <typename T>
struct WithHours {
  const char* table;        // "tenants.desks"
  const char* id_column;    // "desk_id"
  const char* hours_table;  // "tenants.desk_hours"
  const char* columns;      // kDeskColumns
  const char* what;         // "desk", for NOT_FOUND
  T (*from)(const pqxx::row&);

  absl::StatusOr<T> Read(pqxx::work& tx, const std::string& tenant_id,
                         const std::string& id) const {
    pqxx::result rows =
        tx.exec_params(absl::StrCat("SELECT ", columns, kTimes, " FROM ", table,
                                    " WHERE tenant_id = $1 AND ", id_column, " = $2"),
                       tenant_id, id);
    if (rows.empty()) return status::NotFound(what);
    T item = from(rows[0]);
    item.opening_hours = LoadHours(tx, hours_table, id_column, tenant_id, {id})[id];
    return item;
  }

  Page<T> List(pqxx::work& tx, const std::string& tenant_id, const PageRequest& page) const {
    pqxx::result rows = tx.exec_params(
        absl::StrCat("SELECT ", columns, kTimes, " FROM ", table, " WHERE tenant_id = $1 AND ",
                     id_column, " > $2 ORDER BY ", id_column, " LIMIT $3"),
        tenant_id, page.first_page() ? std::string() : page.after[0], page.limit + 1);
    Page<T> result = api::TakePage(MapRows<T>(rows, from), page.limit);
    std::vector<std::string> ids;
    for (const T& item : result.items) ids.push_back(item.id);
    auto hours = LoadHours(tx, hours_table, id_column, tenant_id, ids);
    for (T& item : result.items) item.opening_hours = hours[item.id];
    return result;
  }

  void ReplaceHoursOf(pqxx::work& tx, const T& item) const {
    ReplaceHours(tx, hours_table, id_column, item.tenant_id, item.id, item.opening_hours);
  }
};

const WithHours<Desk> kDesks{"tenants.desks", "desk_id", "tenants.desk_hours",
                             kDeskColumns,    "desk",    DeskFrom};
const WithHours<Channel> kChannels{"tenants.channels", "channel_id", "tenants.channel_hours",
                                   kChannelColumns,    "channel",    ChannelFrom};

absl::StatusOr<Desk> ReadDesk(pqxx::work& tx, const std::string& tenant_id,
                              const std::string& desk_id) {
  return kDesks.Read(tx, tenant_id, desk_id);
}

absl::StatusOr<Channel> ReadChannel(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& channel_id) {
  return kChannels.Read(tx, tenant_id, channel_id);
}

absl::StatusOr<Service> ReadService(pqxx::work& tx, const std::string& tenant_id,
                                    const std::string& service_id) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT ", kServiceColumns, kTimes,
                   " FROM tenants.services WHERE tenant_id = $1 AND service_id = $2"),
      tenant_id, service_id);
  if (rows.empty()) return status::NotFound("service");
  return ServiceFrom(rows[0]);
}

absl::StatusOr<Operator> ReadOperator(pqxx::work& tx, const std::string& tenant_id,
                                      const std::string& operator_id) {
  pqxx::result rows = tx.exec_params(
      absl::StrCat("SELECT ", kOperatorColumns, kTimes,
                   " FROM tenants.operators WHERE tenant_id = $1 AND operator_id = $2"),
      tenant_id, operator_id);
  if (rows.empty()) return status::NotFound("operator");
  return OperatorFrom(rows[0]);
}

// A desk may only offer services of its own catalog, and an operator only serve existing desks.
// FOR KEY SHARE holds the referenced rows until this transaction ends, so a concurrent delete
// waits for it (and then cleans up after it) instead of slipping in between check and write.
absl::Status RequireAllExist(pqxx::work& tx, const char* table, const char* column,
                             const std::string& tenant_id, const std::vector<std::string>& ids,
                             absl::string_view field) {
  if (ids.empty()) return absl::OkStatus();
  pqxx::result rows =
      tx.exec_params(absl::StrCat("SELECT count(DISTINCT id) FROM (SELECT ", column, " AS id FROM ",
                                  table, " WHERE tenant_id = $1 AND ", column,
                                  " = ANY($2::text[]) FOR KEY SHARE) referenced"),
                     tenant_id, TextArray(ids));
  if (rows[0][0].as<size_t>() == ids.size()) return absl::OkStatus();
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat(std::string(field), " names a resource that does not exist"),
                       "REFERENCED_RESOURCE_NOT_FOUND");
}

}  // namespace

// ---- tenants -------------------------------------------------------------------------------

absl::StatusOr<Tenant> PostgresTenantsRepository::GetTenant(const std::string& tenant_id) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Tenant> {
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT ", kTenantColumns, kTimes,
                                                    " FROM tenants.tenants WHERE tenant_id = $1"),
                                       tenant_id);
    if (rows.empty()) return status::NotFound("tenant");
    return TenantFrom(rows[0]);
  });
}

absl::StatusOr<Tenant> PostgresTenantsRepository::GetTenantAsFederation(
    const std::string& caller_tenant, const std::string& tenant_id) {
  // The caller's own tenant context plus the directory policy: nothing but tenants.tenants
  // crosses, even if this transaction ever read another table.
  pg::TransactionOptions options;
  options.tenant_id = caller_tenant;
  options.read_only = true;
  options.settings = {{"app.federation", "on"}};
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<Tenant> {
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT ", kTenantColumns, kTimes,
                                                    " FROM tenants.tenants WHERE tenant_id = $1"),
                                       tenant_id);
    if (rows.empty()) return status::NotFound("tenant");
    return TenantFrom(rows[0]);
  });
}

absl::StatusOr<Page<Tenant>> PostgresTenantsRepository::ListTenants(
    const std::string& caller_tenant, bool federation, const PageRequest& page) {
  pg::TransactionOptions options;
  options.tenant_id = caller_tenant;
  options.read_only = true;
  if (federation) options.settings = {{"app.federation", "on"}};
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<Page<Tenant>> {
    // No tenant filter: row-level security decides which comuni this caller sees.
    pqxx::result rows =
        tx.exec_params(absl::StrCat("SELECT ", kTenantColumns, kTimes,
                                    " FROM tenants.tenants WHERE tenant_id > $1 "
                                    "ORDER BY tenant_id LIMIT $2"),
                       page.first_page() ? std::string() : page.after[0], page.limit + 1);
    return api::TakePage(MapRows<Tenant>(rows, TenantFrom), page.limit);
  });
}

absl::Status PostgresTenantsRepository::UpsertTenant(const Tenant& tenant) {
  return pool_->RunInTenantTransaction(tenant.id, [&](pqxx::work& tx) -> absl::Status {
    tx.exec_params(
        "INSERT INTO tenants.tenants (tenant_id, display_name, istat_code, street, postal_code, "
        "locality, "
        "province, phone_number, lead, time_zone) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) "
        "ON CONFLICT (tenant_id) DO UPDATE SET display_name = EXCLUDED.display_name, "
        "istat_code = EXCLUDED.istat_code, street = EXCLUDED.street, postal_code = "
        "EXCLUDED.postal_code, "
        "locality = EXCLUDED.locality, province = EXCLUDED.province, phone_number = "
        "EXCLUDED.phone_number, "
        "lead = EXCLUDED.lead, time_zone = EXCLUDED.time_zone, update_time = now() "
        "WHERE (tenants.display_name, tenants.istat_code, tenants.street, tenants.postal_code, "
        "tenants.locality, "
        "tenants.province, tenants.phone_number, tenants.lead, tenants.time_zone) IS DISTINCT FROM "
        "(EXCLUDED.display_name, EXCLUDED.istat_code, EXCLUDED.street, EXCLUDED.postal_code, "
        "EXCLUDED.locality, "
        "EXCLUDED.province, EXCLUDED.phone_number, EXCLUDED.lead, EXCLUDED.time_zone)",
        tenant.id, tenant.display_name, tenant.istat_code, tenant.address.street,
        tenant.address.postal_code, tenant.address.locality, tenant.address.province,
        tenant.phone_number, tenant.lead, tenant.time_zone);
    return absl::OkStatus();
  });
}

// ---- desks ---------------------------------------------------------------------------------

absl::StatusOr<Desk> PostgresTenantsRepository::GetDesk(const std::string& tenant_id,
                                                        const std::string& desk_id) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) { return ReadDesk(tx, tenant_id, desk_id); });
}

absl::StatusOr<Page<Desk>> PostgresTenantsRepository::ListDesks(const std::string& tenant_id,
                                                                const PageRequest& page) {
  return pool_->RunInTenantTransaction(tenant_id,
                                       [&](pqxx::work& tx) -> absl::StatusOr<Page<Desk>> {
                                         return kDesks.List(tx, tenant_id, page);
                                       });
}

absl::StatusOr<Created<Desk>> PostgresTenantsRepository::CreateDesk(
    const Desk& desk, const RequestKey& key, const ResponseEncoder<Desk>& encode) {
  return CreateIdempotently<Desk>(
      *pool_, desk.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Desk> {
        RETURN_IF_ERROR(RequireAllExist(tx, "tenants.services", "service_id", desk.tenant_id,
                                        desk.service_ids, "desk.services"));
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO tenants.desks (tenant_id, desk_id, display_name, street, postal_code, "
            "locality, province, "
            "booking_mode, capacity, service_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
            "$10::text[]) "
            "ON CONFLICT DO NOTHING",
            desk.tenant_id, desk.id, desk.display_name, desk.address.street,
            desk.address.postal_code, desk.address.locality, desk.address.province,
            BookingModeText(desk.booking_mode), desk.capacity, TextArray(desk.service_ids));
        if (inserted.affected_rows() == 0) return status::AlreadyExists("desk");
        kDesks.ReplaceHoursOf(tx, desk);
        Publish(tx, *clock_, desk.tenant_id, api::DeskName{desk.tenant_id, desk.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_desk_changed()->set_change(kUpserted); });
        return ReadDesk(tx, desk.tenant_id, desk.id);
      });
}

absl::StatusOr<Desk> PostgresTenantsRepository::UpdateDesk(const Desk& desk) {
  return pool_->RunInTransaction(
      WriteOptions(desk.tenant_id), [&](pqxx::work& tx) -> absl::StatusOr<Desk> {
        RETURN_IF_ERROR(RequireAllExist(tx, "tenants.services", "service_id", desk.tenant_id,
                                        desk.service_ids, "desk.services"));
        pqxx::result updated = tx.exec_params(
            "UPDATE tenants.desks SET display_name = $3, street = $4, postal_code = $5, locality = "
            "$6, province = $7, "
            "booking_mode = $8, capacity = $9, service_ids = $10::text[], update_time = now() "
            "WHERE tenant_id = $1 AND desk_id = $2",
            desk.tenant_id, desk.id, desk.display_name, desk.address.street,
            desk.address.postal_code, desk.address.locality, desk.address.province,
            BookingModeText(desk.booking_mode), desk.capacity, TextArray(desk.service_ids));
        RETURN_IF_ERROR(ExpectOneRow(updated, "desk"));
        kDesks.ReplaceHoursOf(tx, desk);
        Publish(tx, *clock_, desk.tenant_id, api::DeskName{desk.tenant_id, desk.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_desk_changed()->set_change(kUpserted); });
        return ReadDesk(tx, desk.tenant_id, desk.id);
      });
}

absl::Status PostgresTenantsRepository::DeleteDesk(const std::string& tenant_id,
                                                   const std::string& desk_id) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    // Hours and closures go with the desk (ON DELETE CASCADE); operators stop serving it.
    RETURN_IF_ERROR(ExpectOneRow(
        tx.exec_params("DELETE FROM tenants.desks WHERE tenant_id = $1 AND desk_id = $2", tenant_id,
                       desk_id),
        "desk"));
    tx.exec_params(
        "UPDATE tenants.operators SET desk_ids = array_remove(desk_ids, $2), update_time = now() "
        "WHERE tenant_id = $1 AND $2 = ANY(desk_ids)",
        tenant_id, desk_id);
    Publish(tx, *clock_, tenant_id, api::DeskName{tenant_id, desk_id}.ToString(),
            [](events::v1::Event& e) { e.mutable_desk_changed()->set_change(kDeleted); });
    return absl::OkStatus();
  });
}

// ---- services ------------------------------------------------------------------------------

absl::StatusOr<Service> PostgresTenantsRepository::GetService(const std::string& tenant_id,
                                                              const std::string& service_id) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) { return ReadService(tx, tenant_id, service_id); });
}

absl::StatusOr<Page<Service>> PostgresTenantsRepository::ListServices(const std::string& tenant_id,
                                                                      const PageRequest& page) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Page<Service>> {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kServiceColumns, kTimes,
                         " FROM tenants.services WHERE tenant_id = $1 AND service_id > $2 "
                         "ORDER BY service_id LIMIT $3"),
            tenant_id, page.first_page() ? std::string() : page.after[0], page.limit + 1);
        return api::TakePage(MapRows<Service>(rows, ServiceFrom), page.limit);
      });
}

absl::StatusOr<Created<Service>> PostgresTenantsRepository::CreateService(
    const Service& service, const RequestKey& key, const ResponseEncoder<Service>& encode) {
  return CreateIdempotently<Service>(
      *pool_, service.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Service> {
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO tenants.services (tenant_id, service_id, "
            "display_name, description, duration_minutes) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            service.tenant_id, service.id, service.display_name, service.description,
            service.duration_minutes);
        if (inserted.affected_rows() == 0) return status::AlreadyExists("service");
        Publish(tx, *clock_, service.tenant_id,
                api::ServiceName{service.tenant_id, service.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_service_changed()->set_change(kUpserted); });
        return ReadService(tx, service.tenant_id, service.id);
      });
}

absl::StatusOr<Service> PostgresTenantsRepository::UpdateService(const Service& service) {
  return pool_->RunInTenantTransaction(
      service.tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Service> {
        RETURN_IF_ERROR(ExpectOneRow(
            tx.exec_params("UPDATE tenants.services SET display_name = $3, description = $4, "
                           "duration_minutes = $5, "
                           "update_time = now() WHERE tenant_id = $1 AND service_id = $2",
                           service.tenant_id, service.id, service.display_name, service.description,
                           service.duration_minutes),
            "service"));
        Publish(tx, *clock_, service.tenant_id,
                api::ServiceName{service.tenant_id, service.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_service_changed()->set_change(kUpserted); });
        return ReadService(tx, service.tenant_id, service.id);
      });
}

// ---- channels ------------------------------------------------------------------------------

absl::StatusOr<Channel> PostgresTenantsRepository::GetChannel(const std::string& tenant_id,
                                                              const std::string& channel_id) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) { return ReadChannel(tx, tenant_id, channel_id); });
}

absl::StatusOr<Page<Channel>> PostgresTenantsRepository::ListChannels(const std::string& tenant_id,
                                                                      const PageRequest& page) {
  return pool_->RunInTenantTransaction(tenant_id,
                                       [&](pqxx::work& tx) -> absl::StatusOr<Page<Channel>> {
                                         return kChannels.List(tx, tenant_id, page);
                                       });
}

absl::StatusOr<Created<Channel>> PostgresTenantsRepository::CreateChannel(
    const Channel& channel, const RequestKey& key, const ResponseEncoder<Channel>& encode) {
  return CreateIdempotently<Channel>(
      *pool_, channel.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Channel> {
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO tenants.channels (tenant_id, channel_id, display_name, kind, "
            "phone_number) "
            "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            channel.tenant_id, channel.id, channel.display_name, ChannelKindText(channel.kind),
            channel.phone_number);
        if (inserted.affected_rows() == 0) return status::AlreadyExists("channel");
        kChannels.ReplaceHoursOf(tx, channel);
        Publish(tx, *clock_, channel.tenant_id,
                api::ChannelName{channel.tenant_id, channel.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_channel_changed()->set_change(kUpserted); });
        return ReadChannel(tx, channel.tenant_id, channel.id);
      });
}

absl::StatusOr<Channel> PostgresTenantsRepository::UpdateChannel(const Channel& channel) {
  return pool_->RunInTransaction(
      WriteOptions(channel.tenant_id), [&](pqxx::work& tx) -> absl::StatusOr<Channel> {
        RETURN_IF_ERROR(ExpectOneRow(
            tx.exec_params(
                "UPDATE tenants.channels SET display_name = $3, kind = $4, phone_number = $5, "
                "update_time = now() WHERE tenant_id = $1 AND channel_id = $2",
                channel.tenant_id, channel.id, channel.display_name, ChannelKindText(channel.kind),
                channel.phone_number),
            "channel"));
        kChannels.ReplaceHoursOf(tx, channel);
        Publish(tx, *clock_, channel.tenant_id,
                api::ChannelName{channel.tenant_id, channel.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_channel_changed()->set_change(kUpserted); });
        return ReadChannel(tx, channel.tenant_id, channel.id);
      });
}

// ---- closures ------------------------------------------------------------------------------

absl::StatusOr<Page<Closure>> PostgresTenantsRepository::ListClosures(const std::string& tenant_id,
                                                                      const std::string& desk_id,
                                                                      const PageRequest& page) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Page<Closure>> {
        if (tx.exec_params("SELECT 1 FROM tenants.desks WHERE tenant_id = $1 AND desk_id = $2",
                           tenant_id, desk_id)
                .empty()) {
          return status::NotFound("desk");
        }
        pqxx::result rows = tx.exec_params(
            absl::StrCat(
                "SELECT ", kClosureColumns,
                " FROM tenants.closures WHERE tenant_id = $1 AND desk_id = $2 AND closure_id > $3 "
                "ORDER BY closure_id LIMIT $4"),
            tenant_id, desk_id, page.first_page() ? std::string() : page.after[0], page.limit + 1);
        return api::TakePage(MapRows<Closure>(rows, ClosureFrom), page.limit);
      });
}

absl::StatusOr<std::vector<Closure>> PostgresTenantsRepository::ClosuresBetween(
    const std::string& tenant_id, const std::string& desk_id, absl::CivilDay first,
    absl::CivilDay last) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Closure>> {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kClosureColumns,
                         " FROM tenants.closures WHERE tenant_id = $1 AND desk_id = $2 "
                         "AND start_date <= $4::date AND end_date >= $3::date ORDER BY start_date"),
            tenant_id, desk_id, DateText(first), DateText(last));
        return MapRows<Closure>(rows, ClosureFrom);
      });
}

absl::StatusOr<Created<Closure>> PostgresTenantsRepository::CreateClosure(
    const Closure& closure, const RequestKey& key, const ResponseEncoder<Closure>& encode) {
  return CreateIdempotently<Closure>(
      *pool_, closure.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Closure> {
        if (tx.exec_params("SELECT 1 FROM tenants.desks WHERE tenant_id = $1 AND desk_id = $2",
                           closure.tenant_id, closure.desk_id)
                .empty()) {
          return status::NotFound("desk");
        }
        pqxx::result inserted = tx.exec_params(
            absl::StrCat(
                "INSERT INTO tenants.closures (tenant_id, desk_id, closure_id, start_date, "
                "end_date, reason, citizen_notice) "
                "VALUES ($1, $2, $3, $4::date, $5::date, $6, $7) ON CONFLICT DO NOTHING "
                "RETURNING ",
                kClosureColumns),
            closure.tenant_id, closure.desk_id, closure.id, DateText(closure.start_date),
            DateText(closure.end_date), closure.reason,
            std::string(ClosureNoticeName(closure.citizen_notice)));
        if (inserted.empty()) return status::AlreadyExists("closure");
        Closure created = ClosureFrom(inserted[0]);
        PublishClosure(tx, *clock_, created, kUpserted);
        return created;
      });
}

absl::Status PostgresTenantsRepository::DeleteClosure(const std::string& tenant_id,
                                                      const std::string& desk_id,
                                                      const std::string& closure_id) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    const pqxx::result deleted = tx.exec_params(
        absl::StrCat("DELETE FROM tenants.closures WHERE tenant_id = $1 AND desk_id = $2 "
                     "AND closure_id = $3 RETURNING ",
                     kClosureColumns),
        tenant_id, desk_id, closure_id);
    if (deleted.empty()) return status::NotFound("closure");
    PublishClosure(tx, *clock_, ClosureFrom(deleted[0]), kDeleted);
    return absl::OkStatus();
  });
}

// ---- holidays ------------------------------------------------------------------------------

absl::StatusOr<Page<Holiday>> PostgresTenantsRepository::ListHolidays(const std::string& tenant_id,
                                                                      const PageRequest& page) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Page<Holiday>> {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kHolidayColumns,
                         " FROM tenants.holidays WHERE tenant_id = $1 AND holiday_id > $2 "
                         "ORDER BY holiday_id LIMIT $3"),
            tenant_id, page.first_page() ? std::string() : page.after[0], page.limit + 1);
        return api::TakePage(MapRows<Holiday>(rows, HolidayFrom), page.limit);
      });
}

absl::StatusOr<std::vector<Holiday>> PostgresTenantsRepository::AllHolidays(
    const std::string& tenant_id) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Holiday>> {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kHolidayColumns, " FROM tenants.holidays WHERE tenant_id = $1"),
            tenant_id);
        return MapRows<Holiday>(rows, HolidayFrom);
      });
}

absl::StatusOr<Created<Holiday>> PostgresTenantsRepository::CreateHoliday(
    const Holiday& holiday, const RequestKey& key, const ResponseEncoder<Holiday>& encode) {
  return CreateIdempotently<Holiday>(
      *pool_, holiday.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Holiday> {
        std::optional<int> year;
        if (!holiday.recurring) year = static_cast<int>(holiday.date.year());
        pqxx::result inserted = tx.exec_params(
            absl::StrCat("INSERT INTO tenants.holidays (tenant_id, holiday_id, display_name, year, "
                         "month, day) "
                         "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING RETURNING ",
                         kHolidayColumns),
            holiday.tenant_id, holiday.id, holiday.display_name, year, holiday.date.month(),
            holiday.date.day());
        if (inserted.empty()) return status::AlreadyExists("holiday");
        Holiday created = HolidayFrom(inserted[0]);
        PublishHoliday(tx, *clock_, created, kUpserted);
        return created;
      });
}

absl::Status PostgresTenantsRepository::DeleteHoliday(const std::string& tenant_id,
                                                      const std::string& holiday_id) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    const pqxx::result deleted = tx.exec_params(
        absl::StrCat("DELETE FROM tenants.holidays WHERE tenant_id = $1 AND holiday_id = $2 "
                     "RETURNING ",
                     kHolidayColumns),
        tenant_id, holiday_id);
    if (deleted.empty()) return status::NotFound("holiday");
    PublishHoliday(tx, *clock_, HolidayFrom(deleted[0]), kDeleted);
    return absl::OkStatus();
  });
}

// ---- operators -----------------------------------------------------------------------------

absl::StatusOr<Operator> PostgresTenantsRepository::GetOperator(const std::string& tenant_id,
                                                                const std::string& operator_id) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) { return ReadOperator(tx, tenant_id, operator_id); });
}

absl::StatusOr<Page<Operator>> PostgresTenantsRepository::ListOperators(
    const std::string& tenant_id, const PageRequest& page) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<Page<Operator>> {
        pqxx::result rows = tx.exec_params(
            absl::StrCat("SELECT ", kOperatorColumns, kTimes,
                         " FROM tenants.operators WHERE tenant_id = $1 AND operator_id > $2 "
                         "ORDER BY operator_id LIMIT $3"),
            tenant_id, page.first_page() ? std::string() : page.after[0], page.limit + 1);
        return api::TakePage(MapRows<Operator>(rows, OperatorFrom), page.limit);
      });
}

absl::StatusOr<Created<Operator>> PostgresTenantsRepository::CreateOperator(
    const Operator& op, const RequestKey& key, const ResponseEncoder<Operator>& encode) {
  return CreateIdempotently<Operator>(
      *pool_, op.tenant_id, key, encode, [&](pqxx::work& tx) -> absl::StatusOr<Operator> {
        RETURN_IF_ERROR(RequireAllExist(tx, "tenants.desks", "desk_id", op.tenant_id, op.desk_ids,
                                        "operator.desks"));
        pqxx::result inserted = tx.exec_params(
            "INSERT INTO tenants.operators (tenant_id, operator_id, display_name, subject, roles, "
            "desk_ids) "
            "VALUES ($1, $2, $3, $4, $5::text[], $6::text[]) ON CONFLICT DO NOTHING",
            op.tenant_id, op.id, op.display_name, op.subject, TextArray(RoleTexts(op.roles)),
            TextArray(op.desk_ids));
        // Either the id or the subject is taken.
        if (inserted.affected_rows() == 0) return status::AlreadyExists("operator");
        Publish(tx, *clock_, op.tenant_id, api::OperatorName{op.tenant_id, op.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_operator_changed()->set_change(kUpserted); });
        return ReadOperator(tx, op.tenant_id, op.id);
      });
}

absl::StatusOr<Operator> PostgresTenantsRepository::UpdateOperator(const Operator& op) {
  return pool_->RunInTransaction(
      WriteOptions(op.tenant_id), [&](pqxx::work& tx) -> absl::StatusOr<Operator> {
        RETURN_IF_ERROR(RequireAllExist(tx, "tenants.desks", "desk_id", op.tenant_id, op.desk_ids,
                                        "operator.desks"));
        RETURN_IF_ERROR(ExpectOneRow(
            tx.exec_params(
                "UPDATE tenants.operators SET display_name = $3, subject = $4, roles = $5::text[], "
                "desk_ids = $6::text[], update_time = now() WHERE tenant_id = $1 AND operator_id = "
                "$2",
                op.tenant_id, op.id, op.display_name, op.subject, TextArray(RoleTexts(op.roles)),
                TextArray(op.desk_ids)),
            "operator"));
        Publish(tx, *clock_, op.tenant_id, api::OperatorName{op.tenant_id, op.id}.ToString(),
                [](events::v1::Event& e) { e.mutable_operator_changed()->set_change(kUpserted); });
        return ReadOperator(tx, op.tenant_id, op.id);
      });
}

}  // namespace sportelli::tenants
