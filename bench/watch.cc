#include "bench/watch.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/client_callback.h"
#include "sportelli/clock/clock.h"
#include "sportelli/server/rpc_metrics.h"

namespace sportelli::bench {
namespace {
// Receipt times are compared with the events' own times (the server's wall clock), so they are
// wall-clock times too, read through the one clock the lint allows.
int64_t WallNanos() { return absl::ToUnixNanos(clock::SystemClock::Instance().Now()); }
}  // namespace

namespace {

namespace nv1 = notifications::v1;
namespace sv1 = scheduling::v1;

int64_t UnixNanos(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1'000'000'000 + timestamp.nanos();
}

}  // namespace

class WatchSubscribers::Subscriber final
    : public grpc::ClientReadReactor<nv1::WatchEventsResponse> {
 public:
  Subscriber(WatchSubscribers* owner, nv1::NotificationsService::Stub* stub, std::string tenant,
             const std::string& bearer)
      : owner_(owner), stub_(stub) {
    log_.tenant = std::move(tenant);
    request_.set_parent(absl::StrCat("tenants/", log_.tenant));
    context_.AddMetadata("authorization", bearer);
  }

  void Start() {
    stub_->async()->WatchEvents(&context_, &request_, this);
    StartRead(&response_);
    StartCall();
  }

  void Cancel() { context_.TryCancel(); }

  // One read at a time per reactor: the log needs no lock until the stream is over.
  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is over: OnDone follows
    const int64_t now = WallNanos();
    if (!response_.events().empty()) {
      for (const nv1::LiveEvent& live : response_.events()) {
        const events::v1::Event& event = live.event();
        log_.received.push_back({EventKey(event.resource()), UnixNanos(event.time()), now,
                                 StreamEntryUnixNanos(live.id())});
      }
      ++responses_;
      owner_->last_receipt_unix_ns_.store(now, std::memory_order_relaxed);
    } else if (response_.has_heartbeat()) {
      ++heartbeats_;
      if (!live_) {
        live_ = true;
        owner_->TurnedLive();
      }
    }
    StartRead(&response_);
  }

  void OnDone(const grpc::Status& status) override { owner_->Ended(status); }

  SubscriberLog TakeLog() { return std::move(log_); }
  int64_t heartbeats() const { return heartbeats_; }
  int64_t responses() const { return responses_; }

 private:
  WatchSubscribers* const owner_;
  nv1::NotificationsService::Stub* const stub_;
  grpc::ClientContext context_;
  nv1::WatchEventsRequest request_;
  nv1::WatchEventsResponse response_;
  SubscriberLog log_;
  bool live_ = false;
  int64_t heartbeats_ = 0;
  int64_t responses_ = 0;  // that carried events
};

WatchSubscribers::WatchSubscribers(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                   const std::vector<std::string>& tenants, const Bearers& bearers,
                                   int count) {
  for (const auto& channel : channels) {
    stubs_.push_back(std::make_unique<nv1::NotificationsService::Stub>(channel));
  }
  for (int i = 0; i < count; ++i) {
    const std::string& tenant = tenants[static_cast<size_t>(i) % tenants.size()];
    auto bearer = bearers.find(tenant);
    subscribers_.push_back(std::make_unique<Subscriber>(
        this, stubs_[static_cast<size_t>(i) % stubs_.size()].get(), tenant,
        bearer == bearers.end() ? std::string() : bearer->second));
  }
}

WatchSubscribers::~WatchSubscribers() {
  // The reactors must outlive gRPC's last callback on them.
  CancelAndWait(absl::InfiniteDuration());
}

void WatchSubscribers::Start() {
  {
    absl::MutexLock lock(&mu_);
    started_ = true;
  }
  for (auto& subscriber : subscribers_) subscriber->Start();
}

void WatchSubscribers::TurnedLive() {
  absl::MutexLock lock(&mu_);
  ++live_;
}

void WatchSubscribers::Ended(const grpc::Status& status) {
  absl::MutexLock lock(&mu_);
  ++done_;
  if (!cancelling_) {
    ++ended_early_[absl::StrCat(server::GrpcCodeName(status.error_code()), " ",
                                status.error_message())];
  }
}

bool WatchSubscribers::WaitLive(absl::Duration timeout) {
  const int count = static_cast<int>(subscribers_.size());
  absl::MutexLock lock(&mu_);
  auto settled = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return live_ + done_ >= count; };
  mu_.AwaitWithTimeout(absl::Condition(&settled), timeout);
  return live_ == count;
}

