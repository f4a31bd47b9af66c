// Conversions between the scheduling domain and sportelli.scheduling.v1 messages.
#ifndef SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_
#define SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "services/scheduling/domain/appointment.h"
#include "sportelli/scheduling/v1/scheduling_service.pb.h"
#include "sportelli/status/errors.h"

namespace sportelli::scheduling {

namespace v1 = ::sportelli::scheduling::v1;

inline constexpr char kTenantPattern[] = "tenants/{tenant}";
inline constexpr char kDeskPattern[] = "tenants/{tenant}/desks/{desk}";
inline constexpr char kServicePattern[] = "tenants/{tenant}/services/{service}";
inline constexpr char kAppointmentPattern[] = "tenants/{tenant}/appointments/{appointment}";
inline constexpr char kHoldPattern[] = "tenants/{tenant}/holds/{hold}";
inline constexpr char kOperatorPattern[] = "tenants/{tenant}/operators/{operator}";

void ToTimestamp(absl::Time t, google::protobuf::Timestamp* out);
// A timestamp from a trusted source (another service), without checks.
absl::Time TimeFromProto(const google::protobuf::Timestamp& t);
// nullopt (and a violation on `field`) when unset or outside years 1..9999.
std::optional<absl::Time> FromTimestamp(bool present, const google::protobuf::Timestamp& t,
                                        const std::string& field,
                                        status::FieldViolations& violations);
google::type::Date ToDate(absl::CivilDay day);
// nullopt (and a violation) unless a full, existing calendar date.
std::optional<absl::CivilDay> FromDate(bool present, const google::type::Date& date,
                                       const std::string& field,
                                       status::FieldViolations& violations);

std::optional<Channel> FromProto(v1::Channel channel);
v1::Channel ToProto(Channel channel);
std::optional<AppointmentState> FromProto(v1::AppointmentState state);
v1::AppointmentState ToProto(AppointmentState state);

// The citizen as sent; an unspecified contact channel becomes a value outside the enumerators,
// which ValidateCitizen reports.
Citizen FromProto(const v1::Citizen& citizen);

v1::Appointment ToProto(const Appointment& appointment);
v1::Hold ToProto(const Hold& hold);
v1::WalkInTicket ToProto(const WalkInTicket& ticket);
std::string TicketId(const WalkInTicket& ticket);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_PROTO_MAPPING_H_
