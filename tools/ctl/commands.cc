#include "tools/ctl/commands.h"

#include <sys/random.h>

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "sportelli/audit/v1/audit_service.grpc.pb.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/clock.h"
#include "sportelli/intake/v1/intake_service.grpc.pb.h"
#include "sportelli/scheduling/v1/scheduling_service.grpc.pb.h"
#include "sportelli/server/deadline.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"
#include "tools/ctl/common.h"

namespace sportelli::ctl {
namespace {

namespace v1 = ::sportelli::tenants::v1;
namespace scheduling_v1 = ::sportelli::scheduling::v1;
namespace audit_v1 = ::sportelli::audit::v1;

// --flag value pairs after the positional arguments.
std::map<std::string, std::string> Flags(const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags;
  for (size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i].rfind("--", 0) == 0) {
      flags[args[i].substr(2)] = args[i + 1];
      ++i;
    }
  }
  return flags;
}

std::unique_ptr<v1::TenantsService::Stub> Stub(const Context& context) {
  return v1::TenantsService::NewStub(
      grpc::CreateChannel(context.tenants_address, grpc::InsecureChannelCredentials()));
}

// `T/D` -> `tenants/T/desks/D`; a full resource name (or anything else) is passed as is, and
// the server says what is wrong with it.
std::string DeskName(const std::string& desk) {
  if (desk.rfind("tenants/", 0) == 0) return desk;
  std::vector<std::string> parts = absl::StrSplit(desk, '/');
  return parts.size() == 2 ? absl::StrCat("tenants/", parts[0], "/desks/", parts[1]) : desk;
}

// `S` (a service of the desk's comune), `T/S` or `tenants/T/services/S`.
std::string ServiceName(const std::string& service, const std::string& tenant) {
  if (service.rfind("tenants/", 0) == 0) return service;
  std::vector<std::string> parts = absl::StrSplit(service, '/');
  if (parts.size() == 1) return absl::StrCat("tenants/", tenant, "/services/", service);
  return parts.size() == 2 ? absl::StrCat("tenants/", parts[0], "/services/", parts[1]) : service;
}

bool ParseChannel(const std::string& text, scheduling_v1::Channel* channel) {
  if (text == "web")
    *channel = scheduling_v1::CHANNEL_WEB;
  else if (text == "phone")
    *channel = scheduling_v1::CHANNEL_PHONE;
  else if (text == "desk")
    *channel = scheduling_v1::CHANNEL_DESK;
  else
    return false;
  return true;
}

bool ParseContact(const std::string& text, scheduling_v1::ContactChannel* contact) {
  if (text == "sms")
    *contact = scheduling_v1::CONTACT_CHANNEL_SMS;
  else if (text == "email")
    *contact = scheduling_v1::CONTACT_CHANNEL_EMAIL;
  else if (text == "phone-call")
    *contact = scheduling_v1::CONTACT_CHANNEL_PHONE_CALL;
  else if (text == "none")
    *contact = scheduling_v1::CONTACT_CHANNEL_NONE;
  else
    return false;
  return true;
}

// A start time as `book` takes it: RFC 3339 with an offset ("2026-12-02T09:00+01:00", "Z"
// allowed, seconds optional), or without one ("2026-12-02T09:00"), read as the wall clock in
// `zone`. A wall-clock time the clocks skip or repeat is refused rather than guessed: the
// message asks for the offset.
absl::StatusOr<absl::Time> ParseStart(const std::string& text, const absl::TimeZone& zone) {
  absl::Time time;
  std::string ignored;
  for (const char* format : {"%Y-%m-%dT%H:%M%Ez", "%Y-%m-%dT%H:%M:%S%Ez"}) {
    if (absl::ParseTime(format, text, &time, &ignored)) return time;
  }
  absl::CivilMinute minute;
  absl::CivilSecond second;
  if (absl::ParseCivilTime(text, &minute)) {
    second = absl::CivilSecond(minute);
  } else if (!absl::ParseCivilTime(text, &second)) {
    return absl::InvalidArgumentError(
        "START must be like 2026-12-02T09:00+01:00, or 2026-12-02T09:00 for Europe/Rome wall time");
  }
  const absl::TimeZone::TimeInfo info = zone.At(second);
  switch (info.kind) {
    case absl::TimeZone::TimeInfo::UNIQUE:
      return info.pre;
    case absl::TimeZone::TimeInfo::SKIPPED:
      return absl::InvalidArgumentError(
          absl::StrCat(text, " does not exist in ", kLocalZone, " (the clocks skip it)"));
    case absl::TimeZone::TimeInfo::REPEATED:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(text, " happens twice in ", kLocalZone,
                   " (the clocks go back): give the offset, +02:00 or +01:00"));
}

void ToTimestamp(absl::Time time, google::protobuf::Timestamp* timestamp) {
  const absl::Duration since_epoch = time - absl::UnixEpoch();
  const int64_t seconds = absl::ToInt64Seconds(absl::Floor(since_epoch, absl::Seconds(1)));
  timestamp->set_seconds(seconds);
  timestamp->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(since_epoch - absl::Seconds(seconds))));
}

