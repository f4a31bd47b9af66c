// Pagination for every List method (https://google.aip.dev/158): page size normalisation and
// opaque page tokens over a composite sort key, bound to the request's filter.
//
// Every List method does the same three things:
//
//   // 1. The page asked for; the filter is every request field but page_size and page_token.
//   ASSIGN_OR_RETURN(api::PageRequest page,
//                    api::ReadPageRequest(request.page_size(), request.page_token(),
//                                         request.parent(), {api::KeyPart::kId}));
//   // 2. The repository reads `page.limit + 1` rows after `page.after` and keeps `limit`.
//   ASSIGN_OR_RETURN(api::Page<Desk> desks, repository.ListDesks(tenant, page));
//   // 3. The next token from the last item's sort key.
//   response.set_next_page_token(
//       api::NextPageToken(desks, page, [](const Desk& d) { return api::PageKey{d.id}; }));
//
// The lower-level functions below (NormalizePageSize, EncodePageToken, DecodePageToken) are
// what these are built on.
//
// A page token remembers the sort key of the last item returned (keyset pagination: the next
// page is "key > last key", which stays correct while rows are inserted or deleted, unlike an
// offset) and a fingerprint of the request's other parameters, so that a token is only
// accepted by the same query it came from (AIP-158: changing any parameter but page_size
// while paging is an error).
//
//   ASSIGN_OR_RETURN(int page_size, NormalizePageSize(request.page_size()));
//   ASSIGN_OR_RETURN(std::string after, DecodePageToken(request.page_token(), request.parent()));
//   // Fetch one row more than asked to learn whether another page exists.
//   ASSIGN_OR_RETURN(auto desks, repository.ListDesks(tenant, after, page_size + 1));
//   if (desks.size() > static_cast<size_t>(page_size)) {
//     desks.resize(page_size);
//     response.set_next_page_token(EncodePageToken(desks.back().id, request.parent()));
//   }
//
// Tokens are opaque to clients and signed (HMAC-SHA256 under the service's page token key,
// shared by its replicas: UsePageTokenKey), so a token a client made up or edited is
// INVALID_ARGUMENT, like a damaged one, and bounded (at most 1,024 characters are read).
// Authorization is still checked on every request: a token only says where a listing resumes.
#ifndef SPORTELLI_API_PAGINATION_H_
#define SPORTELLI_API_PAGINATION_H_

#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::api {

// The key page tokens are signed with, at least 32 bytes: every replica of a service must use
// the same one (server::RunMain's `serve` reads it from the service's schema at start). Until
// this is called, a random key of the process signs them, which is enough for a single process
// (tests, tools). Thread-safe; tokens signed under a previous key are refused afterwards.
void UsePageTokenKey(std::string key);

// AIP-158 defaults: a client that asks for nothing gets a page big enough for a desk list, and
// nobody can make one call return an unbounded amount of data.
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// 0 becomes kDefaultPageSize, values above kMaxPageSize become kMaxPageSize (AIP-158 coerces
// rather than rejects), a negative value is INVALID_ARGUMENT with a violation on "page_size".
absl::StatusOr<int> NormalizePageSize(int32_t page_size);

// The token for the page after the item whose sort key is `last_key`. `fingerprint` stands for
// every request parameter except page_size and page_token (e.g. the parent, a filter, the
// order); join several with a separator that cannot occur in them, such as '\n'.
// The result is URL-safe base64 without padding.
std::string EncodePageToken(absl::string_view last_key, absl::string_view fingerprint);

// The sort key carried by `token`. An empty token (the first page) yields the empty string,
// which sorts before every non-empty key, so a query "key > $after" needs no special case.
// A token that is not one EncodePageToken made, or one made for a different fingerprint, is
// INVALID_ARGUMENT with reason INVALID_PAGE_TOKEN and a violation on "page_token".
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view fingerprint);

// One part of a sort key, as a token carries it. Each part read from a token is still checked
// to be what the query expects before it reaches SQL.
enum class KeyPart {
  kId,     // a resource id (IsValidResourceId)
  kInt64,  // a decimal integer, e.g. an instant in microseconds
};

// A sort key: one string per part, in sort order.
using PageKey = std::vector<std::string>;

// The page a List request asks for.
struct PageRequest {
  int limit = kDefaultPageSize;
  // The sort key of the last item of the previous page; empty for the first page.
  PageKey after;
  // Binds the next token to this request's filter.
  std::string filter;
  bool first_page() const { return after.empty(); }
};

// page_size normalised (NormalizePageSize) and page_token decoded for `filter` (every request
// field but page_size and page_token, joined with '\n'), its key checked against `parts`.
// INVALID_ARGUMENT as NormalizePageSize and DecodePageToken say; a token whose key does not
// have the expected parts is reason INVALID_PAGE_TOKEN too.
absl::StatusOr<PageRequest> ReadPageRequest(int32_t page_size, absl::string_view page_token,
                                            absl::string_view filter,
                                            std::initializer_list<KeyPart> parts);

// The token for the page after `last` (empty key: no next page).
std::string EncodePageKey(const PageKey& last, absl::string_view filter);

// One page of a list: at most the requested number of items, and whether more follow.
template <typename T>
struct Page {
  std::vector<T> items;
  bool more = false;
};

// A page from rows read with `limit + 1`: the extra row only says that another page exists.
template <typename T>
Page<T> TakePage(std::vector<T> rows, int limit) {
  Page<T> page;
  page.more = static_cast<int>(rows.size()) > limit;
  if (page.more) rows.resize(static_cast<size_t>(limit));
  page.items = std::move(rows);
  return page;
}

// The next_page_token of a response: empty on the last page, otherwise the token of the last
// item's key (`key_of(item)` returns its PageKey).
template <typename T, typename KeyOf>
std::string NextPageToken(const Page<T>& page, const PageRequest& request, KeyOf key_of) {
  if (!page.more || page.items.empty()) return "";
  return EncodePageKey(key_of(page.items.back()), request.filter);
}

}  // namespace sportelli::api

#endif  // SPORTELLI_API_PAGINATION_H_
