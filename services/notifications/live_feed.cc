#include "services/notifications/live_feed.h"

#include <algorithm>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/consumer.h"
#include "sportelli/events/streams.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

namespace ev1 = ::sportelli::events::v1;

constexpr size_t kMaxBacklog = FeedWriter::kMaxBacklog;
// Events per response at most (WatchEventsResponse.events).
constexpr int kMaxEventsPerResponse = 100;
// An event larger than this goes alone, so that a response stays far below the 4 MiB a gRPC
// client accepts by default (events are a few hundred bytes).
constexpr size_t kMaxJoinedEventBytes = 16 * 1024;

// Events waiting for the client go out together; a heartbeat keeps its place (the first one
// tells the client that what follows is live).
bool AbsorbEvents(v1::WatchEventsResponse& first, v1::WatchEventsResponse& next) {
  if (first.has_heartbeat() || next.has_heartbeat()) return false;
  if (first.events_size() + next.events_size() > kMaxEventsPerResponse) return false;
  if (next.ByteSizeLong() > kMaxJoinedEventBytes) return false;
  // Only its first event can be large: what it absorbed was not.
  if (first.events_size() == 1 && first.ByteSizeLong() > kMaxJoinedEventBytes) return false;
  for (v1::LiveEvent& event : *next.mutable_events()) first.add_events()->Swap(&event);
  return true;
}

absl::Status ShuttingDown() {
  return status::Error(absl::StatusCode::kUnavailable,
                       "this server is stopping: watch again after the last event received",
                       "SHUTTING_DOWN");
}

// XINFO STREAM's flat [name, value, ...] reply; a stream that does not exist is empty.
absl::StatusOr<StreamSummary> ParseSummary(const redis::Reply& reply) {
  StreamSummary summary;
  if (reply.is_error()) {
    if (absl::StrContains(reply.str(), "no such key")) return summary;
    return redis::ErrorReplyToStatus(reply);
  }
  const std::vector<redis::Reply>& fields = reply.elements();
  for (size_t i = 0; i + 1 < fields.size(); i += 2) {
    const std::string& name = fields[i].str();
    const redis::Reply& value = fields[i + 1];
    if (name == "length") {
      summary.length = value.integer();
    } else if (name == "entries-added") {
      summary.entries_added = value.integer();
    } else if (name == "last-generated-id") {
      if (std::optional<FeedPosition> last = ParseFeedPosition(value.str())) {
        summary.last_generated = *last;
      }
    } else if (name == "first-entry" && value.is_array() && !value.elements().empty()) {
      summary.first = ParseFeedPosition(value.elements()[0].str());
    }
  }
  return summary;
}

}  // namespace

std::string DeskOf(const ev1::Event& event) {
  if (!event.desk().empty()) return event.desk();
  switch (event.payload_case()) {
    case ev1::Event::kAppointmentBooked:
      return event.appointment_booked().desk();
    case ev1::Event::kDeskChanged:
      return event.resource();
    case ev1::Event::kClosureChanged:
      return event.closure_changed().desk();
    case ev1::Event::kContactRecorded:
      return event.contact_recorded().desk();
    case ev1::Event::kCaseOpened:
      return event.case_opened().desk();
    case ev1::Event::kCaseAssigned:
      return event.case_assigned().desk();
    case ev1::Event::kCaseStateChanged:
      return event.case_state_changed().desk();
    default:
      return "";
  }
}

