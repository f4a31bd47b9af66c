#include "services/notifications/domain/feed_position.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace sportelli::notifications {
namespace {

bool ParseDecimal(absl::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  return absl::SimpleAtoi(text, out);
}

}  // namespace

std::string FeedPosition::ToString() const { return absl::StrCat(ms, "-", seq); }

std::optional<FeedPosition> ParseFeedPosition(absl::string_view text) {
  const size_t dash = text.find('-');
  if (dash == absl::string_view::npos) return std::nullopt;
  FeedPosition position;
  if (!ParseDecimal(text.substr(0, dash), &position.ms) ||
      !ParseDecimal(text.substr(dash + 1), &position.seq)) {
    return std::nullopt;
  }
  return position;
}

bool CanResumeAfter(const StreamSummary& stream, FeedPosition after) {
  if (after > stream.last_generated) return false;
  if (stream.entries_added <= stream.length) return true;
  if (!stream.first.has_value()) return after >= stream.last_generated;
  return after >= *stream.first;
}

}  // namespace sportelli::notifications
