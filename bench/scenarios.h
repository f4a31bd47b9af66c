// The workloads of sportelli-bench's scenarios (bench/README.md), and the setup calls some of
// them make before the run (listing free slots). Requests are built from the request index and
// a run seed only, so client threads build them without sharing state.
//
//   PingWorkload ping(channels, bearer);                       // --scenario empty
//   AvailabilityWorkload availability(channels, pairs, bearers, today, days, span_days);
//   ASSIGN_OR_RETURN(std::vector<SlotRef> slots,
//                    ListFreeSlots(*channels[0], pairs, bearers, today, days));
//   BookingWorkload booking(channels, slots, bearers, BookingWorkload::Spread::kRoundRobin,
//                           seeds);
//   ASSIGN_OR_RETURN(std::vector<std::string> names,
//                    BookForReading(*channels[0], slots, bearers, 500, seed));
//   ReadWorkload read(channels, names, bearers);               // --scenario read
#ifndef SPORTELLI_BENCH_SCENARIOS_H_
#define SPORTELLI_BENCH_SCENARIOS_H_

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "bench/histogram.h"
#include "bench/load_generator.h"
#include "bench/queue_fairness.h"
#include "bench/workload_data.h"
#include "grpcpp/channel.h"
#include "sportelli/bench/v1/bench_service.grpc.pb.h"
#include "sportelli/intake/v1/intake_service.grpc.pb.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"

namespace sportelli::bench {

// "Bearer <jwt>" by tenant id.
using Bearers = std::map<std::string, std::string>;

// BenchService.Ping, with one token.
class PingWorkload final : public Workload {
 public:
  PingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::string bearer);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<v1::BenchService::Stub>> stubs_;
  const std::string bearer_;
};

// ListAvailableSlots, channel WEB: request i asks pair i % pairs, starting on
// today + (i / pairs) % days, for `span_days` local days.
class AvailabilityWorkload final : public Workload {
 public:
  AvailabilityWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                       std::vector<DeskService> pairs, Bearers bearers, absl::CivilDay today,
                       int days, int span_days);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<DeskService> pairs_;
  const Bearers bearers_;
  const absl::CivilDay today_;
  const int days_;
  const int span_days_;
};

// Every free slot (capacity > 0 for channel WEB) of every pair from today for `days` local days,
// listed with ListAvailableSlots in windows of at most 62 days. Stops at the first error.
absl::StatusOr<std::vector<SlotRef>> ListFreeSlots(grpc::Channel& channel,
                                                   const std::vector<DeskService>& pairs,
                                                   const Bearers& bearers, absl::CivilDay today,
                                                   int days, absl::Duration deadline);

// CreateAppointment, channel WEB, each with a fresh request id and a fresh valid citizen, on
// `slots`: round-robin (booking) or uniformly at random (rush). Attempts per slot are counted
// as requests leave, for the rush check. Each attempt is a different visitor of the portal
// (`x-forwarded-for`: VisitorAddress(index)), as a click day's citizens are.
class BookingWorkload final : public Workload {
 public:
  enum class Spread { kRoundRobin, kUniformRandom };

  // `data_seed` makes the request ids and citizens (fresh per run: a reused request id would
  // be answered as a retry); `spread_seed` makes the uniform draw of slots.
  BookingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                  std::vector<SlotRef> slots, Bearers bearers, Spread spread, uint64_t data_seed,
                  uint64_t spread_seed);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;
  void OnSent(int64_t index) override;

  const std::vector<SlotRef>& slots() const { return slots_; }
  // Requests sent per slot, in the order of slots().
  std::vector<int64_t> AttemptsPerSlot() const;

 private:
  size_t SlotOf(int64_t index) const;

  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<SlotRef> slots_;
  const Bearers bearers_;
  const Spread spread_;
  const uint64_t data_seed_;
  const uint64_t spread_seed_;
  std::unique_ptr<std::atomic<int64_t>[]> attempts_;
};

// One visitor of a portal hammering its booking form (the abuse scenario): HoldSlot and
// CreateAppointment in turn, each for an invented citizen, uniformly at random over `slots`,
// every call from the same `address` (`x-forwarded-for`).
class AbuseWorkload final : public Workload {
 public:
  AbuseWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                std::vector<SlotRef> slots, Bearers bearers, std::string address,
                uint64_t data_seed, uint64_t spread_seed);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<SlotRef> slots_;
  const Bearers bearers_;
  const std::string address_;
  const uint64_t data_seed_;
  const uint64_t spread_seed_;
};

// A click day's arrivals at the waiting room (the queue scenario): EnterQueue, each for a new
// citizen (a fresh valid codice fiscale) from their own visitor address, on the comuni of
// `tenants` in turn.
class QueueWorkload final : public Workload {
 public:
  QueueWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                std::vector<std::string> tenants, Bearers bearers, uint64_t data_seed);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<std::string> tenants_;
  const Bearers bearers_;
  const uint64_t data_seed_;
};

