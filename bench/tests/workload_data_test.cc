#include "bench/workload_data.h"

#include <map>
#include <regex>
#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/citizen/codice_fiscale.h"

namespace sportelli::bench {
namespace {

TEST(DeskServiceListTest, ParsesPairsSkippingCommentsAndBlankLines) {
  absl::StatusOr<std::vector<DeskService>> pairs = ParseDeskServiceList(
      "# desk service\n"
      "tenants/capannori/desks/sede-centrale tenants/capannori/services/colloquio\n"
      "\n"
      "  tenants/lucca/desks/centro\ttenants/lucca/services/ascolto  \n");
  ASSERT_TRUE(pairs.ok()) << pairs.status();
  ASSERT_EQ(pairs->size(), 2u);
  EXPECT_EQ((*pairs)[0].tenant, "capannori");
  EXPECT_EQ((*pairs)[0].desk, "tenants/capannori/desks/sede-centrale");
  EXPECT_EQ((*pairs)[0].service, "tenants/capannori/services/colloquio");
  EXPECT_EQ((*pairs)[1].tenant, "lucca");
}

TEST(DeskServiceListTest, RefusesMalformedLines) {
  EXPECT_FALSE(ParseDeskServiceList("").ok());
  EXPECT_FALSE(ParseDeskServiceList("tenants/a/desks/d\n").ok());
  EXPECT_FALSE(ParseDeskServiceList("tenants/a/desks/d tenants/b/services/s\n").ok());
  EXPECT_FALSE(ParseDeskServiceList("tenants/a/services/s tenants/a/desks/d\n").ok());
}

std::vector<SlotRef> SlotsOf(const std::string& tenant, int count, int capacity = 2) {
  std::vector<SlotRef> slots;
  for (int i = 0; i < count; ++i) {
    slots.push_back({tenant, "tenants/" + tenant + "/desks/d", "tenants/" + tenant + "/services/s",
                     absl::FromUnixSeconds(1'800'000'000 + i * 1800), capacity});
  }
  return slots;
}

TEST(ChooseRushSlotsTest, SpreadsAcrossTenantsAndNeverRepeatsASlot) {
  std::vector<SlotRef> available = SlotsOf("a", 100);
  for (const SlotRef& slot : SlotsOf("b", 100)) available.push_back(slot);
  for (const SlotRef& slot : SlotsOf("c", 3)) available.push_back(slot);
  absl::StatusOr<std::vector<SlotRef>> chosen = ChooseRushSlots(available, 51, 7);
  ASSERT_TRUE(chosen.ok()) << chosen.status();
  ASSERT_EQ(chosen->size(), 51u);
  std::map<std::string, int> per_tenant;
  std::set<std::pair<std::string, absl::Time>> distinct;
  for (const SlotRef& slot : *chosen) {
    ++per_tenant[slot.tenant];
    distinct.emplace(slot.desk, slot.start);
  }
  EXPECT_EQ(distinct.size(), 51u);
  EXPECT_EQ(per_tenant["c"], 3);  // all it has
  EXPECT_EQ(per_tenant["a"], 24);
  EXPECT_EQ(per_tenant["b"], 24);
}

TEST(ChooseRushSlotsTest, CountsADeskSlotListedForTwoServicesOnceAndSkipsFullOnes) {
  std::vector<SlotRef> available = SlotsOf("a", 3);
  std::vector<SlotRef> other_service = SlotsOf("a", 3);
  for (SlotRef& slot : other_service) slot.service = "tenants/a/services/t";
  available.insert(available.end(), other_service.begin(), other_service.end());
  available.push_back(
      {"a", "tenants/a/desks/d", "tenants/a/services/s", absl::FromUnixSeconds(1), 0});
  EXPECT_TRUE(ChooseRushSlots(available, 3, 1).ok());
  EXPECT_FALSE(ChooseRushSlots(available, 4, 1).ok());
}

TEST(RandomDataTest, UuidsAreVersion4AndDistinct) {
  const std::regex kUuid("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 10'000; ++i) {
    SplitMix64 random(Mix(99, i));
    const std::string uuid = UuidV4(random);
    ASSERT_TRUE(std::regex_match(uuid, kUuid)) << uuid;
    seen.insert(uuid);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomDataTest, CodiciFiscaliAreValidDecodableAndDistinct) {
  std::set<std::string> seen;
  for (uint64_t i = 0; i < 10'000; ++i) {
    SplitMix64 random(Mix(5, i));
    const std::string code = RandomCodiceFiscale(random);
    ASSERT_EQ(citizen::CheckCodiceFiscale(code), std::nullopt) << code;
    absl::StatusOr<citizen::CodiceFiscaleData> data =
        citizen::DecodeCodiceFiscale(code, absl::CivilDay(2026, 3, 20));
    ASSERT_TRUE(data.ok()) << data.status();
    EXPECT_GE(data->birth_date.year(), 1940);
    EXPECT_LE(data->birth_date.year(), 1999);
    seen.insert(code);
  }
  EXPECT_EQ(seen.size(), 10'000u);
}

TEST(RandomDataTest, MobileNumbersAreItalianE164) {
  SplitMix64 random(1);
  const std::regex kMobile("^\\+39333[0-9]{7}$");
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(std::regex_match(RandomMobileNumber(random), kMobile));
}

TEST(RandomDataTest, BelowStaysInRangeAndCoversIt) {
  SplitMix64 random(3);
  std::vector<int> counts(10, 0);
  for (int i = 0; i < 100'000; ++i) {
    const uint64_t value = random.Below(10);
    ASSERT_LT(value, 10u);
    ++counts[value];
  }
  for (int count : counts) EXPECT_NEAR(count, 10'000, 500);
}

TEST(RandomDataTest, VisitorsHaveDistinctPrivateAddresses) {
  EXPECT_EQ(VisitorAddress(0), "10.0.0.0");
  EXPECT_EQ(VisitorAddress(258), "10.0.1.2");
  EXPECT_EQ(VisitorAddress(100000), "10.1.134.160");
  std::set<std::string> seen;
  for (int64_t i = 0; i < 100000; ++i) seen.insert(VisitorAddress(i));
  EXPECT_EQ(seen.size(), 100000);
}

TEST(CompareRushTest, ConfirmedMatchesExpectedWhenEverySlotFillsToItsCapacity) {
  // Slot 0: 3 seats, 10 attempts -> 3; slot 1: 5 seats, 2 attempts -> 2; slot 2 had 1 booking
  // before.
  const RushOutcome outcome = CompareRush({3, 5, 2}, {10, 2, 4}, {0, 0, 1}, {3, 2, 3});
  EXPECT_EQ(outcome.slots, 3);
  EXPECT_EQ(outcome.expected, 7);
  EXPECT_EQ(outcome.confirmed, 7);
  EXPECT_EQ(outcome.over_capacity_slots, 0);
  EXPECT_EQ(outcome.mismatched_slots, 0);
  EXPECT_TRUE(outcome.passed());
}

TEST(CompareRushTest, OverbookingAndLostBookingsFail) {
  const RushOutcome over = CompareRush({3}, {10}, {0}, {4});
  EXPECT_EQ(over.over_capacity_slots, 1);
  EXPECT_FALSE(over.passed());
  const RushOutcome lost = CompareRush({3, 3}, {10, 10}, {0, 0}, {3, 2});
  EXPECT_EQ(lost.over_capacity_slots, 0);
  EXPECT_EQ(lost.mismatched_slots, 1);
  EXPECT_EQ(lost.confirmed, 5);
  EXPECT_EQ(lost.expected, 6);
  EXPECT_FALSE(lost.passed());
}

TEST(InterleaveTenantsTest, TakesTenantsInTurnKeepingEachOnesOrder) {
  auto slot = [](const char* tenant, int minute) {
    return SlotRef{tenant, "", "", absl::FromUnixSeconds(minute * 60), 1};
  };
  const std::vector<SlotRef> interleaved = InterleaveTenants(
      {slot("lucca", 1), slot("lucca", 2), slot("lucca", 3), slot("capannori", 1)});
  std::vector<std::pair<std::string, absl::Time>> got;
  for (const SlotRef& s : interleaved) got.emplace_back(s.tenant, s.start);
  const std::vector<std::pair<std::string, absl::Time>> want = {
      {"capannori", absl::FromUnixSeconds(60)},
      {"lucca", absl::FromUnixSeconds(60)},
      {"lucca", absl::FromUnixSeconds(120)},
      {"lucca", absl::FromUnixSeconds(180)}};
  EXPECT_EQ(got, want);
}

}  // namespace
}  // namespace sportelli::bench
