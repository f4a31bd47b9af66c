#include "services/scheduling/domain/slots.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "sportelli/status/macros.h"

namespace sportelli::scheduling {
namespace {

// Shares are typed by people as decimals ("0.29") and are not exact in binary: 0.29 * 100 is
// 28.999999999999996, which floor() would turn into 28 reserved seats instead of 29. Capacities
// are at most 100, so an error of a few ULPs is far below this tolerance, and a share would
// need ten significant digits for the tolerance to change a genuine result.
constexpr double kShareTolerance = 1e-9;

// The intervals sorted by start, with touching or overlapping ones merged and empty ones
// dropped: the one grid both CutSlots and IsSlotStart cut from.
std::vector<TimeInterval> Normalise(const std::vector<TimeInterval>& open) {
  std::vector<TimeInterval> sorted;
  sorted.reserve(open.size());
  for (const TimeInterval& interval : open) {
    if (interval.start < interval.end) sorted.push_back(interval);
  }
  std::sort(sorted.begin(), sorted.end(), [](const TimeInterval& x, const TimeInterval& y) {
    return x.start < y.start || (x.start == y.start && x.end < y.end);
  });
  std::vector<TimeInterval> merged;
  merged.reserve(sorted.size());
  for (const TimeInterval& interval : sorted) {
    if (!merged.empty() && interval.start <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, interval.end);
    } else {
      merged.push_back(interval);
    }
  }
  return merged;
}

// The first instant anchor + k * duration (k >= 0) that is not before `earliest`. Computed, not
// walked, so a notice that reaches deep into a long interval costs nothing, and the grid stays
// anchored at the interval's start whatever `now` is.
absl::Time FirstGridPointFrom(absl::Time anchor, absl::Time earliest, absl::Duration duration) {
  if (earliest <= anchor) return anchor;
  absl::Duration remainder;
  const int64_t steps = absl::IDivDuration(earliest - anchor, duration, &remainder);
  absl::Time point = anchor + duration * steps;
  if (remainder > absl::ZeroDuration()) point += duration;
  return point;
}

int ReservedSeats(int capacity, double share) {
  if (!(share > 0.0)) return 0;  // also NaN
  share = std::min(share, 1.0);
  return static_cast<int>(std::floor(capacity * share + kShareTolerance));
}

bool IsKnownChannel(Channel channel) {
  return channel == Channel::kWeb || channel == Channel::kPhone || channel == Channel::kDesk;
}

template <typename S>
std::map<absl::CivilDay, std::vector<S>> GroupByDay(const std::vector<S>& slots,
                                                    const absl::TimeZone& zone) {
  std::map<absl::CivilDay, std::vector<S>> days;
  for (const S& slot : slots) days[LocalDayOf(slot.start, zone)].push_back(slot);
  return days;
}

}  // namespace

status::FieldViolations ValidateSlotPolicy(const SlotPolicy& policy) {
  status::FieldViolations violations;
  if (policy.duration < kMinSlotDuration || policy.duration > kMaxSlotDuration ||
      policy.duration % kSlotDurationStep != absl::ZeroDuration()) {
    violations.Add("duration", "must be between 5 and 480 minutes, in steps of 5 minutes");
  }
  if (policy.capacity < kMinSlotCapacity || policy.capacity > kMaxSlotCapacity) {
    violations.Add("capacity", "must be between 1 and 100");
  }
  // NaN fails both comparisons, so it is rejected too.
  const bool phone_ok = policy.quota.phone_share >= 0.0 && policy.quota.phone_share <= 1.0;
  const bool desk_ok = policy.quota.desk_share >= 0.0 && policy.quota.desk_share <= 1.0;
  if (!phone_ok) violations.Add("quota.phone_share", "must be between 0 and 1");
  if (!desk_ok) violations.Add("quota.desk_share", "must be between 0 and 1");
  // The same tolerance as the seat computation: 0.7 + 0.3 must pass even if it is not exactly 1.
  if (phone_ok && desk_ok &&
      policy.quota.phone_share + policy.quota.desk_share > 1.0 + kShareTolerance) {
    violations.Add("quota", "phone_share and desk_share must add up to at most 1");
  }
  const bool notice_ok = policy.minimum_notice >= absl::ZeroDuration();
  if (!notice_ok) violations.Add("minimum_notice", "must not be negative");
  if (policy.booking_window > kMaxBookingWindow ||
      (notice_ok && policy.booking_window <= policy.minimum_notice) ||
      policy.booking_window <= absl::ZeroDuration()) {
    violations.Add("booking_window", "must be longer than minimum_notice and at most 366 days");
  }
  if (policy.reserve_release_before < absl::ZeroDuration() ||
      policy.reserve_release_before > policy.booking_window) {
    violations.Add("reserve_release_before", "must be between 0 and booking_window");
  }
  return violations;
}

CapacitySplit SplitCapacity(int capacity, const ChannelQuota& quota) {
  if (capacity <= 0) return {};
  const int phone = ReservedSeats(capacity, quota.phone_share);
  // min(): an invalid quota (shares adding up to more than 1) must not reserve more seats than
  // the slot has; the phone line, checked first, keeps its share.
  const int desk = std::min(ReservedSeats(capacity, quota.desk_share), capacity - phone);
  return {.reserved_phone = phone, .reserved_desk = desk, .general = capacity - phone - desk};
}

