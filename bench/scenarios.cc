#include "bench/scenarios.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/alarm.h"
#include "grpcpp/client_context.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/clock/clock.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_metrics.h"
#include "sportelli/status/macros.h"

namespace sportelli::bench {
namespace {

namespace sv1 = scheduling::v1;
namespace iv1 = intake::v1;

// AIP-style limit of ListAvailableSlots: both dates included, at most this many days.
constexpr int kMaxListDays = 62;

// Names of the right shape (Latin letters, an apostrophe, a space): valid, and plainly fake.
constexpr const char* kGivenNames[] = {"Maria", "Giuseppe", "Anna",   "Francesco",
                                       "Lucia", "Marco",    "Giulia", "Niccolò"};
constexpr const char* kFamilyNames[] = {"Rossi",   "Bianchi",   "Giannini", "Lucchesi",
                                        "Pardini", "Del Carlo", "D'Angelo", "Martinelli"};

template <typename Stub>
std::vector<std::unique_ptr<Stub>> StubsFor(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
  std::vector<std::unique_ptr<Stub>> stubs;
  for (const auto& channel : channels) stubs.push_back(std::make_unique<Stub>(channel));
  return stubs;
}

void SetDate(absl::CivilDay day, google::type::Date* date) {
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
}

void SetTimestamp(absl::Time time, google::protobuf::Timestamp* timestamp) {
  const int64_t seconds = absl::ToUnixSeconds(time);  // rounds down, so nanos is never negative
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp) {
  return absl::FromUnixSeconds(timestamp.seconds()) + absl::Nanoseconds(timestamp.nanos());
}

const std::string& BearerOf(const Bearers& bearers, const std::string& tenant) {
  static const std::string kNone;
  auto it = bearers.find(tenant);
  return it == bearers.end() ? kNone : it->second;
}

}  // namespace

PingWorkload::PingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                           std::string bearer)
    : stubs_(StubsFor<v1::BenchService::Stub>(channels)), bearer_(std::move(bearer)) {}

std::unique_ptr<Call> PingWorkload::MakeCall(int64_t /*index*/, int channel) {
  v1::BenchService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<v1::PingResponse>(
      v1::PingRequest(),
      [stub](grpc::ClientContext* context, const v1::PingRequest& request,
             grpc::CompletionQueue* cq) { return stub->PrepareAsyncPing(context, request, cq); });
  call->context.AddMetadata("authorization", bearer_);
  return call;
}

AvailabilityWorkload::AvailabilityWorkload(
    const std::vector<std::shared_ptr<grpc::Channel>>& channels, std::vector<DeskService> pairs,
    Bearers bearers, absl::CivilDay today, int days, int span_days)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      pairs_(std::move(pairs)),
      bearers_(std::move(bearers)),
      today_(today),
      days_(days),
      span_days_(span_days) {}

std::unique_ptr<Call> AvailabilityWorkload::MakeCall(int64_t index, int channel) {
  const int64_t pair_count = static_cast<int64_t>(pairs_.size());
  const DeskService& pair = pairs_[index % pair_count];
  const absl::CivilDay start = today_ + (index / pair_count) % days_;
  sv1::ListAvailableSlotsRequest request;
  request.set_desk(pair.desk);
  request.set_service(pair.service);
  SetDate(start, request.mutable_start_date());
  SetDate(start + (span_days_ - 1), request.mutable_end_date());
  request.set_channel(sv1::CHANNEL_WEB);
  sv1::SchedulingService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<sv1::ListAvailableSlotsResponse>(
      std::move(request),
      [stub](grpc::ClientContext* context, const sv1::ListAvailableSlotsRequest& r,
             grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncListAvailableSlots(context, r, cq);
      });
  call->context.AddMetadata("authorization", BearerOf(bearers_, pair.tenant));
  return call;
}

