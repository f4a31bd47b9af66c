// The value types of slot generation (see slots.h): plain structs, no I/O, no protobuf. The
// scheduling gRPC layer maps them to and from sportelli.scheduling.v1 messages and builds a
// SlotPolicy from the desk (capacity), the service (duration) and the tenant's booking rules.
//
// Every absl::Time here is an instant (UTC). Wall-clock time in the comune's zone appears only
// when a slot is shown to a person (FormatLocalStart) or grouped by day (GroupByLocalDay).
#ifndef SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOT_MODEL_H_
#define SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOT_MODEL_H_

#include "absl/time/time.h"
#include "sportelli/clock/time_interval.h"

namespace sportelli::scheduling {

using clock::TimeInterval;  // [start, end), shared by every service

// One bookable appointment time, [start, end) in UTC; end - start is the service's duration.
// A slot is identified by its start (bookings store the start; see IsSlotStart).
struct Slot {
  absl::Time start;
  absl::Time end;

  bool operator==(const Slot&) const = default;
};

// How a citizen books. The phone line and the desk are run by operators who also serve people
// without internet access, so part of every slot can be kept for them (ChannelQuota).
enum class Channel { kWeb, kPhone, kDesk };

// The share of each slot's capacity kept for the phone line and for the desk until
// SlotPolicy::reserve_release_before; the rest is the general pool, open to every channel.
// Each share is in [0, 1] and their sum is at most 1. A share is a fraction rather than a
// seat count so that one tenant-wide rule fits desks of any capacity.
struct ChannelQuota {
  double phone_share = 0.0;
  double desk_share = 0.0;

  bool operator==(const ChannelQuota&) const = default;
};

// Everything slot generation needs to know about one (desk, service) pair. Check it with
// ValidateSlotPolicy before use; the functions in slots.h stay total on an invalid policy but
// their answers are then meaningless.
struct SlotPolicy {
  absl::Duration duration = absl::Minutes(30);  // the service's duration: 5..480 min, step 5
  int capacity = 1;                             // citizens served in parallel: 1..100
  absl::Duration minimum_notice = absl::Hours(2);
  absl::Duration booking_window = absl::Hours(24 * 60);
  ChannelQuota quota;
  // Unused phone/desk reserves are released to every channel from this long before the slot's
  // start: a seat nobody phoned for the day before is better given to the web than left empty.
  absl::Duration reserve_release_before = absl::Hours(24);
};

// How many seats of one slot are taken, by the channel that took them. Each count includes the
// active holds of that channel (a hold is a seat, or two citizens could confirm the last one).
// Counts are never negative; a negative count is treated as 0.
struct SlotUsage {
  int web = 0;
  int phone = 0;
  int desk = 0;

  bool operator==(const SlotUsage&) const = default;
};

// A slot with the seats still open to the channel that asked.
struct AvailableSlot {
  absl::Time start;
  absl::Time end;
  int remaining = 0;

  bool operator==(const AvailableSlot&) const = default;
};

// How a capacity splits between the reserves and the general pool (SplitCapacity).
struct CapacitySplit {
  int reserved_phone = 0;
  int reserved_desk = 0;
  int general = 0;

  bool operator==(const CapacitySplit&) const = default;
};

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOT_MODEL_H_