LiveFeed::LiveFeed(redis::RedisClient* redis, const clock::Clock* clock, logging::Logger* logger,
                   prometheus::Registry* registry, Options options)
    : redis_(redis), clock_(clock), logger_(logger), options_(options) {
  if (registry == nullptr) return;
  watching_ = &prometheus::BuildGauge()
                   .Name("sportelli_watch_streams")
                   .Help("WatchEvents streams open on this process.")
                   .Register(*registry)
                   .Add({});
  delivered_ = &prometheus::BuildCounter()
                    .Name("sportelli_watch_events_delivered_total")
                    .Help("Events written to WatchEvents streams (one per stream).")
                    .Register(*registry)
                    .Add({});
  auto& ended = prometheus::BuildCounter()
                    .Name("sportelli_watch_streams_ended_total")
                    .Help(
                        "WatchEvents streams ended by the server, by reason: CLIENT_TOO_SLOW (the "
                        "client did not read), RESYNC_REQUIRED (its resume point was gone).")
                    .Register(*registry);
  too_slow_ = &ended.Add({{"reason", "CLIENT_TOO_SLOW"}});
  resyncs_ = &ended.Add({{"reason", "RESYNC_REQUIRED"}});
}

LiveFeed::~LiveFeed() { Stop(); }

absl::Status LiveFeed::Subscribe(Watch watch, std::shared_ptr<FeedWriter> writer) {
  absl::MutexLock lock(&mu_);
  if (draining_) return ShuttingDown();
  if (open_ >= options_.max_watchers) {
    return status::Error(absl::StatusCode::kResourceExhausted,
                         "this server has too many open streams: watch again in a few seconds",
                         "TOO_MANY_WATCHERS");
  }
  writer->CoalesceWith(&AbsorbEvents);
  auto watcher = std::make_unique<Watcher>();
  watcher->watch = std::move(watch);
  watcher->writer = std::move(writer);
  arriving_.push_back(std::move(watcher));
  ++open_;
  if (watching_ != nullptr) watching_->Increment();
  return absl::OkStatus();
}

void LiveFeed::Start() { worker_.Start(); }

void LiveFeed::Stop() { worker_.Stop(); }

void LiveFeed::Drain() {
  Stop();
  std::vector<std::unique_ptr<Watcher>> arrived;
  {
    absl::MutexLock lock(&mu_);
    draining_ = true;
    arrived.swap(arriving_);
  }
  for (auto& watcher : arrived) watcher->writer->Finish(ShuttingDown());
  for (auto& watcher : watchers_) watcher->writer->Finish(ShuttingDown());
  const size_t ended = arrived.size() + watchers_.size();
  watchers_.clear();
  tenants_.clear();
  {
    absl::MutexLock lock(&mu_);
    open_ = 0;
  }
  if (watching_ != nullptr) watching_->Set(0);
  if (ended > 0) logger_->Info("live streams ended for shutdown", {{"streams", ended}});
}

absl::Duration LiveFeed::Step() {
  absl::StatusOr<int> done = Poll();
  if (!done.ok()) {
    outage_.Failed(done.status());
    return options_.error_wait;
  }
  outage_.Succeeded();
  // With no comune watched there is nothing to block on: wait for streams to arrive.
  return tenants_.empty() ? options_.block : absl::ZeroDuration();
}

absl::StatusOr<int> LiveFeed::Poll() {
  std::vector<std::unique_ptr<Watcher>> arrived;
  {
    absl::MutexLock lock(&mu_);
    arrived.swap(arriving_);
  }
  for (size_t i = 0; i < arrived.size(); ++i) {
    if (absl::Status started = StartWatcher(arrived[i]); !started.ok()) {
      // Redis failed: this one and those after it wait for the next round, in the same order.
      absl::MutexLock lock(&mu_);
      arriving_.insert(arriving_.begin(), std::make_move_iterator(arrived.begin() + i),
                       std::make_move_iterator(arrived.end()));
      return started;
    }
  }
  int written = 0;
  bool catching_up = false;
  for (auto& watcher : watchers_) {
    if (watcher->live || watcher->writer->done()) continue;
    ASSIGN_OR_RETURN(int caught_up, CatchUp(*watcher));
    written += caught_up;
    catching_up = catching_up || !watcher->live;
  }
  absl::StatusOr<int> live = ReadLive(/*block=*/!catching_up);
  for (auto& watcher : watchers_) {
    if (watcher->live && watcher->since_write.Elapsed() >= options_.heartbeat) {
      Heartbeat(*watcher);
    }
  }
  // Streams that are over (finished here, cancelled, client gone) are forgotten.
  const auto over = std::stable_partition(watchers_.begin(), watchers_.end(),
                                          [](const auto& w) { return !w->writer->done(); });
  for (auto it = over; it != watchers_.end(); ++it) {
    auto tenant = tenants_.find((*it)->watch.tenant);
    if (--tenant->second.watchers == 0) tenants_.erase(tenant);  // no longer read
    Forget();
  }
  watchers_.erase(over, watchers_.end());
  if (!live.ok()) return live.status();
  return written + *live;
}

