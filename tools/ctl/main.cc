// sportelli-ctl: talk to the Sportelli Sociali services from a terminal.
//
//   sportelli-ctl mint-token --tenant capannori --roles operator,tenant_admin [--subject dev]
//       [--ttl 8h]
//   sportelli-ctl tenants list
//   sportelli-ctl desks list capannori
//   sportelli-ctl hours tenants/capannori/desks/sede-centrale 2026-03-27 2026-03-31
//   sportelli-ctl slots capannori/casa-salute-marlia informazione-orientamento 2026-12-01
//       2026-12-31
//   sportelli-ctl book capannori/casa-salute-marlia informazione-orientamento 2026-12-02T09:00
//       --given-name Maria --family-name Rossi --codice-fiscale RSSMRA80A41E715N
//       --phone +393331234567 --privacy-notice-acknowledged      (each command on one line)
//   sportelli-ctl health localhost:18080 sportelli.tenants.v1.TenantsService
//   sportelli-ctl person register capannori --given-name Maria --family-name Rossi
//       --birth-date 1980-01-01 --sex f --codice-fiscale RSSMRA80A41E715N --privacy-notice 2026-01
//   sportelli-ctl contact record capannori/sede-centrale --channel walk-in
//       --need economic-hardship --person tenants/capannori/persons/p... --outcome case-opened
//   sportelli-ctl audit verify capannori      (as the comune's dpo, over scheduling's trail)
//   sportelli-ctl watch capannori --desk sede-centrale   (the live feed, until Ctrl-C)
//
// Environment: SPORTELLI_TENANTS_ADDR (default localhost:8080), SPORTELLI_SCHEDULING_ADDR
// (default localhost:18081, the port `scripts/up` uses), SPORTELLI_INTAKE_ADDR (default
// localhost:18082), SPORTELLI_NOTIFICATIONS_ADDR (default localhost:18083), SPORTELLI_TOKEN (a
// bearer token) or SPORTELLI_JWT_PRIVATE_KEY_FILE with SPORTELLI_JWT_ISSUER /
// SPORTELLI_JWT_AUDIENCE (a dev key: a short-lived token is minted per call). `scripts/up` writes a
// wrapper in .local/bin that sets all of these for the local stack.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "tools/ctl/commands.h"

