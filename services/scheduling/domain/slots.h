// Appointment slots of a desk for one service: which start times exist, which a citizen may
// still book through a given channel, and whether one booking request may go ahead. Pure
// functions on UTC instants; the scheduling service feeds them the desk's open intervals (from
// the tenants service) and the seats already taken (from its database), and checks a booking
// with CheckBookable inside the transaction that writes it, so two requests for the last seat
// cannot both succeed (the database's own constraint remains the last line of defence).
//
//   SlotPolicy policy{.duration = absl::Minutes(30), .capacity = desk.capacity,
//                     .minimum_notice = absl::Hours(2), .booking_window = absl::Hours(24 * 60),
//                     .quota = {.phone_share = 0.2, .desk_share = 0.2},
//                     .reserve_release_before = absl::Hours(24)};
//   RETURN_IF_ERROR(ValidateSlotPolicy(policy).ToStatus());
//   // Portal: what the web may book, full slots hidden, grouped by the comune's days.
//   std::vector<AvailableSlot> free =
//       AvailableSlots(open, policy, usage_by_start, Channel::kWeb, clock.Now());
//   for (const auto& [day, slots] : GroupByLocalDay(free, rome)) { ... }
//   // Booking transaction, with the seats counted under lock:
//   RETURN_IF_ERROR(CheckBookable(open, policy, usage, Channel::kPhone, start, clock.Now()));
//
// Time. Slots are cut in real (UTC) time from the start of each open interval, one duration
// after another, and a remainder shorter than the duration is dropped. An appointment lasts
// real minutes, so this is right on the days the clocks change: a desk open 01:00-04:00 on
// Sunday 29 March 2026 is open two real hours and has four 30-minute slots, shown as 01:00,
// 01:30, 03:00 and 03:30; on Sunday 25 October 2026 it is open four real hours and has eight,
// two of them shown as 02:00 (one at +02:00, one at +01:00). FormatLocalStart labels a start
// with its UTC offset so the two can be told apart. The grid is anchored at the interval's
// start, never at `now`: a slot keeps its start whenever it is asked for.
//
// Seats. Each slot has `capacity` seats. ChannelQuota keeps floor(capacity * share) of them for
// the phone line and for the desk; the rest is the general pool. A phone (desk) booking uses
// the phone (desk) reserve first and then the general pool; a web booking uses only the general
// pool. From reserve_release_before the slot's start, reserves no longer exist and every
// channel shares what is left. See Remaining.
#ifndef SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOTS_H_
#define SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOTS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/domain/slot_model.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

// The bounds ValidateSlotPolicy enforces. Durations and capacity match the tenants service's
// rules for a service and a desk, so anything stored there is accepted here.
inline constexpr absl::Duration kMinSlotDuration = absl::Minutes(5);
inline constexpr absl::Duration kMaxSlotDuration = absl::Minutes(480);
inline constexpr absl::Duration kSlotDurationStep = absl::Minutes(5);
inline constexpr int kMinSlotCapacity = 1;
inline constexpr int kMaxSlotCapacity = 100;
// A year ahead is the longest any comune plans; the bound also caps the slots one request can
// generate (366 days of 5-minute slots is about 105,000).
inline constexpr absl::Duration kMaxBookingWindow = absl::Hours(24 * 366);

// Every problem of `policy`, with field paths named as in SlotPolicy ("duration",
// "quota.phone_share", ...). The caller adds a prefix and turns it into a status:
//   RETURN_IF_ERROR(ValidateSlotPolicy(policy).ToStatus());
// Rules: duration 5..480 minutes and a multiple of 5; capacity 1..100; each share in [0, 1]
// and their sum at most 1; minimum_notice >= 0; minimum_notice < booking_window <= 366 days;
// 0 <= reserve_release_before <= booking_window (a longer release would mean the reserves are
// never kept: set the shares to 0 instead).
status::FieldViolations ValidateSlotPolicy(const SlotPolicy& policy);

