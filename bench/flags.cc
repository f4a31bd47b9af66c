#include "bench/flags.h"

#include <cmath>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sportelli::bench {
namespace {

absl::Status Missing(const std::string& name) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, " is required"));
}

absl::Status Bad(const std::string& name, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("--", name, ": ", what));
}

}  // namespace

absl::StatusOr<Flags> Flags::Parse(int argc, const char* const* argv,
                                   const std::set<std::string>& known) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) args.emplace_back(argv[i]);
  return Parse(args, known);
}

absl::StatusOr<Flags> Flags::Parse(const std::vector<std::string>& args,
                                   const std::set<std::string>& known) {
  Flags flags;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!absl::StartsWith(arg, "--") || arg.size() == 2) {
      return absl::InvalidArgumentError(
          absl::StrCat("unexpected argument '", arg, "' (flags are --name value)"));
    }
    std::string name = arg.substr(2);
    std::string value;
    if (const size_t equals = name.find('='); equals != std::string::npos) {
      value = name.substr(equals + 1);
      name.resize(equals);
    } else {
      if (i + 1 >= args.size()) return Bad(name, "needs a value");
      value = args[++i];
    }
    if (known.count(name) == 0)
      return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
    if (!flags.values_.emplace(name, value).second) return Bad(name, "given twice");
  }
  return flags;
}

absl::StatusOr<std::string> Flags::String(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return Missing(name);
  return it->second;
}

std::string Flags::String(const std::string& name, const std::string& default_value) const {
  auto it = values_.find(name);
  return it == values_.end() ? default_value : it->second;
}

absl::StatusOr<double> Flags::Double(const std::string& name,
                                     std::optional<double> default_value) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    if (default_value) return *default_value;
    return Missing(name);
  }
  double value = 0;
  if (!absl::SimpleAtod(it->second, &value) || !std::isfinite(value))
    return Bad(name, "not a number");
  return value;
}

absl::StatusOr<int64_t> Flags::Int(const std::string& name, std::optional<int64_t> default_value,
                                   int64_t min, int64_t max) const {
  auto it = values_.find(name);
  int64_t value = 0;
  if (it == values_.end()) {
    if (!default_value) return Missing(name);
    value = *default_value;
  } else if (!absl::SimpleAtoi(it->second, &value)) {
    return Bad(name, "not an integer");
  }
  if (value < min || value > max)
    return Bad(name, absl::StrCat("must be between ", min, " and ", max));
  return value;
}

absl::StatusOr<absl::Duration> Flags::Duration(const std::string& name,
                                               std::optional<absl::Duration> default_value) const {
  auto it = values_.find(name);
  if (it == values_.end()) {
    if (default_value) return *default_value;
    return Missing(name);
  }
  absl::Duration value;
  if (!absl::ParseDuration(it->second, &value) || value < absl::ZeroDuration() ||
      value == absl::InfiniteDuration()) {
    return Bad(name, "not a duration such as 30s, 500ms or 2m");
  }
  return value;
}

}  // namespace sportelli::bench
