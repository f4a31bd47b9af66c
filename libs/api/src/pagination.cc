#include "sportelli/api/pagination.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "sportelli/api/resource_name.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {
namespace {

// Token layout, before base64:
//   [0]           format version, so the layout can change without misreading old tokens
//   [1, 9)        FNV-1a 64 of the fingerprint, big-endian
//   [9, n - 16)   the last sort key, raw bytes
//   [n - 16, n)   the first 16 bytes of HMAC-SHA256 of bytes [0, n - 16) under the page token
//                 key
// The MAC tells a damaged, invented or edited token apart from a genuine one (issued for other
// parameters: the fingerprint says so), so each gets its own description. Version 1 tokens
// (an FNV check anyone could compute) are no longer accepted: a client restarts from the first
// page, as after any INVALID_PAGE_TOKEN.
constexpr char kVersion = 2;
constexpr size_t kHashBytes = 8;
constexpr size_t kMacBytes = 16;
constexpr size_t kMinSize = 1 + kHashBytes + kMacBytes;
// Longer than any token this API issues (sort keys are ids and integers), short enough that
// decoding a hostile one costs nothing.
constexpr size_t kMaxTokenChars = 1024;

// The key every token is signed with: the service's (UsePageTokenKey), or until it is given one
// a random key of this process.
class PageTokenKey final {
 public:
  static PageTokenKey& Instance() {
    static PageTokenKey* const instance = new PageTokenKey();
    return *instance;
  }
  std::string Get() const {
    absl::MutexLock lock(&mu_);
    return key_;
  }
  void Set(std::string key) {
    absl::MutexLock lock(&mu_);
    key_ = std::move(key);
  }

 private:
  PageTokenKey() : key_(crypto::RandomBytes(32)) {}
  mutable absl::Mutex mu_;
  std::string key_ ABSL_GUARDED_BY(mu_);
};

std::string Mac(absl::string_view body) {
  return crypto::HmacSha256(PageTokenKey::Instance().Get(), body).substr(0, kMacBytes);
}

// FNV-1a: tiny, and stable across processes and builds (absl::Hash is seeded per process, so
// a token made by one replica could not be read by another). Tells which request a token was
// issued for; the MAC, not this, makes tokens unforgeable.
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

void UsePageTokenKey(std::string key) { PageTokenKey::Instance().Set(std::move(key)); }

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
  raw += Mac(raw);
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token,
                                            absl::string_view fingerprint) {
  if (token.empty()) return std::string();
  std::string raw;
  if (token.size() > kMaxTokenChars || !absl::WebSafeBase64Unescape(token, &raw) ||
      raw.size() < kMinSize || raw[0] != kVersion) {
    return InvalidPageToken("is not a page token issued by this API");
  }
  absl::string_view bytes(raw);
  absl::string_view body = bytes.substr(0, bytes.size() - kMacBytes);
  if (!crypto::ConstantTimeEquals(bytes.substr(body.size()), Mac(body))) {
    return InvalidPageToken("is not a page token issued by this API");
  }
  if (ReadBigEndian(body.substr(1, kHashBytes)) != Fnv1a64(fingerprint)) {
    return InvalidPageToken(
        "was issued for a request with different parameters; only page_size may change "
        "between pages");
  }
  return std::string(body.substr(1 + kHashBytes));
}

namespace {

// A key inside a token: each part as a 4-byte big-endian length and its bytes.
std::string JoinKey(const PageKey& key) {
  std::string out;
  for (const std::string& part : key) {
    AppendBigEndian(part.size(), 4, out);
    out += part;
  }
  return out;
}

std::optional<PageKey> SplitKey(absl::string_view joined) {
  PageKey key;
  while (!joined.empty()) {
    if (joined.size() < 4) return std::nullopt;
    const uint64_t size = ReadBigEndian(joined.substr(0, 4));
    joined.remove_prefix(4);
    if (size > joined.size()) return std::nullopt;
    key.emplace_back(joined.substr(0, size));
    joined.remove_prefix(size);
  }
  return key;
}

bool IsDecimalInt64(absl::string_view text) {
  int64_t value = 0;
  return absl::SimpleAtoi(text, &value) && absl::StrCat(value) == text;
}

}  // namespace

std::string EncodePageKey(const PageKey& last, absl::string_view filter) {
  return EncodePageToken(JoinKey(last), filter);
}

absl::StatusOr<PageRequest> ReadPageRequest(int32_t page_size, absl::string_view page_token,
                                            absl::string_view filter,
                                            std::initializer_list<KeyPart> parts) {
  PageRequest request;
  request.filter = std::string(filter);
  absl::StatusOr<int> limit = NormalizePageSize(page_size);
  if (!limit.ok()) return limit.status();
  request.limit = *limit;
  absl::StatusOr<std::string> joined = DecodePageToken(page_token, filter);
  if (!joined.ok()) return joined.status();
  if (page_token.empty()) return request;
  std::optional<PageKey> key = SplitKey(*joined);
  bool valid = key.has_value() && key->size() == parts.size();
  for (size_t i = 0; valid && i < parts.size(); ++i) {
    const std::string& part = (*key)[i];
    switch (parts.begin()[i]) {
      case KeyPart::kId:
        valid = IsValidResourceId(part);
        break;
      case KeyPart::kInt64:
        valid = IsDecimalInt64(part);
        break;
    }
  }
  if (!valid) return InvalidPageToken("is not a page token issued by this API");
  request.after = *std::move(key);
  return request;
}

}  // namespace sportelli::api
