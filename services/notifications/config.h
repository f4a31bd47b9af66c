// The notifications service's own settings (the kit reads the common ones: server, database,
// Redis, tokens), read from the environment once at start; docs/operations.md lists them.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_

#include <optional>
#include <string>
#include <vector>

#include "services/notifications/citizen_messages.h"
#include "services/notifications/email_sender.h"
#include "services/notifications/live_feed.h"
#include "services/notifications/sms_settings.h"
#include "sportelli/config/env_reader.h"
#include "sportelli/tenants_client/settings.h"

namespace sportelli::notifications {

struct Config {
  tenants_client::DirectorySettings tenants;
  LiveFeed::Options feed;

  // Citizen messages, for the comuni of SPORTELLI_COMUNI (none: no messages are planned or sent).
  std::vector<std::string> comuni;
  std::string scheduling_address;
  absl::Duration dependency_deadline;
  // The notifier's signing key (PEM) and the claims the other services expect.
  std::string service_key_pem;
  std::string issuer;
  std::string audience;
  // Unset: no SMTP server, e-mails end as TECHNICAL_FAILURE (CHANNEL_NOT_CONFIGURED).
  std::optional<SmtpOptions> smtp;
  // Unset (no SPORTELLI_SMS_CONFIG_FILE): no SMS provider, SMS end as TECHNICAL_FAILURE.
  std::optional<SmsSettings> sms;
  // Where the providers' delivery receipts are served (CivetWeb's "listening_ports").
  std::string sms_receipts_listen;
  MessagePolicy policy;
  // This process among the consumers of the streams (the pod's name).
  std::string instance;
};

// Every problem is recorded on `env` (the caller exits listing them all).
Config ReadConfig(config::EnvReader& env);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_CONFIG_H_
