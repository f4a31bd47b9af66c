// Positions in a comune's live feed and the rule for resuming after one. The feed is the
// comune's Redis stream ({tenant}:events); a position is a stream entry id, "<ms>-<seq>",
// increasing along the stream. Pure logic: no Redis here.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_FEED_POSITION_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_FEED_POSITION_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace sportelli::notifications {

struct FeedPosition {
  uint64_t ms = 0;
  uint64_t seq = 0;

  // "1764489600000-0".
  std::string ToString() const;
  friend auto operator<=>(const FeedPosition&, const FeedPosition&) = default;
};

// "<ms>-<seq>", both decimal without sign; nullopt for anything else (Redis's special ids "$",
// "+", "-" and the partial form "<ms>" included: a client resumes after an id it was given).
std::optional<FeedPosition> ParseFeedPosition(absl::string_view text);

// What the stream says of itself (XINFO STREAM), for deciding whether a client may resume.
struct StreamSummary {
  int64_t length = 0;
  // Entries ever added (Redis 7): more than `length` when some were trimmed or deleted.
  int64_t entries_added = 0;
  // The newest id ever given out, even if that entry is gone; 0-0 for a new stream.
  FeedPosition last_generated;
  // The oldest entry still kept; nullopt when the stream is empty.
  std::optional<FeedPosition> first;
};

// Whether every event after `after` is still in the stream, so that a client that received
// everything up to `after` can resume with no gap:
//   - `after` past the newest id the stream ever gave: the stream does not know that point (it
//     was recreated after Redis lost its data, or the client is confused): no;
//   - nothing was ever removed from the stream: yes;
//   - otherwise, yes only when `after` is at or past the oldest entry kept (an entry just before
//     it may have been removed). A client whose point was exactly the last removed entry is
//     told to resynchronize although it missed nothing: rare (streams keep about a million
//     entries) and harmless.
bool CanResumeAfter(const StreamSummary& stream, FeedPosition after);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_FEED_POSITION_H_