absl::StatusOr<std::vector<SlotRef>> ListFreeSlots(grpc::Channel& channel,
                                                   const std::vector<DeskService>& pairs,
                                                   const Bearers& bearers, absl::CivilDay today,
                                                   int days, absl::Duration deadline) {
  // The stub wants a shared_ptr; the caller keeps the channel alive for the whole call.
  std::shared_ptr<grpc::Channel> unowned(&channel, [](grpc::Channel*) {});
  sv1::SchedulingService::Stub stub(unowned);
  std::vector<SlotRef> slots;
  for (const DeskService& pair : pairs) {
    for (int offset = 0; offset < days; offset += kMaxListDays) {
      sv1::ListAvailableSlotsRequest request;
      request.set_desk(pair.desk);
      request.set_service(pair.service);
      SetDate(today + offset, request.mutable_start_date());
      SetDate(today + (std::min(days, offset + kMaxListDays) - 1), request.mutable_end_date());
      request.set_channel(sv1::CHANNEL_WEB);
      grpc::ClientContext context;
      context.AddMetadata("authorization", BearerOf(bearers, pair.tenant));
      context.set_deadline(server::DeadlineAfter(deadline));
      sv1::ListAvailableSlotsResponse response;
      grpc::Status status = stub.ListAvailableSlots(&context, request, &response);
      if (!status.ok()) {
        return absl::UnavailableError(
            absl::StrCat("ListAvailableSlots for ", pair.desk, " / ", pair.service, ": ",
                         server::GrpcCodeName(status.error_code()), " ", status.error_message()));
      }
      for (const sv1::Slot& slot : response.slots()) {
        if (slot.remaining_capacity() <= 0) continue;
        slots.push_back({pair.tenant, pair.desk, pair.service, FromTimestamp(slot.start_time()),
                         slot.remaining_capacity()});
      }
    }
  }
  return slots;
}

BookingWorkload::BookingWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                 std::vector<SlotRef> slots, Bearers bearers, Spread spread,
                                 uint64_t data_seed, uint64_t spread_seed)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      slots_(std::move(slots)),
      bearers_(std::move(bearers)),
      spread_(spread),
      data_seed_(data_seed),
      spread_seed_(spread_seed),
      attempts_(std::make_unique<std::atomic<int64_t>[]>(slots_.size())) {}

size_t BookingWorkload::SlotOf(int64_t index) const {
  if (spread_ == Spread::kRoundRobin) return static_cast<size_t>(index) % slots_.size();
  SplitMix64 random(Mix(spread_seed_, static_cast<uint64_t>(index)));
  return static_cast<size_t>(random.Below(slots_.size()));
}

sv1::CreateAppointmentRequest BookingRequest(const SlotRef& slot, uint64_t data_seed,
                                             int64_t index) {
  SplitMix64 random(Mix(data_seed, static_cast<uint64_t>(index)));
  sv1::CreateAppointmentRequest request;
  request.set_parent(absl::StrCat("tenants/", slot.tenant));
  request.set_request_id(UuidV4(random));
  sv1::Appointment* appointment = request.mutable_appointment();
  appointment->set_desk(slot.desk);
  appointment->set_service(slot.service);
  SetTimestamp(slot.start, appointment->mutable_start_time());
  appointment->set_channel(sv1::CHANNEL_WEB);
  sv1::Citizen* citizen = appointment->mutable_citizen();
  citizen->set_given_name(kGivenNames[random.Below(std::size(kGivenNames))]);
  citizen->set_family_name(kFamilyNames[random.Below(std::size(kFamilyNames))]);
  citizen->set_codice_fiscale(RandomCodiceFiscale(random));
  citizen->set_phone_number(RandomMobileNumber(random));
  citizen->set_preferred_contact(sv1::CONTACT_CHANNEL_SMS);
  citizen->set_privacy_notice_acknowledged(true);
  return request;
}

std::unique_ptr<Call> BookingWorkload::MakeCall(int64_t index, int channel) {
  const SlotRef& slot = slots_[SlotOf(index)];
  sv1::SchedulingService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<sv1::Appointment>(
      BookingRequest(slot, data_seed_, index),
      [stub](grpc::ClientContext* context, const sv1::CreateAppointmentRequest& r,
             grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncCreateAppointment(context, r, cq);
      });
  call->context.AddMetadata("authorization", BearerOf(bearers_, slot.tenant));
  call->context.AddMetadata("x-forwarded-for", VisitorAddress(index));
  return call;
}

QueueWorkload::QueueWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                             std::vector<std::string> tenants, Bearers bearers, uint64_t data_seed)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      tenants_(std::move(tenants)),
      bearers_(std::move(bearers)),
      data_seed_(data_seed) {}

