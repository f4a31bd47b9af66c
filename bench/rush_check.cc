#include "bench/rush_check.h"

#include <exception>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "pqxx/pqxx"

namespace sportelli::bench {
namespace {

// The appointments table as services/scheduling/migrations defines it; these names mirror that
// schema and must change with it. desk_id holds the desk's id (the last segment of its name),
// tenant_id the tenant's, as in every table of the project.
constexpr char kAppointmentsTable[] = "scheduling.appointments";
constexpr char kTenantColumn[] = "tenant_id";
constexpr char kDeskColumn[] = "desk_id";
constexpr char kStartColumn[] = "start_time";
constexpr char kStateColumn[] = "state";
constexpr char kCancelledState[] = "CANCELLED";

// The one query of the check.
std::string CountLiveSql() {
  return absl::StrCat("SELECT count(*) FROM ", kAppointmentsTable, " WHERE ", kTenantColumn,
                      " = $1 AND ", kDeskColumn, " = $2 AND ", kStartColumn,
                      " = $3::timestamptz AND ", kStateColumn, "::text <> $4");
}

std::string LastSegment(absl::string_view name) {
  const size_t slash = name.rfind('/');
  return std::string(slash == absl::string_view::npos ? name : name.substr(slash + 1));
}

}  // namespace

absl::StatusOr<std::vector<int64_t>> CountLiveAppointments(const std::string& dsn,
                                                           const std::vector<SlotRef>& slots) {
  try {
    pqxx::connection connection(dsn);
    connection.prepare("count_live", CountLiveSql());
    std::map<std::string, std::vector<size_t>> by_tenant;
    for (size_t i = 0; i < slots.size(); ++i) by_tenant[slots[i].tenant].push_back(i);
    std::vector<int64_t> counts(slots.size(), 0);
    for (const auto& [tenant, indexes] : by_tenant) {
      pqxx::read_transaction transaction(connection);
      transaction.exec_params("SELECT set_config('app.tenant_id', $1, true)", tenant);
      for (size_t i : indexes) {
        const SlotRef& slot = slots[i];
        const std::string start =
            absl::FormatTime(absl::RFC3339_full, slot.start, absl::UTCTimeZone());
        pqxx::row row = transaction.exec_prepared1("count_live", tenant, LastSegment(slot.desk),
                                                   start, kCancelledState);
        counts[i] = row[0].as<int64_t>();
      }
      transaction.commit();
    }
    return counts;
  } catch (const std::exception& error) {
    return absl::UnavailableError(absl::StrCat("rush check: ", error.what()));
  }
}

}  // namespace sportelli::bench
