// AIP-155 request ids at the gRPC edge: the format every service accepts, and the fingerprint
// that tells a retry from a different request reusing an id.
//
//   status::FieldViolations violations;
//   CheckRequestId(request->request_id(), call, violations);
//   ...
//   RequestKey key{request->request_id(), "CreateDesk", FingerprintWithoutRequestId(*request)};
#ifndef SPORTELLI_SERVER_REQUEST_IDS_H_
#define SPORTELLI_SERVER_REQUEST_IDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
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

}  // namespace sportelli::server

#endif  // SPORTELLI_SERVER_REQUEST_IDS_H_
