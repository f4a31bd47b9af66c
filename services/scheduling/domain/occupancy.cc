#include "services/scheduling/domain/occupancy.h"

#include <algorithm>
#include <limits>

#include "services/scheduling/domain/slots.h"

namespace sportelli::scheduling {
namespace {

void Count(SlotUsage& usage, Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      ++usage.web;
      break;
    case Channel::kPhone:
      ++usage.phone;
      break;
    case Channel::kDesk:
      ++usage.desk;
      break;
  }
}

}  // namespace

std::vector<SlotUsage> UsageOver(absl::Span<const Occupancy> taken, absl::Time start,
                                 absl::Time end) {
  if (start >= end) return {SlotUsage{}};
  // The stretches are cut at every edge of an overlapping occupancy inside (start, end).
  std::vector<absl::Time> edges = {start, end};
  for (const Occupancy& seat : taken) {
    if (seat.start >= end || seat.end <= start) continue;
    if (seat.start > start) edges.push_back(seat.start);
    if (seat.end < end) edges.push_back(seat.end);
  }
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<SlotUsage> usage;
  for (size_t i = 0; i + 1 < edges.size(); ++i) {
    SlotUsage stretch;
    for (const Occupancy& seat : taken) {
      if (seat.start <= edges[i] && seat.end >= edges[i + 1]) Count(stretch, seat.channel);
    }
    if (std::find(usage.begin(), usage.end(), stretch) == usage.end()) usage.push_back(stretch);
  }
  return usage;
}

int RemainingOver(const SlotPolicy& policy, absl::Span<const SlotUsage> usage, Channel channel,
                  absl::Time slot_start, absl::Time now) {
  if (usage.empty()) return Remaining(policy, SlotUsage{}, channel, slot_start, now);
  int least = std::numeric_limits<int>::max();
  for (const SlotUsage& stretch : usage) {
    least = std::min(least, Remaining(policy, stretch, channel, slot_start, now));
  }
  return least;
}

absl::Status CheckBookableOver(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                               absl::Span<const SlotUsage> usage, Channel channel,
                               absl::Time slot_start, absl::Time now) {
  // The stretch with the fewest seats for this channel decides; CheckBookable then reports the
  // time problems first, exactly as for a single usage.
  const SlotUsage* tightest = nullptr;
  int least = std::numeric_limits<int>::max();
  for (const SlotUsage& stretch : usage) {
    const int seats = Remaining(policy, stretch, channel, slot_start, now);
    if (seats < least) {
      least = seats;
      tightest = &stretch;
    }
  }
  const SlotUsage none;
  return CheckBookable(open, policy, tightest == nullptr ? none : *tightest, channel, slot_start,
                       now);
}

std::vector<Slot> GridSlots(const std::vector<TimeInterval>& open, absl::Duration duration,
                            absl::Time from, absl::Time to) {
  if (from >= to) return {};
  SlotPolicy grid;
  grid.duration = duration;
  grid.minimum_notice = absl::ZeroDuration();
  grid.booking_window = to - from;
  return CutSlots(open, grid, from);
}

}  // namespace sportelli::scheduling
