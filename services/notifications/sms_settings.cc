#include "services/notifications/sms_settings.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "nlohmann/json.hpp"

namespace sportelli::notifications {
namespace {

using nlohmann::json;

class Problems {
 public:
  void Add(std::string problem) { problems_.push_back(std::move(problem)); }
  bool empty() const { return problems_.empty(); }
  absl::Status Status() const {
    return absl::InvalidArgumentError(
        absl::StrCat("SMS configuration: ", absl::StrJoin(problems_, "; ")));
  }

 private:
  std::vector<std::string> problems_;
};

void OnlyKeys(const json& object, const std::set<std::string>& allowed, const std::string& where,
              Problems& problems) {
  for (const auto& [key, value] : object.items()) {
    if (!allowed.contains(key)) problems.Add(absl::StrCat(where, ": unknown key \"", key, "\""));
  }
}

std::string StringAt(const json& object, const std::string& key, const std::string& where,
                     bool required, Problems& problems) {
  if (!object.contains(key)) {
    if (required) problems.Add(absl::StrCat(where, ": ", key, " is required"));
    return "";
  }
  if (!object[key].is_string()) {
    problems.Add(absl::StrCat(where, ": ", key, " must be a string"));
    return "";
  }
  return object[key].get<std::string>();
}

bool IsSender(const std::string& from) {
  if (IsE164(from)) return true;
  return !from.empty() && from.size() <= 11 && std::all_of(from.begin(), from.end(), [](char c) {
    return absl::ascii_isalnum(c) || c == ' ';
  });
}

}  // namespace

absl::StatusOr<std::optional<std::string>> ReadSecretFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream content;
  content << in.rdbuf();
  std::string text = content.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

absl::StatusOr<SmsSettings> ParseSmsSettings(const std::string& text,
                                             const std::vector<std::string>& comuni,
                                             const FileReader& read_file) {
  const json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return absl::InvalidArgumentError("SMS configuration: not a JSON object");
  Problems problems;
  SmsSettings settings;
  OnlyKeys(root, {"receipts_url", "providers", "comuni"}, "the file", problems);
  settings.receipts_url = std::string(
      absl::StripSuffix(StringAt(root, "receipts_url", "the file", false, problems), "/"));
  std::set<std::string> provider_names;
  const json providers = root.value("providers", json::array());
  if (!providers.is_array()) problems.Add("providers must be a list");
  const json provider_list = providers.is_array() ? providers : json::array();
  for (const json& entry : provider_list) {
    if (!entry.is_object()) {
      problems.Add("each provider must be an object");
      continue;
    }
    SmsSettings::Provider provider;
    const std::string name = StringAt(entry, "name", "a provider", true, problems);
    const std::string where = absl::StrCat("provider \"", name, "\"");
    OnlyKeys(entry,
             {"name", "url", "api_key_file", "receipt_secret_files", "ca_file", "timeout_seconds"},
             where, problems);
    if (!provider_names.insert(name).second) problems.Add(absl::StrCat(where, ": named twice"));
    provider.options.name = name;
    provider.options.url = StringAt(entry, "url", where, true, problems);
    provider.options.ca_file = StringAt(entry, "ca_file", where, false, problems);
    if (entry.contains("timeout_seconds")) {
      if (!entry["timeout_seconds"].is_number() || entry["timeout_seconds"].get<double>() < 1 ||
          entry["timeout_seconds"].get<double>() > 60) {
        problems.Add(absl::StrCat(where, ": timeout_seconds must be a number from 1 to 60"));
      } else {
        provider.options.timeout = absl::Seconds(entry["timeout_seconds"].get<double>());
      }
    }
    const std::string key_file = StringAt(entry, "api_key_file", where, true, problems);
    if (!key_file.empty()) {
      absl::StatusOr<std::optional<std::string>> key = read_file(key_file);
      if (!key.ok() || !key->has_value() || (*key)->empty()) {
        problems.Add(absl::StrCat(where, ": api_key_file ", key_file, " cannot be read"));
      } else {
        provider.options.api_key = **key;
      }
    }
    const json secret_files = entry.value("receipt_secret_files", json::array());
    if (!secret_files.is_array() || secret_files.size() > 2) {
      problems.Add(absl::StrCat(where, ": receipt_secret_files must list one or two files"));
    } else {
      for (const json& file : secret_files) {
        if (!file.is_string()) {
          problems.Add(absl::StrCat(where, ": receipt_secret_files must be strings"));
          continue;
        }
        absl::StatusOr<std::optional<std::string>> secret = read_file(file.get<std::string>());
        if (!secret.ok()) {
          problems.Add(absl::StrCat(where, ": ", file.get<std::string>(), " cannot be read"));
        } else if (secret->has_value()) {
          if ((*secret)->size() < 16) {
            problems.Add(absl::StrCat(where, ": the secret in ", file.get<std::string>(),
                                      " is shorter than 16 bytes"));
          } else {
            provider.receipt_secrets.push_back(**secret);
          }
        }
      }
    }
    if (!settings.receipts_url.empty()) {
      if (provider.receipt_secrets.empty()) {
        problems.Add(absl::StrCat(where, ": receipts_url is set but no receipt secret exists"));
      }
      provider.options.callback_url = absl::StrCat(settings.receipts_url, "/", name);
    }
    settings.providers.push_back(std::move(provider));
  }
  const json routes = root.value("comuni", json::object());
  if (!routes.is_object()) problems.Add("comuni must be an object");
  const json route_list = routes.is_object() ? routes : json::object();
  for (const auto& [comune, entry] : route_list.items()) {
    const std::string where = absl::StrCat("comune \"", comune, "\"");
    if (std::find(comuni.begin(), comuni.end(), comune) == comuni.end()) {
      problems.Add(absl::StrCat(where, ": not in SPORTELLI_COMUNI"));
    }
    if (!entry.is_object()) {
      problems.Add(absl::StrCat(where, ": must be an object"));
      continue;
    }
    OnlyKeys(entry, {"provider", "from", "same_day_reminder"}, where, problems);
    SmsSettings::Comune route;
    route.provider = StringAt(entry, "provider", where, true, problems);
    if (!route.provider.empty() && !provider_names.contains(route.provider)) {
      problems.Add(absl::StrCat(where, ": no provider \"", route.provider, "\""));
    }
    route.from = StringAt(entry, "from", where, true, problems);
    if (!route.from.empty() && !IsSender(route.from)) {
      problems.Add(
          absl::StrCat(where, ": from must be 1 to 11 letters, digits or spaces, or a number"));
    }
    if (entry.contains("same_day_reminder")) {
      if (!entry["same_day_reminder"].is_boolean()) {
        problems.Add(absl::StrCat(where, ": same_day_reminder must be true or false"));
      } else {
        route.same_day_reminder = entry["same_day_reminder"].get<bool>();
      }
    }
    settings.comuni[comune] = std::move(route);
  }
  if (!problems.empty()) return problems.Status();
  return settings;
}

}  // namespace sportelli::notifications
