// Reads a service's configuration from environment variables once, at start, into a struct.
// Every problem is collected, so a misconfigured deployment learns all of them at once, and
// each message names the variable. Values are never echoed back (they may be secrets).
//
//   config::EnvReader env;
//   Config config;
//   config.grpc_port = env.Int("SPORTELLI_GRPC_PORT", 8080, 1, 65535);
//   config.pg_dsn = env.String("SPORTELLI_PG_DSN");  // required
//   config::ExitIfInvalid(env.Finish(), "sportelli-tenants");
#ifndef SPORTELLI_CONFIG_ENV_READER_H_
#define SPORTELLI_CONFIG_ENV_READER_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace sportelli::config {

class EnvReader final {
 public:
  using Lookup = std::function<std::optional<std::string>(const std::string& name)>;

  // Reads the process environment.
  EnvReader();
  // Reads from `lookup` (tests).
  explicit EnvReader(Lookup lookup);

  // A required string: missing or empty is an error.
  std::string String(const std::string& name);
  // An optional string with a default.
  std::string String(const std::string& name, const std::string& default_value);
  // An integer within [min, max].
  int Int(const std::string& name, int default_value, int min, int max);
  // A decimal number within [min, max], e.g. a share "0.2".
  double Number(const std::string& name, double default_value, double min, double max);
  // A duration such as "5s", "250ms", "2m" within [min, max].
  absl::Duration Duration(const std::string& name, absl::Duration default_value, absl::Duration min,
                          absl::Duration max);
  // "true"/"false"/"1"/"0".
  bool Bool(const std::string& name, bool default_value);
  // `key=duration,key=duration,...` (e.g. per comune: `lucca=8760h,porcari=17520h`), each
  // duration within [min, max]; empty or unset: none.
  std::map<std::string, absl::Duration> DurationsByKey(const std::string& name, absl::Duration min,
                                                       absl::Duration max);
  // One of `allowed`.
  std::string OneOf(const std::string& name, const std::string& default_value,
                    const std::vector<std::string>& allowed);
  // A required path to a readable file; returns its contents (keys, certificates).
  std::string FileContents(const std::string& name);
  // An optional path: the file's contents without a trailing newline (a password written
  // by `echo`), or "" when the variable is unset.
  std::string OptionalSecretFile(const std::string& name);
  // "host:port" with a port in range.
  std::string HostPort(const std::string& name, const std::string& default_value);
  // The same, split: "[::1]:6379" gives {"::1", 6379}.
  struct Endpoint {
    std::string host;
    int port = 0;
  };
  Endpoint HostAndPort(const std::string& name, const std::string& default_value);
  // Whether the variable is set to a non-empty value.
  bool IsSet(const std::string& name) const { return Get(name).has_value(); }

  // Records a problem found by the caller's own check of a value (a key too short, two
  // settings that contradict each other), reported with the others by Finish.
  void Reject(const std::string& name, const std::string& problem) { Fail(name, problem); }

  // OK, or INVALID_ARGUMENT listing every bad or missing variable.
  absl::Status Finish() const;

 private:
  std::optional<std::string> Get(const std::string& name) const;
  void Fail(const std::string& name, const std::string& problem);

  Lookup lookup_;
  std::vector<std::string> problems_;
};

// Prints `status` (when not OK) as one JSON line on stderr (time, level "fatal", service
// `program`, message) and exits with code 2: a process with a bad configuration must not start.
void ExitIfInvalid(const absl::Status& status, const std::string& program);

}  // namespace sportelli::config

#endif  // SPORTELLI_CONFIG_ENV_READER_H_
