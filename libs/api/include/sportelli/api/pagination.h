// Pagination for every List method (https://google.aip.dev/158): page size normalisation and
// opaque page tokens.
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
// Tokens are opaque to clients but not secret and not signed: a client that forges one only
// chooses where its own listing starts, and authorization is checked on every request anyway.
#ifndef SPORTELLI_API_PAGINATION_H_
#define SPORTELLI_API_PAGINATION_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sportelli::api {

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

}  // namespace sportelli::api

#endif  // SPORTELLI_API_PAGINATION_H_