absl::Status LiveFeed::StartWatcher(std::unique_ptr<Watcher>& watcher) {
  if (watcher->writer->done()) {  // gone before it started
    Forget();
    return absl::OkStatus();
  }
  const std::string& tenant_id = watcher->watch.tenant;
  auto tenant = tenants_.find(tenant_id);
  std::optional<StreamSummary> summary;
  if (tenant == tenants_.end() || watcher->watch.after.has_value()) {
    const std::string stream = events::TenantStream(tenant_id);
    ASSIGN_OR_RETURN(summary, Summarize(stream));
    if (tenant == tenants_.end()) {
      tenant = tenants_.emplace(tenant_id, Tenant{stream, summary->last_generated, 0}).first;
    }
  }
  if (watcher->watch.after.has_value()) {
    if (!CanResumeAfter(*summary, *watcher->watch.after)) {
      if (resyncs_ != nullptr) resyncs_->Increment();
      watcher->writer->Finish(status::Error(
          absl::StatusCode::kOutOfRange,
          "the events after this point are no longer kept: reload, then watch from now on",
          "RESYNC_REQUIRED"));
      if (tenant->second.watchers == 0) tenants_.erase(tenant);
      Forget();
      return absl::OkStatus();
    }
    watcher->cursor = *watcher->watch.after;
    if (watcher->cursor >= tenant->second.last) TurnLive(*watcher);
  } else {
    watcher->cursor = tenant->second.last;
    TurnLive(*watcher);
  }
  ++tenant->second.watchers;
  watchers_.push_back(std::move(watcher));
  return absl::OkStatus();
}

absl::StatusOr<StreamSummary> LiveFeed::Summarize(const std::string& stream) {
  ASSIGN_OR_RETURN(redis::Reply reply, redis_->Command({"XINFO", "STREAM", stream}));
  return ParseSummary(reply);
}

absl::StatusOr<int> LiveFeed::CatchUp(Watcher& watcher) {
  const size_t backlog = watcher.writer->backlog();
  if (backlog >= kMaxBacklog / 2) return 0;  // flow control: the client reads slowly
  const size_t page = std::min<size_t>(options_.batch, kMaxBacklog / 2 - backlog);
  const Tenant& tenant = tenants_.at(watcher.watch.tenant);
  ASSIGN_OR_RETURN(
      redis::Reply reply,
      redis_->Command({"XRANGE", tenant.stream, absl::StrCat("(", watcher.cursor.ToString()),
                       tenant.last.ToString(), "COUNT", absl::StrCat(page)}));
  RETURN_IF_ERROR(redis::ErrorReplyToStatus(reply));
  int written = 0;
  const std::vector<events::StreamEntry> entries =
      events::ParseEntries(tenant.stream, reply.elements());
  for (const events::StreamEntry& entry : entries) {
    std::optional<FeedPosition> position = ParseFeedPosition(entry.entry_id);
    if (!position) continue;
    written += Deliver(watcher, entry.entry_id, *position, entry.event) ? 1 : 0;
  }
  if (entries.size() < page) {  // everything up to the live read's position was sent
    watcher.cursor = std::max(watcher.cursor, tenant.last);
    TurnLive(watcher);
  }
  return written;
}

