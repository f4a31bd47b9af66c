#include "sportelli/api/pagination.h"

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {
namespace {

// Token layout, before base64:
//   [0]          format version, so the layout can change without misreading old tokens
//   [1, 9)       FNV-1a 64 of the fingerprint, big-endian
//   [9, n - 4)   the last sort key, raw bytes
//   [n - 4, n)   low 32 bits of FNV-1a 64 of bytes [0, n - 4), big-endian
// The trailing check tells a damaged or invented token apart from a genuine one issued for
// other parameters, so each gets its own description.
constexpr char kVersion = 1;
constexpr size_t kHashBytes = 8;
constexpr size_t kCheckBytes = 4;
constexpr size_t kMinSize = 1 + kHashBytes + kCheckBytes;

// FNV-1a: tiny, and stable across processes and builds (absl::Hash is seeded per process, so
// a token made by one replica could not be read by another). Detects mistakes; it is not a MAC.
uint64_t Fnv1a64(absl::string_view bytes) {
  uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

void AppendBigEndian(uint64_t value, size_t bytes, std::string& out) {
  for (size_t i = bytes; i > 0; --i) {
    out.push_back(static_cast<char>((value >> (8 * (i - 1))) & 0xff));
  }
}

uint64_t ReadBigEndian(absl::string_view bytes) {
  uint64_t value = 0;
  for (unsigned char c : bytes) value = (value << 8) | c;
  return value;
}

absl::Status InvalidPageToken(absl::string_view description) {
  status::FieldViolations violations;
  violations.Add("page_token", std::string(description));
  // ToStatus() carries the violation but the generic reason INVALID_FIELDS; clients switch on
  // INVALID_PAGE_TOKEN to restart from the first page, so keep that reason and copy the
  // BadRequest payload over.
  absl::Status status =
      status::Error(absl::StatusCode::kInvalidArgument, "invalid page_token", "INVALID_PAGE_TOKEN");
  violations.ToStatus().ForEachPayload([&status](absl::string_view url, const absl::Cord& payload) {
    if (!status.GetPayload(url).has_value()) status.SetPayload(url, payload);
  });
  return status;
}

}  // namespace

absl::StatusOr<int> NormalizePageSize(int32_t page_size) {
  if (page_size < 0) {
    status::FieldViolations violations;
    violations.Add("page_size", "must not be negative");
    return violations.ToStatus();
  }
  if (page_size == 0) return kDefaultPageSize;
  if (page_size > kMaxPageSize) return kMaxPageSize;
  return page_size;
}

std::string EncodePageToken(absl::string_view last_key, absl::string_view fingerprint) {
  std::string raw;
  raw.reserve(kMinSize + last_key.size());
  raw.push_back(kVersion);
  AppendBigEndian(Fnv1a64(fingerprint), kHashBytes, raw);
  raw.append(last_key.data(), last_key.size());
  AppendBigEndian(Fnv1a64(raw), kCheckBytes, raw);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < kMinSize || raw[0] != kVersion) {
    return InvalidPageToken("is not a page token issued by this API");
  }
  absl::string_view bytes(raw);
  absl::string_view body = bytes.substr(0, bytes.size() - kCheckBytes);
  if (ReadBigEndian(bytes.substr(body.size())) != (Fnv1a64(body) & 0xffffffffULL)) {
    return InvalidPageToken("is not a page token issued by this API");
  }
  if (ReadBigEndian(body.substr(1, kHashBytes)) != Fnv1a64(fingerprint)) {
    return InvalidPageToken(
        "was issued for a request with different parameters; only page_size may change "
        "between pages");
  }
  return std::string(body.substr(1 + kHashBytes));
}

}  // namespace sportelli::api
