#include "sportelli/audit/audit_grpc_service.h"

#include "absl/strings/str_cat.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/blind_index.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/server/audit_actor.h"
#include "sportelli/status/macros.h"

namespace sportelli::audit {

using server::Call;

namespace {

// What the trail calls the data a DPO reads here.
constexpr char kTrailData[] = "audit.trail";
constexpr char kExportData[] = "citizen.export";

// The comune's DPO only; the tenant check first, so another comune's trail cannot be probed.
absl::StatusOr<api::TenantName> DpoOf(const Call& call, const std::string& parent,
                                      status::FieldViolations& violations) {
  std::optional<api::TenantName> tenant =
      api::ParseName<api::TenantName>(parent, "parent", violations);
  if (tenant) {
    RETURN_IF_ERROR(call.caller.RequireTenant(tenant->tenant));
    RETURN_IF_ERROR(call.caller.RequireAnyRole({auth::Role::kDpo}));
  }
  RETURN_IF_ERROR(violations.ToStatus());
  return *tenant;
}

v1::AuditAction ActionProto(Action action) {
  return static_cast<v1::AuditAction>(static_cast<int>(action) + 1);
}

}  // namespace

AuditGrpcService::AuditGrpcService(std::string service, pg::ConnectionPool* pool,
                                   const AuditLog* log, const crypto::SecretKey* secret,
                                   const server::RpcHandler* handler, const clock::Clock* clock,
                                   CitizenExporter exporter)
    : service_(std::move(service)),
      pool_(pool),
      log_(log),
      secret_(secret),
      handler_(handler),
      clock_(clock),
      exporter_(std::move(exporter)) {}

grpc::Status AuditGrpcService::ListAuditEvents(grpc::ServerContext* context,
                                               const v1::ListAuditEventsRequest* request,
                                               v1::ListAuditEventsResponse* response) {
  return handler_->Handle(context, "ListAuditEvents", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    Filter filter;
    filter.resource = request->resource();
    filter.subject = request->subject();
    std::string codice_fiscale;
    if (!request->codice_fiscale().empty()) {
      citizen::CheckCodiceFiscale("codice_fiscale", request->codice_fiscale(), violations);
      if (absl::StatusOr<std::string> normalized =
              citizen::NormalizeCodiceFiscale(request->codice_fiscale());
          normalized.ok()) {
        codice_fiscale = *normalized;
      }
    }
    if (request->has_start_time()) {
      filter.from = api::ParseTimestamp(true, request->start_time(), "start_time", violations);
    }
    if (request->has_end_time()) {
      filter.to = api::ParseTimestamp(true, request->end_time(), "end_time", violations);
    }
    if (filter.from && filter.to && *filter.to <= *filter.from) {
      violations.Add("end_time", "must be after start_time");
    }
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    ASSIGN_OR_RETURN(api::TenantName tenant, DpoOf(call, request->parent(), violations));
    if (!codice_fiscale.empty()) {
      filter.citizen_index = citizen::CitizenIndex(*secret_, tenant.tenant, codice_fiscale);
    }
    // The token is bound to the filter; a citizen is bound by the index, never by the code.
    v1::ListAuditEventsRequest fingerprint = *request;
    fingerprint.clear_page_size();
    fingerprint.clear_page_token();
    fingerprint.set_codice_fiscale(filter.citizen_index);
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             fingerprint.SerializeAsString(),
                             {api::KeyPart::kInt64, api::KeyPart::kInt64, api::KeyPart::kInt64}));
    ASSIGN_OR_RETURN(Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        api::Page<Event> events,
        pool_->RunInTenantTransaction(
            tenant.tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Event>> {
              ASSIGN_OR_RETURN(api::Page<Event> listed,
                               log_->List(tx, tenant.tenant, filter, page));
              std::vector<std::string> citizens;
              if (!filter.citizen_index.empty()) citizens.push_back(filter.citizen_index);
              RETURN_IF_ERROR(log_->Record(
                  tx, tenant.tenant,
                  Access{who, Action::kList, absl::StrCat(request->parent(), "/auditEvents"),
                         kTrailData, std::move(citizens)}));
              return listed;
            }));
    for (const Event& e : events.items) {
      v1::AuditEvent* out = response->add_audit_events();
      api::ToTimestamp(e.time, out->mutable_time());
      out->set_subject(e.access.actor.subject);
      for (const std::string& role : e.access.actor.roles) out->add_roles(role);
      out->set_subject_tenant(e.access.actor.tenant);
      out->set_action(ActionProto(e.access.action));
      out->set_resource(e.access.resource);
      out->set_data_class(e.access.data_class);
      out->set_purpose(PurposeName(e.access.actor.purpose));
      out->set_request_id(e.access.actor.request_id);
      out->set_citizen_count(static_cast<int>(e.access.citizen_indexes.size()));
      out->set_lane(e.lane);
      out->set_sequence(e.sequence);
    }
    response->set_next_page_token(api::NextPageToken(events, page, [](const Event& e) {
      return api::PageKey{absl::StrCat(absl::ToUnixMicros(e.time)), absl::StrCat(e.lane),
                          absl::StrCat(e.sequence)};
    }));
    return absl::OkStatus();
  });
}

