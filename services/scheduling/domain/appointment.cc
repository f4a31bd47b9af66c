#include "services/scheduling/domain/appointment.h"

#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

absl::Status TooManyHolds() {
  return status::Error(absl::StatusCode::kResourceExhausted,
                       "as many seats are kept at once as allowed: use or let expire a kept seat "
                       "first",
                       "TOO_MANY_HOLDS");
}

absl::Status HoldNotUsable() {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the hold has expired, was already used, or is for another slot or "
                       "another citizen",
                       "HOLD_NOT_USABLE");
}

const char* ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      return "WEB";
    case Channel::kPhone:
      return "PHONE";
    case Channel::kDesk:
      return "DESK";
  }
  return "UNKNOWN";
}

const char* TicketStateName(TicketState state) {
  switch (state) {
    case TicketState::kWaiting:
      return "WAITING";
    case TicketState::kCalled:
      return "CALLED";
  }
  return "UNKNOWN";
}

std::optional<Channel> ParseChannel(absl::string_view name) {
  for (Channel c : {Channel::kWeb, Channel::kPhone, Channel::kDesk}) {
    if (name == ChannelName(c)) return c;
  }
  return std::nullopt;
}

std::optional<TicketState> ParseTicketState(absl::string_view name) {
  for (TicketState s : {TicketState::kWaiting, TicketState::kCalled}) {
    if (name == TicketStateName(s)) return s;
  }
  return std::nullopt;
}

}  // namespace sportelli::scheduling
