#include "services/scheduling/outbox_relay.h"

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {

std::string EventStreamKey(const std::string& tenant_id) {
  return absl::StrCat("{", tenant_id, "}:events");
}

OutboxRelay::OutboxRelay(pg::ConnectionPool* pool, redis::RedisClient* redis,
                         logging::Logger* logger, prometheus::Registry* registry,
                         OutboxRelayOptions options)
    : pool_(pool), redis_(redis), logger_(logger), options_(std::move(options)) {
  if (registry != nullptr) {
    published_ = &prometheus::BuildCounter()
                      .Name("sportelli_scheduling_outbox_published_total")
                      .Help("Events published from the outbox to Redis Streams (at least once).")
                      .Register(*registry)
                      .Add({});
    failures_ = &prometheus::BuildCounter()
                     .Name("sportelli_scheduling_outbox_failures_total")
                     .Help("Outbox relay batches that failed and will be retried.")
                     .Register(*registry)
                     .Add({});
  }
}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<int> OutboxRelay::RunOnce() {
  pg::TransactionOptions options;
  options.settings = {{"app.outbox_relay", "on"}};
  // Redis is written inside the transaction on purpose, unlike elsewhere: the claimed rows stay
  // locked while they are published, so no other relay publishes them concurrently, and if the
  // transaction is retried or rolled back they are simply published again (at least once).
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<int> {
    const pqxx::result rows = tx.exec_params(
        "SELECT tenant_id, sequence, event_id::text, event_type, encode(payload, 'hex') "
        "FROM scheduling.outbox WHERE published_at IS NULL ORDER BY sequence LIMIT $1 "
        "FOR UPDATE SKIP LOCKED",
        options_.batch_size);
    if (rows.empty()) return 0;
    std::vector<std::vector<std::string>> commands;
    commands.reserve(rows.size());
    std::string sequences = "{";
    for (const auto& row : rows) {
      std::string payload = absl::HexStringToBytes(row[4].as<std::string>());
      commands.push_back({"XADD", EventStreamKey(row[0].as<std::string>()), "MAXLEN", "~",
                          absl::StrCat(options_.stream_max_length), "*", "id",
                          row[2].as<std::string>(), "type", row[3].as<std::string>(), "event",
                          std::move(payload)});
      absl::StrAppend(&sequences, sequences.size() > 1 ? "," : "", row[1].as<int64_t>());
    }
    sequences += "}";
    ASSIGN_OR_RETURN(std::vector<redis::Reply> replies, redis_->Pipeline(commands));
    for (const redis::Reply& reply : replies) RETURN_IF_ERROR(redis::ErrorReplyToStatus(reply));
    if (options_.after_publish) options_.after_publish();
    tx.exec_params(
        "UPDATE scheduling.outbox SET published_at = now() WHERE sequence = ANY($1::bigint[])",
        sequences);
    return static_cast<int>(rows.size());
  });
}

void OutboxRelay::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void OutboxRelay::Stop() {
  if (!thread_.joinable()) return;
  if (!stop_.HasBeenNotified()) stop_.Notify();
  thread_.join();
}

void OutboxRelay::Loop() {
  bool failing = false;
  while (!stop_.HasBeenNotified()) {
    absl::StatusOr<int> published = RunOnce();
    if (published.ok()) {
      if (failing) logger_->Info("outbox relay recovered");
      failing = false;
      if (published_ != nullptr) published_->Increment(*published);
      if (*published < options_.batch_size) {
        stop_.WaitForNotificationWithTimeout(options_.idle_wait);
      }
      continue;
    }
    if (failures_ != nullptr) failures_->Increment();
    if (!failing) {
      logger_->Warning("outbox relay failed; retrying",
                       {{"code", absl::StatusCodeToString(published.status().code())},
                        {"reason", status::ReasonOf(published.status()).value_or("")}});
    }
    failing = true;
    stop_.WaitForNotificationWithTimeout(options_.error_wait);
  }
}

}  // namespace sportelli::scheduling