// A click day through the waiting room (the queue-rush scenario). Citizen `index` belongs to
// comune index % comuni; the k-th of a comune enters its line (EnterQueue), comes back when
// told its turn is due (the place's estimated wait, 0.1 s to 30 s), and once admitted books
// (CreateAppointment with the admission) slot k % n of the comune's n slots: so each slot's
// seats are due to the first `capacity` citizens asking for it. Every call of a citizen comes
// from their own visitor address. The engine measures each journey whole; the calls are timed
// apart (EnterLatency, BookLatency) and each journey's end is kept for JudgeQueue.
class QueuedRushWorkload final : public Workload {
 public:
  QueuedRushWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                     std::vector<SlotRef> slots, Bearers bearers, uint64_t data_seed);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

  const std::vector<SlotRef>& slots() const { return slots_; }
  // Citizens sent per slot, in the order of slots().
  std::vector<int64_t> AttemptsPerSlot() const;
  std::vector<QueueJourney> Journeys() const;
  Histogram EnterLatency() const;
  Histogram BookLatency() const;
  // Final answers by "CODE REASON" (e.g. "FAILED_PRECONDITION SLOT_FULL").
  std::map<std::string, int64_t> Answers() const;

  // EnterQueue and CreateAppointment calls answered OVERLOADED or RATE_LIMITED, each sent again
  // after its retry delay.
  std::pair<int64_t, int64_t> Retries() const;

  // Called by the journeys, from the engine's collector threads.
  void RecordEnter(int64_t ns);
  void RecordBook(int64_t ns);
  void RecordRetry(bool booking);
  void RecordEnd(const QueueJourney& journey, const std::string& answer);

 private:
  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<SlotRef> slots_;
  const Bearers bearers_;
  const uint64_t data_seed_;
  std::vector<std::string> comuni_;
  std::vector<std::vector<size_t>> slots_of_;  // per comune, indexes into slots_
  std::unique_ptr<std::atomic<int64_t>[]> attempts_;

  mutable absl::Mutex mu_;
  Histogram enter_latency_ ABSL_GUARDED_BY(mu_);
  Histogram book_latency_ ABSL_GUARDED_BY(mu_);
  std::vector<QueueJourney> journeys_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, int64_t> answers_ ABSL_GUARDED_BY(mu_);
  int64_t enter_retries_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t booking_retries_ ABSL_GUARDED_BY(mu_) = 0;
};

// Booking `index` of a run seeded with `data_seed`: CreateAppointment on `slot`, channel WEB,
// with a fresh request id and a fresh valid citizen (the booking, rush and watch scenarios).
scheduling::v1::CreateAppointmentRequest BookingRequest(const SlotRef& slot, uint64_t data_seed,
                                                        int64_t index);

// GetAppointment (an operator's read of an appointment with its citizen: decrypted and audited
// in the read's transaction), request i reading names[i % names].
class ReadWorkload final : public Workload {
 public:
  ReadWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
               std::vector<std::string> names, Bearers bearers);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<scheduling::v1::SchedulingService::Stub>> stubs_;
  const std::vector<std::string> names_;
  const Bearers bearers_;
};

// The read scenario's setup: books `count` appointments on `slots` (round robin, one request at
// a time) and returns their names. Stops at the first error.
absl::StatusOr<std::vector<std::string>> BookForReading(grpc::Channel& channel,
                                                        const std::vector<SlotRef>& slots,
                                                        const Bearers& bearers, int count,
                                                        uint64_t seed);

// ---- intake -----------------------------------------------------------------------------------

// An operator meeting a person for the first time: CreatePerson (a fresh valid identity, sealed
// and audited) and then CreateContact for that person at desk pairs[i % pairs] (the service is
// ignored), measured as one request. Each request has fresh request ids and citizen.
class ContactWorkload final : public Workload {
 public:
  ContactWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                  std::vector<DeskService> pairs, Bearers bearers, absl::CivilDay today,
                  uint64_t data_seed);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<intake::v1::IntakeService::Stub>> stubs_;
  const std::vector<DeskService> pairs_;
  const Bearers bearers_;
  const absl::CivilDay today_;
  const uint64_t data_seed_;
};

// GetCase and then ListNotes (the newest `notes_page` notes) of names[i % names]: an operator
// opening a case, measured as one request.
class CaseReadWorkload final : public Workload {
 public:
  CaseReadWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   std::vector<std::string> names, Bearers bearers, int notes_page);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<intake::v1::IntakeService::Stub>> stubs_;
  const std::vector<std::string> names_;
  const Bearers bearers_;
  const int notes_page_;
};

// ListCases of desk pairs[i % pairs] (every state but CLOSED, as the operator app's default),
// the first page of `page_size`.
class CaseListWorkload final : public Workload {
 public:
  CaseListWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                   std::vector<DeskService> pairs, Bearers bearers, int page_size);
  std::unique_ptr<Call> MakeCall(int64_t index, int channel) override;

 private:
  std::vector<std::unique_ptr<intake::v1::IntakeService::Stub>> stubs_;
  const std::vector<DeskService> pairs_;
  const Bearers bearers_;
  const int page_size_;
};

// The case-read scenario's setup, through the API one call at a time: `count` cases on `pairs`
// (round robin), each a new person, a contact and the case, with `notes` notes each (text of
// a real note's length). Returns the cases' names; stops at the first error.
absl::StatusOr<std::vector<std::string>> OpenCasesWithNotes(grpc::Channel& channel,
                                                            const std::vector<DeskService>& pairs,
                                                            const Bearers& bearers,
                                                            absl::CivilDay today, int count,
                                                            int notes, uint64_t seed);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_SCENARIOS_H_