std::unique_ptr<Call> QueueWorkload::MakeCall(int64_t index, int channel) {
  const std::string& tenant = tenants_[static_cast<size_t>(index) % tenants_.size()];
  SplitMix64 random(Mix(data_seed_, static_cast<uint64_t>(index)));
  sv1::EnterQueueRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  request.set_codice_fiscale(RandomCodiceFiscale(random));
  sv1::SchedulingService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<sv1::QueuePlace>(
      std::move(request),
      [stub](grpc::ClientContext* context, const sv1::EnterQueueRequest& r,
             grpc::CompletionQueue* cq) { return stub->PrepareAsyncEnterQueue(context, r, cq); });
  call->context.AddMetadata("authorization", BearerOf(bearers_, tenant));
  call->context.AddMetadata("x-forwarded-for", VisitorAddress(index));
  return call;
}

namespace {

// One citizen's journey through the waiting room to a booking (QueuedRushWorkload). A call
// answered OVERLOADED (or RATE_LIMITED) is sent again after its retry delay, as the error asks
// and a portal would, at most 5 times.
class QueuedBookingCall final : public Call {
 public:
  QueuedBookingCall(QueuedRushWorkload* owner, sv1::SchedulingService::Stub* stub,
                    std::string bearer, std::string address, sv1::EnterQueueRequest enter,
                    sv1::CreateAppointmentRequest booking, QueueJourney journey)
      : owner_(owner),
        stub_(stub),
        bearer_(std::move(bearer)),
        address_(std::move(address)),
        enter_(std::move(enter)),
        booking_(std::move(booking)),
        journey_(journey) {
    Identify(context);
  }

  ~QueuedBookingCall() override {
    const int64_t now = SteadyNanos();
    const bool booked = step_ == Step::kBook;
    if (step_ == Step::kEnter) owner_->RecordEnter(now - step_started_ns_);
    if (booked) owner_->RecordBook(now - step_started_ns_);
    journey_.confirmed = booked && status.ok();
    journey_.done_ns = now;
    std::string answer = "OK";
    if (!status.ok()) {
      answer = absl::StrCat(server::GrpcCodeName(status.error_code()), " ", Reason());
      if (!booked) absl::StrAppend(&answer, " (EnterQueue)");
    }
    owner_->RecordEnd(journey_, answer);
  }

  void Start(grpc::CompletionQueue* cq) override {
    journey_.arrived_ns = intended_ns;
    step_started_ns_ = intended_ns;
    Enter(&context, cq);
  }

  bool StartNext(grpc::CompletionQueue* cq) override {
    const int64_t now = SteadyNanos();
    switch (step_) {
      case Step::kEnter: {
        owner_->RecordEnter(now - step_started_ns_);
        if (place_.admitted()) {
          step_ = Step::kBook;
          step_started_ns_ = now;
          booking_.set_admission(place_.admission());
          Book(cq);
          return true;
        }
        // Come back when the place's turn is due, as a portal's waiting page would.
        const absl::Duration wait =
            std::clamp(absl::Seconds(place_.estimated_wait().seconds()) +
                           absl::Nanoseconds(place_.estimated_wait().nanos()),
                       absl::Milliseconds(100), absl::Seconds(30));
        WaitThen(Step::kEnter, wait, cq);
        return true;
      }
      case Step::kWait:
        step_ = next_;
        step_started_ns_ = now;
        if (step_ == Step::kEnter) {
          Enter(NextContext(), cq);
        } else {
          Book(cq);
        }
        return true;
      case Step::kBook:
        return false;
    }
    return false;
  }

  bool StartAfterFailure(grpc::CompletionQueue* cq) override {
    const std::string reason = Reason();
    const bool overloaded =
        (status.error_code() == grpc::StatusCode::UNAVAILABLE && reason == "OVERLOADED") ||
        (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && reason == "RATE_LIMITED");
    if (!overloaded || retries_ == 5 || step_ == Step::kWait) return false;
    ++retries_;
    const int64_t now = SteadyNanos();
    if (step_ == Step::kEnter) owner_->RecordEnter(now - step_started_ns_);
    if (step_ == Step::kBook) owner_->RecordBook(now - step_started_ns_);
    owner_->RecordRetry(step_ == Step::kBook);
    const Step again = step_;
    status = grpc::Status::OK;
    WaitThen(again, RetryDelay(), cq);
    return true;
  }

 private:
  enum class Step { kEnter, kWait, kBook };

