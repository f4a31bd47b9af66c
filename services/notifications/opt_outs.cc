#include "services/notifications/opt_outs.h"

#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {

absl::StatusOr<std::set<MessageKind>> PostgresOptOutsRepository::Get(const std::string& tenant_id,
                                                                     const std::string& citizen) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<std::set<MessageKind>> {
        std::set<MessageKind> kinds;
        for (const auto& row : pg::ExecPrepared(
                 tx,
                 "SELECT kind FROM notifications.opt_outs WHERE tenant_id = $1 AND citizen = $2",
                 tenant_id, citizen)) {
          std::optional<MessageKind> kind = ParseMessageKind(row[0].as<std::string>());
          if (!kind) return status::Internal("a stored opt-out does not parse");
          kinds.insert(*kind);
        }
        return kinds;
      });
}

absl::Status PostgresOptOutsRepository::Set(const std::string& tenant_id,
                                            const std::string& citizen,
                                            const std::set<MessageKind>& kinds, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    pg::ExecPrepared(tx, "DELETE FROM notifications.opt_outs WHERE tenant_id = $1 AND citizen = $2",
                     tenant_id, citizen);
    for (MessageKind kind : kinds) {
      pg::ExecPrepared(tx,
                       "INSERT INTO notifications.opt_outs (tenant_id, citizen, kind, create_time) "
                       "VALUES ($1, $2, $3, $4::timestamptz)",
                       tenant_id, citizen, std::string(MessageKindName(kind)), pg::Timestamp(now));
    }
    return absl::OkStatus();
  });
}

}  // namespace sportelli::notifications
