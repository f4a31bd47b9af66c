// Conversions between the scheduling domain and sportelli.scheduling.v1 messages.
#ifndef SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_
#define SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "services/scheduling/domain/appointment.h"
#include "sportelli/scheduling/v1/scheduling_service.pb.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

namespace v1 = ::sportelli::scheduling::v1;

std::optional<Channel> FromProto(v1::Channel channel);
v1::Channel ToProto(Channel channel);
std::optional<AppointmentState> FromProto(v1::AppointmentState state);
v1::AppointmentState ToProto(AppointmentState state);

// The citizen as sent; an unspecified contact channel becomes a value outside the enumerators,
// which ValidateCitizen reports.
Citizen FromProto(const v1::Citizen& citizen);

v1::Appointment ToProto(const Appointment& appointment);
// What the notifications service may read: no name, no codice fiscale.
v1::AppointmentContact ToContactProto(const Appointment& appointment);
v1::Hold ToProto(const Hold& hold);
v1::WalkInTicket ToProto(const WalkInTicket& ticket);
std::string TicketId(const WalkInTicket& ticket);

// Appointments as the JSON of their API messages (proto3 JSON mapping, field names as in the
// proto): what a data subject's export shows.
nlohmann::json AppointmentsJson(const std::vector<Appointment>& appointments);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_
