// The `maintain` subcommand, written once: retention of every data class a service keeps
// (pg/retention.h steps), run by a Kubernetes CronJob and by `scripts/up` at start.
//
//   sportelli-<service> maintain [TENANT...]     (default: the comuni of SPORTELLI_COMUNI)
//
// It works one comune at a time, as the runtime role, in the comune's tenant transactions: row-
// level security fences it exactly like the service (no role that bypasses it exists), which is
// why it is told the comuni rather than finding them. Each step runs batch after batch (one short
// transaction each, so the service keeps running) until a batch finds less than a full batch.
// What each step removed is logged per comune and counted in
//   sportelli_retention_rows_total{service, data_class}
// which it pushes, when SPORTELLI_PUSHGATEWAY_URL is set (http://host:port), to that Prometheus
// Pushgateway under job "sportelli-maintain" (a CronJob's pod is gone before any scrape).
//
//   int main(...) { ... .commands = {server::MaintainCommand("tenants", [](config::EnvReader& env)
//   {
//       return std::vector<pg::RetentionStep>{pg::RequestIdsRetention("tenants", ...)};
//   })} ... }
#ifndef SPORTELLI_SERVER_MAINTENANCE_H_
#define SPORTELLI_SERVER_MAINTENANCE_H_

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "sportelli/clock/clock.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/pg/pool.h"
#include "sportelli/pg/retention.h"
#include "sportelli/server/service_main.h"

namespace sportelli::server {

// Rows removed, by (tenant, data_class).
using RetentionCounts = std::map<std::pair<std::string, std::string>, int64_t>;

// Runs `steps` for each of `tenants` at `clock`'s now, `batch` rows a transaction, adding what
// each removed to `counter` (labels data_class) when given. Stops at the first failure, with
// what was done so far lost to the caller but committed.
absl::StatusOr<RetentionCounts> RunRetention(pg::ConnectionPool& pool,
                                             const std::vector<std::string>& tenants,
                                             const std::vector<pg::RetentionStep>& steps,
                                             const clock::Clock& clock, int batch,
                                             prometheus::Family<prometheus::Counter>* counter);

// Reads the service's retention settings (recording problems on `env`) and returns its steps.
using RetentionSettings = std::function<std::vector<pg::RetentionStep>(config::EnvReader& env)>;

// The `maintain` subcommand of `service`.
Command MaintainCommand(std::string service, RetentionSettings settings);

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_MAINTENANCE_H_