grpc::Status AuditGrpcService::VerifyAuditChain(grpc::ServerContext* context,
                                                const v1::VerifyAuditChainRequest* request,
                                                v1::VerifyAuditChainResponse* response) {
  return handler_->Handle(context, "VerifyAuditChain", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    ASSIGN_OR_RETURN(api::TenantName tenant, DpoOf(call, request->parent(), violations));
    pg::TransactionOptions options;
    options.tenant_id = tenant.tenant;
    options.read_only = true;
    ASSIGN_OR_RETURN(VerifyReport report, pool_->RunInTransaction(options, [&](pqxx::work& tx) {
      return log_->Verify(tx, tenant.tenant);
    }));
    response->set_rows(report.rows);
    response->set_lanes(report.lanes);
    if (report.first_break) {
      v1::AuditChainBreak* out = response->mutable_first_break();
      out->set_lane(report.first_break->lane);
      out->set_sequence(report.first_break->sequence);
      out->set_problem(report.first_break->problem);
    }
    return absl::OkStatus();
  });
}

grpc::Status AuditGrpcService::ExportCitizenData(grpc::ServerContext* context,
                                                 const v1::ExportCitizenDataRequest* request,
                                                 v1::ExportCitizenDataResponse* response) {
  return handler_->Handle(context, "ExportCitizenData", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    citizen::CheckCodiceFiscale("codice_fiscale", request->codice_fiscale(), violations);
    ASSIGN_OR_RETURN(api::TenantName tenant, DpoOf(call, request->parent(), violations));
    ASSIGN_OR_RETURN(std::string codice_fiscale,
                     citizen::NormalizeCodiceFiscale(request->codice_fiscale()));
    const std::string index = citizen::CitizenIndex(*secret_, tenant.tenant, codice_fiscale);
    ASSIGN_OR_RETURN(Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        nlohmann::json data,
        pool_->RunInTenantTransaction(
            tenant.tenant, [&](pqxx::work& tx) -> absl::StatusOr<nlohmann::json> {
              ASSIGN_OR_RETURN(nlohmann::json held, exporter_(tx, tenant.tenant, index));
              RETURN_IF_ERROR(log_->Record(tx, tenant.tenant,
                                           Access{who,
                                                  Action::kExport,
                                                  absl::StrCat(request->parent(), "/citizens"),
                                                  kExportData,
                                                  {index}}));
              return held;
            }));
    nlohmann::json document = {
        {"comune", tenant.tenant},
        {"service", service_},
        {"codice_fiscale", codice_fiscale},
        {"generated_at", absl::FormatTime(absl::RFC3339_sec, clock_->Now(), absl::UTCTimeZone())},
        {"data", std::move(data)},
    };
    response->set_json(document.dump(2));
    return absl::OkStatus();
  });
}

}  // namespace sportelli::audit
