// Where events are published in Redis (the relay writes, consumers read):
//
//   {<tenant>}:events      every event of one comune, in commit order (almost: see relay.h).
//                          The tenant is the Redis Cluster hash tag, so a comune's stream and
//                          its other keys live on one shard.
//   {directory}:changes    the configuration changes of every comune (desks, hours, services,
//                          channels, closures, holidays, operators), also published to their
//                          comune's stream. Tiny (a few changes a day), read by every replica of
//                          every service that caches the directory, so that a closure takes
//                          effect everywhere within a second.
//
// Each entry has the fields `id` (the event's UUID), `type` (EventType) and `event` (the
// serialized sportelli.events.v1.Event).
#ifndef SPORTELLI_EVENTS_STREAMS_H_
#define SPORTELLI_EVENTS_STREAMS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace sportelli::events {

inline constexpr absl::string_view kDirectoryStream = "{directory}:changes";

// "{capannori}:events".
std::string TenantStream(absl::string_view tenant);

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_STREAMS_H_
