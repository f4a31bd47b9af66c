// The records the scheduling service keeps: appointments, holds and walk-in tickets, as plain
// structs. The gRPC layer maps them to sportelli.scheduling.v1 messages; the repository stores
// them. Times are UTC instants.
#ifndef SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_H_
#define SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "services/scheduling/domain/appointment_state.h"
#include "services/scheduling/domain/slot_model.h"
#include "sportelli/citizen/citizen.h"

namespace sportelli::scheduling {

// The citizen an appointment is for: the shared citizen library's record and checks.
using citizen::Citizen;
using citizen::ContactChannel;

struct Appointment {
  std::string tenant_id;
  std::string id;
  std::string desk_id;
  std::string service_id;
  absl::Time start;
  absl::Time end;
  absl::CivilDay local_day;  // the comune's day of `start`
  Channel channel = Channel::kWeb;
  AppointmentState state = AppointmentState::kBooked;
  Citizen citizen;
  // The citizen's personal data was erased (their key shredded, or anonymized by retention):
  // `citizen` holds only preferred_contact.
  bool citizen_erased = false;
  absl::Time create_time;
  absl::Time update_time;
};

// RESOURCE_EXHAUSTED TOO_MANY_HOLDS: the same answer for the citizen's cap and the caller's, so
// that a caller does not learn whether the citizen it named keeps a seat through someone else.
absl::Status TooManyHolds();
// FAILED_PRECONDITION HOLD_NOT_USABLE: a booking cannot use the hold it names.
absl::Status HoldNotUsable();

struct Hold {
  std::string tenant_id;
  std::string id;
  std::string desk_id;
  std::string service_id;
  absl::Time start;
  absl::Time end;
  Channel channel = Channel::kWeb;
  absl::Time expire_time;
};

enum class TicketState { kWaiting, kCalled };

struct WalkInTicket {
  std::string tenant_id;
  std::string desk_id;
  absl::CivilDay local_day;
  int number = 0;
  TicketState state = TicketState::kWaiting;
  absl::Time create_time;
};

// The stored names: "WEB", "PHONE", "DESK"; "WAITING", "CALLED". "UNKNOWN" for a value outside
// the enumerators (the edge rejects those first).
const char* ChannelName(Channel channel);
const char* TicketStateName(TicketState state);
// The inverses (exact names); nullopt for anything else, e.g. a corrupt row.
std::optional<Channel> ParseChannel(absl::string_view name);
std::optional<TicketState> ParseTicketState(absl::string_view name);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_DOMAIN_APPOINTMENT_H_
