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

// Resource name patterns (AIP-122).
inline constexpr char kTenantPattern[] = "tenants/{tenant}";
inline constexpr char kDeskPattern[] = "tenants/{tenant}/desks/{desk}";
inline constexpr char kServicePattern[] = "tenants/{tenant}/services/{service}";
inline constexpr char kChannelPattern[] = "tenants/{tenant}/channels/{channel}";
inline constexpr char kClosurePattern[] = "tenants/{tenant}/desks/{desk}/closures/{closure}";
inline constexpr char kHolidayPattern[] = "tenants/{tenant}/holidays/{holiday}";
inline constexpr char kOperatorPattern[] = "tenants/{tenant}/operators/{operator}";

std::string TenantName(const std::string& tenant_id);
std::string DeskName(const std::string& tenant_id, const std::string& desk_id);
std::string ServiceName(const std::string& tenant_id, const std::string& service_id);

v1::Tenant ToProto(const Tenant& tenant);
v1::Desk ToProto(const Desk& desk);
v1::Service ToProto(const Service& service);
v1::Channel ToProto(const Channel& channel);
v1::Closure ToProto(const Closure& closure);
v1::Holiday ToProto(const Holiday& holiday);
v1::Operator ToProto(const Operator& op);
google::type::Date ToProtoDate(absl::CivilDay day);

// `prefix` is the request path of the message, e.g. "desk." — violations are reported as
// "desk.opening_hours[0].start_time".
PostalAddress FromProto(const v1::PostalAddress& address);
std::vector<WeeklyInterval> FromProto(
    const google::protobuf::RepeatedPtrField<v1::WeeklyInterval>& hours, const std::string& prefix,
    status::FieldViolations& violations);
std::optional<BookingMode> FromProto(v1::BookingMode mode);
std::optional<ChannelKind> FromProto(v1::ChannelKind kind);
std::optional<OperatorRole> FromProto(v1::OperatorRole role);
// A complete calendar date (year 1..9999), or nullopt with a violation on `field`. With
// `allow_no_year`, year 0 is accepted (recurring holidays) and the result is in leap year 2000.
std::optional<absl::CivilDay> FromProtoDate(const google::type::Date& date,
                                            const std::string& field,
                                            status::FieldViolations& violations,
                                            bool allow_no_year = false);

}  // namespace sportelli::tenants

#endif  // SPORTELLI_SERVICES_TENANTS_PROTO_MAPPING_H_
