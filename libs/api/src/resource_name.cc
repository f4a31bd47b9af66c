#include "sportelli/api/resource_name.h"

#include <cassert>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"

namespace sportelli::api {
namespace {

bool IsLowerLetter(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One segment of a pattern: a literal collection id ("desks") or a variable ("{desk}").
struct PatternSegment {
  std::string text;  // the literal, or the variable's name without braces
  bool variable = false;
};

absl::StatusOr<std::vector<PatternSegment>> ParsePattern(absl::string_view pattern) {
  std::vector<PatternSegment> segments;
  for (absl::string_view part : absl::StrSplit(pattern, '/')) {
    const bool variable = part.size() > 2 && part.front() == '{' && part.back() == '}';
    absl::string_view text = variable ? part.substr(1, part.size() - 2) : part;
    if (text.empty() || absl::StrContains(text, '{') || absl::StrContains(text, '}')) {
      // Patterns are literals in the calling code: a bad one is a bug, not a client error.
      return absl::InternalError("malformed resource name pattern");
    }
    segments.push_back({std::string(text), variable});
  }
  return segments;
}

// The reason `name` does not match `segments`, or nullopt when it does (filling `ids`).
std::optional<std::string> Match(absl::string_view name, absl::string_view pattern,
                                 const std::vector<PatternSegment>& segments,
                                 std::vector<std::string>& ids) {
  if (name.empty()) return std::string("is required");
  const std::string shape = absl::StrCat("must be a resource name of the form ", pattern);
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  if (parts.size() != segments.size()) return shape;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!segments[i].variable && parts[i] != segments[i].text) return shape;
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (!segments[i].variable) continue;
    if (!IsValidResourceId(parts[i])) {
      return absl::StrCat("the {", segments[i].text, "} segment ", kResourceIdRule);
    }
    ids.emplace_back(parts[i]);
  }
  return std::nullopt;
}

}  // namespace

bool IsValidResourceId(absl::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  if (!IsLowerLetter(id.front())) return false;
  if (id.back() == '-') return false;
  for (char c : id) {
    if (!IsLowerLetter(c) && !IsDigit(c) && c != '-') return false;
  }
  return true;
}

void CheckResourceId(absl::string_view field, absl::string_view id,
                     status::FieldViolations& violations) {
  if (id.empty()) {
    violations.Add(std::string(field), "is required");
  } else if (!IsValidResourceId(id)) {
    violations.Add(std::string(field), std::string(kResourceIdRule));
  }
}

absl::StatusOr<std::vector<std::string>> ParseResourceName(absl::string_view name,
                                                           absl::string_view pattern,
                                                           absl::string_view field) {
  status::FieldViolations violations;
  auto segments = ParsePattern(pattern);
  if (!segments.ok()) return segments.status();
  std::vector<std::string> ids;
  if (auto problem = Match(name, pattern, *segments, ids)) {
    violations.Add(std::string(field), *std::move(problem));
    return violations.ToStatus();
  }
  return ids;
}

std::optional<std::vector<std::string>> ParseResourceName(absl::string_view name,
                                                          absl::string_view pattern,
                                                          absl::string_view field,
                                                          status::FieldViolations& violations) {
  auto segments = ParsePattern(pattern);
  if (!segments.ok()) {
    // Still surfaces the bug to the caller rather than accepting the name.
    violations.Add(std::string(field), std::string(segments.status().message()));
    return std::nullopt;
  }
  std::vector<std::string> ids;
  if (auto problem = Match(name, pattern, *segments, ids)) {
    violations.Add(std::string(field), *std::move(problem));
    return std::nullopt;
  }
  return ids;
}

std::string FormatResourceName(absl::string_view pattern, absl::Span<const absl::string_view> ids) {
  std::vector<absl::string_view> parts = absl::StrSplit(pattern, '/');
  size_t next = 0;
  for (absl::string_view& part : parts) {
    if (absl::StartsWith(part, "{") && absl::EndsWith(part, "}")) {
      part = next < ids.size() ? ids[next] : absl::string_view();
      ++next;
    }
  }
  assert(next == ids.size() && "one id per pattern variable");
  return absl::StrJoin(parts, "/");
}

}  // namespace sportelli::api
