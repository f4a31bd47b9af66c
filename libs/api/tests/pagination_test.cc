#include "sportelli/api/pagination.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::api {
namespace {

using ::sportelli::status::FieldViolationsOf;
using ::sportelli::status::ReasonOf;
using ::testing::ElementsAre;
using ::testing::Pair;

TEST(NormalizePageSizeTest, ZeroMeansDefault) {
  EXPECT_EQ(NormalizePageSize(0).value(), 50);
  EXPECT_EQ(kDefaultPageSize, 50);
}

TEST(NormalizePageSizeTest, InRangeIsKept) {
  EXPECT_EQ(NormalizePageSize(1).value(), 1);
  EXPECT_EQ(NormalizePageSize(17).value(), 17);
  EXPECT_EQ(NormalizePageSize(1000).value(), 1000);
}

TEST(NormalizePageSizeTest, AboveMaximumIsCoerced) {
  EXPECT_EQ(NormalizePageSize(1001).value(), 1000);
  EXPECT_EQ(NormalizePageSize(2147483647).value(), 1000);
}

TEST(NormalizePageSizeTest, NegativeIsInvalid) {
  for (int32_t size : {-1, -50, -2147483647 - 1}) {
    auto normalized = NormalizePageSize(size);
    ASSERT_FALSE(normalized.ok()) << size;
    EXPECT_EQ(normalized.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(FieldViolationsOf(normalized.status()),
                ElementsAre(Pair("page_size", "must not be negative")));
  }
}

TEST(PageTokenTest, EmptyTokenIsTheFirstPage) {
  auto after = DecodePageToken("", "tenants/capannori");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, "");
}

TEST(PageTokenTest, RoundTrips) {
  for (const std::string& key : std::vector<std::string>{
           "sede-centrale", "a", "", std::string("\0\xff/+=", 5), std::string(500, 'z')}) {
    const std::string token = EncodePageToken(key, "tenants/capannori");
    auto after = DecodePageToken(token, "tenants/capannori");
    ASSERT_TRUE(after.ok()) << after.status();
    EXPECT_EQ(*after, key);
  }
}

TEST(PageTokenTest, IsUrlSafe) {
  const std::string token = EncodePageToken(std::string("\xfb\xff\xfe?&/", 6), "p");
  EXPECT_EQ(
      token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos)
      << token;
}

TEST(PageTokenTest, DoesNotShowTheKeyInClear) {
  const std::string token = EncodePageToken("sede-centrale", "tenants/capannori");
  EXPECT_EQ(token.find("sede-centrale"), std::string::npos);
}

void ExpectInvalidToken(const absl::StatusOr<std::string>& after) {
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ReasonOf(after.status()), "INVALID_PAGE_TOKEN");
  auto violations = FieldViolationsOf(after.status());
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].first, "page_token");
}

TEST(PageTokenTest, RejectsTokenOfAnotherRequest) {
  const std::string token = EncodePageToken("sede-centrale", "tenants/capannori");
  auto after = DecodePageToken(token, "tenants/lucca");
  ExpectInvalidToken(after);
  EXPECT_THAT(FieldViolationsOf(after.status())[0].second, ::testing::HasSubstr("different"));
}

TEST(PageTokenTest, RejectsGarbage) {
  for (const std::string& token :
       std::vector<std::string>{"x", "not a token", "!!!!", "AAAA", "AQ", "%2F",
                                absl::WebSafeBase64Escape("hello world"),
                                absl::WebSafeBase64Escape(std::string(13, '\x01'))}) {
    ExpectInvalidToken(DecodePageToken(token, "tenants/capannori"));
  }
}

TEST(PageTokenTest, RejectsATamperedToken) {
  const std::string token = EncodePageToken("sede-centrale", "tenants/capannori");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  raw[10] ^= 0x01;  // a byte of the key
  ExpectInvalidToken(DecodePageToken(absl::WebSafeBase64Escape(raw), "tenants/capannori"));
  raw[10] ^= 0x01;
  raw[0] = 3;  // an unknown version
  ExpectInvalidToken(DecodePageToken(absl::WebSafeBase64Escape(raw), "tenants/capannori"));
}

TEST(PageTokenTest, AWellFormedTokenMadeWithoutTheKeyIsRefused) {
  // What a client could build from the documented layout: the fingerprint's FNV and a key of
  // its choice, with a MAC it cannot compute (here, the version-1 token's FNV check, and
  // zeros).
  UsePageTokenKey(std::string(32, 'k'));
  const std::string genuine = EncodePageToken("sede-centrale", "tenants/capannori");
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(genuine, &raw));
  std::string forged = raw.substr(0, raw.size() - 16);
  forged.replace(9, std::string::npos, "zzz-the-end");
  forged += std::string(16, '\0');
  ExpectInvalidToken(DecodePageToken(absl::WebSafeBase64Escape(forged), "tenants/capannori"));
  // A version-1 token (FNV check, no key) is no longer accepted.
  ExpectInvalidToken(DecodePageToken("Ac4PiHzJnIviYu1-8CM", "tenants/a"));
}

