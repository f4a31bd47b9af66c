// Conversions between sportelli.tenants.v1 messages and the domain model. Conversions from
// proto report every unrepresentable value (a time of day with seconds, an unknown enum) as a
// field violation, so the caller answers INVALID_ARGUMENT without writing anything.
#ifndef SPORTELLI_SERVICES_TENANTS_PROTO_MAPPING_H_
#define SPORTELLI_SERVICES_TENANTS_PROTO_MAPPING_H_

#include <optional>
#include <string>

#include "absl/time/civil_time.h"
#include "services/tenants/domain/model.h"
#include "sportelli/status/errors.h"
#include "sportelli/tenants/v1/tenants_service.pb.h"

namespace sportelli::tenants {

namespace v1 = ::sportelli::tenants::v1;

v1::Tenant ToProto(const Tenant& tenant);
v1::Desk ToProto(const Desk& desk);
v1::Service ToProto(const Service& service);
v1::Channel ToProto(const Channel& channel);
v1::Closure ToProto(const Closure& closure);
v1::Holiday ToProto(const Holiday& holiday);
v1::Operator ToProto(const Operator& op);

// `prefix` is the request path of the message, e.g. "desk." — violations are reported as
// "desk.opening_hours[0].start_time".
PostalAddress FromProto(const v1::PostalAddress& address);
std::vector<WeeklyInterval> FromProto(
    const google::protobuf::RepeatedPtrField<v1::WeeklyInterval>& hours, const std::string& prefix,
    status::FieldViolations& violations);
std::optional<BookingMode> FromProto(v1::BookingMode mode);
std::optional<ChannelKind> FromProto(v1::ChannelKind kind);
std::optional<OperatorRole> FromProto(v1::OperatorRole role);
}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_PROTO_MAPPING_H_
