#include "sportelli/config/env_reader.h"

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "sportelli/clock/clock.h"

namespace sportelli::config {
namespace {

std::optional<std::string> ProcessLookup(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

// JSON string escaping for the one line ExitIfInvalid prints; the config library must not
// depend on the logging library (which itself is configured from here).
std::string JsonEscape(const std::string& in) {
  std::string out;
  for (char c : in) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace

EnvReader::EnvReader() : lookup_(ProcessLookup) {}
EnvReader::EnvReader(Lookup lookup) : lookup_(std::move(lookup)) {}

std::optional<std::string> EnvReader::Get(const std::string& name) const {
  std::optional<std::string> value = lookup_(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

void EnvReader::Fail(const std::string& name, const std::string& problem) {
  problems_.push_back(absl::StrCat(name, ": ", problem));
}

std::string EnvReader::String(const std::string& name) {
  std::optional<std::string> value = Get(name);
  if (!value) {
    Fail(name, "is required");
    return "";
  }
  return *value;
}

std::string EnvReader::String(const std::string& name, const std::string& default_value) {
  return Get(name).value_or(default_value);
}

int EnvReader::Int(const std::string& name, int default_value, int min, int max) {
  std::optional<std::string> value = Get(name);
  if (!value) return default_value;
  int parsed = 0;
  if (!absl::SimpleAtoi(*value, &parsed)) {
    Fail(name, "must be an integer");
    return default_value;
  }
  if (parsed < min || parsed > max) {
    Fail(name, absl::StrCat("must be between ", min, " and ", max));
    return default_value;
  }
  return parsed;
}

double EnvReader::Number(const std::string& name, double default_value, double min, double max) {
  std::optional<std::string> value = Get(name);
  if (!value) return default_value;
  double parsed = 0;
  // NaN fails both comparisons below only if checked explicitly: !(x >= min) catches it.
  if (!absl::SimpleAtod(*value, &parsed) || !(parsed >= min && parsed <= max)) {
    Fail(name, absl::StrCat("must be a number between ", min, " and ", max));
    return default_value;
  }
  return parsed;
}

absl::Duration EnvReader::Duration(const std::string& name, absl::Duration default_value,
                                   absl::Duration min, absl::Duration max) {
  std::optional<std::string> value = Get(name);
  if (!value) return default_value;
  absl::Duration parsed;
  if (!absl::ParseDuration(*value, &parsed)) {
    Fail(name, "must be a duration such as 5s, 250ms or 2m");
    return default_value;
  }
  if (parsed < min || parsed > max) {
    Fail(name, absl::StrCat("must be between ", absl::FormatDuration(min), " and ",
                            absl::FormatDuration(max)));
    return default_value;
  }
  return parsed;
}

std::map<std::string, absl::Duration> EnvReader::DurationsByKey(const std::string& name,
                                                                absl::Duration min,
                                                                absl::Duration max) {
  std::map<std::string, absl::Duration> durations;
  std::optional<std::string> value = Get(name);
  if (!value) return durations;
  for (absl::string_view entry : absl::StrSplit(*value, ',', absl::SkipWhitespace())) {
    std::vector<std::string> parts = absl::StrSplit(entry, absl::MaxSplits('=', 1));
    absl::Duration keep;
    if (parts.size() != 2 || parts[0].empty() || !absl::ParseDuration(parts[1], &keep) ||
        keep < min || keep > max) {
      Fail(name, absl::StrCat("expected key=duration,... with durations from ",
                              absl::FormatDuration(min), " to ", absl::FormatDuration(max)));
      return {};
    }
    durations[parts[0]] = keep;
  }
  return durations;
}

bool EnvReader::Bool(const std::string& name, bool default_value) {
  std::optional<std::string> value = Get(name);
  if (!value) return default_value;
  std::string lower = absl::AsciiStrToLower(*value);
  if (lower == "true" || lower == "1") return true;
  if (lower == "false" || lower == "0") return false;
  Fail(name, "must be true or false");
  return default_value;
}

std::string EnvReader::OneOf(const std::string& name, const std::string& default_value,
                             const std::vector<std::string>& allowed) {
  std::string value = Get(name).value_or(default_value);
  for (const std::string& candidate : allowed) {
    if (value == candidate) return value;
  }
  Fail(name, absl::StrCat("must be one of ", absl::StrJoin(allowed, ", ")));
  return default_value;
}

std::string EnvReader::FileContents(const std::string& name) {
  std::optional<std::string> path = Get(name);
  if (!path) {
    Fail(name, "is required (a file path)");
    return "";
  }
  std::ifstream in(*path, std::ios::binary);
  if (!in) {
    Fail(name, "names a file that cannot be read");
    return "";
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  if (contents.str().empty()) Fail(name, "names an empty file");
  return contents.str();
}

std::string EnvReader::OptionalSecretFile(const std::string& name) {
  if (!Get(name)) return "";
  std::string contents = FileContents(name);
  while (!contents.empty() && (contents.back() == '\n' || contents.back() == '\r')) {
    contents.pop_back();
  }
  return contents;
}

EnvReader::Endpoint EnvReader::HostAndPort(const std::string& name,
                                           const std::string& default_value) {
  const std::string value = HostPort(name, default_value);
  const size_t colon = value.rfind(':');
  Endpoint endpoint;
  endpoint.host = value.substr(0, colon);
  if (endpoint.host.size() > 2 && endpoint.host.front() == '[' && endpoint.host.back() == ']') {
    endpoint.host = endpoint.host.substr(1, endpoint.host.size() - 2);
  }
  absl::SimpleAtoi(value.substr(colon + 1), &endpoint.port);
  return endpoint;
}

std::string EnvReader::HostPort(const std::string& name, const std::string& default_value) {
  std::string value = Get(name).value_or(default_value);
  // The last colon separates the port, so a bracketed IPv6 host ("[::1]:6379") works too.
  const size_t colon = value.rfind(':');
  int port = 0;
  if (colon == std::string::npos || colon == 0 ||
      !absl::SimpleAtoi(value.substr(colon + 1), &port) || port < 1 || port > 65535) {
    Fail(name, "must be host:port");
    return default_value;
  }
  return value;
}

absl::Status EnvReader::Finish() const {
  if (problems_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat("invalid configuration: ", absl::StrJoin(problems_, "; ")));
}

void ExitIfInvalid(const absl::Status& status, const std::string& program) {
  if (status.ok()) return;
  std::cerr << "{\"time\":\""
            << absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", clock::SystemClock::Instance().Now(),
                                absl::UTCTimeZone())
            << "\",\"level\":\"fatal\",\"service\":\"" << JsonEscape(program) << "\",\"message\":\""
            << JsonEscape(std::string(status.message())) << "\"}" << std::endl;
  std::exit(2);
}

}  // namespace sportelli::config
