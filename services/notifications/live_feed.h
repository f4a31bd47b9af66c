// The operator's live feed (WatchEvents): every open stream of this process is served by one
// thread, whatever their number, which reads the comuni's Redis streams (only those someone
// watches) and writes each event to the streams that want it.
//
//   LiveFeed feed(&redis, &clock, &log, &registry, LiveFeed::Options());
//   feed.Start();
//   RETURN_IF_ERROR(feed.Subscribe({.tenant = "capannori", .desk = "", .after = std::nullopt},
//                                  writer));   // writes, later, from the feed's thread
//   ...
//   feed.Drain();   // SIGTERM: every stream ends with UNAVAILABLE, clients resume elsewhere
//
// No gap, no duplicate. Each stream has a cursor, the last position it was given (or skipped
// past). A new stream is first caught up from the Redis stream (XRANGE after its cursor, a page
// at a time, only while its writer's backlog has room: flow control, not the backlog's bound,
// holds back a slow reader there), then turns live; the live read (XREAD of every watched
// comune) writes to the live streams whatever comes after their cursor. Both run on the one
// thread, so an event is either caught up or delivered live, never both, never neither.
//
// A stream gets a heartbeat when it turns live (its client then knows that it missed nothing
// and that what follows is live), and after `heartbeat` without a write.
//
// Events that wait for a client together go out in one response (up to 100): a client that
// fell behind catches up with few large messages rather than many small ones.
//
// A live stream whose client does not read has its writes pile up in its writer; once
// `StreamWriter::kMaxBacklog` are waiting it is ended with RESOURCE_EXHAUSTED (reason
// CLIENT_TOO_SLOW): the server's memory per stream is bounded.
//
// When Redis loses its data the outbox relays publish the kept events again (libs/events
// relay.h): live streams then receive some events a second time, under new positions and the
// same `event.id`.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_LIVE_FEED_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_LIVE_FEED_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "services/notifications/domain/feed_position.h"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/events/v1/events.pb.h"
#include "sportelli/events/worker.h"
#include "sportelli/logging/logger.h"
#include "sportelli/notifications/v1/notifications_service.pb.h"
#include "sportelli/redis/client.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::notifications {

using FeedWriter = server::StreamWriter<v1::WatchEventsResponse>;

// The desk an event concerns (`tenants/{tenant}/desks/{desk}`): the envelope's, else the one
// its payload names (a contact's, a case's, a closure's; a desk's own change); empty when it
// concerns no single desk (holidays, services, operators, referrals).
std::string DeskOf(const events::v1::Event& event);

struct Watch {
  std::string tenant;
  // `tenants/{tenant}/desks/{desk}`; empty: every event of the comune.
  std::string desk;
  // Resume after this position; nullopt: from now on.
  std::optional<FeedPosition> after;
};

class LiveFeed final {
 public:
  struct Options {
    // How long one XREAD waits for new events: also the longest a new stream waits to start.
    absl::Duration block = absl::Milliseconds(100);
    absl::Duration error_wait = absl::Milliseconds(500);
    // A live stream that was sent nothing for this long gets a heartbeat.
    absl::Duration heartbeat = absl::Seconds(15);
    // Entries read per XREAD, and per catch-up page.
    int batch = 500;
    // Open streams per process; beyond, RESOURCE_EXHAUSTED (reason TOO_MANY_WATCHERS).
    int max_watchers = 20000;
  };

  // Pointers must outlive the feed; `registry` may be null.
  LiveFeed(redis::RedisClient* redis, const clock::Clock* clock, logging::Logger* logger,
           prometheus::Registry* registry, Options options);
  ~LiveFeed();

  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // Adds a stream; the feed writes to it from its thread and finishes it. Its start is checked
  // there: a resume point no longer kept ends it with OUT_OF_RANGE, reason RESYNC_REQUIRED.
  // UNAVAILABLE (SHUTTING_DOWN) once draining; RESOURCE_EXHAUSTED past `max_watchers`.
  absl::Status Subscribe(Watch watch, std::shared_ptr<FeedWriter> writer);

  void Start();
  // Stops the thread; the streams stay open (Drain ends them).
  void Stop();
  // Stops, then ends every stream with UNAVAILABLE (reason SHUTTING_DOWN) and refuses new ones.
  void Drain();

  // One round of the feed's thread, for tests that drive it by hand: starts what was added,
  // catches up, reads once (waiting at most `block`), sends heartbeats, forgets finished
  // streams. Returns the events written.
  absl::StatusOr<int> Poll();

 private:
  struct Watcher {
    Watch watch;
    std::shared_ptr<FeedWriter> writer;
    FeedPosition cursor;
    bool live = false;
    clock::Stopwatch since_write;
  };
  struct Tenant {
    std::string stream;
    FeedPosition last;  // the newest position read live
    int watchers = 0;
  };

  absl::Duration Step();
  // Takes `watcher` when it starts or ends; leaves it where it is when Redis failed (an error).
  absl::Status StartWatcher(std::unique_ptr<Watcher>& watcher);
  absl::StatusOr<StreamSummary> Summarize(const std::string& stream);
  // One page of a catching-up watcher; returns the events written.
  absl::StatusOr<int> CatchUp(Watcher& watcher);
  absl::StatusOr<int> ReadLive(bool block);
  // Writes `entry` if the watcher wants it; advances its cursor either way. Returns whether
  // it was written.
  bool Deliver(Watcher& watcher, const std::string& entry_id, FeedPosition position,
               const events::v1::Event& event);
  bool Send(Watcher& watcher, v1::WatchEventsResponse response);
  // The watcher has every event up to the live read's position: from now on it is written to
  // live, and a heartbeat tells its client so.
  void TurnLive(Watcher& watcher);
  void Heartbeat(Watcher& watcher);
  // A stream is over: one fewer open.
  void Forget();

  redis::RedisClient* const redis_;
  const clock::Clock* const clock_;
  logging::Logger* const logger_;
  const Options options_;

  absl::Mutex mu_;
  std::vector<std::unique_ptr<Watcher>> arriving_ ABSL_GUARDED_BY(mu_);
  int open_ ABSL_GUARDED_BY(mu_) = 0;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;

  // The feed thread's own (or Poll's caller's).
  std::vector<std::unique_ptr<Watcher>> watchers_;
  std::map<std::string, Tenant> tenants_;

  prometheus::Gauge* watching_ = nullptr;
  prometheus::Counter* delivered_ = nullptr;
  prometheus::Counter* too_slow_ = nullptr;
  prometheus::Counter* resyncs_ = nullptr;
  events::OutageLog outage_{logger_, "live feed", {}};
  events::Worker worker_{[this] { return Step(); }};  // last: stopped before the rest goes
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_LIVE_FEED_H_
