// The subcommands of sportelli-ctl. Each returns a process exit code and prints for people:
// tables on stdout, problems on stderr (with the gRPC status and its ErrorInfo reason).
#ifndef SPORTELLI_TOOLS_CTL_COMMANDS_H_
#define SPORTELLI_TOOLS_CTL_COMMANDS_H_

#include <string>
#include <vector>

namespace sportelli::ctl {

struct Context {
  std::string tenants_address;        // host:port of sportelli-tenants
  std::string scheduling_address;     // host:port of sportelli-scheduling
  std::string intake_address;         // host:port of sportelli-intake
  std::string notifications_address;  // host:port of sportelli-notifications
  std::string token;                  // bearer token, may be empty
  std::string private_key_file;       // dev signing key: mint a token when `token` is empty
  std::string issuer;
  std::string audience;
};

// sportelli-tenants.
int MintToken(const Context& context, const std::vector<std::string>& args);
int ListTenants(const Context& context, const std::vector<std::string>& args);
int ListDesks(const Context& context, const std::vector<std::string>& args);
int Hours(const Context& context, const std::vector<std::string>& args);

// sportelli-scheduling.
int Slots(const Context& context, const std::vector<std::string>& args);
int Book(const Context& context, const std::vector<std::string>& args);
// `appointment show|check-in|complete|no-show APPOINTMENT` (as the desk's operator).
int Appointment(const Context& context, const std::vector<std::string>& args);

// sportelli-intake: `person register|find|show`, `contact record`, `case open|show|move|assign`.
int Person(const Context& context, const std::vector<std::string>& args);
int Contact(const Context& context, const std::vector<std::string>& args);
int Case(const Context& context, const std::vector<std::string>& args);
// intake_commands.cc: `note add|list`, `destination list|create` (tenant_admin), `refer`, and
// `referral show|list|accept|reject|complete|revoke` (the partner's moves with --as-partner).
int Note(const Context& context, const std::vector<std::string>& args);
int Destination(const Context& context, const std::vector<std::string>& args);
int Refer(const Context& context, const std::vector<std::string>& args);
int Referral(const Context& context, const std::vector<std::string>& args);

// sportelli-notifications: `watch TENANT [--desk D]`, the live feed, printed as it comes
// (resumed after the last event when the stream is lost).
int Watch(const Context& context, const std::vector<std::string>& args);
// `notifications APPOINTMENT`: the messages written to its citizen (kind, channel, state, when).
int Notifications(const Context& context, const std::vector<std::string>& args);

// The DPO's commands over a service's audit trail (scheduling's, or intake's with
// --service intake): `audit verify|list|export`.
int Audit(const Context& context, const std::vector<std::string>& args);

// Any service: the gRPC health check of ADDRESS for SERVICE (liveness when absent); exits 0
// when SERVING.
int Health(const Context& context, const std::vector<std::string>& args);

}  // namespace sportelli::ctl

#endif  // SPORTELLI_TOOLS_CTL_COMMANDS_H_