  void Identify(grpc::ClientContext& c) const {
    c.AddMetadata("authorization", bearer_);
    c.AddMetadata("x-forwarded-for", address_);
  }
  // A ClientContext serves one RPC: each later step has its own.
  grpc::ClientContext* NextContext() {
    next_context_ = std::make_unique<grpc::ClientContext>();
    next_context_->set_deadline(server::DeadlineAfter(absl::Seconds(10)));
    Identify(*next_context_);
    return next_context_.get();
  }
  void Enter(grpc::ClientContext* c, grpc::CompletionQueue* cq) {
    enter_reader_ = stub_->PrepareAsyncEnterQueue(c, enter_, cq);
    enter_reader_->StartCall();
    enter_reader_->Finish(&place_, &status, this);
  }
  void Book(grpc::CompletionQueue* cq) {
    booking_reader_ = stub_->PrepareAsyncCreateAppointment(NextContext(), booking_, cq);
    booking_reader_->StartCall();
    booking_reader_->Finish(&appointment_, &status, this);
  }
  void WaitThen(Step next, absl::Duration wait, grpc::CompletionQueue* cq) {
    step_ = Step::kWait;
    next_ = next;
    alarm_.Set(cq, server::DeadlineAfter(wait), this);
  }
  google::rpc::Status Details() const {
    google::rpc::Status details;
    if (!details.ParseFromString(status.error_details())) details.Clear();
    return details;
  }
  std::string Reason() const {
    const google::rpc::Status details = Details();
    for (const google::protobuf::Any& any : details.details()) {
      if (google::rpc::ErrorInfo info; any.UnpackTo(&info)) return info.reason();
    }
    return "";
  }
  // The error's RetryInfo delay; 1 s without one.
  absl::Duration RetryDelay() const {
    const google::rpc::Status details = Details();
    for (const google::protobuf::Any& any : details.details()) {
      if (google::rpc::RetryInfo info; any.UnpackTo(&info)) {
        return std::max(absl::Milliseconds(10), absl::Seconds(info.retry_delay().seconds()) +
                                                    absl::Nanoseconds(info.retry_delay().nanos()));
      }
    }
    return absl::Seconds(1);
  }

  QueuedRushWorkload* const owner_;
  sv1::SchedulingService::Stub* const stub_;
  const std::string bearer_;
  const std::string address_;
  const sv1::EnterQueueRequest enter_;
  sv1::CreateAppointmentRequest booking_;
  QueueJourney journey_;
  Step step_ = Step::kEnter;
  Step next_ = Step::kEnter;  // after a wait
  int64_t step_started_ns_ = 0;
  int retries_ = 0;
  std::unique_ptr<grpc::ClientContext> next_context_;
  sv1::QueuePlace place_;
  sv1::Appointment appointment_;
  grpc::Alarm alarm_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<sv1::QueuePlace>> enter_reader_;
  std::unique_ptr<grpc::ClientAsyncResponseReader<sv1::Appointment>> booking_reader_;
};

}  // namespace

QueuedRushWorkload::QueuedRushWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                       std::vector<SlotRef> slots, Bearers bearers,
                                       uint64_t data_seed)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      slots_(std::move(slots)),
      bearers_(std::move(bearers)),
      data_seed_(data_seed),
      attempts_(std::make_unique<std::atomic<int64_t>[]>(slots_.size())) {
  std::map<std::string, size_t> comune_of;
  for (size_t i = 0; i < slots_.size(); ++i) {
    auto [it, added] = comune_of.try_emplace(slots_[i].tenant, comuni_.size());
    if (added) {
      comuni_.push_back(slots_[i].tenant);
      slots_of_.emplace_back();
    }
    slots_of_[it->second].push_back(i);
  }
}

std::unique_ptr<Call> QueuedRushWorkload::MakeCall(int64_t index, int channel) {
  const size_t comune = static_cast<size_t>(index) % comuni_.size();
  const int64_t turn = index / static_cast<int64_t>(comuni_.size());
  const std::vector<size_t>& own = slots_of_[comune];
  const size_t slot = own[static_cast<size_t>(turn) % own.size()];
  attempts_[slot].fetch_add(1, std::memory_order_relaxed);
  sv1::CreateAppointmentRequest booking = BookingRequest(slots_[slot], data_seed_, index);
  sv1::EnterQueueRequest enter;
  enter.set_parent(booking.parent());
  enter.set_codice_fiscale(booking.appointment().citizen().codice_fiscale());
  QueueJourney journey;
  journey.comune = static_cast<int>(comune);
  journey.turn = turn;
  journey.slot = static_cast<int64_t>(slot);
  journey.rank = turn / static_cast<int64_t>(own.size());
  return std::make_unique<QueuedBookingCall>(
      this, stubs_[channel].get(), BearerOf(bearers_, comuni_[comune]), VisitorAddress(index),
      std::move(enter), std::move(booking), journey);
}

