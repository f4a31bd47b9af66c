// Internal: the one place where a hiredis `redisReply` tree becomes an owned Reply. Kept out
// of the public headers so that no caller ever sees hiredis types; the unit tests include it
// to check the conversion against replies parsed by hiredis's own reader.
#ifndef SPORTELLI_REDIS_SRC_HIREDIS_REPLY_H_
#define SPORTELLI_REDIS_SRC_HIREDIS_REPLY_H_

#include <hiredis/hiredis.h>

#include <memory>

#include "sportelli/redis/reply.h"

namespace sportelli::redis::internal {

// Frees a reply tree returned by redisGetReply / redisCommandArgv / redisReaderGetReply.
struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// A deep copy of `reply`. hiredis 0.14 never nests arrays deeper than 8 levels (its reader
// rejects deeper replies as a protocol error, misleadingly saying "depth > 7"), so the
// recursion is bounded.
Reply ReplyFromHiredis(const redisReply& reply);

}  // namespace sportelli::redis::internal

#endif  // SPORTELLI_REDIS_SRC_HIREDIS_REPLY_H_
