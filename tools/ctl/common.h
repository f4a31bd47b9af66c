// What every sportelli-ctl command uses: tokens (given, or minted with the dev key), calls
// with a deadline and a bearer token, errors printed with their reason and field violations,
// strict argument parsing, request ids, enum names in kebab case.
#ifndef SPORTELLI_TOOLS_CTL_COMMON_H_
#define SPORTELLI_TOOLS_CTL_COMMON_H_

#include <cctype>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/support/status.h"
#include "sportelli/intake/v1/intake_service.grpc.pb.h"
#include "tools/ctl/commands.h"

namespace sportelli::ctl {

namespace intake_v1 = ::sportelli::intake::v1;

// Every comune is in this zone (the seed's tenants, and the scheduling service cuts slots in
// it); slot and appointment times are shown in it. The scheduling API answers instants only.
inline constexpr char kLocalZone[] = "Europe/Rome";

absl::StatusOr<std::string> ReadFile(const std::string& path);

// A token signed with the dev key (SPORTELLI_JWT_PRIVATE_KEY_FILE). `destination`: the claim of
// a partner token, empty otherwise.
absl::StatusOr<std::string> Mint(const Context& context, const std::string& tenant,
                                 const std::vector<std::string>& roles, const std::string& subject,
                                 absl::Duration ttl, const std::string& destination = "");
// The token for a call: the given one, or a short-lived one minted with the dev key.
absl::StatusOr<std::string> TokenFor(const Context& context, const std::string& tenant,
                                     const std::vector<std::string>& roles);

// A deadline and the bearer token.
void Prepare(grpc::ClientContext& call, const std::string& token);

// Prints the error (code, message, reason, field violations) and returns the exit code 1.
int Fail(const absl::Status& status);
int Fail(const grpc::Status& status);

// The arguments of a command: positional ones in order, `--name value` flags and `--name`
// switches. Unlike a lenient parser, an unknown flag or a flag without its value is an error,
// so a typo never silently drops a citizen's data or the privacy acknowledgement.
struct ParsedArgs {
  std::vector<std::string> positional;
  std::map<std::string, std::string> flags;
  std::set<std::string> switches;
};
absl::StatusOr<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                                     const std::set<std::string>& value_flags,
                                     const std::set<std::string>& switch_flags);

// The tenant id of `tenants/{tenant}/...`, or "" (the call then fails with the server's message).
std::string TenantOf(const std::string& name);
absl::StatusOr<absl::TimeZone> LocalZone();
absl::Time FromTimestamp(const google::protobuf::Timestamp& timestamp);

// A random (version 4) UUID for AIP-155 request ids.
absl::StatusOr<std::string> NewRequestId();
// --request-id as given, or a new one: a retry with the printed id gets the first result.
absl::StatusOr<std::string> RequestIdOf(std::map<std::string, std::string>& flags);

std::unique_ptr<intake_v1::IntakeService::Stub> IntakeStub(const Context& context);

// `covering-colleague` with prefix ACCESS_REASON_ -> ACCESS_REASON_COVERING_COLLEAGUE, parsed by
// the enum's generated `*_Parse`; false for an unknown name and for the UNSPECIFIED value.
template <typename Enum>
bool ParseEnum(bool (*parse)(const std::string&, Enum*), absl::string_view prefix,
               absl::string_view kebab, Enum* value) {
  std::string name(prefix);
  for (char c : kebab) {
    name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return parse(name, value) && static_cast<int>(*value) != 0;
}

// A comma-separated list of such names (`economic-hardship,housing`).
template <typename Enum>
bool ParseEnumList(bool (*parse)(const std::string&, Enum*), absl::string_view prefix,
                   const std::string& text, std::vector<Enum>* out) {
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    Enum value;
    if (!ParseEnum(parse, prefix, item, &value)) return false;
    out->push_back(value);
  }
  return true;
}

// The enum value's name without `prefix`, in kebab case: CASE_STATE_OPEN -> open.
std::string KebabName(const std::string& name, absl::string_view prefix);

}  // namespace sportelli::ctl

#endif  // SPORTELLI_TOOLS_CTL_COMMON_H_
