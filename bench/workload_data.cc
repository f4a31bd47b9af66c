#include "bench/workload_data.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::bench {

absl::StatusOr<std::vector<DeskService>> ParseDeskServiceList(absl::string_view text) {
  std::vector<DeskService> pairs;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line.front() == '#') continue;
    std::vector<absl::string_view> fields =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    const std::string where = absl::StrCat("desks file, line ", line_number, ": ");
    if (fields.size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "expected 'tenants/T/desks/D tenants/T/services/S'"));
    }
    absl::StatusOr<std::vector<std::string>> desk =
        api::ParseResourceName(fields[0], "tenants/{tenant}/desks/{desk}", "desk");
    absl::StatusOr<std::vector<std::string>> service =
        api::ParseResourceName(fields[1], "tenants/{tenant}/services/{service}", "service");
    if (!desk.ok() || !service.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(where, "malformed desk or service name"));
    }
    if ((*desk)[0] != (*service)[0]) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, "the desk and the service belong to different tenants"));
    }
    pairs.push_back({(*desk)[0], std::string(fields[0]), std::string(fields[1])});
  }
  if (pairs.empty()) return absl::InvalidArgumentError("desks file: no desk and service pair");
  return pairs;
}

absl::StatusOr<std::vector<SlotRef>> ChooseRushSlots(const std::vector<SlotRef>& available,
                                                     int64_t count, uint64_t seed) {
  // Per tenant, distinct (desk, start) slots with seats, in a seeded random order.
  std::map<std::string, std::vector<const SlotRef*>> by_tenant;
  std::set<std::pair<std::string, absl::Time>> seen;
  for (const SlotRef& slot : available) {
    if (slot.capacity <= 0 || !seen.emplace(slot.desk, slot.start).second) continue;
    by_tenant[slot.tenant].push_back(&slot);
  }
  if (static_cast<int64_t>(seen.size()) < count) {
    return absl::InvalidArgumentError(absl::StrCat("only ", seen.size(),
                                                   " distinct free slots found, ", count,
                                                   " wanted: widen --days or add desks"));
  }
  SplitMix64 random(seed);
  for (auto& [tenant, slots] : by_tenant) {
    for (size_t i = slots.size(); i > 1; --i) std::swap(slots[i - 1], slots[random.Below(i)]);
  }
  std::vector<SlotRef> chosen;
  chosen.reserve(count);
  for (size_t round = 0; static_cast<int64_t>(chosen.size()) < count; ++round) {
    for (const auto& [tenant, slots] : by_tenant) {
      if (round < slots.size() && static_cast<int64_t>(chosen.size()) < count)
        chosen.push_back(*slots[round]);
    }
  }
  return chosen;
}

std::vector<SlotRef> InterleaveTenants(const std::vector<SlotRef>& slots) {
  std::map<std::string, std::vector<const SlotRef*>> by_tenant;
  for (const SlotRef& slot : slots) by_tenant[slot.tenant].push_back(&slot);
  std::vector<SlotRef> interleaved;
  interleaved.reserve(slots.size());
  for (size_t round = 0; interleaved.size() < slots.size(); ++round) {
    for (const auto& [tenant, own] : by_tenant) {
      if (round < own.size()) interleaved.push_back(*own[round]);
    }
  }
  return interleaved;
}

uint64_t SplitMix64::Next() {
  uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t SplitMix64::Below(uint64_t bound) {
  // Lemire's multiply-shift: the bias is below bound / 2^64, far under anything measurable here.
  __extension__ typedef unsigned __int128 Uint128;
  return static_cast<uint64_t>((static_cast<Uint128>(Next()) * bound) >> 64);
}

uint64_t Mix(uint64_t seed, uint64_t index) {
  SplitMix64 random(seed ^ (index * 0xd1b54a32d192ed03ULL));
  return random.Next();
}

std::string UuidV4(SplitMix64& random) {
  uint64_t high = random.Next();
  uint64_t low = random.Next();
  high = (high & ~0xf000ULL) | 0x4000ULL;            // version 4
  low = (low & ~(0xc0ULL << 56)) | (0x80ULL << 56);  // variant 10xx
  constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  auto append = [&](uint64_t value, int from_nibble, int nibbles) {
    for (int i = from_nibble; i < from_nibble + nibbles; ++i)
      out.push_back(kHex[(value >> (60 - 4 * i)) & 0xf]);
  };
  append(high, 0, 8);
  out.push_back('-');
  append(high, 8, 4);
  out.push_back('-');
  append(high, 12, 4);
  out.push_back('-');
  append(low, 0, 4);
  out.push_back('-');
  append(low, 4, 12);
  return out;
}

std::string RandomCodiceFiscale(SplitMix64& random) {
  constexpr absl::string_view kMonths = "ABCDEHLMPRST";
  std::string code;
  code.reserve(16);
  auto letter = [&] { code.push_back(static_cast<char>('A' + random.Below(26))); };
  auto digits = [&](int value, int width) {
    std::string text = std::to_string(value);
    code.append(width - static_cast<int>(text.size()), '0').append(text);
  };
  for (int i = 0; i < 6; ++i) letter();                // surname, name
  digits(40 + static_cast<int>(random.Below(60)), 2);  // 1940..1999
  code.push_back(kMonths[random.Below(kMonths.size())]);
  digits(1 + static_cast<int>(random.Below(28)) + (random.Below(2) == 0 ? 0 : 40), 2);
  letter();  // place of birth
  digits(static_cast<int>(random.Below(1000)), 3);
  // The first fifteen characters are upper-case letters and digits by construction.
  code.push_back(*citizen::CodiceFiscaleCheckCharacter(code));
  return code;
}

std::string RandomMobileNumber(SplitMix64& random) {
  std::string number = "+39333";
  for (int i = 0; i < 7; ++i) number.push_back(static_cast<char>('0' + random.Below(10)));
  return number;
}

RushOutcome CompareRush(const std::vector<int64_t>& capacity, const std::vector<int64_t>& attempts,
                        const std::vector<int64_t>& live_before,
                        const std::vector<int64_t>& live_after) {
  RushOutcome outcome;
  outcome.slots = static_cast<int64_t>(capacity.size());
  for (size_t i = 0; i < capacity.size(); ++i) {
    const int64_t booked = live_after[i] - live_before[i];
    const int64_t expected = std::min(capacity[i], attempts[i]);
    outcome.confirmed += booked;
    outcome.expected += expected;
    if (booked > capacity[i]) ++outcome.over_capacity_slots;
    if (booked != expected) ++outcome.mismatched_slots;
  }
  return outcome;
}

std::string VisitorAddress(int64_t index) {
  const uint64_t n = static_cast<uint64_t>(index) & 0xffffff;
  return absl::StrCat("10.", n >> 16, ".", (n >> 8) & 0xff, ".", n & 0xff);
}

}  // namespace sportelli::bench