TEST(PageTokenTest, AnOversizedTokenIsRefusedUnread) {
  ExpectInvalidToken(DecodePageToken(std::string(1025, 'A'), "tenants/capannori"));
}

TEST(PageTokenTest, ReplicasSharingTheKeyReadEachOthersTokens) {
  // Another replica (another process, another build) with the same key must read this one's
  // tokens, so the encoding may not depend on per-process seeds. The literal was computed
  // independently (Python: hmac, hashlib, FNV-1a 64) from the documented version-2 layout.
  UsePageTokenKey(std::string(32, 'k'));
  EXPECT_EQ(EncodePageToken("b", "tenants/a"), "As4PiHzJnIviYrIAi03zqcdGDiySxzb5as4");
  auto after = DecodePageToken("As4PiHzJnIviYrIAi03zqcdGDiySxzb5as4", "tenants/a");
  ASSERT_TRUE(after.ok()) << after.status();
  EXPECT_EQ(*after, "b");
  // A service with another key (another service, or a rotated key) refuses it.
  UsePageTokenKey(std::string(32, 'x'));
  ExpectInvalidToken(DecodePageToken("As4PiHzJnIviYrIAi03zqcdGDiySxzb5as4", "tenants/a"));
}

}  // namespace
}  // namespace sportelli::api

namespace sportelli::api {
namespace {

TEST(PageRequestTest, CompositeKeysRoundTripBoundToTheirFilter) {
  const std::string filter = "tenants/capannori/desks/sede\n2026-06-03\nBOOKED";
  const std::string token = EncodePageKey({"1780477200000000", "a7x"}, filter);
  absl::StatusOr<PageRequest> page =
      ReadPageRequest(10, token, filter, {KeyPart::kInt64, KeyPart::kId});
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->limit, 10);
  EXPECT_THAT(page->after, ElementsAre("1780477200000000", "a7x"));
  EXPECT_FALSE(page->first_page());
  // Another filter: refused, so a client cannot page one listing with another's position.
  absl::StatusOr<PageRequest> other =
      ReadPageRequest(10, token, "tenants/capannori/desks/altra", {KeyPart::kInt64, KeyPart::kId});
  EXPECT_EQ(ReasonOf(other.status()), "INVALID_PAGE_TOKEN");
}

TEST(PageRequestTest, AHandMadeKeyOfTheWrongShapeIsRefused) {
  // Genuine tokens (signed by this service) whose key does not fit the query.
  for (const PageKey& key : std::vector<PageKey>{{"not a number", "a7x"},
                                                 {"1780477200000000", "Robert'); DROP"},
                                                 {"1780477200000000"},
                                                 {"1", "a", "b"}}) {
    absl::StatusOr<PageRequest> page =
        ReadPageRequest(0, EncodePageKey(key, "f"), "f", {KeyPart::kInt64, KeyPart::kId});
    ASSERT_FALSE(page.ok());
    EXPECT_EQ(ReasonOf(page.status()), "INVALID_PAGE_TOKEN");
    EXPECT_THAT(FieldViolationsOf(page.status()),
                ElementsAre(Pair("page_token", "is not a page token issued by this API")));
  }
}

TEST(PageRequestTest, TakePageAndNextToken) {
  absl::StatusOr<PageRequest> request = ReadPageRequest(2, "", "f", {KeyPart::kId});
  ASSERT_TRUE(request.ok());
  EXPECT_TRUE(request->first_page());
  Page<std::string> page = TakePage<std::string>({"a", "b", "c"}, request->limit);
  EXPECT_THAT(page.items, ElementsAre("a", "b"));
  EXPECT_TRUE(page.more);
  const std::string next =
      NextPageToken(page, *request, [](const std::string& id) { return PageKey{id}; });
  absl::StatusOr<PageRequest> second = ReadPageRequest(2, next, "f", {KeyPart::kId});
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(second->after, ElementsAre("b"));
  Page<std::string> last = TakePage<std::string>({"c"}, 2);
  EXPECT_FALSE(last.more);
  EXPECT_EQ(NextPageToken(last, *second, [](const std::string& id) { return PageKey{id}; }), "");
}

}  // namespace
}  // namespace sportelli::api
