#include "sportelli/events/relay.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sportelli/events/streams.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::events {

OutboxRelay::OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis,
                         logging::Logger* logger, prometheus::Registry* registry,
                         RelayOptions options)
    : pool_(pool),
      redis_(redis),
      logger_(logger),
      options_(std::move(options)),
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
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<int> OutboxRelay::RunOnce() {
  pg::TransactionOptions options;
  options.settings = {{"app.outbox_relay", "on"}};
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
  // A full batch: more may be waiting, so no pause.
  return *published < options_.batch_size ? options_.idle_wait : absl::ZeroDuration();
}

}  // namespace sportelli::events
