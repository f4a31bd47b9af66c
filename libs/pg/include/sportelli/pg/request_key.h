// What an idempotent write (https://google.aip.dev/155) carries through a repository
// interface, free of any database header so that interfaces and fakes can use it: the
// request's id and fingerprint in, the new value or the first reply out.
//
//   virtual absl::StatusOr<pg::Created<Desk>> CreateDesk(const Desk& desk,
//                                                        const pg::RequestKey& key,
//                                                        const pg::ResponseEncoder<Desk>&) = 0;
//
// The PostgreSQL side is pg::RunIdempotent (idempotency.h); the gRPC side, server::KeyOf and
// server::Reply (sportelli/server/request_ids.h).
#ifndef SPORTELLI_PG_REQUEST_KEY_H_
#define SPORTELLI_PG_REQUEST_KEY_H_

#include <functional>
#include <optional>
#include <string>

namespace sportelli::pg {

// A write's request id and what it must be a retry of.
struct RequestKey {
  std::string request_id;  // empty: the write is not de-duplicated
  std::string method;      // e.g. "CreateDesk": an id reused by another method is refused
  // The request serialized deterministically without its request_id: a genuine retry gives the
  // same bytes, a different request reusing the id does not (REQUEST_ID_REUSED).
  std::string fingerprint;
};

// A write's result: what it made, or, for a retry, the reply recorded by the first request.
template <typename T>
struct Created {
  std::optional<T> value;
  std::optional<std::string> replayed_response;
};

// Encodes the reply to record for retries; called inside the writing transaction.
template <typename T>
using ResponseEncoder = std::function<std::string(const T&)>;

}  // namespace sportelli::pg

#endif  // SPORTELLI_PG_REQUEST_KEY_H_