std::vector<int64_t> QueuedRushWorkload::AttemptsPerSlot() const {
  std::vector<int64_t> attempts(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) attempts[i] = attempts_[i].load();
  return attempts;
}

void QueuedRushWorkload::RecordEnter(int64_t ns) {
  absl::MutexLock lock(&mu_);
  enter_latency_.Record(ns);
}

void QueuedRushWorkload::RecordBook(int64_t ns) {
  absl::MutexLock lock(&mu_);
  book_latency_.Record(ns);
}

void QueuedRushWorkload::RecordRetry(bool booking) {
  absl::MutexLock lock(&mu_);
  ++(booking ? booking_retries_ : enter_retries_);
}

void QueuedRushWorkload::RecordEnd(const QueueJourney& journey, const std::string& answer) {
  absl::MutexLock lock(&mu_);
  journeys_.push_back(journey);
  ++answers_[answer];
}

std::pair<int64_t, int64_t> QueuedRushWorkload::Retries() const {
  absl::MutexLock lock(&mu_);
  return {enter_retries_, booking_retries_};
}

std::vector<QueueJourney> QueuedRushWorkload::Journeys() const {
  absl::MutexLock lock(&mu_);
  return journeys_;
}

Histogram QueuedRushWorkload::EnterLatency() const {
  absl::MutexLock lock(&mu_);
  return enter_latency_;
}

Histogram QueuedRushWorkload::BookLatency() const {
  absl::MutexLock lock(&mu_);
  return book_latency_;
}

std::map<std::string, int64_t> QueuedRushWorkload::Answers() const {
  absl::MutexLock lock(&mu_);
  return answers_;
}

AbuseWorkload::AbuseWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                             std::vector<SlotRef> slots, Bearers bearers, std::string address,
                             uint64_t data_seed, uint64_t spread_seed)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      slots_(std::move(slots)),
      bearers_(std::move(bearers)),
      address_(std::move(address)),
      data_seed_(data_seed),
      spread_seed_(spread_seed) {}

std::unique_ptr<Call> AbuseWorkload::MakeCall(int64_t index, int channel) {
  SplitMix64 spread(Mix(spread_seed_, static_cast<uint64_t>(index)));
  const SlotRef& slot = slots_[static_cast<size_t>(spread.Below(slots_.size()))];
  sv1::SchedulingService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call;
  if (index % 2 == 0) {
    SplitMix64 random(Mix(data_seed_, static_cast<uint64_t>(index)));
    sv1::HoldSlotRequest request;
    request.set_parent(absl::StrCat("tenants/", slot.tenant));
    request.set_desk(slot.desk);
    request.set_service(slot.service);
    SetTimestamp(slot.start, request.mutable_start_time());
    request.set_channel(sv1::CHANNEL_WEB);
    request.set_request_id(UuidV4(random));
    request.set_codice_fiscale(RandomCodiceFiscale(random));
    call = MakeUnaryCall<sv1::Hold>(
        std::move(request),
        [stub](grpc::ClientContext* context, const sv1::HoldSlotRequest& r,
               grpc::CompletionQueue* cq) { return stub->PrepareAsyncHoldSlot(context, r, cq); });
  } else {
    call = MakeUnaryCall<sv1::Appointment>(
        BookingRequest(slot, data_seed_, index),
        [stub](grpc::ClientContext* context, const sv1::CreateAppointmentRequest& r,
               grpc::CompletionQueue* cq) {
          return stub->PrepareAsyncCreateAppointment(context, r, cq);
        });
  }
  call->context.AddMetadata("authorization", BearerOf(bearers_, slot.tenant));
  call->context.AddMetadata("x-forwarded-for", address_);
  return call;
}

void BookingWorkload::OnSent(int64_t index) {
  attempts_[SlotOf(index)].fetch_add(1, std::memory_order_relaxed);
}

