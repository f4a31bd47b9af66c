#include "hiredis_reply.h"

#include <string>
#include <utility>
#include <vector>

namespace sportelli::redis::internal {
namespace {

std::string Bytes(const redisReply& reply) {
  return reply.str != nullptr ? std::string(reply.str, reply.len) : std::string();
}

}  // namespace

Reply ReplyFromHiredis(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STRING:
      return Reply::String(Bytes(reply));
    case REDIS_REPLY_STATUS:
      return Reply::Status(Bytes(reply));
    case REDIS_REPLY_ERROR:
      return Reply::Error(Bytes(reply));
    case REDIS_REPLY_INTEGER:
      return Reply::Integer(static_cast<int64_t>(reply.integer));
    case REDIS_REPLY_ARRAY: {
      std::vector<Reply> elements;
      elements.reserve(reply.elements);
      for (size_t i = 0; i < reply.elements; ++i) {
        // hiredis leaves no null elements in a parsed array, but a null here must not crash.
        elements.push_back(reply.element[i] != nullptr ? ReplyFromHiredis(*reply.element[i])
                                                       : Reply::Nil());
      }
      return Reply::Array(std::move(elements));
    }
    case REDIS_REPLY_NIL:
    default:
      // RESP2 has no other types; hiredis 0.14 cannot parse RESP3 ones (it fails the read).
      return Reply::Nil();
  }
}

}  // namespace sportelli::redis::internal
