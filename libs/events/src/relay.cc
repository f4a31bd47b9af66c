#include "sportelli/events/relay.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "sportelli/events/streams.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::events {
namespace {

// The `run_id` line of INFO server: a new random id every time the server starts.
absl::StatusOr<std::string> RunIdOf(const redis::Reply& info) {
  RETURN_IF_ERROR(redis::ErrorReplyToStatus(info));
  if (info.is_string()) {
    for (absl::string_view line : absl::StrSplit(info.str(), absl::ByAnyChar("\r\n"))) {
      if (absl::ConsumePrefix(&line, "run_id:") && !line.empty()) return std::string(line);
    }
  }
  return status::Unavailable("Redis's INFO server has no run_id");
}

}  // namespace

std::string RelayMarkerKey(const std::string& schema) {
  return absl::StrCat("sportelli:outbox-relay:", schema, ":redis-run-id");
}

absl::StatusOr<int64_t> MarkForRepublishing(pg::ConnectionPool& pool, const std::string& schema,
                                            std::optional<absl::Time> since) {
  pg::TransactionOptions options;
  options.settings = {{"app.outbox_relay", "on"}};
  return pool.RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
    const pqxx::result marked = pg::ExecPrepared(
        tx,
        absl::StrCat("UPDATE \"", schema,
                     "\".outbox SET published_at = NULL WHERE published_at IS NOT NULL AND ($1 OR "
                     "published_at >= to_timestamp($2::float8 / 1000000))"),
        !since.has_value(), since.has_value() ? absl::ToUnixMicros(*since) : 0);
    return static_cast<int64_t>(marked.affected_rows());
  });
}

OutboxRelay::OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis,
                         logging::Logger* logger, prometheus::Registry* registry,
                         RelayOptions options)
    : pool_(pool),
      redis_(redis),
      logger_(logger),
      options_(std::move(options)),
      marker_key_(RelayMarkerKey(options_.schema)),
      outage_(logger, "outbox relay", {{"schema", options_.schema}}) {
  if (registry != nullptr) {
    published_ = &prometheus::BuildCounter()
                      .Name("sportelli_outbox_published_total")
                      .Help(
                          "Events published from a service's outbox to Redis Streams (at "
                          "least once), by service.")
                      .Register(*registry)
                      .Add({{"service", options_.service}});
    failures_ = &prometheus::BuildCounter()
                     .Name("sportelli_outbox_failures_total")
                     .Help("Outbox relay batches that failed and will be retried, by service.")
                     .Register(*registry)
                     .Add({{"service", options_.service}});
    republished_ = &prometheus::BuildCounter()
                        .Name("sportelli_outbox_republished_total")
                        .Help(
                            "Outbox rows marked for publishing again because Redis may have lost "
                            "them (restarted without its data, flushed, failed over), by service.")
                        .Register(*registry)
                        .Add({{"service", options_.service}});
  }
}

absl::StatusOr<int64_t> OutboxRelay::RecoverFromLoss() {
  ASSIGN_OR_RETURN(std::vector<redis::Reply> replies,
                   redis_->Pipeline({{"INFO", "server"}, {"GET", marker_key_}}));
  ASSIGN_OR_RETURN(const std::string run_id, RunIdOf(replies[0]));
  ASSIGN_OR_RETURN(const std::optional<std::string> marked, redis::AsOptionalString(replies[1]));
  if (marked == run_id) return 0;
  // The rows first, then the marker: a relay that dies in between has committed the rows'
  // new state, and any relay publishes them.
  ASSIGN_OR_RETURN(const int64_t republished,
                   MarkForRepublishing(*pool_, options_.schema, std::nullopt));
  RETURN_IF_ERROR(redis::ExpectStatus(redis_->Command({"SET", marker_key_, run_id}), "OK"));
  if (republished_ != nullptr) republished_->Increment(static_cast<double>(republished));
  if (marked.has_value() || republished > 0) {
    logger_->Warning("Redis may have lost published events: publishing the outbox's rows again",
                     {{"schema", options_.schema},
                      {"rows", republished},
                      {"marker", marked.has_value() ? "another server run" : "missing"}});
  }
  return republished;
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<int> OutboxRelay::RunOnce() {
  if (!since_loss_check_.has_value() ||
      since_loss_check_->Elapsed() >= options_.loss_check_interval) {
    RETURN_IF_ERROR(RecoverFromLoss().status());
    since_loss_check_.emplace();
  }
  pg::TransactionOptions options;
  options.settings = {{"app.outbox_relay", "on"}, {"synchronous_commit", "off"}};
  const std::string table = absl::StrCat("\"", options_.schema, "\".outbox");
  // Redis is written inside the transaction on purpose, unlike elsewhere: the claimed rows stay
  // locked while they are published, so no other relay publishes them concurrently, and if the
  // transaction is retried or rolled back they are simply published again (at least once).
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<int> {
    const pqxx::result rows =
        pg::ExecPrepared(tx,
                         absl::StrCat("SELECT tenant_id, sequence, event_id::text, event_type, "
                                      "encode(payload, 'hex') FROM ",
                                      table,
                                      " WHERE published_at IS NULL ORDER BY sequence LIMIT $1 "
                                      "FOR UPDATE SKIP LOCKED"),
                         options_.batch_size);
    if (rows.empty()) return 0;
    std::vector<std::vector<std::string>> commands;
    commands.reserve(rows.size());
    std::string sequences = "{";
    for (const auto& row : rows) {
      const std::string type = row[3].as<std::string>();
      const std::string payload = absl::HexStringToBytes(row[4].as<std::string>());
      std::vector<std::string> streams = {TenantStream(row[0].as<std::string>())};
      if (options_.extra_streams) {
        for (std::string& stream : options_.extra_streams(type))
          streams.push_back(std::move(stream));
      }
      for (const std::string& stream : streams) {
        commands.push_back({"XADD", stream, "MAXLEN", "~", absl::StrCat(options_.stream_max_length),
                            "*", "id", row[2].as<std::string>(), "type", type, "event", payload});
      }
      absl::StrAppend(&sequences, sequences.size() > 1 ? "," : "", row[1].as<int64_t>());
    }
    sequences += "}";
    ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, redis_->Pipeline(commands));
    for (const redis::Reply& reply : replies) RETURN_IF_ERROR(redis::ErrorReplyToStatus(reply));
    if (options_.after_publish) options_.after_publish();
    pg::ExecPrepared(tx,
                     absl::StrCat("UPDATE ", table,
                                  " SET published_at = now() WHERE sequence = ANY($1::bigint[])"),
                     sequences);
    return static_cast<int>(rows.size());
  });
}

void OutboxRelay::Start() { worker_.Start(); }

void OutboxRelay::Stop() { worker_.Stop(); }

absl::Duration OutboxRelay::Step() {
  absl::StatusOr<int> published = RunOnce();
  if (!published.ok()) {
    if (failures_ != nullptr) failures_->Increment();
    outage_.Failed(published.status());
    return options_.error_wait;
  }
  outage_.Succeeded();
  if (published_ != nullptr) published_->Increment(*published);
  if (*published > 0) since_publication_.emplace();
  return RelayPause(*published,
                    since_publication_ ? since_publication_->Elapsed() : absl::InfiniteDuration(),
                    options_);
}

absl::Duration RelayPause(int published, absl::Duration since_last_publication,
                          const RelayOptions& options) {
  if (published >= options.batch_size) return absl::ZeroDuration();
  if (published > 0 || since_last_publication < options.busy_for) return options.busy_wait;
  return options.idle_wait;
}

}  // namespace sportelli::events
