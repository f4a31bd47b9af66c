// Command-line flags of the load generator: `--name value` (or `--name=value`), each name known
// in advance, so a typo stops the run instead of being ignored for half an hour.
//
//   ASSIGN_OR_RETURN(Flags flags, Flags::Parse(argc, argv, {"rate", "duration", "target"}));
//   ASSIGN_OR_RETURN(double rate, flags.Double("rate"));             // required
//   ASSIGN_OR_RETURN(absl::Duration d, flags.Duration("duration", absl::Seconds(30)));
#ifndef SPORTELLI_BENCH_FLAGS_H_
#define SPORTELLI_BENCH_FLAGS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace sportelli::bench {

class Flags final {
 public:
  // INVALID_ARGUMENT for an unknown name, a flag without a value, a repeated flag or a
  // positional argument. argv[0] is skipped.
  static absl::StatusOr<Flags> Parse(int argc, const char* const* argv,
                                     const std::set<std::string>& known);
  static absl::StatusOr<Flags> Parse(const std::vector<std::string>& args,
                                     const std::set<std::string>& known);

  bool Has(const std::string& name) const { return values_.count(name) > 0; }

  // Required when no default is given; INVALID_ARGUMENT naming the flag otherwise.
  absl::StatusOr<std::string> String(const std::string& name) const;
  std::string String(const std::string& name, const std::string& default_value) const;
  absl::StatusOr<double> Double(const std::string& name,
                                std::optional<double> default_value = std::nullopt) const;
  // An integer within [min, max].
  absl::StatusOr<int64_t> Int(const std::string& name, std::optional<int64_t> default_value,
                              int64_t min, int64_t max) const;
  // "30s", "250ms", "2m", "1h30m" (absl::ParseDuration); must not be negative.
  absl::StatusOr<absl::Duration> Duration(
      const std::string& name, std::optional<absl::Duration> default_value = std::nullopt) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace sportelli::bench

#endif  // SPORTELLI_BENCH_FLAGS_H_
