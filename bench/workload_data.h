// The pure data side of the scenarios: the desks file, the slots a rush aims at, the random but
// valid citizens and request ids every booking needs, and the arithmetic of the rush check.
// No gRPC or database here, so all of it is unit-tested.
//
//   ASSIGN_OR_RETURN(std::vector<DeskService> pairs, ParseDeskServiceList(file_text));
//   SplitMix64 random(Mix(run_seed, request_index));
//   std::string request_id = UuidV4(random);
//   std::string code = RandomCodiceFiscale(random);
#ifndef SPORTELLI_BENCH_WORKLOAD_DATA_H_
#define SPORTELLI_BENCH_WORKLOAD_DATA_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sportelli::bench {

// One line of a --desks file: "tenants/T/desks/D tenants/T/services/S".
struct DeskService {
  std::string tenant;   // T
  std::string desk;     // the full desk name
  std::string service;  // the full service name
};

// Lines of two names separated by blanks; blank lines and lines starting with '#' are skipped.
// INVALID_ARGUMENT (with the line number) for a malformed name, a desk and a service of two
// different tenants, or a file without any pair.
absl::StatusOr<std::vector<DeskService>> ParseDeskServiceList(absl::string_view text);

// A free slot found before the run.
struct SlotRef {
  std::string tenant;
  std::string desk;
  std::string service;
  absl::Time start;
  int capacity = 0;  // remaining seats for the channel when listed
};

// `count` slots for the rush, spread across tenants: taken in turn from each tenant (while it
// has slots left), each tenant's slots in a random order fixed by `seed`. Two slots of the same
// desk and start time (listed for two services) count once, as the database check counts per
// desk and start time. Slots without capacity are skipped. INVALID_ARGUMENT when fewer than
// `count` distinct slots are available.
absl::StatusOr<std::vector<SlotRef>> ChooseRushSlots(const std::vector<SlotRef>& available,
                                                     int64_t count, uint64_t seed);

// `slots` reordered so that consecutive slots belong to different tenants in turn (each
// tenant's slots keep their order; a tenant that runs out drops out of the turn): booked round
// robin, every comune then gets its share of the bookings at every moment, not one comune's
// whole list after another's (the watch scenario's subscribers are spread over the comuni).
std::vector<SlotRef> InterleaveTenants(const std::vector<SlotRef>& slots);

// A small, fast, well-mixed PRNG (SplitMix64): one per request, seeded with Mix(run, index), so
// every thread draws without locks and a request's content depends only on its index.
class SplitMix64 final {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  // Uniform in [0, bound); bound > 0.
  uint64_t Below(uint64_t bound);

 private:
  uint64_t state_;
};

// A seed for item `index` of a run seeded with `seed`.
uint64_t Mix(uint64_t seed, uint64_t index);

// An RFC 4122 version 4 UUID in lower-case canonical form ("xxxxxxxx-xxxx-4xxx-Nxxx-xxxxxxxxxxxx").
std::string UuidV4(SplitMix64& random);

// A random codice fiscale whose check letter is right: random letters for the names, a birth
// date between 1940 and 1999 (so every holder is an adult whatever the day) on days 1..28 (valid
// in every month), either sex, a random place code. Omocodia is not used.
std::string RandomCodiceFiscale(SplitMix64& random);

// "+39333" and seven random digits: an Italian mobile number in E.164.
std::string RandomMobileNumber(SplitMix64& random);

// The address of visitor `index` of a portal (x-forwarded-for): 10.x.y.z, distinct for 16
// million visitors.
std::string VisitorAddress(int64_t index);

// What the database says after a rush, slot by slot (all vectors have one entry per slot, in
// the same order): seats free for the channel before, attempts sent, live (not cancelled)
// appointments at the desk and start time before and after the rush.
struct RushOutcome {
  int64_t slots = 0;
  int64_t over_capacity_slots = 0;  // more new appointments than seats
  int64_t mismatched_slots = 0;     // new appointments != min(seats, attempts)
  int64_t confirmed = 0;            // new appointments in all
  int64_t expected = 0;             // sum of min(seats, attempts)
  bool passed() const { return over_capacity_slots == 0 && confirmed == expected; }
};

RushOutcome CompareRush(const std::vector<int64_t>& capacity, const std::vector<int64_t>& attempts,
                        const std::vector<int64_t>& live_before,
                        const std::vector<int64_t>& live_after);

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_WORKLOAD_DATA_H_
