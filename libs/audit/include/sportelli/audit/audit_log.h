// The audit trail of personal data, written once for every service (the kit component
// AuditComponent(): tables audit_events and audit_heads in the service's schema).
//
// Every read and write of personal data records who (subject, roles, comune), what (resource,
// data class, the citizens' blind indexes), the action, the purpose and the request id, in the
// transaction of the access: if the audit row cannot be written, the access fails with it.
//
//   ASSIGN_OR_RETURN(audit::Actor actor, server::AuditActorOf(call));   // at the gRPC edge
//   ...
//   return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<...> {
//     ... read the appointment ...
//     RETURN_IF_ERROR(audit_->Record(tx, tenant, {actor, audit::Action::kRead, name,
//                                                 "appointment.citizen", {citizen_index}}));
//     return appointment;
//   });
//
// The trail is append-only for the runtime role (INSERT and SELECT only: tested) and
// hash-chained: each row's hash covers its content and the previous row's hash, so a row changed
// or deleted with the owner's (or a superuser's) credentials is found by Verify, which names it.
// A comune's rows are spread over kLanes chains so that concurrent accesses do not all queue on
// one chain head; each lane is verified on its own.
#ifndef SPORTELLI_AUDIT_AUDIT_LOG_H_
#define SPORTELLI_AUDIT_AUDIT_LOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pqxx/transaction"
#include "sportelli/api/pagination.h"
#include "sportelli/clock/clock.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/retention.h"

namespace sportelli::audit {

// The kit component that creates `<schema>.audit_events`, `audit_heads` and `audit_anchors`,
// and the function that expires old rows.
pg::MigrationComponent AuditComponent();

// The trail's rows older than `keep` (retention), through the component's function: the runtime
// role cannot delete from the trail itself, and the function refuses to delete rows younger
// than a year whatever `keep` says. Each lane loses a prefix and is re-anchored, so Verify still
// checks what remains.
pg::RetentionStep AuditRetention(std::string schema, absl::Duration keep);

enum class Action { kRead, kList, kCreate, kUpdate, kDelete, kExport };
const char* ActionName(Action action);  // "READ", ...
std::optional<Action> ParseAction(absl::string_view name);

// Why personal data is accessed: a coded list, never free text (which could carry personal
// data into the trail). Each role has a default; a caller may state another that its role allows.
enum class Purpose {
  kServiceDelivery,  // the desk's work for the citizen: booking, reception, the interview
  kCitizenRequest,   // the citizen's own request (through the portal)
  kCaseManagement,   // a coordinator's work on cases and assignments
  kAdministration,   // a comune administrator's work
  kDataProtection,   // the DPO answering a data subject or checking the trail
  kService,          // another service of the system, on its own behalf
  kReferral,         // a referral body (partner) taking up a referral sent to it
  kNotification,     // the notifications service writing to a citizen about their appointment
};
const char* PurposeName(Purpose purpose);  // "service_delivery", ...
std::optional<Purpose> ParsePurpose(absl::string_view name);

// Who accesses, and why: from the caller's token (never from the request) and the stated or
// default purpose.
struct Actor {
  std::string subject;
  std::vector<std::string> roles;  // sorted
  std::string tenant;
  Purpose purpose = Purpose::kServiceDelivery;
  std::string request_id;  // empty when the call has none
};

struct Access {
  Actor actor;
  Action action = Action::kRead;
  std::string resource;                      // a resource name, or the collection listed
  std::string data_class;                    // e.g. "appointment.citizen"
  std::vector<std::string> citizen_indexes;  // blind indexes (raw bytes), for "who looked at me"
};

// A recorded access, as listed and verified.
struct Event {
  std::string tenant_id;
  int lane = 0;
  int64_t sequence = 0;
  absl::Time time;
  Access access;
  std::string previous_hash;
  std::string row_hash;
};

inline constexpr int kLanes = 8;

// The hash a row must carry: SHA-256 over a length-prefixed encoding of every column and the
// previous row's hash. Changing the encoding breaks every existing chain: don't.
std::string RowHash(const Event& event);

struct VerifyReport {
  int64_t rows = 0;
  int lanes = 0;
  // The first row (in lane order, then sequence) whose hash or link does not match, or the
  // first gap in a lane's sequence (a deleted row): nullopt when the trail is sound.
  struct Break {
    int lane = 0;
    int64_t sequence = 0;
    std::string problem;  // "row hash does not match its content", ...
  };
  std::optional<Break> first_break;
};

struct Filter {
  std::string resource;            // exact, or empty
  std::string subject;             // exact, or empty
  std::string citizen_index;       // raw bytes, or empty
  std::optional<absl::Time> from;  // inclusive
  std::optional<absl::Time> to;    // exclusive
};

class AuditLog {
 public:
  // `schema`: the service's schema. The clock stamps each row.
  AuditLog(std::string schema, const clock::Clock* clock);

  // Appends `access` to the comune's trail inside `tx` (the access's own tenant transaction).
  // Database failures are pqxx exceptions, as for the statements around it: the transaction,
  // and so the access, fails.
  absl::Status Record(pqxx::work& tx, const std::string& tenant, const Access& access) const;

  // Record of several accesses of one comune, each its own row, in one statement per kLanes of
  // them: they go to distinct lanes (taken in lane order, the same lanes for every statement,
  // so two batches never wait for each other in a cycle).
  absl::Status RecordMany(pqxx::work& tx, const std::string& tenant,
                          const std::vector<Access>& accesses) const;

  // Walks every lane of the comune in batches (read-only). Rows deleted by retention are not a
  // break: a lane then starts after its anchor (audit_anchors), to whose hash its first row
  // must link.
  absl::StatusOr<VerifyReport> Verify(pqxx::work& tx, const std::string& tenant) const;

  // The comune's events matching `filter`, newest first; the page key is (time in Unix
  // microseconds, lane, sequence).
  absl::StatusOr<api::Page<Event>> List(pqxx::work& tx, const std::string& tenant,
                                        const Filter& filter, const api::PageRequest& page) const;

 private:
  const std::string schema_;
  const clock::Clock* const clock_;
};

}  // namespace sportelli::audit

#endif  // SPORTELLI_AUDIT_AUDIT_LOG_H_
