// Intake's part of "everything held about this codice fiscale" (GDPR art. 15), for the DPO's
// ExportCitizenData (libs/audit AuditGrpcService): each person registered with the code, with
// their contacts, as the API shows them.
#ifndef SPORTELLI_SERVICES_INTAKE_EXPORT_H_
#define SPORTELLI_SERVICES_INTAKE_EXPORT_H_

#include "services/intake/postgres_intake_repository.h"
#include "sportelli/audit/audit_grpc_service.h"

namespace sportelli::intake {

// `repository` must outlive the exporter.
audit::CitizenExporter CitizenDataExporter(PostgresIntakeRepository* repository);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_EXPORT_H_