bool WatchSubscribers::CancelAndWait(absl::Duration timeout) {
  {
    absl::MutexLock lock(&mu_);
    // Never started: gRPC holds none of them.
    if (!started_ || done_ == static_cast<int>(subscribers_.size())) return true;
    cancelling_ = true;
  }
  for (auto& subscriber : subscribers_) subscriber->Cancel();
  const int count = static_cast<int>(subscribers_.size());
  absl::MutexLock lock(&mu_);
  auto all_done = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ >= count; };
  return mu_.AwaitWithTimeout(absl::Condition(&all_done), timeout);
}

int WatchSubscribers::live() const {
  absl::MutexLock lock(&mu_);
  return live_;
}

std::map<std::string, int64_t> WatchSubscribers::EndedEarly() const {
  absl::MutexLock lock(&mu_);
  return ended_early_;
}

int64_t WatchSubscribers::heartbeats() const {
  int64_t total = 0;
  for (const auto& subscriber : subscribers_) total += subscriber->heartbeats();
  return total;
}

int64_t WatchSubscribers::event_responses() const {
  int64_t total = 0;
  for (const auto& subscriber : subscribers_) total += subscriber->responses();
  return total;
}

std::vector<SubscriberLog> WatchSubscribers::TakeLogs() {
  std::vector<SubscriberLog> logs;
  logs.reserve(subscribers_.size());
  for (auto& subscriber : subscribers_) logs.push_back(subscriber->TakeLog());
  return logs;
}

// CreateAppointment, noting the reply. The engine calls StartNext as a step ends OK, on the
// collector's thread right after the reply arrived: the moment to note it. It starts nothing,
// so the booking is measured as one step.
class RecordedBookingWorkload::BookingCall final : public Call {
 public:
  BookingCall(RecordedBookingWorkload* owner, sv1::SchedulingService::Stub* stub,
              sv1::CreateAppointmentRequest request, std::string tenant, bool measured)
      : owner_(owner),
        stub_(stub),
        request_(std::move(request)),
        tenant_(std::move(tenant)),
        measured_(measured) {}

  void Start(grpc::CompletionQueue* cq) override {
    reader_ = stub_->PrepareAsyncCreateAppointment(&context, request_, cq);
    reader_->StartCall();
    reader_->Finish(&response_, &status, this);
  }

  bool StartNext(grpc::CompletionQueue* /*cq*/) override {
    if (measured_) {
      owner_->Record({EventKey(response_.name()), tenant_, WallNanos()});
    }
    return false;
  }

 private:
  RecordedBookingWorkload* const owner_;
  sv1::SchedulingService::Stub* const stub_;
  const sv1::CreateAppointmentRequest request_;
  const std::string tenant_;
  const bool measured_;
  sv1::Appointment response_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<sv1::Appointment>> reader_;
};

RecordedBookingWorkload::RecordedBookingWorkload(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::vector<SlotRef> slots,
    Bearers bearers, uint64_t data_seed, const Schedule* schedule)
    : slots_(std::move(slots)),
      bearers_(std::move(bearers)),
      data_seed_(data_seed),
      schedule_(schedule) {
  for (const auto& channel : channels) {
    stubs_.push_back(std::make_unique<sv1::SchedulingService::Stub>(channel));
  }
}

std::unique_ptr<Call> RecordedBookingWorkload::MakeCall(int64_t index, int channel) {
  const SlotRef& slot = slots_[static_cast<size_t>(index) % slots_.size()];
  auto call = std::make_unique<BookingCall>(this, stubs_[static_cast<size_t>(channel)].get(),
                                            BookingRequest(slot, data_seed_, index), slot.tenant,
                                            schedule_->IsMeasured(index));
  auto bearer = bearers_.find(slot.tenant);
  if (bearer != bearers_.end()) call->context.AddMetadata("authorization", bearer->second);
  return call;
}

void RecordedBookingWorkload::Record(BookedEvent event) {
  absl::MutexLock lock(&mu_);
  booked_.push_back(std::move(event));
}

std::vector<BookedEvent> RecordedBookingWorkload::Booked() const {
  absl::MutexLock lock(&mu_);
  return booked_;
}

}  // namespace sportelli::bench
