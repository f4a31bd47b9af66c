// The watch scenario's gRPC side: many NotificationsService.WatchEvents subscribers held open
// by one client process, and the bookings whose events they wait for.
//
//   WatchSubscribers subscribers(watch_channels, tenants, operator_bearers, 1000);
//   subscribers.Start();
//   if (!subscribers.WaitLive(absl::Seconds(60))) ...;     // every stream got its first heartbeat
//   RecordedBookingWorkload booking(channels, slots, portal_bearers, seed, &schedule);
//   RunLoad(schedule, options, booking);
//   subscribers.CancelAndWait(absl::Seconds(10));
//   DeliveryTally tally = TallyDeliveries(booking.Booked(), subscribers.TakeLogs());
//
// Each subscriber is a ClientReadReactor (the callback API): a thousand streams are a thousand
// objects driven by gRPC's few callback threads, not a thousand threads, so the client is not
// what limits the count. A reactor only notes when each read completes (wall clock) and reads
// again; the bookkeeping is done after the run.
#ifndef SPORTELLI_BENCH_WATCH_H_
#define SPORTELLI_BENCH_WATCH_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "bench/delivery.h"
#include "bench/load_generator.h"
#include "bench/scenarios.h"
#include "bench/schedule.h"
#include "bench/workload_data.h"
#include "grpcpp/channel.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"

namespace sportelli::bench {

class WatchSubscribers final {
 public:
  // Subscriber i watches `tenants/{tenants[i % tenants]}` (the whole comune, from now on) on
  // channels[i % channels], with that comune's bearer.
  WatchSubscribers(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   const std::vector<std::string>& tenants, const Bearers& bearers, int count);
  // Cancels the streams still open and waits for them to end.
  ~WatchSubscribers();

  WatchSubscribers(const WatchSubscribers&) = delete;
  WatchSubscribers& operator=(const WatchSubscribers&) = delete;

  void Start();
  // Until every stream is live (its first heartbeat: the server has it on the feed) or over;
  // true if all are live.
  bool WaitLive(absl::Duration timeout);
  // Cancels every stream and waits for gRPC to be done with them; false on timeout.
  bool CancelAndWait(absl::Duration timeout);

  int live() const;
  // Streams that ended before CancelAndWait, by "CODE message".
  std::map<std::string, int64_t> EndedEarly() const;
  int64_t heartbeats() const;
  // Responses that carried events (the feed joins events that wait for a client).
  int64_t event_responses() const;
  // When the last event arrived on any stream (wall clock, ns); 0 before the first.
  int64_t last_receipt_unix_ns() const {
    return last_receipt_unix_ns_.load(std::memory_order_relaxed);
  }
  // What each subscriber received; only after CancelAndWait returned true.
  std::vector<SubscriberLog> TakeLogs();

 private:
  class Subscriber;
  friend class Subscriber;
  void TurnedLive();
  void Ended(const grpc::Status& status);

  std::vector<std::unique_ptr<notifications::v1::NotificationsService::Stub>> stubs_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
  std::atomic<int64_t> last_receipt_unix_ns_{0};

  mutable absl::Mutex mu_;
  int live_ ABSL_GUARDED_BY(mu_) = 0;
  int done_ ABSL_GUARDED_BY(mu_) = 0;
  bool started_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelling_ ABSL_GUARDED_BY(mu_) = false;
  std::map<std::string, int64_t> ended_early_ ABSL_GUARDED_BY(mu_);
};

// The booking scenario's CreateAppointment (round robin over `slots`), noting for each measured
// booking that succeeded when its reply arrived and the appointment's name.
class RecordedBookingWorkload final : public Workload {
 public:
  RecordedBookingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                          std::vector<SlotRef> slots, Bearers bearers, uint64_t data_seed,
                          const Schedule* schedule);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

  std::vector<BookedEvent> Booked() const;

 private:
  class BookingCall;
  void Record(BookedEvent event);

  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<SlotRef> slots_;
  const Bearers bearers_;
  const uint64_t data_seed_;
  const Schedule* const schedule_;

  mutable absl::Mutex mu_;
  std::vector<BookedEvent> booked_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_WATCH_H_
