// sportelli-ctl's commands for the notifications service: `watch`, the live feed of a comune's
// desks as the operator app receives it.
#include <cstdio>
#include <iostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "sportelli/events/outbox.h"
#include "sportelli/notifications/v1/notifications_service.grpc.pb.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/grpc_status.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/common.h"

namespace sportelli::ctl {
namespace {

namespace notifications_v1 = ::sportelli::notifications::v1;
namespace ev1 = ::sportelli::events::v1;

// How many times in a row a lost stream is resumed before giving up.
constexpr int kMaxResumes = 10;

std::string LocalTime(const google::protobuf::Timestamp& time, const char* format) {
  const absl::TimeZone zone = LocalZone().value_or(absl::UTCTimeZone());
  return absl::FormatTime(format, FromTimestamp(time), zone);
}

// The last segment of a resource name ("sede-centrale" of tenants/capannori/desks/sede-centrale).
std::string LastSegment(const std::string& name) {
  const size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// What a person at the desk wants to see of an event, after its type and resource.
std::string Detail(const ev1::Event& event) {
  switch (event.payload_case()) {
    case ev1::Event::kAppointmentBooked:
      return absl::StrCat("at ",
                          LocalTime(event.appointment_booked().start_time(), "%Y-%m-%d %H:%M"));
    case ev1::Event::kAppointmentRescheduled:
      return absl::StrCat(
          "to ", LocalTime(event.appointment_rescheduled().start_time(), "%Y-%m-%d %H:%M"));
    case ev1::Event::kWalkInTicketTaken:
      return absl::StrCat("ticket ", event.walk_in_ticket_taken().number());
    case ev1::Event::kWalkInTicketCalled:
      return absl::StrCat("ticket ", event.walk_in_ticket_called().number());
    default:
      return "";
  }
}

void PrintEvent(const notifications_v1::LiveEvent& live) {
  const ev1::Event& event = live.event();
  std::string desk;
  if (!event.desk().empty()) desk = absl::StrCat("  desk ", LastSegment(event.desk()));
  const std::string detail = Detail(event);
  std::printf("%s  %-22s %s%s%s  [%s]\n", LocalTime(event.time(), "%H:%M:%S").c_str(),
              events::EventType(event).c_str(), event.resource().c_str(), desk.c_str(),
              detail.empty() ? "" : absl::StrCat("  ", detail).c_str(), live.id().c_str());
  std::fflush(stdout);
}

}  // namespace

int Notifications(const Context& context, const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {}, {"failed"});
  if (!parsed.ok()) return Fail(parsed.status());
  if (parsed->positional.size() != 1 || parsed->positional[0].rfind("tenants/", 0) != 0) {
    std::cerr << "usage: sportelli-ctl notifications tenants/T/appointments/A | tenants/T "
                 "[--failed]\n";
    return 2;
  }
  const std::string& target = parsed->positional[0];
  const std::string tenant = TenantOf(target);
  // A comune: its messages, the failed ones first (with --failed, only those), one page.
  const bool whole_comune = target.find("/appointments/") == std::string::npos;
  absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
  if (!token.ok()) return Fail(token.status());
  auto stub = notifications_v1::NotificationsService::NewStub(
      grpc::CreateChannel(context.notifications_address, grpc::InsecureChannelCredentials()));
  notifications_v1::ListNotificationsRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  if (!whole_comune) request.set_appointment(target);
  if (parsed->switches.count("failed")) {
    for (auto state : {notifications_v1::NOTIFICATION_STATE_TEMPORARY_FAILURE,
                       notifications_v1::NOTIFICATION_STATE_PERMANENT_FAILURE,
                       notifications_v1::NOTIFICATION_STATE_TECHNICAL_FAILURE}) {
      request.add_states(state);
    }
  }
  notifications_v1::ListNotificationsResponse response;
  grpc::ClientContext call;
  Prepare(call, *token);
  if (grpc::Status status = stub->ListNotifications(&call, request, &response); !status.ok()) {
    return Fail(status);
  }
  if (response.notifications().empty()) std::printf("no messages\n");
  for (const notifications_v1::Notification& n : response.notifications()) {
    std::printf(
        "%-18s %-6s %-18s %s  attempts %d%s%s\n",
        KebabName(notifications_v1::NotificationKind_Name(n.kind()), "NOTIFICATION_KIND_").c_str(),
        KebabName(notifications_v1::NotificationChannel_Name(n.channel()), "NOTIFICATION_CHANNEL_")
            .c_str(),
        KebabName(notifications_v1::NotificationState_Name(n.state()), "NOTIFICATION_STATE_")
            .c_str(),
        LocalTime(n.send_time(), "%Y-%m-%d %H:%M").c_str(), n.attempts(),
        n.reason().empty() ? "" : "  ", n.reason().c_str());
    if (whole_comune) std::printf("    %s\n", n.appointment().c_str());
  }
  if (!response.next_page_token().empty()) std::printf("(more: this is the first page)\n");
  return 0;
}

int Watch(const Context& context, const std::vector<std::string>& args) {
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"desk", "after", "count"}, {"heartbeats"});
  if (!parsed.ok()) return Fail(parsed.status());
  if (parsed->positional.size() != 1) {
    std::cerr << "usage: sportelli-ctl watch TENANT [--desk D] [--after EVENT_ID] [--count N] "
                 "[--heartbeats]\n";
    return 2;
  }
  const std::string tenant = parsed->positional[0];
  notifications_v1::WatchEventsRequest request;
  request.set_parent(absl::StrCat("tenants/", tenant));
  if (parsed->flags.count("desk")) {
    const std::string& desk = parsed->flags["desk"];
    request.set_desk(
        desk.rfind("tenants/", 0) == 0 ? desk : absl::StrCat(request.parent(), "/desks/", desk));
  }
  if (parsed->flags.count("after")) request.set_after_event_id(parsed->flags["after"]);
  int64_t count = -1;  // events to print before exiting; -1: until interrupted
  if (parsed->flags.count("count") &&
      (!absl::SimpleAtoi(parsed->flags["count"], &count) || count < 1)) {
    return Fail(absl::InvalidArgumentError("--count must be a positive number"));
  }
  const bool heartbeats = parsed->switches.count("heartbeats") > 0;

  auto stub = notifications_v1::NotificationsService::NewStub(
      grpc::CreateChannel(context.notifications_address, grpc::InsecureChannelCredentials()));
  int resumes = 0;
  while (true) {
    absl::StatusOr<std::string> token = TokenFor(context, tenant, {"operator"});
    if (!token.ok()) return Fail(token.status());
    grpc::ClientContext call;
    call.AddMetadata("authorization", absl::StrCat("Bearer ", *token));  // no deadline: live
    std::unique_ptr<grpc::ClientReader<notifications_v1::WatchEventsResponse>> reader =
        stub->WatchEvents(&call, request);
    notifications_v1::WatchEventsResponse response;
    while (reader->Read(&response)) {
      resumes = 0;
      if (response.has_heartbeat()) {
        if (heartbeats) {
          std::printf("%s  (live)\n", LocalTime(response.heartbeat().time(), "%H:%M:%S").c_str());
          std::fflush(stdout);
        }
        continue;
      }
      for (const notifications_v1::LiveEvent& live : response.events()) {
        PrintEvent(live);
        request.set_after_event_id(live.id());
        if (count > 0 && --count == 0) {
          call.TryCancel();
          reader->Finish();
          return 0;
        }
      }
    }
    const absl::Status ended = status::FromGrpcStatus(reader->Finish());
    // The server stopped (UNAVAILABLE) or the connection dropped: resume after the last event,
    // as the operator app does. A point no longer kept: say so, and watch from now on.
    if (ended.code() == absl::StatusCode::kOutOfRange &&
        status::ReasonOf(ended) == "RESYNC_REQUIRED") {
      std::cerr << "the feed no longer has the events after " << request.after_event_id()
                << ": some were missed; watching from now on\n";
      request.clear_after_event_id();
      continue;
    }
    // A server in the last moments of its stop cancels the calls that reach it.
    const bool lost = ended.code() == absl::StatusCode::kUnavailable ||
                      ended.code() == absl::StatusCode::kCancelled;
    if (lost && ++resumes <= kMaxResumes) {
      std::cerr << "stream lost (" << ended.message() << "); resuming\n";
      absl::SleepFor(absl::Milliseconds(200) * resumes);
      continue;
    }
    return Fail(ended);
  }
}

}  // namespace sportelli::ctl
