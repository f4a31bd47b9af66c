// Structured logs: one JSON object per line on stderr, which Kubernetes and any log shipper
// read without parsing rules. Every line has `time` (RFC 3339, UTC, milliseconds), `level`,
// `service` and `message`; callers add fields such as method, tenant, request_id, latency_ms
// and code.
//
// Never log personal data: names, fiscal codes, phone numbers, e-mail addresses, free text
// written by citizens or operators. Log identifiers (tenant, resource ids, request ids) only.
//
//   logging::Logger log("tenants", logging::Level::kInfo);
//   log.Info("listening", {{"port", 8080}});
#ifndef SPORTELLI_LOGGING_LOGGER_H_
#define SPORTELLI_LOGGING_LOGGER_H_

#include <ostream>
#include <string>

#include "absl/synchronization/mutex.h"
#include "nlohmann/json.hpp"
#include "sportelli/clock/clock.h"

namespace sportelli::logging {

enum class Level { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning", "error"; anything else is kInfo.
Level ParseLevel(const std::string& name);

class Logger final {
 public:
  // Writes to `out` (std::cerr by default), stamping lines with `clock` (the system clock by
  // default). Both must outlive the logger.
  Logger(std::string service, Level min_level, std::ostream* out = nullptr,
         const clock::Clock* clock = nullptr);

  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // `fields` must be a JSON object (or null); its keys are added to the line.
  void Log(Level level, const std::string& message, const nlohmann::json& fields = nullptr);
  void Debug(const std::string& message, const nlohmann::json& fields = nullptr) {
    Log(Level::kDebug, message, fields);
  }
  void Info(const std::string& message, const nlohmann::json& fields = nullptr) {
    Log(Level::kInfo, message, fields);
  }
  void Warning(const std::string& message, const nlohmann::json& fields = nullptr) {
    Log(Level::kWarning, message, fields);
  }
  void Error(const std::string& message, const nlohmann::json& fields = nullptr) {
    Log(Level::kError, message, fields);
  }

  bool Enabled(Level level) const { return level >= min_level_; }
  const std::string& service() const { return service_; }

 private:
  const std::string service_;
  const Level min_level_;
  std::ostream* const out_;
  const clock::Clock* const clock_;
  absl::Mutex mutex_;  // one line is written whole, never interleaved
};

}  // namespace sportelli::logging

#endif  // SPORTELLI_LOGGING_LOGGER_H_