// How `capacity` seats split into the phone reserve, the desk reserve and the general pool.
// Reserves round down, so rounding never takes a seat from the web: with 3 seats and 20 %
// each, no seat is reserved; with 5, one each. Shares outside [0, 1] (or NaN) are clamped, and
// the reserves never exceed the capacity, so the result is always consistent.
CapacitySplit SplitCapacity(int capacity, const ChannelQuota& quota);

// The slots of `open` a citizen may book at `now`: every [t, t + duration) cut from each
// interval's start that fits in the interval, keeping those with
//   now + minimum_notice <= t < now + booking_window.
// Slots outside the notice or the window are not returned at all (rather than returned as
// unavailable): no channel may book them, and the booking window would otherwise make answers
// unbounded. Sorted by start; no two slots overlap.
//
// `open` is normalised first (sorted, touching or overlapping intervals merged, empty ones
// dropped). The tenants service already answers that way; doing it again makes the grid depend
// only on when the desk is open, never on how the intervals were split, so CutSlots and
// IsSlotStart cannot disagree. For the same reason a caller checking one slot must pass the
// whole open interval the slot lies in: for a desk open across midnight, ask the tenants
// service for the neighbouring day too.
//
// The notice and the window are real durations and the window rolls with `now`: 60 days after
// 10:00 on 20 March (CET) ends at 11:00 on 19 May (CEST), the same instant 1440 hours later.
//
// A policy with a non-positive duration yields no slots (instead of looping forever).
std::vector<Slot> CutSlots(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                           absl::Time now);

// True when a slot of `open` starts at `start`, whatever the clock says (the same grid as
// CutSlots without the notice and window filter). A booking request names its slot by the
// start; anything else (a minute off, a closed day, the dropped remainder) is not a slot.
bool IsSlotStart(const std::vector<TimeInterval>& open, const SlotPolicy& policy, absl::Time start);

// Seats of the slot starting at `slot_start` still open to `channel` at `now`, given the seats
// already taken (`usage`, holds included). Only seats are considered here: the notice and the
// window are CutSlots' and CheckBookable's business.
//
// Before the release (now < slot_start - reserve_release_before), with the split of
// SplitCapacity and overflow_c = max(0, usage.c - reserved_c) for c in {phone, desk}:
//   web   = general - overflow_phone - overflow_desk - usage.web
//   phone = web + reserved_phone - min(usage.phone, reserved_phone)
//   desk  = web + reserved_desk  - min(usage.desk,  reserved_desk)
// From the release on: capacity - (usage.web + usage.phone + usage.desk), for every channel.
//
// The result is clamped to [0, capacity - total taken]. A negative intermediate value means an
// over-booked slot, which the database must never allow; clamping makes sure such a slot offers
// no further seat instead of a negative (or, added to a reserve, a phantom) one. An unknown
// Channel value gets 0.
int Remaining(const SlotPolicy& policy, const SlotUsage& usage, Channel channel,
              absl::Time slot_start, absl::Time now);

// Seats taken per slot, keyed by the slot's start. Missing means nothing taken. The caller
// counts every booking and active hold at the desk that occupies the slot's time; with one
// service and an unchanged grid that is the bookings starting at the same instant. Entries at
// instants that are not slot starts are ignored.
using UsageByStart = absl::flat_hash_map<absl::Time, SlotUsage>;

// Whether AvailableSlots lists slots with no seat left for the channel. The citizen portal
// hides them (kOmit, a full slot is noise); operator consoles show them (kInclude) to see how
// the day is filling and to offer the next slot on the phone.
enum class FullSlots { kOmit, kInclude };

// CutSlots with the seats Remaining to `channel` in each slot, in start order.
std::vector<AvailableSlot> AvailableSlots(const std::vector<TimeInterval>& open,
                                          const SlotPolicy& policy, const UsageByStart& usage,
                                          Channel channel, absl::Time now,
                                          FullSlots full_slots = FullSlots::kOmit);