// The AuditService of `service` ("scheduling" or "intake"): each serves its own trail.
std::unique_ptr<audit_v1::AuditService::Stub> AuditStub(const Context& context,
                                                        const std::string& service) {
  return audit_v1::AuditService::NewStub(
      grpc::CreateChannel(service == "intake" ? context.intake_address : context.scheduling_address,
                          grpc::InsecureChannelCredentials()));
}

// YYYY-MM-DD.
bool ParseDay(const std::string& text, google::type::Date* date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return false;
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
  return true;
}

void PrintPerson(const intake_v1::Person& p) {
  std::printf("person        %s\n", p.name().c_str());
  if (p.erased()) {
    std::printf("              (personal data erased)\n");
    return;
  }
  std::printf("name          %s %s\n", p.given_name().c_str(), p.family_name().c_str());
  std::printf("codice fisc.  %s\n",
              p.codice_fiscale_missing() ? "(none)" : p.codice_fiscale().c_str());
  std::printf("born          %04d-%02d-%02d\n", p.birth_date().year(), p.birth_date().month(),
              p.birth_date().day());
}

std::unique_ptr<scheduling_v1::SchedulingService::Stub> SchedulingStub(const Context& context) {
  return scheduling_v1::SchedulingService::NewStub(
      grpc::CreateChannel(context.scheduling_address, grpc::InsecureChannelCredentials()));
}

// "booked", "checked in", ... from APPOINTMENT_STATE_BOOKED, APPOINTMENT_STATE_CHECKED_IN.
std::string StateName(scheduling_v1::AppointmentState state) {
  std::string name(
      absl::StripPrefix(scheduling_v1::AppointmentState_Name(state), "APPOINTMENT_STATE_"));
  if (name.empty()) return absl::StrCat("state ", static_cast<int>(state));
  for (char& c : name)
    c = c == '_' ? ' ' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return name;
}

const char* DayName(google::type::DayOfWeek day) {
  static constexpr const char* kNames[] = {"?", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return kNames[static_cast<int>(day) >= 0 && static_cast<int>(day) <= 7 ? static_cast<int>(day)
                                                                         : 0];
}

std::string Clock(const google::type::TimeOfDay& time) {
  return absl::StrFormat("%02d:%02d", time.hours(), time.minutes());
}

// "Mon 09:00-12:30; Tue 09:00-12:30, 15:00-17:30; ..." grouped by day, in week order.
std::string FormatHours(const google::protobuf::RepeatedPtrField<v1::WeeklyInterval>& hours) {
  std::map<int, std::vector<std::string>> by_day;
  for (const v1::WeeklyInterval& interval : hours) {
    by_day[interval.day_of_week()].push_back(
        absl::StrCat(Clock(interval.start_time()), "-", Clock(interval.end_time())));
  }
  std::vector<std::string> days;
  for (const auto& [day, spans] : by_day) {
    days.push_back(absl::StrCat(DayName(static_cast<google::type::DayOfWeek>(day)), " ",
                                absl::StrJoin(spans, ", ")));
  }
  return days.empty() ? "(no hours)" : absl::StrJoin(days, "; ");
}

const char* BookingModeName(v1::BookingMode mode) {
  switch (mode) {
    case v1::BOOKING_MODE_WALK_IN:
      return "walk-in";
    case v1::BOOKING_MODE_APPOINTMENT_ONLY:
      return "appointment only";
    case v1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT:
      return "walk-in + appointment";
    default:
      return "?";
  }
}

std::string Address(const v1::PostalAddress& address) {
  std::vector<std::string> parts;
  for (const std::string& part : {address.street(), address.postal_code(), address.locality()}) {
    if (!part.empty()) parts.push_back(part);
  }
  return parts.empty() ? "(not set)" : absl::StrJoin(parts, ", ");
}

bool ParseDate(const std::string& text, google::type::Date* date) {
  absl::CivilDay day;
  if (!absl::ParseCivilTime(text, &day)) return false;
  date->set_year(static_cast<int32_t>(day.year()));
  date->set_month(day.month());
  date->set_day(day.day());
  return true;
}

}  // namespace

int MintToken(const Context& context, const std::vector<std::string>& args) {
  std::map<std::string, std::string> flags = Flags(args);
  if (!flags.count("tenant") || !flags.count("roles")) {
    std::cerr << "usage: sportelli-ctl mint-token --tenant TENANT --roles ROLE[,ROLE...] "
                 "[--subject SUB] [--ttl 8h] [--destination D (a partner's)]\n";
    return 2;
  }
  absl::Duration ttl = absl::Hours(8);
  if (flags.count("ttl") && !absl::ParseDuration(flags["ttl"], &ttl)) {
    std::cerr << "--ttl must be a duration such as 8h or 30m\n";
    return 2;
  }
  std::vector<std::string> roles = absl::StrSplit(flags["roles"], ',', absl::SkipEmpty());
  absl::StatusOr<std::string> token =
      Mint(context, flags["tenant"], roles, flags.count("subject") ? flags["subject"] : "dev", ttl,
           flags.count("destination") ? flags["destination"] : "");
  if (!token.ok()) return Fail(token.status());
  std::cout << *token << "\n";
  return 0;
}

