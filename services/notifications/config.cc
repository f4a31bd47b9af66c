#include "services/notifications/config.h"

#include <unistd.h>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sportelli::notifications {
namespace {

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0) return "notifications";
  return name;
}

}  // namespace

Config ReadConfig(config::EnvReader& env) {
  Config config;
  config.tenants = tenants_client::ReadDirectorySettings(env);
  config.feed.heartbeat = env.Duration("SPORTELLI_WATCH_HEARTBEAT", absl::Seconds(15),
                                       absl::Milliseconds(100), absl::Minutes(10));
  config.feed.max_watchers = env.Int("SPORTELLI_WATCH_MAX_STREAMS", 20000, 1, 1000000);

  config.comuni = absl::StrSplit(env.String("SPORTELLI_COMUNI", ""), ',', absl::SkipWhitespace());
  config.scheduling_address = env.HostPort("SPORTELLI_SCHEDULING_ADDR", "127.0.0.1:8081");
  config.dependency_deadline = env.Duration("SPORTELLI_DEPENDENCY_DEADLINE", absl::Seconds(2),
                                            absl::Milliseconds(10), absl::Seconds(30));
  config.issuer = env.String("SPORTELLI_JWT_ISSUER", "");
  config.audience = env.String("SPORTELLI_JWT_AUDIENCE", "");
  if (!config.comuni.empty()) {
    // Without its key the service cannot ask scheduling for a citizen's address.
    config.service_key_pem = env.FileContents("SPORTELLI_SERVICE_KEY_FILE");
  }
  if (env.IsSet("SPORTELLI_SMTP_URL")) {
    SmtpOptions smtp;
    smtp.url = env.String("SPORTELLI_SMTP_URL");
    smtp.tls = env.OneOf("SPORTELLI_SMTP_TLS", "required", {"required", "none"}) == "none"
                   ? SmtpOptions::Tls::kNone
                   : SmtpOptions::Tls::kRequired;
    smtp.ca_file = env.String("SPORTELLI_SMTP_CA_FILE", "");
    if (env.IsSet("SPORTELLI_SMTP_USERNAME")) {
      smtp.username = env.String("SPORTELLI_SMTP_USERNAME");
      smtp.password = env.OptionalSecretFile("SPORTELLI_SMTP_PASSWORD_FILE");
    }
    smtp.from = env.String("SPORTELLI_SMTP_FROM");
    smtp.timeout = env.Duration("SPORTELLI_SMTP_TIMEOUT", absl::Seconds(20), absl::Seconds(1),
                                absl::Minutes(5));
    config.smtp = smtp;
  }
  if (env.IsSet("SPORTELLI_SMS_CONFIG_FILE")) {
    const std::string text = env.FileContents("SPORTELLI_SMS_CONFIG_FILE");
    if (!text.empty()) {
      absl::StatusOr<SmsSettings> sms = ParseSmsSettings(text, config.comuni, &ReadSecretFile);
      if (sms.ok()) {
        config.sms = *std::move(sms);
      } else {
        env.Reject("SPORTELLI_SMS_CONFIG_FILE", std::string(sms.status().message()));
      }
    }
    config.sms_receipts_listen =
        absl::StrCat(env.Int("SPORTELLI_SMS_RECEIPTS_PORT", 8090, 1, 65535));
  }
  config.policy.reminder_before = env.Duration("SPORTELLI_REMINDER_BEFORE", absl::Hours(48),
                                               absl::Hours(1), absl::Hours(24 * 7));
  config.policy.max_age = env.Duration("SPORTELLI_MESSAGE_MAX_AGE", absl::Hours(24),
                                       absl::Minutes(10), absl::Hours(24 * 7));
  // "21-8": nothing from 21:00 to 08:00 local; "off": no quiet hours (the local stack, tests).
  const std::string quiet = env.String("SPORTELLI_QUIET_HOURS", "21-8");
  if (quiet == "off") {
    config.policy.quiet = QuietHours{0, 0};
  } else {
    std::pair<std::string, std::string> hours = absl::StrSplit(quiet, '-');
    int start = 0;
    int end = 0;
    if (!absl::SimpleAtoi(hours.first, &start) || !absl::SimpleAtoi(hours.second, &end) ||
        !ValidateQuietHours(QuietHours{start, end}).empty() || start == end) {
      env.Reject("SPORTELLI_QUIET_HOURS", "must be START-END in whole hours (21-8) or off");
    } else {
      config.policy.quiet = QuietHours{start, end};
    }
  }
  config.policy.portal_url =
      env.String("SPORTELLI_PORTAL_URL", "https://prenota.sportelli.invalid");
  if (!absl::LoadTimeZone("Europe/Rome", &config.policy.zone)) {
    env.Reject("TZ", "the time zone database (tzdata) has no Europe/Rome");
  }
  config.instance = env.String("SPORTELLI_INSTANCE", HostName());
  return config;
}

}  // namespace sportelli::notifications
