#include "services/tenants/domain/validation.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sportelli::tenants {
namespace {

using ::sportelli::status::FieldViolations;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Pair;
using ::testing::SizeIs;
using ::testing::UnorderedElementsAre;

using Violations = std::vector<std::pair<std::string, std::string>>;

constexpr int H(int hour, int minute = 0) { return hour * 60 + minute; }

// The fields that have a violation, in order.
std::vector<std::string> Fields(const FieldViolations& violations) {
  std::vector<std::string> fields;
  for (const auto& [field, description] : violations.violations()) fields.push_back(field);
  return fields;
}

// --- Predicates, table-driven ------------------------------------------------------------

struct StringCase {
  std::string value;
  bool valid;
};

void PrintTo(const StringCase& c, std::ostream* os) { *os << "\"" << c.value << "\""; }

class PostalCodeTest : public ::testing::TestWithParam<StringCase> {};
TEST_P(PostalCodeTest, Rule) { EXPECT_EQ(IsPostalCode(GetParam().value), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(Caps, PostalCodeTest,
                         ::testing::Values(StringCase{"55012", true}, StringCase{"00010", true},
                                           StringCase{"5501", false}, StringCase{"550123", false},
                                           StringCase{"55O12", false}, StringCase{"", false},
                                           StringCase{" 5501", false}));

class ProvinceTest : public ::testing::TestWithParam<StringCase> {};
TEST_P(ProvinceTest, Rule) { EXPECT_EQ(IsProvinceCode(GetParam().value), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(Sigle, ProvinceTest,
                         ::testing::Values(StringCase{"LU", true}, StringCase{"PI", true},
                                           StringCase{"lu", false}, StringCase{"L", false},
                                           StringCase{"LUC", false}, StringCase{"L1", false},
                                           StringCase{"", false}));

class IstatTest : public ::testing::TestWithParam<StringCase> {};
TEST_P(IstatTest, Rule) { EXPECT_EQ(IsIstatCode(GetParam().value), GetParam().valid); }
INSTANTIATE_TEST_SUITE_P(Codes, IstatTest,
                         ::testing::Values(StringCase{"046007", true}, StringCase{"46007", false},
                                           StringCase{"0460070", false},
                                           StringCase{"04600a", false}, StringCase{"", false}));

TEST(IsCalendarDateTest, RealAndImpossibleDates) {
  EXPECT_TRUE(IsCalendarDate(2026, 3, 29));
  EXPECT_TRUE(IsCalendarDate(2028, 2, 29));
  EXPECT_TRUE(IsCalendarDate(0, 2, 29));  // a recurring holiday's date
  EXPECT_FALSE(IsCalendarDate(2027, 2, 29));
  EXPECT_FALSE(IsCalendarDate(2026, 4, 31));
  EXPECT_FALSE(IsCalendarDate(2026, 13, 1));
  EXPECT_FALSE(IsCalendarDate(2026, 0, 1));
  EXPECT_FALSE(IsCalendarDate(2026, 1, 0));
  EXPECT_FALSE(IsCalendarDate(2026, 1, 32));
}

// --- Text --------------------------------------------------------------------------------

Violations DisplayName(absl::string_view value) {
  FieldViolations violations;
  CheckDisplayName("display_name", value, violations);
  return violations.violations();
}

TEST(DisplayNameTest, Accepts) {
  EXPECT_THAT(DisplayName("Sportello sociale di Capannori"), IsEmpty());
  EXPECT_THAT(DisplayName("Casa della Salute di Marlia – sportello"), IsEmpty());  // en dash
  EXPECT_THAT(DisplayName("Lunedì dell'Angelo"), IsEmpty());
  EXPECT_THAT(DisplayName("X"), IsEmpty());
}

TEST(DisplayNameTest, RequiredAfterTrimming) {
  EXPECT_THAT(DisplayName(""), ElementsAre(Pair("display_name", "is required")));
  EXPECT_THAT(DisplayName("   "), ElementsAre(Pair("display_name", "is required")));
}

TEST(DisplayNameTest, LengthCountsCodePointsAfterTrimming) {
  const std::string accented_200 = [] {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "è";  // 2 bytes each: 400 bytes, 200 code points
    return s;
  }();
  EXPECT_THAT(DisplayName(accented_200), IsEmpty());
  EXPECT_THAT(DisplayName("  " + std::string(200, 'a') + "  "), IsEmpty());
  EXPECT_THAT(DisplayName(accented_200 + "è"),
              ElementsAre(Pair("display_name", "must be at most 200 characters")));
}

TEST(DisplayNameTest, RejectsInvalidUtf8) {
  for (const std::string& bad :
       {std::string("Capannori\xff"), std::string("\xc3"), std::string("\xc0\xaf"),
        std::string("\xed\xa0\x80"), std::string("\xf4\x90\x80\x80"), std::string("\xe2\x82")}) {
    EXPECT_THAT(DisplayName(bad), ElementsAre(Pair("display_name", "must be valid UTF-8")));
  }
  EXPECT_THAT(DisplayName("\xf0\x9f\x98\x80"), IsEmpty());  // U+1F600, four bytes
}

TEST(DisplayNameTest, RejectsControlCharacters) {
  for (const std::string& bad :
       {std::string("Sede\ncentrale"), std::string("a\tb"), std::string("a\x7f"),
        std::string("a\xc2\x85"), std::string("a\0b", 3)}) {
    EXPECT_THAT(DisplayName(bad),
                ElementsAre(Pair("display_name", "must not contain control characters")));
  }
}

TEST(DescriptionTest, OptionalMultilineUpTo2000) {
  FieldViolations violations;
  CheckDescription("description", "", violations);
  CheckDescription("description", "Prima riga.\nSeconda riga.\r\n\tRientro.", violations);
  CheckDescription("description", std::string(2000, 'a'), violations);
  EXPECT_TRUE(violations.empty());
  CheckDescription("description", std::string(2001, 'a'), violations);
  CheckDescription("description", "bell\a", violations);
  EXPECT_THAT(violations.violations(),
              ElementsAre(Pair("description", "must be at most 2000 characters"),
                          Pair("description", HasSubstr("control characters"))));
}

// --- Formats -----------------------------------------------------------------------------

TEST(FormatChecksTest, RequiredAndMalformedAreDistinguished) {
  FieldViolations violations;
  CheckPhoneNumber("phone_number", "+390583428252", violations);
  CheckPostalCode("postal_code", "55012", violations);
  CheckProvinceCode("province", "LU", violations);
  CheckIstatCode("istat_code", "046007", violations);
  EXPECT_TRUE(violations.empty());
  CheckPhoneNumber("phone_number", "", violations);
  CheckPhoneNumber("phone_number", "0583 428252", violations);
  CheckPostalCode("postal_code", "5501", violations);
  CheckProvinceCode("province", "Lu", violations);
  CheckIstatCode("istat_code", "46007", violations);
  EXPECT_THAT(violations.violations(), ElementsAre(Pair("phone_number", "is required"),
                                                   Pair("phone_number", HasSubstr("E.164")),
                                                   Pair("postal_code", "must be five digits"),
                                                   Pair("province", "must be two capital letters"),
                                                   Pair("istat_code", "must be six digits")));
}

TEST(FormatChecksTest, DescriptionsDoNotEchoTheValue) {
  FieldViolations violations;
  CheckPhoneNumber("phone_number", "3331234567", violations);
  CheckDisplayName("display_name", std::string(201, 'Z'), violations);
  for (const auto& [field, description] : violations.violations()) {
    EXPECT_THAT(description, Not(HasSubstr("3331234567")));
    EXPECT_THAT(description, Not(HasSubstr("ZZZ")));
  }
}

TEST(TimeZoneTest, AcceptsLoadableIanaNames) {
  FieldViolations violations;
  for (absl::string_view zone : {"Europe/Rome", "UTC", "America/Argentina/Buenos_Aires",
                                 "Etc/GMT+1", "America/Port-au-Prince"}) {
    CheckTimeZoneName("time_zone", zone, violations);
    EXPECT_TRUE(violations.empty()) << zone;
  }
}

TEST(TimeZoneTest, RejectsUnknownMalformedAndHostDependentNames) {
  for (absl::string_view zone : {"Europe/Lucca", "europe/rome/", "/etc/passwd", "../../etc/passwd",
                                 "Europe//Rome", "Europe/../Europe/Rome", "localtime",
                                 "Fixed/UTC+01:00:00", "Europe/Rome ", "Europe/Rome\n"}) {
    FieldViolations violations;
    CheckTimeZoneName("time_zone", zone, violations);
    EXPECT_THAT(
        violations.violations(),
        ElementsAre(Pair("time_zone", "must be an IANA time zone name such as Europe/Rome")))
        << zone;
  }
  FieldViolations violations;
  CheckTimeZoneName("time_zone", "", violations);
  EXPECT_THAT(violations.violations(), ElementsAre(Pair("time_zone", "is required")));
}

// --- Numbers -----------------------------------------------------------------------------

TEST(CapacityTest, OneToHundred) {
  FieldViolations violations;
  for (int ok : {1, 2, 100}) CheckCapacity("capacity", ok, violations);
  EXPECT_TRUE(violations.empty());
  for (int bad : {0, -1, 101}) CheckCapacity("capacity", bad, violations);
  EXPECT_THAT(Fields(violations), ElementsAre("capacity", "capacity", "capacity"));
  EXPECT_EQ(violations.violations()[0].second, "must be between 1 and 100");
}

TEST(DurationTest, FiveToFourHundredEightyInStepsOfFive) {
  FieldViolations violations;
  for (int ok : {5, 10, 30, 45, 475, 480}) CheckDurationMinutes("duration_minutes", ok, violations);
  EXPECT_TRUE(violations.empty());
  for (int bad : {0, 4, 7, 31, 485, 481, -5}) {
    CheckDurationMinutes("duration_minutes", bad, violations);
  }
  EXPECT_THAT(violations.violations(), SizeIs(7));
  EXPECT_EQ(violations.violations()[0].second,
            "must be between 5 and 480 minutes and a multiple of 5");
}

// --- Dates -------------------------------------------------------------------------------

TEST(DatePartsTest, OneOffDates) {
  FieldViolations violations;
  CheckDateParts("date", 2026, 3, 29, false, violations);
  CheckDateParts("date", 2028, 2, 29, false, violations);
  EXPECT_TRUE(violations.empty());
  CheckDateParts("date", 2027, 2, 29, false, violations);
  CheckDateParts("date", 2026, 4, 31, false, violations);
  CheckDateParts("date", 0, 4, 1, false, violations);
  CheckDateParts("date", 1500, 4, 1, false, violations);
  CheckDateParts("date", 10000, 4, 1, false, violations);
  EXPECT_THAT(violations.violations(),
              ElementsAre(Pair("date", "must be a valid calendar date"),
                          Pair("date", "must be a valid calendar date"),
                          Pair("date", "must be in the years 1583 to 9999"),
                          Pair("date", "must be in the years 1583 to 9999"),
                          Pair("date", "must be in the years 1583 to 9999")));
}

TEST(DatePartsTest, RecurringDatesHaveYearZero) {
  FieldViolations violations;
  CheckDateParts("date", 0, 7, 12, true, violations);
  CheckDateParts("date", 0, 2, 29, true, violations);
  EXPECT_TRUE(violations.empty());
  CheckDateParts("date", 2026, 7, 12, true, violations);
  CheckDateParts("date", 0, 2, 30, true, violations);
  EXPECT_THAT(violations.violations(),
              ElementsAre(Pair("date", "must have year 0 for a recurring holiday"),
                          Pair("date", "must be a valid calendar date")));
}

TEST(DateRangeTest, UpTo366DaysAfterStart) {
  EXPECT_TRUE(ValidateDateRange(absl::CivilDay(2026, 1, 1), absl::CivilDay(2026, 1, 1)).empty());
  EXPECT_TRUE(ValidateDateRange(absl::CivilDay(2026, 1, 1), absl::CivilDay(2027, 1, 2)).empty());
  EXPECT_THAT(
      ValidateDateRange(absl::CivilDay(2026, 1, 1), absl::CivilDay(2027, 1, 3)).violations(),
      ElementsAre(Pair("end_date", "must be at most 366 days after start_date")));
  EXPECT_THAT(
      ValidateDateRange(absl::CivilDay(2026, 1, 2), absl::CivilDay(2026, 1, 1)).violations(),
      ElementsAre(Pair("end_date", "must not be before start_date")));
}

TEST(DateRangeTest, YearsOutOfRangeReportEachEnd) {
  EXPECT_THAT(
      ValidateDateRange(absl::CivilDay(1200, 1, 1), absl::CivilDay(10000, 1, 1)).violations(),
      ElementsAre(Pair("start_date", "must be in the years 1583 to 9999"),
                  Pair("end_date", "must be in the years 1583 to 9999")));
}

// --- Weekly intervals --------------------------------------------------------------------

constexpr absl::Weekday kMon = absl::Weekday::monday;
constexpr absl::Weekday kTue = absl::Weekday::tuesday;

Violations Hours(const std::vector<WeeklyInterval>& hours) {
  FieldViolations violations;
  CheckWeeklyIntervals("opening_hours", hours, violations);
  return violations.violations();
}

TEST(WeeklyIntervalsTest, AcceptsCapannoriAndTouchingIntervals) {
  EXPECT_THAT(Hours({{kMon, H(9), H(13)}, {kTue, H(9), H(13)}, {kTue, H(14), H(16)}}), IsEmpty());
  EXPECT_THAT(Hours({{kMon, H(9), H(13)}, {kMon, H(13), H(16)}}), IsEmpty());
  EXPECT_THAT(Hours({{kMon, 0, H(24)}}), IsEmpty());
  EXPECT_THAT(Hours({}), IsEmpty());
  // The same times on different days never overlap.
  EXPECT_THAT(Hours({{kMon, H(9), H(13)}, {kTue, H(9), H(13)}}), IsEmpty());
}

TEST(WeeklyIntervalsTest, BoundsOfEachInterval) {
  EXPECT_THAT(
      Hours({{kMon, -1, H(9)},
             {kMon, H(24), H(24)},
             {kMon, H(10), H(10)},
             {kMon, H(12), H(11)},
             {kMon, H(20), H(24) + 1},
             {static_cast<absl::Weekday>(7), H(9), H(10)}}),
      ElementsAre(Pair("opening_hours[0].start_time", "must be between 00:00 and 23:59"),
                  Pair("opening_hours[1].start_time", "must be between 00:00 and 23:59"),
                  Pair("opening_hours[2].end_time", "must be after start_time and at most 24:00"),
                  Pair("opening_hours[3].end_time", "must be after start_time and at most 24:00"),
                  Pair("opening_hours[4].end_time", "must be after start_time and at most 24:00"),
                  Pair("opening_hours[5].day_of_week", "must be specified")));
}

TEST(WeeklyIntervalsTest, OverlapIsReportedOnTheLaterInterval) {
  // "Later" is by start time, whatever the list order: by time the intervals are
  // [2] 08-10, [0] 09-13, [1] 12-14, so [0] overlaps [2] and [1] overlaps [0].
  EXPECT_THAT(Hours({{kMon, H(9), H(13)}, {kMon, H(12), H(14)}, {kMon, H(8), H(10)}}),
              ElementsAre(Pair("opening_hours[0]", "overlaps opening_hours[2] on the same day"),
                          Pair("opening_hours[1]", "overlaps opening_hours[0] on the same day")));
}

TEST(WeeklyIntervalsTest, IdenticalIntervalsReportTheSecondListed) {
  EXPECT_THAT(Hours({{kTue, H(9), H(13)}, {kMon, H(9), H(13)}, {kTue, H(9), H(13)}}),
              ElementsAre(Pair("opening_hours[2]", "overlaps opening_hours[0] on the same day")));
}

TEST(WeeklyIntervalsTest, ContainedIntervalOverlapsTheLongOne) {
  EXPECT_THAT(Hours({{kMon, H(8), H(18)}, {kMon, H(9), H(10)}, {kMon, H(17), H(19)}}),
              ElementsAre(Pair("opening_hours[1]", "overlaps opening_hours[0] on the same day"),
                          Pair("opening_hours[2]", "overlaps opening_hours[0] on the same day")));
}

TEST(WeeklyIntervalsTest, MalformedIntervalsAreNotCheckedForOverlap) {
  EXPECT_THAT(Hours({{kMon, H(9), H(13)}, {kMon, H(12), H(11)}}),
              ElementsAre(Pair("opening_hours[1].end_time", ::testing::_)));
}

TEST(WeeklyIntervalsTest, AtMostOneHundred) {
  std::vector<WeeklyInterval> many;
  for (int i = 0; i < 101; ++i) many.push_back({kMon, i, i + 1});
  EXPECT_THAT(Hours(many), ElementsAre(Pair("opening_hours", "must have at most 100 intervals")));
  many.pop_back();
  EXPECT_THAT(Hours(many), IsEmpty());
}

// --- Whole messages ----------------------------------------------------------------------

PostalAddress CapannoriAddress() {
  return PostalAddress{"Piazza Aldo Moro 1", "55012", "Capannori", "LU"};
}

Desk ValidDesk() {
  Desk desk;
  desk.tenant_id = "capannori";
  desk.id = "sede-centrale";
  desk.display_name = "Sportello sociale - sede centrale";
  desk.address = CapannoriAddress();
  desk.booking_mode = BookingMode::kWalkInAndAppointment;
  desk.opening_hours = {{kMon, H(9), H(13)}, {kTue, H(14), H(16)}};
  desk.service_ids = {"ascolto", "punto-insieme"};
  desk.capacity = 2;
  return desk;
}

TEST(ValidateDeskTest, ValidDeskPasses) {
  EXPECT_THAT(ValidateDesk(ValidDesk()).violations(), IsEmpty());
  Desk no_hours = ValidDesk();
  no_hours.opening_hours.clear();
  no_hours.service_ids.clear();
  EXPECT_THAT(ValidateDesk(no_hours).violations(), IsEmpty());
}

TEST(ValidateDeskTest, StreetAndPostalCodeMayBeLeftEmptyButNotTheTown) {
  Desk desk = ValidDesk();
  desk.address = PostalAddress{"", "", "Marlia", "LU"};
  EXPECT_THAT(ValidateDesk(desk).violations(), IsEmpty());
  desk.address.locality = "";
  EXPECT_THAT(Fields(ValidateDesk(desk)), ElementsAre("address.locality"));
}

TEST(ValidateDeskTest, EveryProblemIsReportedWithItsPath) {
  Desk desk = ValidDesk();
  desk.display_name = " ";
  desk.address = PostalAddress{" ", "5501", "Capannori", "lu"};  // a blank street is not empty
  desk.booking_mode = static_cast<BookingMode>(-1);
  desk.opening_hours = {{kMon, H(9), H(13)}, {kMon, H(12), H(14)}, {kTue, H(16), H(14)}};
  desk.service_ids = {"ascolto", "Bad_Id", "ascolto", ""};
  desk.capacity = 0;
  FieldViolations violations = ValidateDesk(desk);
  EXPECT_THAT(
      Fields(violations),
      ElementsAre("display_name", "address.street", "address.postal_code", "address.province",
                  "booking_mode", "opening_hours[2].end_time", "opening_hours[1]", "services[1]",
                  "services[2]", "services[3]", "capacity"));
  EXPECT_THAT(violations.violations()[8], Pair("services[2]", "repeats services[0]"));

  // What the gRPC layer returns: the same violations under "desk.".
  FieldViolations request;
  request.Merge(violations, "desk.");
  auto fields = status::FieldViolationsOf(request.ToStatus());
  ASSERT_THAT(fields, SizeIs(11));
  EXPECT_EQ(fields[5].first, "desk.opening_hours[2].end_time");
}

TEST(ValidateServiceTest, Rules) {
  Service service;
  service.display_name = "Colloquio di ascolto";
  service.description = "Primo colloquio con l'assistente sociale.\nPortare un documento.";
  service.duration_minutes = 45;
  EXPECT_TRUE(ValidateService(service).empty());
  service.display_name = "";
  service.description = std::string(2001, 'x');
  service.duration_minutes = 42;
  EXPECT_THAT(Fields(ValidateService(service)),
              ElementsAre("display_name", "description", "duration_minutes"));
}

TEST(ValidateChannelTest, PhoneLineNeedsANumber) {
  Channel channel;
  channel.display_name = "Linea telefonica prenotazioni";
  channel.kind = ChannelKind::kPhone;
  channel.phone_number = "+390583428252";
  channel.opening_hours = {{kMon, H(9), H(13)}, {kTue, H(14), H(16)}};
  EXPECT_TRUE(ValidateChannel(channel).empty());

  channel.phone_number = "";
  EXPECT_THAT(ValidateChannel(channel).violations(),
              ElementsAre(Pair("phone_number", "is required")));
}

TEST(ValidateChannelTest, OtherChannelsMayOmitTheNumberButNotMangleIt) {
  Channel channel;
  channel.display_name = "Portale del Comune";
  channel.kind = ChannelKind::kWeb;
  EXPECT_TRUE(ValidateChannel(channel).empty());
  channel.phone_number = "0583 428252";
  EXPECT_THAT(Fields(ValidateChannel(channel)), ElementsAre("phone_number"));
  channel.kind = static_cast<ChannelKind>(42);
  channel.opening_hours = {{kMon, H(9), H(25)}};
  EXPECT_THAT(Fields(ValidateChannel(channel)),
              ElementsAre("kind", "phone_number", "opening_hours[0].end_time"));
}

Closure ValidClosure() {
  Closure closure;
  closure.start_date = absl::CivilDay(2026, 8, 10);
  closure.end_date = absl::CivilDay(2026, 8, 21);
  closure.reason = "Ferie estive";
  return closure;
}

TEST(ValidateClosureTest, Rules) {
  EXPECT_TRUE(ValidateClosure(ValidClosure()).empty());

  Closure one_day = ValidClosure();
  one_day.end_date = one_day.start_date;
  one_day.reason = "";
  EXPECT_TRUE(ValidateClosure(one_day).empty());

  Closure whole_leap_year = ValidClosure();
  whole_leap_year.start_date = absl::CivilDay(2028, 1, 1);
  whole_leap_year.end_date = absl::CivilDay(2028, 12, 31);  // 366 days
  EXPECT_TRUE(ValidateClosure(whole_leap_year).empty());
  whole_leap_year.end_date = absl::CivilDay(2029, 1, 1);
  EXPECT_THAT(ValidateClosure(whole_leap_year).violations(),
              ElementsAre(Pair("end_date", "must make the closure at most 366 days long")));

  Closure backwards = ValidClosure();
  backwards.end_date = absl::CivilDay(2026, 8, 9);
  backwards.reason = std::string(201, 'r');
  EXPECT_THAT(ValidateClosure(backwards).violations(),
              ElementsAre(Pair("end_date", "must not be before start_date"),
                          Pair("reason", "must be at most 200 characters")));

  Closure far = ValidClosure();
  far.start_date = absl::CivilDay(1000, 1, 1);
  far.reason = "riga\nsecond";
  EXPECT_THAT(Fields(ValidateClosure(far)), ElementsAre("start_date", "reason"));
}

TEST(ValidateHolidayTest, Rules) {
  Holiday patron;
  patron.display_name = "San Paolino";
  patron.date = absl::CivilDay(0, 7, 12);
  patron.recurring = true;
  EXPECT_TRUE(ValidateHoliday(patron).empty());

  Holiday one_off;
  one_off.display_name = "Chiusura straordinaria";
  one_off.date = absl::CivilDay(2026, 1, 14);
  EXPECT_TRUE(ValidateHoliday(one_off).empty());

  one_off.date = absl::CivilDay(0, 1, 14);  // year 0 without `recurring`
  one_off.display_name = "";
  EXPECT_THAT(ValidateHoliday(one_off).violations(),
              ElementsAre(Pair("display_name", "is required"),
                          Pair("date", "must be in the years 1583 to 9999")));
}

Operator ValidOperator() {
  Operator op;
  op.display_name = "Operatrice sportello";
  op.subject = "f3b0c2a4-6d1e-4c8e-9d7a-2f1b8e6c5a90";
  op.roles = {OperatorRole::kOperator, OperatorRole::kCoordinator};
  op.desk_ids = {"sede-centrale", "marlia"};
  return op;
}

TEST(ValidateOperatorTest, ValidOperatorPasses) {
  EXPECT_TRUE(ValidateOperator(ValidOperator()).empty());
  Operator no_desks = ValidOperator();
  no_desks.desk_ids.clear();
  no_desks.subject = std::string(255, 's');
  EXPECT_TRUE(ValidateOperator(no_desks).empty());
}

TEST(ValidateOperatorTest, SubjectRules) {
  Operator op = ValidOperator();
  op.subject = "";
  EXPECT_THAT(ValidateOperator(op).violations(), ElementsAre(Pair("subject", "is required")));
  for (const std::string& bad :
       {std::string(256, 's'), std::string("abc\n"), std::string("caf\xc3\xa9")}) {
    op.subject = bad;
    EXPECT_THAT(ValidateOperator(op).violations(),
                ElementsAre(Pair("subject", "must be 1 to 255 printable ASCII characters")));
  }
}

TEST(ValidateOperatorTest, EveryProblemIsReportedWithItsPath) {
  Operator op = ValidOperator();
  op.display_name = std::string("\x01", 1);
  op.roles = {OperatorRole::kDpo, static_cast<OperatorRole>(9), OperatorRole::kDpo};
  op.desk_ids = {"marlia", "marlia", "-bad"};
  EXPECT_THAT(
      ValidateOperator(op).violations(),
      ElementsAre(Pair("display_name", "must not contain control characters"),
                  Pair("roles[1]", "must be specified"), Pair("roles[2]", "repeats roles[0]"),
                  Pair("desks[1]", "repeats desks[0]"),
                  Pair("desks[2]", HasSubstr("must be 1 to 63 characters"))));
  op.roles.clear();
  EXPECT_THAT(Fields(ValidateOperator(op)), ::testing::Contains("roles"));
}

TEST(ValidateTenantTest, Rules) {
  Tenant tenant;
  tenant.id = "capannori";
  tenant.display_name = "Comune di Capannori";
  tenant.istat_code = "046007";
  tenant.address = CapannoriAddress();
  tenant.phone_number = "+390583428252";
  tenant.lead = true;
  EXPECT_TRUE(ValidateTenant(tenant).empty());
  tenant.phone_number = "";  // optional
  EXPECT_TRUE(ValidateTenant(tenant).empty());

  tenant.istat_code = "";
  tenant.address.locality = "";
  tenant.phone_number = "+39";
  tenant.time_zone = "Europe/Lucca";
  EXPECT_THAT(Fields(ValidateTenant(tenant)),
              UnorderedElementsAre("istat_code", "address.locality", "phone_number", "time_zone"));
}

}  // namespace
}  // namespace sportelli::tenants