int ListTenants(const Context& context, const std::vector<std::string>&) {
  // The dev token reads the whole federation directory; a real token shows what it may see.
  absl::StatusOr<std::string> token = TokenFor(context, "capannori", {"operator", "federation"});
  if (!token.ok()) return Fail(token.status());
  auto stub = Stub(context);
  v1::ListTenantsRequest request;
  std::printf("%-16s %-28s %-7s %s\n", "TENANT", "NAME", "ISTAT", "LEAD");
  do {
    grpc::ClientContext call;
    Prepare(call, *token);
    v1::ListTenantsResponse response;
    if (grpc::Status status = stub->ListTenants(&call, request, &response); !status.ok())
      return Fail(status);
    for (const v1::Tenant& tenant : response.tenants()) {
      const std::string id(absl::StripPrefix(tenant.name(), "tenants/"));
      std::printf("%-16s %-28s %-7s %s\n", id.c_str(), tenant.display_name().c_str(),
                  tenant.istat_code().c_str(), tenant.lead() ? "capofila" : "");
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int ListDesks(const Context& context, const std::vector<std::string>& args) {
  if (args.empty()) {
    std::cerr << "usage: sportelli-ctl desks list TENANT\n";
    return 2;
  }
  const std::string& tenant = args[0];
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  auto stub = Stub(context);
  v1::ListDesksRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  do {
    grpc::ClientContext call;
    Prepare(call, *token);
    v1::ListDesksResponse response;
    if (grpc::Status status = stub->ListDesks(&call, request, &response); !status.ok())
      return Fail(status);
    for (const v1::Desk& desk : response.desks()) {
      std::cout << desk.name() << "\n"
                << "  " << desk.display_name() << "\n"
                << "  address:  " << Address(desk.address()) << "\n"
                << "  booking:  " << BookingModeName(desk.booking_mode()) << ", capacity "
                << desk.capacity() << "\n"
                << "  hours:    " << FormatHours(desk.opening_hours()) << " (Europe/Rome)\n"
                << "  services: " << desk.services_size() << "\n";
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int Hours(const Context& context, const std::vector<std::string>& args) {
  if (args.size() != 3) {
    std::cerr << "usage: sportelli-ctl hours DESK FROM TO   (DESK: tenants/T/desks/D or T/D; dates "
                 "YYYY-MM-DD)\n";
    return 2;
  }
  const std::string desk = DeskName(args[0]);
  v1::ComputeOpenIntervalsRequest request;
  request.set_desk(desk);
  if (!ParseDate(args[1], request.mutable_start_date()) ||
      !ParseDate(args[2], request.mutable_end_date())) {
    std::cerr << "dates must be YYYY-MM-DD\n";
    return 2;
  }
  absl::StatusOr<std::string> token = TokenFor(context, TenantOf(desk), {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  v1::ComputeOpenIntervalsResponse response;
  if (grpc::Status status = Stub(context)->ComputeOpenIntervals(&call, request, &response);
      !status.ok()) {
    return Fail(status);
  }
  absl::TimeZone zone;
  absl::LoadTimeZone(response.time_zone(), &zone);
  std::printf("%-34s %-34s\n", absl::StrCat("LOCAL (", response.time_zone(), ")").c_str(), "UTC");
  for (const v1::TimeInterval& interval : response.intervals()) {
    absl::Time start = absl::FromUnixSeconds(interval.start_time().seconds());
    absl::Time end = absl::FromUnixSeconds(interval.end_time().seconds());
    std::printf("%-34s %-34s\n",
                absl::StrCat(absl::FormatTime("%a %Y-%m-%d %H:%M", start, zone), "-",
                             absl::FormatTime("%H:%M", end, zone))
                    .c_str(),
                absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%MZ", start, absl::UTCTimeZone()), "-",
                             absl::FormatTime("%H:%MZ", end, absl::UTCTimeZone()))
                    .c_str());
  }
  if (response.intervals().empty()) std::printf("(closed)\n");
  return 0;
}

int Slots(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl slots DESK SERVICE FROM TO [--channel web|phone|desk] "
      "[--include-full]\n"
      "  DESK: tenants/T/desks/D or T/D; SERVICE: S, T/S or tenants/T/services/S; dates "
      "YYYY-MM-DD\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"channel"}, {"include-full"});
  if (!parsed.ok() || parsed->positional.size() != 4) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string desk = DeskName(parsed->positional[0]);
  const std::string tenant = TenantOf(desk);
  scheduling_v1::ListAvailableSlotsRequest request;
  request.set_desk(desk);
  request.set_service(ServiceName(parsed->positional[1], tenant));
  if (!ParseDate(parsed->positional[2], request.mutable_start_date()) ||
      !ParseDate(parsed->positional[3], request.mutable_end_date())) {
    std::cerr << "dates must be YYYY-MM-DD\n";
    return 2;
  }
  const std::string channel_name =
      parsed->flags.count("channel") ? parsed->flags["channel"] : "web";
  scheduling_v1::Channel channel;
  if (!ParseChannel(channel_name, &channel)) {
    std::cerr << "--channel must be web, phone or desk\n";
    return 2;
  }
  request.set_channel(channel);
  request.set_include_full(parsed->switches.count("include-full") > 0);
  absl::StatusOr<absl::TimeZone> zone = LocalZone();
  if (!zone.ok()) return Fail(zone.status());
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  scheduling_v1::ListAvailableSlotsResponse response;
  if (grpc::Status status = SchedulingStub(context)->ListAvailableSlots(&call, request, &response);
      !status.ok()) {
    return Fail(status);
  }
  // START is what `book` takes, offset included (it tells the two 02:00 of the October
  // clock change apart); slots are grouped under their local day.
  std::printf("%s, %s, channel %s\n", request.desk().c_str(), request.service().c_str(),
              channel_name.c_str());
  std::printf("  %-24s %-7s %s\n", absl::StrCat("START (", kLocalZone, ")").c_str(), "END",
              "SEATS");
  absl::CivilDay current_day;
  bool first = true;
  for (const scheduling_v1::Slot& slot : response.slots()) {
    const absl::Time start = FromTimestamp(slot.start_time());
    const absl::CivilDay day = absl::ToCivilDay(start, *zone);
    if (first || day != current_day) {
      std::printf("%s\n", absl::FormatTime("%a %Y-%m-%d", start, *zone).c_str());
      current_day = day;
      first = false;
    }
    const std::string seats = slot.remaining_capacity() > 0
                                  ? absl::StrCat(slot.remaining_capacity())
                                  : std::string("full");
    std::printf("  %-24s %-7s %s\n", absl::FormatTime("%Y-%m-%dT%H:%M%Ez", start, *zone).c_str(),
                absl::FormatTime("%H:%M", FromTimestamp(slot.end_time()), *zone).c_str(),
                seats.c_str());
  }
  if (response.slots().empty()) {
    std::fputs(request.include_full() ? "(no slots)\n"
                                      : "(no free slots; --include-full shows the full ones)\n",
               stdout);
  }
  return 0;
}

int Book(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl book DESK SERVICE START --given-name G --family-name F "
      "--codice-fiscale CF\n"
      "           --privacy-notice-acknowledged [--phone +39...] [--email E]\n"
      "           [--contact sms|email|phone-call|none] [--channel web|phone|desk] [--request-id "
      "UUID]\n"
      "  START: 2026-12-02T09:00+01:00, or 2026-12-02T09:00 (Europe/Rome wall time)\n"
      "  --contact defaults to sms with --phone, else email; --channel to web; --request-id to a "
      "new UUID\n";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args,
                {"given-name", "family-name", "codice-fiscale", "phone", "email", "contact",
                 "channel", "request-id"},
                {"privacy-notice-acknowledged"});
  if (!parsed.ok() || parsed->positional.size() != 3) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  std::map<std::string, std::string>& flags = parsed->flags;
  for (const char* required : {"given-name", "family-name", "codice-fiscale"}) {
    if (!flags.count(required)) {
      std::cerr << "--" << required << " is required\n" << kUsage;
      return 2;
    }
  }
  // The citizen must have been shown the privacy notice before their data is collected: the
  // operator says so explicitly, never by default.
  if (!parsed->switches.count("privacy-notice-acknowledged")) {
    std::cerr
        << "--privacy-notice-acknowledged is required: show the citizen the privacy notice first\n"
        << kUsage;
    return 2;
  }
  absl::StatusOr<absl::TimeZone> zone = LocalZone();
  if (!zone.ok()) return Fail(zone.status());
  absl::StatusOr<absl::Time> start = ParseStart(parsed->positional[2], *zone);
  if (!start.ok()) {
    std::cerr << start.status().message() << "\n";
    return 2;
  }
  const std::string channel_name = flags.count("channel") ? flags["channel"] : "web";
  scheduling_v1::Channel channel;
  if (!ParseChannel(channel_name, &channel)) {
    std::cerr << "--channel must be web, phone or desk\n";
    return 2;
  }
  scheduling_v1::ContactChannel contact;
  const std::string contact_name = flags.count("contact") ? flags["contact"]
                                                          : (flags.count("phone")   ? "sms"
                                                             : flags.count("email") ? "email"
                                                                                    : "none");
  if (!ParseContact(contact_name, &contact)) {
    std::cerr << "--contact must be sms, email, phone-call or none\n";
    return 2;
  }
  absl::StatusOr<std::string> request_id_or = RequestIdOf(flags);
  if (!request_id_or.ok()) return Fail(request_id_or.status());
  const std::string request_id = *request_id_or;

  const std::string desk = DeskName(parsed->positional[0]);
  const std::string tenant = TenantOf(desk);
  scheduling_v1::CreateAppointmentRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  request.set_request_id(request_id);
  scheduling_v1::Appointment& appointment = *request.mutable_appointment();
  appointment.set_desk(desk);
  appointment.set_service(ServiceName(parsed->positional[1], tenant));
  ToTimestamp(*start, appointment.mutable_start_time());
  appointment.set_channel(channel);
  scheduling_v1::Citizen& citizen = *appointment.mutable_citizen();
  citizen.set_given_name(flags["given-name"]);
  citizen.set_family_name(flags["family-name"]);
  citizen.set_codice_fiscale(flags["codice-fiscale"]);
  if (flags.count("phone")) citizen.set_phone_number(flags["phone"]);
  if (flags.count("email")) citizen.set_email(flags["email"]);
  citizen.set_preferred_contact(contact);
  citizen.set_privacy_notice_acknowledged(true);

  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  scheduling_v1::Appointment response;
  if (grpc::Status status = SchedulingStub(context)->CreateAppointment(&call, request, &response);
      !status.ok()) {
    // The request may have been applied before the error reached us (a deadline): the same
    // request id retries it safely and returns the first result.
    if (status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        status.error_code() == grpc::StatusCode::UNAVAILABLE) {
      std::cerr << "retry with --request-id " << request_id
                << " to get the same appointment if it was booked\n";
    }
    return Fail(status);
  }
  const absl::Time booked_start = FromTimestamp(response.start_time());
  std::printf("appointment   %s\n", response.name().c_str());
  std::printf("state         %s\n", StateName(response.state()).c_str());
  std::printf("start         %s (%s %s), ends %s\n",
              absl::FormatTime("%a %Y-%m-%d %H:%M", booked_start, *zone).c_str(),
              absl::FormatTime("%Ez", booked_start, *zone).c_str(), kLocalZone,
              absl::FormatTime("%H:%M", FromTimestamp(response.end_time()), *zone).c_str());
  std::printf("request id    %s\n", request_id.c_str());
  if (!response.cancel_token().empty()) {
    std::printf("cancel token  %s\n", response.cancel_token().c_str());
    std::printf(
        "              shown once (only a hash is kept): give it to the citizen, who needs it to "
        "cancel\n");
  }
  return 0;
}

int Appointment(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl appointment show|check-in|complete|no-show APPOINTMENT\n"
      "  (APPOINTMENT: tenants/T/appointments/A; check-in from an hour before the start until "
      "its end)\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {}, {});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& action = parsed->positional[0];
  const std::string& name = parsed->positional[1];
  absl::StatusOr<absl::TimeZone> zone = LocalZone();
  if (!zone.ok()) return Fail(zone.status());
  absl::StatusOr<std::string> token = TokenFor(context, TenantOf(name), {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = SchedulingStub(context);
  scheduling_v1::Appointment response;
  grpc::Status status;
  if (action == "show") {
    scheduling_v1::GetAppointmentRequest request;
    request.set_name(name);
    status = stub->GetAppointment(&call, request, &response);
  } else if (action == "check-in") {
    scheduling_v1::CheckInAppointmentRequest request;
    request.set_name(name);
    status = stub->CheckInAppointment(&call, request, &response);
  } else if (action == "complete") {
    scheduling_v1::CompleteAppointmentRequest request;
    request.set_name(name);
    status = stub->CompleteAppointment(&call, request, &response);
  } else if (action == "no-show") {
    scheduling_v1::MarkNoShowRequest request;
    request.set_name(name);
    status = stub->MarkNoShow(&call, request, &response);
  } else {
    std::cerr << kUsage;
    return 2;
  }
  if (!status.ok()) return Fail(status);
  std::printf("appointment   %s\n", response.name().c_str());
  std::printf("state         %s\n", StateName(response.state()).c_str());
  std::printf(
      "start         %s\n",
      absl::FormatTime("%a %Y-%m-%d %H:%M", FromTimestamp(response.start_time()), *zone).c_str());
  std::printf("desk          %s\n", response.desk().c_str());
  return 0;
}

int Health(const Context&, const std::vector<std::string>& args) {
  if (args.empty() || args.size() > 2) {
    std::cerr << "usage: sportelli-ctl health ADDRESS [SERVICE]   (SERVICE empty: liveness)\n";
    return 2;
  }
  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(args[0], grpc::InsecureChannelCredentials()));
  grpc::ClientContext call;
  call.set_deadline(server::DeadlineAfter(absl::Seconds(2)));
  grpc::health::v1::HealthCheckRequest request;
  request.set_service(args.size() == 2 ? args[1] : "");
  grpc::health::v1::HealthCheckResponse response;
  if (grpc::Status status = stub->Check(&call, request, &response); !status.ok()) {
    return Fail(status);
  }
  std::cout << grpc::health::v1::HealthCheckResponse::ServingStatus_Name(response.status()) << "\n";
  return response.status() == grpc::health::v1::HealthCheckResponse::SERVING ? 0 : 1;
}

int Audit(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl audit verify TENANT [--service scheduling|intake]\n"
      "       sportelli-ctl audit list TENANT [--codice-fiscale CF] [--subject S] [--resource R]\n"
      "                                        [--service scheduling|intake]\n"
      "       sportelli-ctl audit export TENANT CODICE_FISCALE [--service scheduling|intake]\n"
      "  (as the comune's dpo; each service keeps its own trail; --service defaults to "
      "scheduling)\n";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args, {"codice-fiscale", "subject", "resource", "service"}, {});
  if (!parsed.ok() || parsed->positional.size() < 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string service =
      parsed->flags.count("service") ? parsed->flags["service"] : "scheduling";
  if (service != "scheduling" && service != "intake") {
    std::cerr << "--service must be scheduling or intake\n" << kUsage;
    return 2;
  }
  const std::string& action = parsed->positional[0];
  const std::string& tenant = parsed->positional[1];
  const std::string parent = absl::StrCat("tenants/", tenant);
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"dpo"});
  if (!token.ok()) return Fail(token.status());
  auto stub = AuditStub(context, service);
  grpc::ClientContext call;
  Prepare(call, *token);
  if (action == "verify" && parsed->positional.size() == 2) {
    audit_v1::VerifyAuditChainRequest request;
    request.set_parent(parent);
    audit_v1::VerifyAuditChainResponse response;
    if (grpc::Status status = stub->VerifyAuditChain(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    if (response.has_first_break()) {
      std::printf("%s: the audit trail is BROKEN at lane %d, row %lld: %s\n", tenant.c_str(),
                  response.first_break().lane(),
                  static_cast<long long>(response.first_break().sequence()),
                  response.first_break().problem().c_str());
      return 1;
    }
    std::printf("%s: the audit trail is sound (rows: %lld, chains: %d)\n", tenant.c_str(),
                static_cast<long long>(response.rows()), response.lanes());
    return 0;
  }
  if (action == "list" && parsed->positional.size() == 2) {
    audit_v1::ListAuditEventsRequest request;
    request.set_parent(parent);
    request.set_codice_fiscale(parsed->flags["codice-fiscale"]);
    request.set_subject(parsed->flags["subject"]);
    request.set_resource(parsed->flags["resource"]);
    audit_v1::ListAuditEventsResponse response;
    if (grpc::Status status = stub->ListAuditEvents(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    absl::StatusOr<absl::TimeZone> zone = LocalZone();
    if (!zone.ok()) return Fail(zone.status());
    for (const audit_v1::AuditEvent& e : response.audit_events()) {
      std::printf("%s  %-7s %-18s %-20s %s\n",
                  absl::FormatTime("%Y-%m-%d %H:%M:%S", FromTimestamp(e.time()), *zone).c_str(),
                  audit_v1::AuditAction_Name(e.action()).substr(13).c_str(), e.purpose().c_str(),
                  e.subject().c_str(), e.resource().c_str());
    }
    if (!response.next_page_token().empty()) std::printf("(more: narrow the filter)\n");
    return 0;
  }
  if (action == "export" && parsed->positional.size() == 3) {
    audit_v1::ExportCitizenDataRequest request;
    request.set_parent(parent);
    request.set_codice_fiscale(parsed->positional[2]);
    audit_v1::ExportCitizenDataResponse response;
    if (grpc::Status status = stub->ExportCitizenData(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    std::cout << response.json() << "\n";
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

int Person(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl person register TENANT --given-name G --family-name F --birth-date "
      "YYYY-MM-DD\n"
      "           --sex f|m --privacy-notice VERSION [--codice-fiscale CF] [--phone +39...]\n"
      "           [--email E] [--citizenship IT] [--consent share-with-referral-bodies,"
      "contact-by-sms,...]\n"
      "           [--request-id UUID]\n"
      "       sportelli-ctl person find TENANT (--codice-fiscale CF | --family-name F "
      "--birth-date YYYY-MM-DD)\n"
      "       sportelli-ctl person show PERSON   (tenants/T/persons/P)\n"
      "  (as an operator of the comune)\n";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args,
                {"given-name", "family-name", "birth-date", "sex", "privacy-notice",
                 "codice-fiscale", "phone", "email", "citizenship", "consent", "request-id"},
                {});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  std::map<std::string, std::string>& flags = parsed->flags;
  const std::string& action = parsed->positional[0];
  const std::string tenant =
      action == "show" ? TenantOf(parsed->positional[1]) : parsed->positional[1];
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = IntakeStub(context);
  if (action == "register") {
    intake_v1::CreatePersonRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    intake_v1::Person& p = *request.mutable_person();
    p.set_given_name(flags["given-name"]);
    p.set_family_name(flags["family-name"]);
    p.set_codice_fiscale(flags["codice-fiscale"]);
    if (flags.count("birth-date") && !ParseDay(flags["birth-date"], p.mutable_birth_date())) {
      std::cerr << "--birth-date must be YYYY-MM-DD\n";
      return 2;
    }
    if (flags["sex"] == "f") p.set_sex(intake_v1::SEX_FEMALE);
    if (flags["sex"] == "m") p.set_sex(intake_v1::SEX_MALE);
    p.set_citizenship(flags["citizenship"]);
    p.set_phone_number(flags["phone"]);
    p.set_email(flags["email"]);
    // Acknowledged only when the operator names the notice the person was shown.
    p.set_privacy_notice_version(flags["privacy-notice"]);
    std::vector<intake_v1::ConsentKind> consents;
    if (!ParseEnumList(&intake_v1::ConsentKind_Parse, "CONSENT_KIND_", flags["consent"],
                       &consents)) {
      std::cerr << "--consent: share-with-referral-bodies, contact-by-sms, contact-by-email\n";
      return 2;
    }
    for (intake_v1::ConsentKind kind : consents) {
      intake_v1::Consent* consent = p.add_consents();
      consent->set_kind(kind);
      consent->set_granted(true);
    }
    absl::StatusOr<std::string> request_id = RequestIdOf(flags);
    if (!request_id.ok()) return Fail(request_id.status());
    request.set_request_id(*request_id);
    intake_v1::Person response;
    if (grpc::Status status = stub->CreatePerson(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    PrintPerson(response);
    return 0;
  }
  if (action == "find") {
    intake_v1::SearchPersonsRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    request.set_codice_fiscale(flags["codice-fiscale"]);
    request.set_family_name(flags["family-name"]);
    if (flags.count("birth-date") && !ParseDay(flags["birth-date"], request.mutable_birth_date())) {
      std::cerr << "--birth-date must be YYYY-MM-DD\n";
      return 2;
    }
    intake_v1::SearchPersonsResponse response;
    if (grpc::Status status = stub->SearchPersons(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    if (response.persons().empty()) std::printf("nobody found\n");
    for (const intake_v1::Person& p : response.persons()) PrintPerson(p);
    return 0;
  }
  if (action == "show") {
    intake_v1::GetPersonRequest request;
    request.set_name(parsed->positional[1]);
    intake_v1::Person response;
    if (grpc::Status status = stub->GetPerson(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    PrintPerson(response);
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

int Contact(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl contact record DESK --channel appointment|walk-in|phone|email\n"
      "           --need economic-hardship[,housing,...] [--person tenants/T/persons/P]\n"
      "           [--information TEXT] [--outcome information-only|referred|case-opened]\n"
      "           [--appointment tenants/T/appointments/A] [--time 2026-12-02T09:30]\n"
      "           [--request-id UUID]\n"
      "  (as an operator; DESK: T/D or tenants/T/desks/D; --time defaults to now, --outcome to\n"
      "   information-only)\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(
      args,
      {"channel", "need", "person", "information", "outcome", "appointment", "time", "request-id"},
      {});
  if (!parsed.ok() || parsed->positional.size() != 2 || parsed->positional[0] != "record") {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  std::map<std::string, std::string>& flags = parsed->flags;
  const std::string desk = DeskName(parsed->positional[1]);
  const std::string tenant = TenantOf(desk);
  intake_v1::CreateContactRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  intake_v1::Contact& c = *request.mutable_contact();
  c.set_desk(desk);
  c.set_person(flags["person"]);
  c.set_appointment(flags["appointment"]);
  c.set_information_given(flags["information"]);
  std::vector<intake_v1::ContactChannel> channel;
  if (!ParseEnumList(&intake_v1::ContactChannel_Parse, "CONTACT_CHANNEL_", flags["channel"],
                     &channel) ||
      channel.size() != 1) {
    std::cerr << "--channel must be appointment, walk-in, phone or email\n" << kUsage;
    return 2;
  }
  c.set_channel(channel[0]);
  std::vector<intake_v1::NeedArea> needs;
  if (!ParseEnumList(&intake_v1::NeedArea_Parse, "NEED_AREA_", flags["need"], &needs)) {
    std::cerr << "--need: economic-hardship, housing, work, health, family-and-children, "
                 "disability, old-age, migration, legal, other\n";
    return 2;
  }
  for (intake_v1::NeedArea need : needs) c.add_need_areas(need);
  std::vector<intake_v1::ContactOutcome> outcome;
  if (!ParseEnumList(&intake_v1::ContactOutcome_Parse, "CONTACT_OUTCOME_",
                     flags.count("outcome") ? flags["outcome"] : "information-only", &outcome) ||
      outcome.size() != 1) {
    std::cerr << "--outcome must be information-only, referred or case-opened\n";
    return 2;
  }
  c.set_outcome(outcome[0]);
  absl::StatusOr<absl::TimeZone> zone = LocalZone();
  if (!zone.ok()) return Fail(zone.status());
  // A contact is recorded when it happens unless --time says otherwise.
  absl::Time when = clock::SystemClock::Instance().Now();
  if (flags.count("time")) {
    absl::StatusOr<absl::Time> parsed_time = ParseStart(flags["time"], *zone);
    if (!parsed_time.ok()) {
      std::cerr << parsed_time.status().message() << "\n";
      return 2;
    }
    when = *parsed_time;
  }
  ToTimestamp(when, c.mutable_contact_time());
  absl::StatusOr<std::string> request_id = RequestIdOf(flags);
  if (!request_id.ok()) return Fail(request_id.status());
  request.set_request_id(*request_id);
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  intake_v1::Contact response;
  if (grpc::Status status = IntakeStub(context)->CreateContact(&call, request, &response);
      !status.ok()) {
    return Fail(status);
  }
  std::printf("contact       %s\n", response.name().c_str());
  std::printf("person        %s\n",
              response.person().empty() ? "(anonymous)" : response.person().c_str());
  std::printf(
      "when          %s\n",
      absl::FormatTime("%a %Y-%m-%d %H:%M", FromTimestamp(response.contact_time()), *zone).c_str());
  std::printf("recorded by   %s\n", response.operator_().c_str());
  return 0;
}

void PrintCase(const intake_v1::Case& c) {
  std::printf("case          %s\n", c.name().c_str());
  std::printf("person        %s\n", c.person().c_str());
  std::printf("desk          %s\n", c.desk().c_str());
  std::printf(
      "state         %s%s%s\n",
      std::string(absl::StripPrefix(intake_v1::CaseState_Name(c.state()), "CASE_STATE_")).c_str(),
      c.close_reason() != intake_v1::CLOSE_REASON_UNSPECIFIED ? ", " : "",
      c.close_reason() != intake_v1::CLOSE_REASON_UNSPECIFIED
          ? std::string(
                absl::StripPrefix(intake_v1::CloseReason_Name(c.close_reason()), "CLOSE_REASON_"))
                .c_str()
          : "");
  std::printf("assignee      %s\n", c.assignee().empty() ? "(nobody)" : c.assignee().c_str());
  const absl::TimeZone zone = LocalZone().value_or(absl::UTCTimeZone());
  for (const intake_v1::CaseHistoryEntry& e : c.history()) {
    const std::string what =
        e.assigned() ? absl::StrCat("assigned to ", e.assignee().empty() ? "nobody" : e.assignee())
                     : std::string(absl::StripPrefix(intake_v1::CaseState_Name(e.to_state()),
                                                     "CASE_STATE_"));
    std::printf("  %s  %-20s %s\n",
                absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(e.time()), zone).c_str(),
                e.actor().c_str(), what.c_str());
  }
}

int Case(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl case open CONTACT            (tenants/T/contacts/C: a contact whose "
      "outcome was case-opened)\n"
      "       sportelli-ctl case show CASE [--access-reason covering-colleague|"
      "urgent-safeguarding|person-present]\n"
      "       sportelli-ctl case move CASE assessment|active|closed|reopened [--reason "
      "goals-reached|...]\n"
      "       sportelli-ctl case assign CASE SUBJECT|-   (as the comune's coordinator; - for "
      "nobody)\n"
      "  (CASE: tenants/T/cases/K; --role operator|coordinator, default operator, coordinator "
      "for assign)\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"access-reason", "reason", "role"}, {});
  if (!parsed.ok() || parsed->positional.size() < 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::vector<std::string>& positional = parsed->positional;
  const std::string& action = positional[0];
  const std::string tenant = TenantOf(positional[1]);
  // An operator sees only the cases assigned to them and the unassigned ones of the desks tenants
  // says they serve; a coordinator sees every case.
  const std::string role = parsed->flags.count("role")
                               ? parsed->flags["role"]
                               : (action == "assign" ? "coordinator" : "operator");
  if (role != "operator" && role != "coordinator") {
    std::cerr << "--role must be operator or coordinator\n";
    return 2;
  }
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {role});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = IntakeStub(context);
  intake_v1::Case response;
  grpc::Status status;
  if (action == "open" && positional.size() == 2) {
    intake_v1::OpenCaseRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    request.set_contact(positional[1]);
    absl::StatusOr<std::string> request_id = NewRequestId();
    if (!request_id.ok()) return Fail(request_id.status());
    request.set_request_id(*request_id);
    status = stub->OpenCase(&call, request, &response);
  } else if (action == "show" && positional.size() == 2) {
    intake_v1::GetCaseRequest request;
    request.set_name(positional[1]);
    if (parsed->flags.count("access-reason")) {
      intake_v1::AccessReason reason;
      if (!ParseEnum(&intake_v1::AccessReason_Parse, "ACCESS_REASON_",
                     parsed->flags["access-reason"], &reason)) {
        std::cerr << "--access-reason: covering-colleague, urgent-safeguarding, person-present\n";
        return 2;
      }
      request.set_access_reason(reason);
    }
    status = stub->GetCase(&call, request, &response);
  } else if (action == "move" && positional.size() == 3) {
    intake_v1::TransitionCaseRequest request;
    request.set_name(positional[1]);
    intake_v1::CaseState to;
    if (!ParseEnum(&intake_v1::CaseState_Parse, "CASE_STATE_", positional[2], &to)) {
      std::cerr << "the state is assessment, active, closed or reopened\n";
      return 2;
    }
    request.set_state(to);
    if (parsed->flags.count("reason")) {
      intake_v1::CloseReason reason;
      if (!ParseEnum(&intake_v1::CloseReason_Parse, "CLOSE_REASON_", parsed->flags["reason"],
                     &reason)) {
        std::cerr << "--reason: goals-reached, referred-elsewhere, moved-away, "
                     "no-longer-in-need, lost-contact, deceased, other\n";
        return 2;
      }
      request.set_close_reason(reason);
    }
    status = stub->TransitionCase(&call, request, &response);
  } else if (action == "assign" && positional.size() == 3) {
    intake_v1::AssignCaseRequest request;
    request.set_name(positional[1]);
    request.set_assignee(positional[2] == "-" ? "" : positional[2]);
    status = stub->AssignCase(&call, request, &response);
  } else {
    std::cerr << kUsage;
    return 2;
  }
  if (!status.ok()) return Fail(status);
  PrintCase(response);
  return 0;
}

}  // namespace sportelli::ctl
