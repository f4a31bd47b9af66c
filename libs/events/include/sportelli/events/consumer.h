// Reading events from Redis Streams (streams.h), two ways.
//
// StreamTail: every reader sees every entry (XREAD). For caches that every replica of a service
// keeps, such as the tenants directory: each replica tails the directory stream and drops what
// a change made stale.
//
//   events::StreamTail tail(redis, events::kDirectoryStream,
//                           [&](const events::v1::Event& e) { directory.Forget(e.tenant()); },
//                           [&] { directory.ForgetAll(); },   // events may have been missed
//                           &log);
//   tail.Start();
//
// GroupConsumer: each entry is handled by one consumer of a group (XREADGROUP), acknowledged
// once handled (XACK); entries a dead consumer took and never acknowledged are claimed by the
// others after `claim_after` (XAUTOCLAIM); an event already handled (the relay publishes at
// least once) is acknowledged without calling the handler again (de-duplication by event id,
// remembered in Redis for `remember_for`). For work that must happen once per event, such as
// sending a notification.
//
//   events::GroupConsumer consumer(redis, {.streams = {events::TenantStream("capannori")},
//                                          .group = "notifications", .consumer = pod_name},
//                                  handler, &log);
//   consumer.Start();
//
// The handler of a GroupConsumer returns OK when the event is dealt with (then never again),
// or an error to have it delivered again later. An event delivered more than `max_deliveries`
// times is acknowledged and logged as dropped, so one bad event cannot block a stream.
// At least once: a consumer that dies after its handler succeeded and before the entry was
// acknowledged makes the handler run again elsewhere; effects that must not repeat need their
// own key (a unique row per event).
#ifndef SPORTELLI_EVENTS_CONSUMER_H_
#define SPORTELLI_EVENTS_CONSUMER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sportelli/events/v1/events.pb.h"
#include "sportelli/events/worker.h"
#include "sportelli/logging/logger.h"
#include "sportelli/redis/client.h"

namespace sportelli::events {

// One entry read from a stream.
struct StreamEntry {
  std::string stream;
  std::string entry_id;  // Redis's, e.g. "1764489600000-0"
  v1::Event event;
};

// Parses XREAD / XREADGROUP / XAUTOCLAIM entries ([id, [field, value, ...]]) of `stream`;
// entries whose event does not parse are returned with an empty event id.
std::vector<StreamEntry> ParseEntries(const std::string& stream,
                                      const std::vector<redis::Reply>& entries);

class StreamTail final {
 public:
  using Handler = std::function<void(const v1::Event&)>;
  struct Options {
    // How long one XREAD waits for new entries: also how quickly Stop() returns. Keep it under
    // the Redis client's command timeout.
    absl::Duration block = absl::Milliseconds(200);
    absl::Duration error_wait = absl::Milliseconds(500);
    int batch = 100;
  };

  // Reads entries added after Start(). `on_gap` runs when entries may have been missed (after
  // Redis could not be read), before reading resumes. Pointers must outlive the tail.
  StreamTail(redis::RedisClient* redis, std::string stream, Handler handler,
             std::function<void()> on_gap, logging::Logger* logger, Options options);
  StreamTail(redis::RedisClient* redis, std::string stream, Handler handler,
             std::function<void()> on_gap, logging::Logger* logger)
      : StreamTail(redis, std::move(stream), std::move(handler), std::move(on_gap), logger,
                   Options()) {}
  ~StreamTail();

  // Reads once: what arrived after the last entry seen (the first call only learns where the
  // stream ends). Returns how many events it handled.
  absl::StatusOr<int> Poll();

  void Start();
  void Stop();

 private:
  absl::Duration Step();

  redis::RedisClient* const redis_;
  const std::string stream_;
  const Handler handler_;
  const std::function<void()> on_gap_;
  logging::Logger* const logger_;
  const Options options_;
  std::string last_id_;  // empty until the stream's end is known
  OutageLog outage_{logger_, "stream tail", {{"stream", stream_}}};
  Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

class GroupConsumer final {
 public:
  using Handler = std::function<absl::Status(const StreamEntry&)>;
  struct Options {
    std::vector<std::string> streams;
    std::string group;     // e.g. "notifications"
    std::string consumer;  // unique per process, e.g. the pod name
    int batch = 50;
    // Pause when every stream was empty.
    absl::Duration idle_wait = absl::Milliseconds(100);
    // Entries pending this long with another consumer are taken over.
    absl::Duration claim_after = absl::Seconds(30);
    int max_deliveries = 10;
    // How long a handled event id is remembered for de-duplication.
    absl::Duration remember_for = absl::Hours(24 * 7);
  };

  // Pointers must outlive the consumer.
  GroupConsumer(redis::RedisClient* redis, Options options, Handler handler,
                logging::Logger* logger);
  ~GroupConsumer();

  // Creates the group on every stream (from the start of the stream, MKSTREAM) when missing.
  absl::Status EnsureGroups();
  // One round: claims stale entries of dead consumers, then reads new ones; handles them.
  // Returns how many the handler accepted.
  absl::StatusOr<int> Poll();

  void Start();
  void Stop();

 private:
  absl::Duration Step();
  // Handles one entry and acknowledges it when done; the handler's error otherwise.
  absl::StatusOr<bool> Process(const StreamEntry& entry);
  std::string SeenKey(const StreamEntry& entry) const;

  redis::RedisClient* const redis_;
  const Options options_;
  const Handler handler_;
  logging::Logger* const logger_;
  bool groups_ready_ = false;  // the worker's own
  OutageLog outage_{logger_, "group consumer", {{"group", options_.group}}};
  Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_CONSUMER_H_
