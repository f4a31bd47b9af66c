#include "tools/ctl/commands.h"

#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "sportelli/tenants/v1/tenants_service.grpc.pb.h"

namespace sportelli::ctl {
namespace {

namespace v1 = ::sportelli::tenants::v1;

constexpr absl::Duration kDeadline = absl::Seconds(10);

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

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

absl::StatusOr<std::string> Mint(const Context& context, const std::string& tenant,
                                 const std::vector<std::string>& roles, const std::string& subject,
                                 absl::Duration ttl) {
  if (context.private_key_file.empty()) {
    return absl::FailedPreconditionError(
        "no token: set SPORTELLI_TOKEN, or SPORTELLI_JWT_PRIVATE_KEY_FILE to mint one (scripts/up does)");
  }
  absl::StatusOr<std::string> key = ReadFile(context.private_key_file);
  if (!key.ok()) return key.status();
  absl::StatusOr<auth::TokenSigner> signer = auth::TokenSigner::Create(*key, context.issuer, context.audience);
  if (!signer.ok()) return signer.status();
  auth::MintOptions options;
  options.subject = subject;
  options.tenant = tenant;
  options.roles = roles;
  options.ttl = ttl;
  return signer->Mint(options);
}

// The token for a call: the given one, or a short-lived one minted with the dev key.
absl::StatusOr<std::string> TokenFor(const Context& context, const std::string& tenant,
                                     const std::vector<std::string>& roles) {
  if (!context.token.empty()) return context.token;
  return Mint(context, tenant, roles, "sportelli-ctl", absl::Minutes(5));
}

std::unique_ptr<v1::TenantsService::Stub> Stub(const Context& context) {
  return v1::TenantsService::NewStub(grpc::CreateChannel(context.tenants_address, grpc::InsecureChannelCredentials()));
}

void Prepare(grpc::ClientContext& call, const std::string& token) {
  call.set_deadline(absl::ToChronoTime(absl::Now() + kDeadline));
  call.AddMetadata("authorization", absl::StrCat("Bearer ", token));
}

int Fail(const absl::Status& status) {
  std::cerr << "error: " << absl::StatusCodeToString(status.code()) << ": " << status.message();
  if (std::optional<std::string> reason = status::ReasonOf(status)) std::cerr << " [" << *reason << "]";
  std::cerr << "\n";
  for (const auto& [field, description] : status::FieldViolationsOf(status)) {
    std::cerr << "  " << field << ": " << description << "\n";
  }
  return 1;
}

int Fail(const grpc::Status& status) { return Fail(status::FromGrpcStatus(status)); }

const char* DayName(google::type::DayOfWeek day) {
  static constexpr const char* kNames[] = {"?", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  return kNames[static_cast<int>(day) >= 0 && static_cast<int>(day) <= 7 ? static_cast<int>(day) : 0];
}

std::string Clock(const google::type::TimeOfDay& time) {
  return absl::StrFormat("%02d:%02d", time.hours(), time.minutes());
}

// "Mon 09:00-12:30; Tue 09:00-12:30, 15:00-17:30; ..." grouped by day, in week order.
std::string FormatHours(const google::protobuf::RepeatedPtrField<v1::WeeklyInterval>& hours) {
  std::map<int, std::vector<std::string>> by_day;
  for (const v1::WeeklyInterval& interval : hours) {
    by_day[interval.day_of_week()].push_back(absl::StrCat(Clock(interval.start_time()), "-", Clock(interval.end_time())));
  }
  std::vector<std::string> days;
  for (const auto& [day, spans] : by_day) {
    days.push_back(absl::StrCat(DayName(static_cast<google::type::DayOfWeek>(day)), " ", absl::StrJoin(spans, ", ")));
  }
  return days.empty() ? "(no hours)" : absl::StrJoin(days, "; ");
}

const char* BookingModeName(v1::BookingMode mode) {
  switch (mode) {
    case v1::BOOKING_MODE_WALK_IN: return "walk-in";
    case v1::BOOKING_MODE_APPOINTMENT_ONLY: return "appointment only";
    case v1::BOOKING_MODE_WALK_IN_AND_APPOINTMENT: return "walk-in + appointment";
    default: return "?";
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
    std::cerr << "usage: sportelli-ctl mint-token --tenant TENANT --roles ROLE[,ROLE...] [--subject SUB] [--ttl 8h]\n";
    return 2;
  }
  absl::Duration ttl = absl::Hours(8);
  if (flags.count("ttl") && !absl::ParseDuration(flags["ttl"], &ttl)) {
    std::cerr << "--ttl must be a duration such as 8h or 30m\n";
    return 2;
  }
  std::vector<std::string> roles = absl::StrSplit(flags["roles"], ',', absl::SkipEmpty());
  absl::StatusOr<std::string> token =
      Mint(context, flags["tenant"], roles, flags.count("subject") ? flags["subject"] : "dev", ttl);
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
    if (grpc::Status status = stub->ListTenants(&call, request, &response); !status.ok()) return Fail(status);
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
    if (grpc::Status status = stub->ListDesks(&call, request, &response); !status.ok()) return Fail(status);
    for (const v1::Desk& desk : response.desks()) {
      std::cout << desk.name() << "\n"
                << "  " << desk.display_name() << "\n"
                << "  address:  " << Address(desk.address()) << "\n"
                << "  booking:  " << BookingModeName(desk.booking_mode()) << ", capacity " << desk.capacity() << "\n"
                << "  hours:    " << FormatHours(desk.opening_hours()) << " (Europe/Rome)\n"
                << "  services: " << desk.services_size() << "\n";
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int Hours(const Context& context, const std::vector<std::string>& args) {
  if (args.size() != 3) {
    std::cerr << "usage: sportelli-ctl hours DESK FROM TO   (DESK: tenants/T/desks/D or T/D; dates YYYY-MM-DD)\n";
    return 2;
  }
  std::string desk = args[0];
  if (desk.rfind("tenants/", 0) != 0) {
    std::vector<std::string> parts = absl::StrSplit(desk, '/');
    if (parts.size() == 2) desk = absl::StrCat("tenants/", parts[0], "/desks/", parts[1]);
  }
  v1::ComputeOpenIntervalsRequest request;
  request.set_desk(desk);
  if (!ParseDate(args[1], request.mutable_start_date()) || !ParseDate(args[2], request.mutable_end_date())) {
    std::cerr << "dates must be YYYY-MM-DD\n";
    return 2;
  }
  std::vector<std::string> name_parts = absl::StrSplit(desk, '/');
  absl::StatusOr<std::string> token = TokenFor(context, name_parts.size() > 1 ? name_parts[1] : "", {"operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  v1::ComputeOpenIntervalsResponse response;
  if (grpc::Status status = Stub(context)->ComputeOpenIntervals(&call, request, &response); !status.ok()) {
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
                             absl::FormatTime("%H:%M", end, zone)).c_str(),
                absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%MZ", start, absl::UTCTimeZone()), "-",
                             absl::FormatTime("%H:%MZ", end, absl::UTCTimeZone())).c_str());
  }
  if (response.intervals().empty()) std::printf("(closed)\n");
  return 0;
}

}  // namespace sportelli::ctl
