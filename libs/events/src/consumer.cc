#include "sportelli/events/consumer.h"

#include "absl/strings/str_cat.h"
#include "sportelli/redis/reply.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::events {
namespace {

std::string Millis(absl::Duration d) { return absl::StrCat(absl::ToInt64Milliseconds(d)); }

void LogFailure(logging::Logger* logger, const char* what, const std::string& stream,
                const absl::Status& status) {
  logger->Warning(what, {{"stream", stream},
                         {"code", absl::StatusCodeToString(status.code())},
                         {"reason", status::ReasonOf(status).value_or("")}});
}

}  // namespace

std::vector<StreamEntry> ParseEntries(const std::string& stream,
                                      const std::vector<redis::Reply>& entries) {
  std::vector<StreamEntry> out;
  for (const redis::Reply& entry : entries) {
    // A deleted entry still pending in a group comes back as [id, nil].
    if (!entry.is_array() || entry.elements().size() != 2) continue;
    StreamEntry parsed{stream, entry.elements()[0].str(), {}};
    const std::vector<redis::Reply>& fields = entry.elements()[1].elements();
    for (size_t i = 0; i + 1 < fields.size(); i += 2) {
      if (fields[i].str() == "event" && !parsed.event.ParseFromString(fields[i + 1].str())) {
        parsed.event.Clear();
      }
    }
    out.push_back(std::move(parsed));
  }
  return out;
}

// ---- StreamTail ---------------------------------------------------------------------------

StreamTail::StreamTail(redis::RedisClient* redis, std::string stream, Handler handler,
                       std::function<void()> on_gap, logging::Logger* logger, Options options)
    : redis_(redis),
      stream_(std::move(stream)),
      handler_(std::move(handler)),
      on_gap_(std::move(on_gap)),
      logger_(logger),
      options_(options) {}

StreamTail::~StreamTail() { Stop(); }

absl::StatusOr<int> StreamTail::Poll() {
  if (last_id_.empty()) {
    // Where the stream ends now: entries after it are the ones this tail must see.
    ASSIGN_OR_RETURN(
        std::vector<redis::Reply> last,
        redis::AsArray(redis_->Command({"XREVRANGE", stream_, "+", "-", "COUNT", "1"})));
    last_id_ = last.empty() ? "0-0" : last[0].elements()[0].str();
    return 0;
  }
  ASSIGN_OR_RETURN(redis::Reply reply,
                   redis_->Command({"XREAD", "COUNT", absl::StrCat(options_.batch), "BLOCK",
                                    Millis(options_.block), "STREAMS", stream_, last_id_}));
  if (reply.is_nil()) return 0;  // nothing new within `block`
  RETURN_IF_ERROR(redis::ErrorReplyToStatus(reply));
  int handled = 0;
  for (const redis::Reply& per_stream : reply.elements()) {
    if (per_stream.elements().size() != 2) continue;
    for (const StreamEntry& entry : ParseEntries(stream_, per_stream.elements()[1].elements())) {
      last_id_ = entry.entry_id;
      if (entry.event.id().empty()) continue;
      handler_(entry.event);
      ++handled;
    }
  }
  return handled;
}

void StreamTail::Start() { worker_.Start(); }

void StreamTail::Stop() { worker_.Stop(); }

absl::Duration StreamTail::Step() {
  absl::StatusOr<int> handled = Poll();
  if (!handled.ok()) {
    outage_.Failed(handled.status());
    return options_.error_wait;
  }
  // Entries may have been added and trimmed, or lost with Redis, while the stream could not be
  // read: whoever relies on seeing them all must assume the worst.
  if (outage_.Succeeded() && on_gap_) on_gap_();
  return absl::ZeroDuration();  // Poll itself waits (XREAD BLOCK)
}

// ---- GroupConsumer ------------------------------------------------------------------------

GroupConsumer::GroupConsumer(redis::RedisClient* redis, Options options, Handler handler,
                             logging::Logger* logger)
    : redis_(redis), options_(std::move(options)), handler_(std::move(handler)), logger_(logger) {}

GroupConsumer::~GroupConsumer() { Stop(); }

absl::Status GroupConsumer::EnsureGroups() {
  for (const std::string& stream : options_.streams) {
    ASSIGN_OR_RETURN(redis::Reply reply, redis_->Command({"XGROUP", "CREATE", stream,
                                                          options_.group, "0", "MKSTREAM"}));
    if (reply.is_error() && reply.error_code() != "BUSYGROUP") {
      return redis::ErrorReplyToStatus(reply);
    }
  }
  return absl::OkStatus();
}

