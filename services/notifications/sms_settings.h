// The SMS channel's configuration: the providers, and which one each comune uses with which
// sender id. One JSON file (SPORTELLI_SMS_CONFIG_FILE, a ConfigMap in production); the secrets
// it names are files of their own (Secrets):
//
//   {
//     "receipts_url": "https://notifiche.sportelli.example/sms/receipts",
//     "providers": [
//       {"name": "acme", "url": "https://api.acme-sms.example/v1",
//        "api_key_file": "/etc/sportelli/sms/acme/api-key",
//        "receipt_secret_files": ["/etc/sportelli/sms/acme/receipt-secret",
//                                 "/etc/sportelli/sms/acme/receipt-secret-previous"],
//        "ca_file": "", "timeout_seconds": 10}
//     ],
//     "comuni": {
//       "capannori": {"provider": "acme", "from": "Capannori", "same_day_reminder": true},
//       "lucca": {"provider": "acme", "from": "ComuneLucca"}
//     }
//   }
//
// A provider's receipts arrive at <receipts_url>/<name> (omit receipts_url: none are asked for,
// and SMS stay SENT). A receipt secret file that does not exist is skipped, so that the previous
// secret's file can be removed after a rotation without editing this file; at least one must
// exist when receipts_url is set.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SETTINGS_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SETTINGS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/notifications/sms_sender.h"

namespace sportelli::notifications {

struct SmsSettings {
  struct Provider {
    SmsProviderOptions options;
    std::vector<std::string> receipt_secrets;
  };
  struct Comune {
    std::string provider;
    std::string from;
    bool same_day_reminder = false;
  };
  std::vector<Provider> providers;
  std::map<std::string, Comune, std::less<>> comuni;
  std::string receipts_url;
};

// Reads a file's contents; nullopt when it does not exist (an error for other failures).
using FileReader = std::function<absl::StatusOr<std::optional<std::string>>(const std::string&)>;

// The settings in `json`, every problem listed in one INVALID_ARGUMENT (never a secret's value):
// unknown keys, a provider without url or key, a comune naming no configured provider, a
// sender id that is not 1 to 11 letters, digits or spaces (or an E.164 number), a comune not in
// `comuni` (the ones this service serves).
absl::StatusOr<SmsSettings> ParseSmsSettings(const std::string& json,
                                             const std::vector<std::string>& comuni,
                                             const FileReader& read_file);

// The file reader of production: a missing file is nullopt, trailing newlines are dropped.
absl::StatusOr<std::optional<std::string>> ReadSecretFile(const std::string& path);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_SMS_SETTINGS_H_