std::vector<int64_t> BookingWorkload::AttemptsPerSlot() const {
  std::vector<int64_t> attempts(slots_.size());
  for (size_t i = 0; i < slots_.size(); ++i) attempts[i] = attempts_[i].load();
  return attempts;
}

ReadWorkload::ReadWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                           std::vector<std::string> names, Bearers bearers)
    : stubs_(StubsFor<sv1::SchedulingService::Stub>(channels)),
      names_(std::move(names)),
      bearers_(std::move(bearers)) {}

std::unique_ptr<Call> ReadWorkload::MakeCall(int64_t index, int channel) {
  const std::string& name = names_[static_cast<size_t>(index) % names_.size()];
  sv1::GetAppointmentRequest request;
  request.set_name(name);
  // "tenants/{tenant}/appointments/{id}"
  const std::string tenant = name.substr(8, name.find('/', 8) - 8);
  sv1::SchedulingService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<sv1::Appointment>(
      std::move(request), [stub](grpc::ClientContext* context, const sv1::GetAppointmentRequest& r,
                                 grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncGetAppointment(context, r, cq);
      });
  call->context.AddMetadata("authorization", BearerOf(bearers_, tenant));
  return call;
}

absl::StatusOr<std::vector<std::string>> BookForReading(grpc::Channel& channel,
                                                        const std::vector<SlotRef>& slots,
                                                        const Bearers& bearers, int count,
                                                        uint64_t seed) {
  auto stub = sv1::SchedulingService::NewStub(
      std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  std::vector<std::string> names;
  for (int64_t i = 0; static_cast<int>(names.size()) < count && i < 10 * int64_t{count}; ++i) {
    const SlotRef& slot = slots[static_cast<size_t>(i) % slots.size()];
    const sv1::CreateAppointmentRequest request = BookingRequest(slot, seed, i);
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(10)));
    context.AddMetadata("authorization", BearerOf(bearers, slot.tenant));
    sv1::Appointment made;
    const grpc::Status status = stub->CreateAppointment(&context, request, &made);
    if (status.error_code() == grpc::StatusCode::FAILED_PRECONDITION) continue;  // full: next
    if (!status.ok()) {
      return absl::UnavailableError(
          absl::StrCat("booking for the read scenario: ", status.error_message()));
    }
    names.push_back(made.name());
  }
  if (names.empty()) return absl::FailedPreconditionError("no appointment could be booked");
  return names;
}

// ---- intake -----------------------------------------------------------------------------------

namespace {

// What an operator writes after listening to someone: about the length of a real note.
constexpr char kNoteText[] =
    "Colloquio di ascolto. La persona riferisce la perdita del lavoro a tempo determinato a "
    "settembre e un affitto arretrato di tre mensilita; vive con due figli minori, il padre non "
    "contribuisce. Ha gia presentato domanda per l'assegno di inclusione, in attesa di esito. "
    "Spiegati il fondo per la morosita incolpevole e i requisiti del contributo affitto; "
    "concordato un secondo incontro con la documentazione ISEE aggiornata e il contratto di "
    "locazione. Da valutare l'invio al Punto Insieme per il percorso di inclusione.";

// A new person of the comune `tenant`: a fresh valid codice fiscale with the birth date and sex
// it encodes, registered by the operator with the privacy notice acknowledged.
iv1::CreatePersonRequest PersonRequest(const std::string& tenant, absl::CivilDay today,
                                       SplitMix64& random) {
  iv1::CreatePersonRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  request.set_request_id(UuidV4(random));
  iv1::Person* person = request.mutable_person();
  person->set_given_name(kGivenNames[random.Below(std::size(kGivenNames))]);
  person->set_family_name(kFamilyNames[random.Below(std::size(kFamilyNames))]);
  const std::string code = RandomCodiceFiscale(random);
  person->set_codice_fiscale(code);
  absl::StatusOr<citizen::CodiceFiscaleData> data = citizen::DecodeCodiceFiscale(code, today);
  if (data.ok()) {  // RandomCodiceFiscale makes valid codes only
    person->mutable_birth_date()->set_year(static_cast<int32_t>(data->birth_date.year()));
    person->mutable_birth_date()->set_month(data->birth_date.month());
    person->mutable_birth_date()->set_day(data->birth_date.day());
    person->set_sex(data->sex == citizen::Sex::kFemale ? iv1::SEX_FEMALE : iv1::SEX_MALE);
  }
  person->set_citizenship("IT");
  person->mutable_address()->set_street_address("Via di Tiglio 1");
  person->mutable_address()->set_postal_code("55012");
  person->mutable_address()->set_locality("Capannori");
  person->mutable_address()->set_province("LU");
  person->set_phone_number(RandomMobileNumber(random));
  person->set_privacy_notice_version("2026-01");
  iv1::Consent* consent = person->add_consents();
  consent->set_kind(iv1::CONSENT_KIND_SHARE_WITH_REFERRAL_BODIES);
  consent->set_granted(true);
  return request;
}

// A walk-in contact of `person` at `desk`, a few minutes ago, with what the operator said.
iv1::CreateContactRequest ContactRequest(const std::string& tenant, const std::string& desk,
                                         const std::string& person, iv1::ContactOutcome outcome,
                                         SplitMix64& random) {
  iv1::CreateContactRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  request.set_request_id(UuidV4(random));
  iv1::Contact* contact = request.mutable_contact();
  contact->set_person(person);
  contact->set_desk(desk);
  contact->set_channel(iv1::CONTACT_CHANNEL_WALK_IN);
  SetTimestamp(clock::SystemClock::Instance().Now() - absl::Minutes(5),
               contact->mutable_contact_time());
  contact->add_need_areas(iv1::NEED_AREA_ECONOMIC_HARDSHIP);
  contact->add_need_areas(iv1::NEED_AREA_HOUSING);
  contact->set_information_given(
      "Spiegati il fondo morosita incolpevole, il contributo affitto e l'assegno di inclusione; "
      "consegnato l'elenco dei documenti per l'ISEE.");
  contact->set_outcome(outcome);
  return request;
}

std::string TenantOf(const std::string& name) {  // "tenants/{tenant}/..."
  return name.substr(8, name.find('/', 8) - 8);
}

}  // namespace