namespace {

std::string Env(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : fallback;
}

int Usage() {
  std::cerr
      << "usage:\n"
         "  sportelli-ctl mint-token --tenant TENANT --roles ROLE[,ROLE...] [--subject SUB] [--ttl "
         "8h]\n"
         "  sportelli-ctl tenants list\n"
         "  sportelli-ctl desks list TENANT\n"
         "  sportelli-ctl hours DESK FROM TO      (DESK: tenants/T/desks/D or T/D; dates "
         "YYYY-MM-DD)\n"
         "  sportelli-ctl slots DESK SERVICE FROM TO [--channel web|phone|desk] [--include-full]\n"
         "  sportelli-ctl book DESK SERVICE START --given-name G --family-name F --codice-fiscale "
         "CF\n"
         "                     --privacy-notice-acknowledged [--phone +39...] [--email E]\n"
         "                     [--contact sms|email|phone-call|none] [--channel web|phone|desk] "
         "[--request-id UUID]\n"
         "      (SERVICE: S, T/S or tenants/T/services/S; START: 2026-12-02T09:00+01:00 or\n"
         "       2026-12-02T09:00 as Europe/Rome wall time; --channel defaults to web)\n"
         "  sportelli-ctl appointment show|check-in|complete|no-show tenants/T/appointments/A\n"
         "  sportelli-ctl health ADDRESS [SERVICE]   (exit 0 when SERVING)\n"
         "  sportelli-ctl person register TENANT --given-name G --family-name F --birth-date D\n"
         "                     --sex f|m --privacy-notice VERSION [--codice-fiscale CF] ...\n"
         "  sportelli-ctl person find TENANT (--codice-fiscale CF | --family-name F --birth-date "
         "D)\n"
         "  sportelli-ctl person show tenants/T/persons/P\n"
         "  sportelli-ctl contact record DESK --channel walk-in|phone|appointment|email --need "
         "AREA[,AREA]\n"
         "                     [--person P] [--information TEXT] [--outcome ...]\n"
         "  sportelli-ctl case open CONTACT | show CASE | move CASE STATE [--reason R] | assign "
         "CASE SUBJECT\n"
         "  sportelli-ctl note add CASE --kind listening|interview|phone-call|home-visit --text T"
         " | list CASE\n"
         "  sportelli-ctl destination list TENANT | create TENANT --name N --kind "
         "punto-insieme|...\n"
         "  sportelli-ctl refer CASE DESTINATION --share name,need-areas,message [--message T]\n"
         "                     [--override-consent REASON --role coordinator]\n"
         "  sportelli-ctl referral show|accept|reject|complete REFERRAL [--as-partner DESTINATION]"
         " [--reason R]\n"
         "  sportelli-ctl referral list DESTINATION [--as-partner DESTINATION] | revoke REFERRAL "
         "--reason R\n"
         "  sportelli-ctl watch TENANT [--desk D] [--after EVENT_ID] [--count N] [--heartbeats]\n"
         "      (the live feed of the comune's desks, as an operator; resumes when the stream is "
         "lost)\n"
         "  sportelli-ctl notifications tenants/T/appointments/A   (the messages to its citizen)\n"
         "  sportelli-ctl notifications tenants/T [--failed]       (the comune's, failed first)\n"
         "  sportelli-ctl audit verify TENANT        (exit 0 when the audit trail is sound)\n"
         "  sportelli-ctl audit list TENANT [--codice-fiscale CF] [--subject S] [--resource R]\n"
         "  sportelli-ctl audit export TENANT CODICE_FISCALE   (GDPR art. 15, as JSON)\n"
         "      (audit: --service scheduling|intake, default scheduling)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "-h" || args[0] == "--help") return Usage();
  sportelli::ctl::Context context{Env("SPORTELLI_TENANTS_ADDR", "localhost:8080"),
                                  Env("SPORTELLI_SCHEDULING_ADDR", "localhost:18081"),
                                  Env("SPORTELLI_INTAKE_ADDR", "localhost:18082"),
                                  Env("SPORTELLI_NOTIFICATIONS_ADDR", "localhost:18083"),
                                  Env("SPORTELLI_TOKEN", ""),
                                  Env("SPORTELLI_JWT_PRIVATE_KEY_FILE", ""),
                                  Env("SPORTELLI_JWT_ISSUER", "https://idp.sportelli-dev.invalid"),
                                  Env("SPORTELLI_JWT_AUDIENCE", "sportelli-dev")};
  const std::string& command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (command == "mint-token") return sportelli::ctl::MintToken(context, rest);
  if (command == "hours") return sportelli::ctl::Hours(context, rest);
  if (command == "slots") return sportelli::ctl::Slots(context, rest);
  if (command == "book") return sportelli::ctl::Book(context, rest);
  if (command == "appointment") return sportelli::ctl::Appointment(context, rest);
  if (command == "health") return sportelli::ctl::Health(context, rest);
  if (command == "watch") return sportelli::ctl::Watch(context, rest);
  if (command == "notifications") return sportelli::ctl::Notifications(context, rest);
  if (command == "audit") return sportelli::ctl::Audit(context, rest);
  if (command == "person") return sportelli::ctl::Person(context, rest);
  if (command == "contact") return sportelli::ctl::Contact(context, rest);
  if (command == "case") return sportelli::ctl::Case(context, rest);
  if (command == "note") return sportelli::ctl::Note(context, rest);
  if (command == "destination") return sportelli::ctl::Destination(context, rest);
  if (command == "refer") return sportelli::ctl::Refer(context, rest);
  if (command == "referral") return sportelli::ctl::Referral(context, rest);
  if (command == "tenants" && !rest.empty() && rest[0] == "list") {
    return sportelli::ctl::ListTenants(context, {rest.begin() + 1, rest.end()});
  }
  if (command == "desks" && !rest.empty() && rest[0] == "list") {
    return sportelli::ctl::ListDesks(context, {rest.begin() + 1, rest.end()});
  }
  return Usage();
}
