#include "sportelli/logging/logger.h"

#include <iostream>

#include "absl/time/time.h"

namespace sportelli::logging {
namespace {

const char* LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarning:
      return "warning";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

Level ParseLevel(const std::string& name) {
  if (name == "debug") return Level::kDebug;
  if (name == "warning") return Level::kWarning;
  if (name == "error") return Level::kError;
  return Level::kInfo;
}

Logger::Logger(std::string service, Level min_level, std::ostream* out, const clock::Clock* clock)
    : service_(std::move(service)),
      min_level_(min_level),
      out_(out != nullptr ? out : &std::cerr),
      clock_(clock != nullptr ? clock : &clock::SystemClock::Instance()) {}

void Logger::Log(Level level, const std::string& message, const nlohmann::json& fields) {
  if (!Enabled(level)) return;
  nlohmann::json line = {
      {"time", absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock_->Now(), absl::UTCTimeZone())},
      {"level", LevelName(level)},
      {"service", service_},
      {"message", message},
  };
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // `replace` keeps a line valid JSON even if a field held invalid UTF-8.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  absl::MutexLock lock(&mutex_);
  *out_ << text << '\n';
  out_->flush();
}

}  // namespace sportelli::logging
