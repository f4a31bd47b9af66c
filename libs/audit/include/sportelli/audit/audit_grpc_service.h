// sportelli.audit.v1.AuditService over one service's trail and data, written once: a service
// that holds personal data adds it next to its own API, with the reader of its part of a
// citizen's data (GDPR art. 15):
//
//   kit.AddService(kit.Own(std::make_unique<audit::AuditGrpcService>(
//       "scheduling", &kit.pool(), audit_log, secret, &kit.handler(), &kit.clock(),
//       [repository](pqxx::work& tx, const std::string& tenant, const std::string& index) {
//         return repository->ExportCitizen(tx, tenant, index);   // -> nlohmann::json
//       })));
//
// Only the comune's `dpo` may call it. Listing the trail and exporting a citizen's data are
// recorded in the trail themselves, in the same transaction (purpose data_protection).
#ifndef SPORTELLI_AUDIT_AUDIT_GRPC_SERVICE_H_
#define SPORTELLI_AUDIT_AUDIT_GRPC_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "pqxx/transaction"
#include "sportelli/audit/audit_log.h"
#include "sportelli/audit/v1/audit_service.grpc.pb.h"
#include "sportelli/clock/clock.h"
#include "sportelli/crypto/secret_key.h"
#include "sportelli/pg/pool.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::audit {

// The service's records of one citizen (found by `citizen_index`, their blind index), read in
// the export's tenant transaction.
using CitizenExporter = std::function<absl::StatusOr<nlohmann::json>(
    pqxx::work& tx, const std::string& tenant, const std::string& citizen_index)>;

class AuditGrpcService final : public v1::AuditService::Service {
 public:
  // `service`: the service's name, in the export ("scheduling"). `secret` keys the citizens'
  // blind indexes, as the service computes them. Pointers must outlive this.
  AuditGrpcService(std::string service, pg::ConnectionPool* pool, const AuditLog* log,
                   const crypto::SecretKey* secret, const server::RpcHandler* handler,
                   const clock::Clock* clock, CitizenExporter exporter);

  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const v1::ListAuditEventsRequest* request,
                               v1::ListAuditEventsResponse* response) override;
  grpc::Status VerifyAuditChain(grpc::ServerContext* context,
                                const v1::VerifyAuditChainRequest* request,
                                v1::VerifyAuditChainResponse* response) override;
  grpc::Status ExportCitizenData(grpc::ServerContext* context,
                                 const v1::ExportCitizenDataRequest* request,
                                 v1::ExportCitizenDataResponse* response) override;

 private:
  const std::string service_;
  pg::ConnectionPool* const pool_;
  const AuditLog* const log_;
  const crypto::SecretKey* const secret_;
  const server::RpcHandler* const handler_;
  const clock::Clock* const clock_;
  const CitizenExporter exporter_;
};

}  // namespace sportelli::audit

#endif  // SPORTELLI_AUDIT_AUDIT_GRPC_SERVICE_H_