std::string GroupConsumer::SeenKey(const StreamEntry& entry) const {
  return absl::StrCat("{", entry.event.tenant(), "}:seen:", options_.group, ":", entry.event.id());
}

absl::StatusOr<bool> GroupConsumer::Process(const StreamEntry& entry) {
  const std::vector<std::string> ack = {"XACK", entry.stream, options_.group, entry.entry_id};
  if (entry.event.id().empty()) {
    logger_->Error("dropping a stream entry that is not an event",
                   {{"stream", entry.stream}, {"entry", entry.entry_id}});
    RETURN_IF_ERROR(redis::AsInteger(redis_->Command(ack)).status());
    return false;
  }
  ASSIGN_OR_RETURN(int64_t seen, redis::AsInteger(redis_->Command({"EXISTS", SeenKey(entry)})));
  if (seen == 0) {
    if (absl::Status handled = handler_(entry); !handled.ok()) return handled;
    RETURN_IF_ERROR(redis::ExpectStatus(
        redis_->Command({"SET", SeenKey(entry), "1", "PX", Millis(options_.remember_for)}), "OK"));
  }
  RETURN_IF_ERROR(redis::AsInteger(redis_->Command(ack)).status());
  return seen == 0;
}

absl::StatusOr<int> GroupConsumer::Poll() {
  int accepted = 0;
  for (const std::string& stream : options_.streams) {
    std::vector<StreamEntry> entries;
    // Entries another consumer (dead, or stuck) took and never acknowledged.
    ASSIGN_OR_RETURN(
        std::vector<redis::Reply> claimed,
        redis::AsArray(redis_->Command({"XAUTOCLAIM", stream, options_.group, options_.consumer,
                                        Millis(options_.claim_after), "0-0", "COUNT",
                                        absl::StrCat(options_.batch)})));
    if (claimed.size() >= 2) {
      for (StreamEntry& entry : ParseEntries(stream, claimed[1].elements())) {
        // [[id, consumer, idle, deliveries]] for this one entry.
        ASSIGN_OR_RETURN(std::vector<redis::Reply> pending,
                         redis::AsArray(redis_->Command({"XPENDING", stream, options_.group,
                                                         entry.entry_id, entry.entry_id, "1"})));
        const int64_t deliveries = pending.empty() || pending[0].elements().size() < 4
                                       ? 0
                                       : pending[0].elements()[3].integer();
        if (deliveries > options_.max_deliveries) {
          logger_->Error(
              "dropping an event delivered too many times",
              {{"stream", stream}, {"event_id", entry.event.id()}, {"deliveries", deliveries}});
          RETURN_IF_ERROR(
              redis::AsInteger(redis_->Command({"XACK", stream, options_.group, entry.entry_id}))
                  .status());
          continue;
        }
        entries.push_back(std::move(entry));
      }
    }
    ASSIGN_OR_RETURN(
        redis::Reply fresh,
        redis_->Command({"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                         absl::StrCat(options_.batch), "STREAMS", stream, ">"}));
    RETURN_IF_ERROR(redis::ErrorReplyToStatus(fresh));
    for (const redis::Reply& per_stream : fresh.elements()) {
      if (per_stream.elements().size() != 2) continue;
      for (StreamEntry& entry : ParseEntries(stream, per_stream.elements()[1].elements())) {
        entries.push_back(std::move(entry));
      }
    }
    for (const StreamEntry& entry : entries) {
      absl::StatusOr<bool> processed = Process(entry);
      if (!processed.ok()) {
        // Left pending: delivered again after claim_after.
        LogFailure(logger_, "event handling failed; it will be delivered again", stream,
                   processed.status());
        continue;
      }
      if (*processed) ++accepted;
    }
  }
  return accepted;
}

void GroupConsumer::Start() { worker_.Start(); }

void GroupConsumer::Stop() { worker_.Stop(); }

absl::Duration GroupConsumer::Step() {
  absl::Status status = groups_ready_ ? absl::OkStatus() : EnsureGroups();
  absl::StatusOr<int> handled = 0;
  if (status.ok()) {
    groups_ready_ = true;
    handled = Poll();
    status = handled.status();
  }
  if (!status.ok()) {
    // The groups are made again next time: a Redis that restarted without its data (or was
    // flushed) has lost them, and reading would fail with NOGROUP until they exist.
    groups_ready_ = false;
    outage_.Failed(status);
    return options_.idle_wait;
  }
  outage_.Succeeded();
  return *handled > 0 ? absl::ZeroDuration() : options_.idle_wait;
}

}  // namespace sportelli::events