absl::StatusOr<int> LiveFeed::ReadLive(bool block) {
  if (tenants_.empty()) return 0;
  std::vector<std::string> command = {"XREAD", "COUNT", absl::StrCat(options_.batch)};
  if (block) {
    command.push_back("BLOCK");
    command.push_back(
        absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(options_.block))));
  }
  command.push_back("STREAMS");
  // stream -> (tenant id, tenant)
  std::map<std::string, std::pair<std::string, Tenant*>> by_stream;
  for (auto& [id, tenant] : tenants_) {
    command.push_back(tenant.stream);
    by_stream[tenant.stream] = {id, &tenant};
  }
  for (auto& [id, tenant] : tenants_) command.push_back(tenant.last.ToString());
  ASSIGN_OR_RETURN(redis::Reply reply, redis_->Command(command));
  RETURN_IF_ERROR(redis::ErrorReplyToStatus(reply));
  int written = 0;
  for (const redis::Reply& per_stream : reply.elements()) {
    if (per_stream.elements().size() != 2) continue;
    auto tenant = by_stream.find(per_stream.elements()[0].str());
    if (tenant == by_stream.end()) continue;
    Tenant& watched = *tenant->second.second;
    for (const events::StreamEntry& entry :
         events::ParseEntries(watched.stream, per_stream.elements()[1].elements())) {
      std::optional<FeedPosition> position = ParseFeedPosition(entry.entry_id);
      if (!position) continue;
      watched.last = std::max(watched.last, *position);
      for (auto& watcher : watchers_) {
        if (!watcher->live || watcher->watch.tenant != tenant->second.first) {
          continue;
        }
        written += Deliver(*watcher, entry.entry_id, *position, entry.event) ? 1 : 0;
      }
    }
  }
  return written;
}

bool LiveFeed::Deliver(Watcher& watcher, const std::string& entry_id, FeedPosition position,
                       const ev1::Event& event) {
  if (position <= watcher.cursor) return false;  // already sent, or before its start
  watcher.cursor = position;
  // An entry that does not parse, or (never expected) of another comune, is skipped.
  if (event.id().empty() || event.tenant() != watcher.watch.tenant) return false;
  if (!watcher.watch.desk.empty() && DeskOf(event) != watcher.watch.desk) return false;
  v1::WatchEventsResponse response;
  v1::LiveEvent* live = response.add_events();
  live->set_id(entry_id);
  *live->mutable_event() = event;
  return Send(watcher, std::move(response));
}

void LiveFeed::TurnLive(Watcher& watcher) {
  watcher.live = true;
  Heartbeat(watcher);
}

void LiveFeed::Heartbeat(Watcher& watcher) {
  v1::WatchEventsResponse beat;
  api::ToTimestamp(clock_->Now(), beat.mutable_heartbeat()->mutable_time());
  Send(watcher, std::move(beat));
}

bool LiveFeed::Send(Watcher& watcher, v1::WatchEventsResponse response) {
  if (watcher.writer->done()) return false;
  if (watcher.writer->backlog() >= kMaxBacklog) {
    if (too_slow_ != nullptr) too_slow_->Increment();
    watcher.writer->Finish(status::Error(
        absl::StatusCode::kResourceExhausted,
        "the client does not read the stream: watch again after the last event received",
        "CLIENT_TOO_SLOW"));
    return false;
  }
  const bool is_event = !response.events().empty();
  if (!watcher.writer->Write(std::move(response))) return false;
  watcher.since_write = clock::Stopwatch();
  if (delivered_ != nullptr && is_event) delivered_->Increment();
  return true;
}

void LiveFeed::Forget() {
  {
    absl::MutexLock lock(&mu_);
    --open_;
  }
  if (watching_ != nullptr) watching_->Decrement();
}

}  // namespace sportelli::notifications
