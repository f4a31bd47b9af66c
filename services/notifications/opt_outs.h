// The kinds of message each citizen asked not to get (migrations/V005__opt_outs.sql), under
// scheduling's pseudonym of the citizen in the comune: the gRPC edge records them (the citizen
// through the portal, or an operator on their behalf), the sender drops what they opted out of.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_OPT_OUTS_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_OPT_OUTS_H_

#include <set>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notifications/domain/messages.h"
#include "sportelli/pg/pool.h"

namespace sportelli::notifications {

class OptOutsRepository {
 public:
  virtual ~OptOutsRepository() = default;
  // What `citizen` opted out of (nothing: the empty set).
  virtual absl::StatusOr<std::set<MessageKind>> Get(const std::string& tenant_id,
                                                    const std::string& citizen) = 0;
  // Replaces what `citizen` opted out of with `kinds`, in one transaction.
  virtual absl::Status Set(const std::string& tenant_id, const std::string& citizen,
                           const std::set<MessageKind>& kinds, absl::Time now) = 0;
};

class PostgresOptOutsRepository final : public OptOutsRepository {
 public:
  // The pool must outlive the repository.
  explicit PostgresOptOutsRepository(pg::ConnectionPool* pool) : pool_(pool) {}
  absl::StatusOr<std::set<MessageKind>> Get(const std::string& tenant_id,
                                            const std::string& citizen) override;
  absl::Status Set(const std::string& tenant_id, const std::string& citizen,
                   const std::set<MessageKind>& kinds, absl::Time now) override;

 private:
  pg::ConnectionPool* const pool_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_OPT_OUTS_H_
