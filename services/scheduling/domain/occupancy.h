// Seats of a desk over time. Capacity belongs to the desk, not to one service: a desk with two
// seats serving a 30-minute and a 60-minute service has a seat free for a new booking only if,
// at every instant of the new booking's interval, fewer than two bookings (or active holds)
// overlap it. Bookings of different durations and grids overlap partially, so a slot's usage is
// not one number: it is the usage of each stretch of the slot between two booking edges, and a
// channel has a seat in the slot only if it has one in every stretch (RemainingOver).
//
//   std::vector<Occupancy> taken = ...;  // bookings and holds of the desk, from the database
//   std::vector<SlotUsage> usage = UsageOver(taken, slot.start, slot.end);
//   int seats = RemainingOver(policy, usage, Channel::kWeb, slot.start, now);
//
// With one service per desk (the usual case) every booking covers whole slots, each slot has a
// single stretch, and this reduces to counting the bookings that start with the slot.
#ifndef SPORTELLI_SERVICES_SCHEDULING_DOMAIN_OCCUPANCY_H_
#define SPORTELLI_SERVICES_SCHEDULING_DOMAIN_OCCUPANCY_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "services/scheduling/domain/slot_model.h"

namespace sportelli::scheduling {

// One taken seat of a desk: a booking or an active hold, [start, end) in UTC.
struct Occupancy {
  absl::Time start;
  absl::Time end;
  Channel channel = Channel::kWeb;
  bool operator==(const Occupancy&) const = default;
};

// The usage of each stretch of [start, end) between consecutive edges of the occupancies that
// overlap it, without repeats (order unspecified). Never empty: {SlotUsage{}} when nothing
// overlaps or the interval is empty. Occupancies touching the interval only at an end do not
// overlap it (intervals are half-open).
std::vector<SlotUsage> UsageOver(absl::Span<const Occupancy> taken, absl::Time start,
                                 absl::Time end);

// The seats `channel` has in a slot whose stretches have `usage`: the least Remaining over the
// stretches. An empty span means nothing is taken.
int RemainingOver(const SlotPolicy& policy, absl::Span<const SlotUsage> usage, Channel channel,
                  absl::Time slot_start, absl::Time now);

// CheckBookable (slots.h) for a slot whose stretches have `usage`: the same checks in the same
// order, SLOT_FULL when RemainingOver is 0.
absl::Status CheckBookableOver(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                               absl::Span<const SlotUsage> usage, Channel channel,
                               absl::Time slot_start, absl::Time now);

// Every slot of the grid cut from `open` (as CutSlots) starting in [from, to), whatever the
// notice and the booking window: what the availability cache stores for a day, before the
// clock-dependent rules are applied when answering.
std::vector<Slot> GridSlots(const std::vector<TimeInterval>& open, absl::Duration duration,
                            absl::Time from, absl::Time to);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DOMAIN_OCCUPANCY_H_