// The time rules alone, CheckBookable's second and third checks:
//   FAILED_PRECONDITION "TOO_LATE"               slot_start < now + minimum_notice
//   FAILED_PRECONDITION "OUTSIDE_BOOKING_WINDOW" slot_start >= now + booking_window
// They need neither the desk's hours nor its bookings, so a request for a time nobody may book
// is answered with them before anything is asked of the tenants service or the database.
absl::Status CheckBookingTime(absl::Duration minimum_notice, absl::Duration booking_window,
                              absl::Time slot_start, absl::Time now);

// Whether one more booking through `channel` may take the slot starting at `slot_start`.
// `usage` counts the seats taken without the booking being checked (when a hold turns into a
// booking, leave that hold out). Checks in this order, the first failure wins:
//   INVALID_ARGUMENT   "NOT_A_SLOT"              slot_start is not a start of `open` (IsSlotStart)
//   FAILED_PRECONDITION "TOO_LATE"               slot_start < now + minimum_notice (also the past)
//   FAILED_PRECONDITION "OUTSIDE_BOOKING_WINDOW" slot_start >= now + booking_window
//   FAILED_PRECONDITION "SLOT_FULL"              Remaining(...) == 0
// The time checks come before the seats so a slot in the past is reported as too late, not as
// full. An invalid policy is a server-side error (policies are validated when configured):
// INTERNAL. Messages carry no personal data.
absl::Status CheckBookable(const std::vector<TimeInterval>& open, const SlotPolicy& policy,
                           const SlotUsage& usage, Channel channel, absl::Time slot_start,
                           absl::Time now);

// `start` as the comune's wall clock with its UTC offset, RFC 3339 to the minute:
// "2026-10-25T02:00+02:00" and, an hour later in real time, "2026-10-25T02:00+01:00". Slot
// starts are whole minutes (opening hours are minutes, durations multiples of 5), so nothing
// is lost by leaving seconds out.
std::string FormatLocalStart(absl::Time start, const absl::TimeZone& zone);

// The comune's calendar day at instant `t` (a 23- or 25-hour day on the clock-change Sundays).
absl::CivilDay LocalDayOf(absl::Time t, const absl::TimeZone& zone);

// Slots by the local day of their start (a slot running past midnight belongs to the day it
// starts), each day's slots in input order. This is how a portal shows a calendar and how the
// availability cache is partitioned (AvailabilityCacheKey).
std::map<absl::CivilDay, std::vector<Slot>> GroupByLocalDay(const std::vector<Slot>& slots,
                                                            const absl::TimeZone& zone);
std::map<absl::CivilDay, std::vector<AvailableSlot>> GroupByLocalDay(
    const std::vector<AvailableSlot>& slots, const absl::TimeZone& zone);

// The Redis key of one local day's availability of a service at a desk:
//   AvailabilityCacheKey("capannori", "sede-centrale", "ascolto-accoglienza",
//                        absl::CivilDay(2026, 3, 29), 3)
//     == "{capannori}:avail:v3:sede-centrale:ascolto-accoglienza:2026-03-29"
// The tenant is the Redis Cluster hash tag, so one tenant's keys share a shard and can be
// invalidated together (and a slow tenant never spreads over every shard). `version` is bumped
// to drop every entry at once when the cached value's format or the rules behind it change.
// The key names neither a channel nor a time, so the value must not depend on them: cache the
// day's slots and their SlotUsage, and apply Remaining and the notice when answering.
// The ids must be valid resource ids (api::IsValidResourceId: a-z, 0-9, '-'), which need no
// escaping; they are validated at the API edge and not again here.
std::string AvailabilityCacheKey(absl::string_view tenant, absl::string_view desk,
                                 absl::string_view service, absl::CivilDay local_day, int version);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DOMAIN_SLOTS_H_
