#include "services/scheduling/config.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "sportelli/keyring/key_settings.h"

namespace sportelli::scheduling {

Config ReadConfig(config::EnvReader& env) {
  Config config;
  BookingRules& rules = config.rules;
  rules.minimum_notice = env.Duration("SPORTELLI_MIN_NOTICE", rules.minimum_notice,
                                      absl::ZeroDuration(), absl::Hours(24 * 30));
  rules.booking_window = env.Duration("SPORTELLI_BOOKING_WINDOW", rules.booking_window,
                                      absl::Hours(1), absl::Hours(24 * 366));
  rules.quota.phone_share = env.Number("SPORTELLI_PHONE_SHARE", rules.quota.phone_share, 0, 1);
  rules.quota.desk_share = env.Number("SPORTELLI_DESK_SHARE", rules.quota.desk_share, 0, 1);
  rules.hold_ttl =
      env.Duration("SPORTELLI_HOLD_TTL", rules.hold_ttl, absl::Seconds(1), absl::Hours(1));
  rules.max_future_appointments =
      env.Int("SPORTELLI_MAX_FUTURE_APPOINTMENTS", rules.max_future_appointments, 1, 100);
  rules.max_holds_per_citizen =
      env.Int("SPORTELLI_MAX_HOLDS_PER_CITIZEN", rules.max_holds_per_citizen, 1, 100);
  rules.max_holds_per_caller =
      env.Int("SPORTELLI_MAX_HOLDS_PER_CALLER", rules.max_holds_per_caller, 1, 10000);
  // A comma-separated list of comune ids; empty: no waiting room anywhere.
  for (absl::string_view comune : absl::StrSplit(env.String("SPORTELLI_WAITING_ROOM_COMUNI", ""),
                                                 ',', absl::SkipWhitespace())) {
    rules.waiting_room_comuni.insert(std::string(absl::StripAsciiWhitespace(comune)));
  }
  rules.waiting_room.admissions_per_second = env.Number(
      "SPORTELLI_WAITING_ROOM_RATE", rules.waiting_room.admissions_per_second, 0.1, 100000);
  rules.waiting_room.admission_ttl =
      env.Duration("SPORTELLI_WAITING_ROOM_ADMISSION_TTL", rules.waiting_room.admission_ttl,
                   absl::Seconds(10), absl::Hours(1));
  rules.batching.max_batch = env.Int("SPORTELLI_BOOKING_BATCH", rules.batching.max_batch, 1, 256);
  rules.batching.batches_per_comune =
      env.Int("SPORTELLI_BOOKING_BATCHES_PER_COMUNE", rules.batching.batches_per_comune, 1, 16);
  if (absl::Status valid = ValidateBookingRules(rules); !valid.ok()) {
    env.Reject("SPORTELLI_MIN_NOTICE", std::string(valid.message()));
  }
  config.tenants = tenants_client::ReadDirectorySettings(env);
  const keyring::KeySettings keys = keyring::ReadKeySettings(env);
  config.secret_key = keys.secret_key;
  config.key_encryption_keys = keys.key_encryption_keys;
  config.relay = env.Bool("SPORTELLI_RELAY_ENABLED", true);
  config.hot_days = env.Int("SPORTELLI_AVAILABILITY_HOT_DAYS", config.hot_days, 0, 1000000);
  return config;
}

}  // namespace sportelli::scheduling
