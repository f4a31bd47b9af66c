#include "sportelli/server/maintenance.h"

#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "prometheus/gateway.h"
#include "prometheus/registry.h"
#include "sportelli/server/database.h"
#include "sportelli/status/macros.h"

namespace sportelli::server {

absl::StatusOr<RetentionCounts> RunRetention(pg::ConnectionPool& pool,
                                             const std::vector<std::string>& tenants,
                                             const std::vector<pg::RetentionStep>& steps,
                                             const clock::Clock& clock, int batch,
                                             prometheus::Family<prometheus::Counter>* counter) {
  RetentionCounts counts;
  for (const std::string& tenant : tenants) {
    for (const pg::RetentionStep& step : steps) {
      int64_t& done = counts[{tenant, step.data_class}];
      const absl::Time now = clock.Now();  // one cutoff for the whole step
      for (;;) {
        absl::StatusOr<int> removed = pool.RunInTenantTransaction(
            tenant, [&](pqxx::work& tx) { return step.run(tx, tenant, now, batch); });
        if (!removed.ok()) {
          return absl::Status(
              removed.status().code(),
              absl::StrCat(step.data_class, " of ", tenant, ": ", removed.status().message()));
        }
        done += *removed;
        if (counter != nullptr && *removed > 0) {
          counter->Add({{"data_class", step.data_class}}).Increment(*removed);
        }
        if (*removed < batch) break;
      }
    }
  }
  return counts;
}

Command MaintainCommand(std::string service, RetentionSettings settings) {
  return {"maintain",
          [service, settings](logging::Logger& log, const std::vector<std::string>& args) -> int {
            config::EnvReader env;
            DatabaseConfig database = ReadDatabaseConfig(env, 1);
            database.pool.statement_timeout = absl::Minutes(1);
            std::vector<std::string> tenants = args;
            const std::string listed = env.String("SPORTELLI_COMUNI", "");
            if (tenants.empty()) {
              tenants = absl::StrSplit(listed, ',', absl::SkipWhitespace());
            }
            const int batch = env.Int("SPORTELLI_MAINTAIN_BATCH", 500, 1, 100000);
            const std::string pushgateway = env.String("SPORTELLI_PUSHGATEWAY_URL", "");
            std::vector<pg::RetentionStep> steps = settings(env);
            if (tenants.empty()) {
              env.Reject("SPORTELLI_COMUNI",
                         "name the comuni to maintain (arguments or a comma-separated list)");
            }
            config::ExitIfInvalid(env.Finish(), service);

            auto registry = std::make_shared<prometheus::Registry>();
            auto& counter = prometheus::BuildCounter()
                                .Name("sportelli_retention_rows_total")
                                .Help("Rows deleted or anonymized by retention, by data class")
                                .Labels({{"service", service}})
                                .Register(*registry);
            // Every data class reported, 0 included: a class that stopped being maintained then
            // shows as absent rather than as "nothing was due".
            for (const pg::RetentionStep& step : steps)
              counter.Add({{"data_class", step.data_class}});
            std::unique_ptr<pg::ConnectionPool> pool = OpenDatabasePool(database, service);
            absl::StatusOr<RetentionCounts> counts = RunRetention(
                *pool, tenants, steps, clock::SystemClock::Instance(), batch, &counter);
            if (!counts.ok()) {
              log.Error("maintain failed", {{"error", std::string(counts.status().message())}});
              return 1;
            }
            for (const auto& [key, rows] : *counts) {
              log.Info("retention",
                       {{"tenant", key.first}, {"data_class", key.second}, {"rows", rows}});
            }
            if (!pushgateway.empty()) {
              // "http://host:port"
              std::vector<std::string> parts =
                  absl::StrSplit(absl::StripPrefix(pushgateway, "http://"), ':');
              prometheus::Gateway gateway(parts[0], parts.size() > 1 ? parts[1] : "9091",
                                          "sportelli-maintain", {{"service", service}});
              gateway.RegisterCollectable(registry);
              if (const int code = gateway.Push(); code < 200 || code >= 300) {
                log.Error("maintain could not push its metrics", {{"http_status", code}});
                return 1;
              }
            }
            return 0;
          }};
}

}  // namespace sportelli::server
