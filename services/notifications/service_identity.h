// The notifications service's own identity towards the other services: a short-lived token per
// comune, role `notifier`, signed with its key (SPORTELLI_SERVICE_KEY_FILE, whose public half the
// other services trust next to the identity provider's). No person is behind these calls, so
// they cannot carry a caller's token; the role lets them read what a message needs and nothing
// else, and scheduling records each read (purpose `notification`).
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_SERVICE_IDENTITY_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_SERVICE_IDENTITY_H_

#include <map>
#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "sportelli/auth/on_behalf_of.h"
#include "sportelli/auth/tokens.h"
#include "sportelli/clock/clock.h"

namespace sportelli::notifications {

inline constexpr char kServiceSubject[] = "sportelli-notifications";

class ServiceIdentity final {
 public:
  // The clock must outlive the identity.
  static absl::StatusOr<std::unique_ptr<ServiceIdentity>> Create(std::string private_key_pem,
                                                                 std::string issuer,
                                                                 std::string audience,
                                                                 const clock::Clock* clock);

  // Credentials for calls about `tenant`: a token valid for at least another minute (minted
  // anew when the cached one is older).
  absl::StatusOr<auth::OnBehalfOf> For(const std::string& tenant);

 private:
  struct Minted {
    std::string authorization;  // "Bearer ..."
    absl::Time expires;
  };
  ServiceIdentity(auth::TokenSigner signer, const clock::Clock* clock)
      : signer_(std::move(signer)), clock_(clock) {}

  const auth::TokenSigner signer_;
  const clock::Clock* const clock_;
  absl::Mutex mu_;
  std::map<std::string, Minted> tokens_ ABSL_GUARDED_BY(mu_);
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_SERVICE_IDENTITY_H_
