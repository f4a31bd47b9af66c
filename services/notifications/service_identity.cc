#include "services/notifications/service_identity.h"

#include "absl/strings/str_cat.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

constexpr absl::Duration kTokenLifetime = absl::Minutes(5);
// Renewed this long before it expires, so that a call never leaves with a token about to lapse.
constexpr absl::Duration kRenewBefore = absl::Minutes(1);

}  // namespace

absl::StatusOr<std::unique_ptr<ServiceIdentity>> ServiceIdentity::Create(
    std::string private_key_pem, std::string issuer, std::string audience,
    const clock::Clock* clock) {
  ASSIGN_OR_RETURN(auth::TokenSigner signer,
                   auth::TokenSigner::Create(std::move(private_key_pem), std::move(issuer),
                                             std::move(audience), clock));
  return std::unique_ptr<ServiceIdentity>(new ServiceIdentity(std::move(signer), clock));
}

absl::StatusOr<auth::OnBehalfOf> ServiceIdentity::For(const std::string& tenant) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  auto found = tokens_.find(tenant);
  if (found == tokens_.end() || found->second.expires - kRenewBefore <= now) {
    ASSIGN_OR_RETURN(std::string token, signer_.Mint({.subject = kServiceSubject,
                                                      .tenant = tenant,
                                                      .roles = {"notifier"},
                                                      .destination = "",
                                                      .ttl = kTokenLifetime,
                                                      .issued_at = now,
                                                      .not_before = std::nullopt}));
    found =
        tokens_
            .insert_or_assign(tenant, Minted{absl::StrCat("Bearer ", token), now + kTokenLifetime})
            .first;
  }
  return auth::OnBehalfOf::Token(found->second.authorization);
}

}  // namespace sportelli::notifications
