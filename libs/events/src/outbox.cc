#include "sportelli/events/outbox.h"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/crypto/random.h"
#include "sportelli/events/streams.h"
#include "sportelli/pg/arrays.h"
#include "sportelli/pg/prepared.h"

namespace sportelli::events {

namespace outbox_component {
const std::vector<pg::Migration>& Migrations();  // generated from migrations/outbox/
}  // namespace outbox_component

pg::MigrationComponent OutboxComponent() { return {"outbox", &outbox_component::Migrations()}; }

pg::RetentionStep OutboxRetention(std::string schema, absl::Duration keep) {
  return {"outbox",
          [schema, keep](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
            return pg::DeleteDue(tx, schema, "outbox",
                                 "published_at IS NOT NULL AND published_at < $2::timestamptz",
                                 tenant, now - keep, batch);
          }};
}

std::string TenantStream(absl::string_view tenant) { return absl::StrCat("{", tenant, "}:events"); }

v1::Event NewEvent(absl::string_view tenant, absl::string_view resource, absl::Time now) {
  v1::Event event;
  event.set_id(crypto::RandomUuid());
  event.set_tenant(std::string(tenant));
  api::ToTimestamp(now, event.mutable_time());
  event.set_resource(std::string(resource));
  return event;
}

std::string EventType(const v1::Event& event) {
  const google::protobuf::OneofDescriptor* payload =
      v1::Event::descriptor()->FindOneofByName("payload");
  const google::protobuf::FieldDescriptor* field =
      v1::Event::GetReflection()->GetOneofFieldDescriptor(event, payload);
  if (field == nullptr || field->message_type() == nullptr) return "Unknown";
  return field->message_type()->name();
}

void WriteOutbox(pqxx::work& tx, absl::string_view schema, const v1::Event& event) {
  // The schema is the caller's constant; quote_name keeps it an identifier whatever it is.
  pg::ExecPrepared(tx,
                   absl::StrCat("INSERT INTO ", tx.quote_name(std::string(schema)),
                                ".outbox (tenant_id, event_id, event_type, payload) "
                                "VALUES ($1, $2::uuid, $3, decode($4, 'hex'))"),
                   event.tenant(), event.id(), EventType(event),
                   absl::BytesToHexString(event.SerializeAsString()));
}

void WriteOutboxMany(pqxx::work& tx, absl::string_view schema,
                     const std::vector<v1::Event>& events) {
  if (events.empty()) return;
  std::vector<std::string> tenants, ids, types, payloads;
  for (const v1::Event& event : events) {
    tenants.push_back(event.tenant());
    ids.push_back(event.id());
    types.push_back(EventType(event));
    payloads.push_back(absl::BytesToHexString(event.SerializeAsString()));
  }
  // WITH ORDINALITY and ORDER BY: the identity column numbers the rows in the list's order.
  pg::ExecPrepared(tx,
                   absl::StrCat("INSERT INTO ", tx.quote_name(std::string(schema)),
                                ".outbox (tenant_id, event_id, event_type, payload) "
                                "SELECT t, i::uuid, y, decode(p, 'hex') FROM unnest($1::text[], "
                                "$2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS "
                                "u(t, i, y, p, n) ORDER BY n"),
                   pg::TextArray(tenants), pg::TextArray(ids), pg::TextArray(types),
                   pg::TextArray(payloads));
}

}  // namespace sportelli::events
