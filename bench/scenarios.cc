#include "bench/scenarios.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_cat.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/client_context.h"
#include "sportelli/server/deadline.h"
#include "sportelli/server/rpc_metrics.h"

namespace sportelli::bench {
namespace {

namespace sv1 = scheduling::v1;

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

// Booking `index` of a run seeded with `data_seed`: a fresh request id and a fresh valid
// citizen.
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

}  // namespace sportelli::bench