ContactWorkload::ContactWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                 std::vector<DeskService> pairs, Bearers bearers,
                                 absl::CivilDay today, uint64_t data_seed)
    : stubs_(StubsFor<iv1::IntakeService::Stub>(channels)),
      pairs_(std::move(pairs)),
      bearers_(std::move(bearers)),
      today_(today),
      data_seed_(data_seed) {}

std::unique_ptr<Call> ContactWorkload::MakeCall(int64_t index, int channel) {
  const DeskService& pair = pairs_[static_cast<size_t>(index) % pairs_.size()];
  SplitMix64 random(Mix(data_seed_, static_cast<uint64_t>(index)));
  iv1::IntakeService::Stub* stub = stubs_[channel].get();
  auto person =
      std::make_shared<iv1::CreatePersonRequest>(PersonRequest(pair.tenant, today_, random));
  auto contact = std::make_shared<iv1::CreateContactRequest>(
      ContactRequest(pair.tenant, pair.desk, "", iv1::CONTACT_OUTCOME_INFORMATION_ONLY, random));
  return std::make_unique<TwoStepCall<iv1::Person, iv1::Contact>>(
      BearerOf(bearers_, pair.tenant),
      [stub, person](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncCreatePerson(context, *person, cq);
      },
      [stub, contact](const iv1::Person& made, grpc::ClientContext* context,
                      grpc::CompletionQueue* cq) {
        contact->mutable_contact()->set_person(made.name());
        return stub->PrepareAsyncCreateContact(context, *contact, cq);
      });
}

CaseReadWorkload::CaseReadWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                   std::vector<std::string> names, Bearers bearers, int notes_page)
    : stubs_(StubsFor<iv1::IntakeService::Stub>(channels)),
      names_(std::move(names)),
      bearers_(std::move(bearers)),
      notes_page_(notes_page) {}

std::unique_ptr<Call> CaseReadWorkload::MakeCall(int64_t index, int channel) {
  const std::string& name = names_[static_cast<size_t>(index) % names_.size()];
  iv1::IntakeService::Stub* stub = stubs_[channel].get();
  iv1::GetCaseRequest get;
  get.set_name(name);
  iv1::ListNotesRequest list;
  list.set_parent(name);
  list.set_page_size(notes_page_);
  return std::make_unique<TwoStepCall<iv1::Case, iv1::ListNotesResponse>>(
      BearerOf(bearers_, TenantOf(name)),
      [stub, get](grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncGetCase(context, get, cq);
      },
      [stub, list](const iv1::Case&, grpc::ClientContext* context, grpc::CompletionQueue* cq) {
        return stub->PrepareAsyncListNotes(context, list, cq);
      });
}

