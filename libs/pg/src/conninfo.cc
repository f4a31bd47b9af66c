#include "sportelli/pg/conninfo.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "libpq-fe.h"

namespace sportelli::pg {
namespace {

struct ConninfoFree {
  void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};

// libpq's key/value syntax: single quotes, with backslash escaping `'` and `\`.
std::string Quote(absl::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace

absl::StatusOr<std::string> OverrideConninfo(
    absl::string_view conninfo, const std::vector<std::pair<std::string, std::string>>& overrides) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, ConninfoFree> options(
      PQconninfoParse(std::string(conninfo).c_str(), &error));
  if (error != nullptr) PQfreemem(error);  // it may quote the input, password included
  if (options == nullptr) {
    return absl::InvalidArgumentError("the PostgreSQL connection string does not parse");
  }
  std::string out;
  for (const auto& [keyword, value] : overrides) {
    bool known = false;
    for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
      if (keyword == option->keyword) known = true;
    }
    if (!known) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown PostgreSQL connection keyword: ", keyword));
    }
  }
  for (const PQconninfoOption* option = options.get(); option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    bool overridden = false;
    for (const auto& override_pair : overrides) {
      if (override_pair.first == option->keyword) overridden = true;
    }
    if (overridden) continue;
    absl::StrAppend(&out, out.empty() ? "" : " ", option->keyword, "=", Quote(option->val));
  }
  for (const auto& [keyword, value] : overrides) {
    absl::StrAppend(&out, out.empty() ? "" : " ", keyword, "=", Quote(value));
  }
  return out;
}

}  // namespace sportelli::pg
