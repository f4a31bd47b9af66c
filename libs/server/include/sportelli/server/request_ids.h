// AIP-155 request ids at the gRPC edge: the format every service accepts, the key a repository
// de-duplicates by (pg/request_key.h), and the reply, first or replayed.
//
//   status::FieldViolations violations;
//   CheckRequestId(request->request_id(), call, violations);
//   ...
//   ASSIGN_OR_RETURN(pg::Created<Desk> created,
//                    repository_->CreateDesk(desk, KeyOf(*request, "CreateDesk"),
//                                            ProtoEncoder<Desk>(ToDeskProto)));
//   return Reply(created, response, ToDeskProto);
#ifndef SPORTELLI_SERVER_REQUEST_IDS_H_
#define SPORTELLI_SERVER_REQUEST_IDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/pg/request_key.h"
#include "sportelli/server/rpc_handler.h"
#include "sportelli/status/errors.h"

namespace sportelli::server {

// 8-4-4-4-12 hexadecimal digits, either case.
bool IsUuid(absl::string_view text);

// An empty id is allowed (the write is then not de-duplicated); anything else must be a UUID.
// A valid id is recorded on `call` for the access log; an invalid one never reaches a log line
// (a client could put personal data there).
void CheckRequestId(const std::string& request_id, Call& call, status::FieldViolations& violations);

// `request` serialized deterministically without its request_id: a genuine retry gives the
// same bytes, a different request reusing the id does not (REQUEST_ID_REUSED).
template <typename Request>
std::string FingerprintWithoutRequestId(const Request& request) {
  Request copy = request;
  copy.clear_request_id();
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    copy.SerializeToCodedStream(&coded);
  }
  return bytes;
}

// The de-duplication key of a write: its request id, method and fingerprint.
template <typename Request>
pg::RequestKey KeyOf(const Request& request, const char* method) {
  return pg::RequestKey{request.request_id(), method, FingerprintWithoutRequestId(request)};
}

// `key` with its fingerprint replaced by a digest keyed with the service's secret and bound to
// the comune: for requests that carry personal data, so that request_ids keep nothing a copy of
// the database could be checked against by guessing the request.
pg::RequestKey WithKeyedFingerprint(pg::RequestKey key, const crypto::SecretKey& secret,
                                    absl::string_view tenant);

// Records `to_proto(value)`, serialized, as the reply a retry gets.
template <typename T, typename ToProto>
pg::ResponseEncoder<T> ProtoEncoder(ToProto to_proto) {
  return [to_proto](const T& value) { return to_proto(value).SerializeAsString(); };
}

// Fills `response` from a write's result: the first reply again for a retry, the new value's
// proto otherwise.
template <typename T, typename Proto, typename ToProto>
absl::Status Reply(const pg::Created<T>& created, Proto* response, ToProto to_proto) {
  if (created.replayed_response) {
    if (!response->ParseFromString(*created.replayed_response)) {
      return status::Internal("recorded response does not parse");
    }
    return absl::OkStatus();
  }
  *response = to_proto(*created.value);
  return absl::OkStatus();
}

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_REQUEST_IDS_H_