CaseListWorkload::CaseListWorkload(const std::vector<std::shared_ptr<grpc::Channel>>& channels,
                                   std::vector<DeskService> pairs, Bearers bearers, int page_size)
    : stubs_(StubsFor<iv1::IntakeService::Stub>(channels)),
      pairs_(std::move(pairs)),
      bearers_(std::move(bearers)),
      page_size_(page_size) {}

std::unique_ptr<Call> CaseListWorkload::MakeCall(int64_t index, int channel) {
  const DeskService& pair = pairs_[static_cast<size_t>(index) % pairs_.size()];
  iv1::ListCasesRequest request;
  request.set_parent(absl::StrCat("tenants/", pair.tenant));
  request.set_desk(pair.desk);
  request.set_page_size(page_size_);
  iv1::IntakeService::Stub* stub = stubs_[channel].get();
  std::unique_ptr<Call> call = MakeUnaryCall<iv1::ListCasesResponse>(
      std::move(request),
      [stub](grpc::ClientContext* context, const iv1::ListCasesRequest& r,
             grpc::CompletionQueue* cq) { return stub->PrepareAsyncListCases(context, r, cq); });
  call->context.AddMetadata("authorization", BearerOf(bearers_, pair.tenant));
  return call;
}

absl::StatusOr<std::vector<std::string>> OpenCasesWithNotes(grpc::Channel& channel,
                                                            const std::vector<DeskService>& pairs,
                                                            const Bearers& bearers,
                                                            absl::CivilDay today, int count,
                                                            int notes, uint64_t seed) {
  auto stub =
      iv1::IntakeService::NewStub(std::shared_ptr<grpc::Channel>(&channel, [](grpc::Channel*) {}));
  // One blocking call with the tenant's token; any failure ends the setup.
  auto call = [&](const std::string& tenant, const char* what, auto method, const auto& request,
                  auto* response) -> absl::Status {
    grpc::ClientContext context;
    context.set_deadline(server::DeadlineAfter(absl::Seconds(10)));
    context.AddMetadata("authorization", BearerOf(bearers, tenant));
    const grpc::Status status = ((*stub).*method)(&context, request, response);
    if (status.ok()) return absl::OkStatus();
    return absl::UnavailableError(absl::StrCat("case-read setup, ", what, ": ",
                                               server::GrpcCodeName(status.error_code()), " ",
                                               status.error_message()));
  };
  std::vector<std::string> names;
  for (int i = 0; i < count; ++i) {
    const DeskService& pair = pairs[static_cast<size_t>(i) % pairs.size()];
    SplitMix64 random(Mix(seed, static_cast<uint64_t>(i)));
    iv1::Person person;
    RETURN_IF_ERROR(call(pair.tenant, "CreatePerson", &iv1::IntakeService::Stub::CreatePerson,
                         PersonRequest(pair.tenant, today, random), &person));
    iv1::Contact contact;
    RETURN_IF_ERROR(call(pair.tenant, "CreateContact", &iv1::IntakeService::Stub::CreateContact,
                         ContactRequest(pair.tenant, pair.desk, person.name(),
                                        iv1::CONTACT_OUTCOME_CASE_OPENED, random),
                         &contact));
    iv1::OpenCaseRequest open;
    open.set_parent(absl::StrCat("tenants/", pair.tenant));
    open.set_contact(contact.name());
    open.set_request_id(UuidV4(random));
    iv1::Case opened;
    RETURN_IF_ERROR(
        call(pair.tenant, "OpenCase", &iv1::IntakeService::Stub::OpenCase, open, &opened));
    for (int n = 0; n < notes; ++n) {
      iv1::CreateNoteRequest note;
      note.set_parent(opened.name());
      note.set_request_id(UuidV4(random));
      note.mutable_note()->set_kind(n == 0 ? iv1::NOTE_KIND_LISTENING : iv1::NOTE_KIND_INTERVIEW);
      note.mutable_note()->set_text(kNoteText);
      iv1::Note made;
      RETURN_IF_ERROR(
          call(pair.tenant, "CreateNote", &iv1::IntakeService::Stub::CreateNote, note, &made));
    }
    names.push_back(opened.name());
  }
  return names;
}

}  // namespace sportelli::bench