std::vector<Slot> CutSlots(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                           absl::Time now) {
  std::vector<Slot> slots;
  const absl::Duration duration = policy.duration;
  if (duration <= absl::ZeroDuration()) return slots;
  const absl::Time earliest = now + policy.minimum_notice;
  const absl::Time limit = now + policy.booking_window;  // exclusive
  for (const TimeInterval& interval : Normalise(open)) {
    if (interval.start >= limit) break;  // sorted: every later interval is beyond too
    for (absl::Time start = FirstGridPointFrom(interval.start, earliest, duration);
         start < limit && start + duration <= interval.end; start += duration) {
      slots.push_back({start, start + duration});
    }
  }
  return slots;
}

bool IsSlotStart(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                 absl::Time start) {
  const absl::Duration duration = policy.duration;
  if (duration <= absl::ZeroDuration()) return false;
  const std::vector<TimeInterval> intervals = Normalise(open);
  // The last interval starting at or before `start` is the only one that can contain it.
  auto after = std::upper_bound(
      intervals.begin(), intervals.end(), start,
      [](absl::Time t, const TimeInterval& interval) { return t < interval.start; });
  if (after == intervals.begin()) return false;
  const TimeInterval& interval = *std::prev(after);
  return start < interval.end && (start - interval.start) % duration == absl::ZeroDuration() &&
         start + duration <= interval.end;
}

int Remaining(const SlotPolicy& policy, const SlotUsage& usage, Channel channel,
              absl::Time slot_start, absl::Time now) {
  if (!IsKnownChannel(channel)) return 0;
  // int64_t: the counts come from outside and their sum must not overflow.
  const int64_t capacity = std::max(0, policy.capacity);
  const int64_t web = std::max(0, usage.web);
  const int64_t phone = std::max(0, usage.phone);
  const int64_t desk = std::max(0, usage.desk);
  // Whatever the channel, no more seats than the slot has left in total.
  const int64_t left = std::max<int64_t>(0, capacity - web - phone - desk);
  if (now >= slot_start - policy.reserve_release_before) return static_cast<int>(left);

  const CapacitySplit split = SplitCapacity(policy.capacity, policy.quota);
  const int64_t phone_overflow = std::max<int64_t>(0, phone - split.reserved_phone);
  const int64_t desk_overflow = std::max<int64_t>(0, desk - split.reserved_desk);
  const int64_t general_left =
      std::max<int64_t>(0, split.general - phone_overflow - desk_overflow - web);
  int64_t result = general_left;
  switch (channel) {
    case Channel::kWeb:
      break;
    case Channel::kPhone:
      result += split.reserved_phone - std::min<int64_t>(phone, split.reserved_phone);
      break;
    case Channel::kDesk:
      result += split.reserved_desk - std::min<int64_t>(desk, split.reserved_desk);
      break;
  }
  return static_cast<int>(std::min(result, left));
}

std::vector<AvailableSlot> AvailableSlots(const std::vector<TimeInterval>& open,
                                          const SlotPolicy& policy, const UsageByStart& usage,
                                          Channel channel, absl::Time now, FullSlots full_slots) {
  std::vector<AvailableSlot> available;
  for (const Slot& slot : CutSlots(open, policy, now)) {
    const auto it = usage.find(slot.start);
    const SlotUsage taken = it == usage.end() ? SlotUsage{} : it->second;
    const int remaining = Remaining(policy, taken, channel, slot.start, now);
    if (remaining == 0 && full_slots == FullSlots::kOmit) continue;
    available.push_back({slot.start, slot.end, remaining});
  }
  return available;
}

absl::Status CheckBookingTime(absl::Duration minimum_notice, absl::Duration booking_window,
                              absl::Time slot_start, absl::Time now) {
  if (slot_start < now + minimum_notice) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the slot starts too soon to be booked", "TOO_LATE");
  }
  if (slot_start >= now + booking_window) {
    return status::Error(absl::StatusCode::kFailedPrecondition,
                         "the slot is not open for booking yet", "OUTSIDE_BOOKING_WINDOW");
  }
  return absl::OkStatus();
}

absl::Status CheckBookable(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                           const SlotUsage& usage, Channel channel, absl::Time slot_start,
                           absl::Time now) {
  if (!ValidateSlotPolicy(policy).empty()) return status::Internal("invalid slot policy");
  if (!IsSlotStart(open, policy, slot_start)) {
    return status::Error(absl::StatusCode::kInvalidArgument,
                         "the requested start is not a slot of this desk and service",
                         "NOT_A_SLOT");
  }
  RETURN_IF_ERROR(CheckBookingTime(policy.minimum_notice, policy.booking_window, slot_start, now));
  if (Remaining(policy, usage, channel, slot_start, now) <= 0) {
    return status::Error(absl::StatusCode::kFailedPrecondition, "the slot is full", "SLOT_FULL");
  }
  return absl::OkStatus();
}

std::string FormatLocalStart(absl::Time start, const absl::TimeZone& zone) {
  return absl::FormatTime("%Y-%m-%dT%H:%M%Ez", start, zone);
}

absl::CivilDay LocalDayOf(absl::Time t, const absl::TimeZone& zone) {
  return absl::ToCivilDay(t, zone);
}

std::map<absl::CivilDay, std::vector<Slot>> GroupByLocalDay(const std::vector<Slot>& slots,
                                                            const absl::TimeZone& zone) {
  return GroupByDay(slots, zone);
}

std::map<absl::CivilDay, std::vector<AvailableSlot>> GroupByLocalDay(
    const std::vector<AvailableSlot>& slots, const absl::TimeZone& zone) {
  return GroupByDay(slots, zone);
}

std::string AvailabilityCacheKey(absl::string_view tenant, absl::string_view desk,
                                 absl::string_view service, absl::CivilDay local_day, int version) {
  return absl::StrCat("{", tenant, "}:avail:v", version, ":", desk, ":", service, ":",
                      absl::FormatCivilTime(local_day));
}

}  // namespace sportelli::scheduling
