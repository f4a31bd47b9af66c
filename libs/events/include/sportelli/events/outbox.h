// Publishing events, the same way in every service: an event (sportelli.events.v1.Event: ids,
// times and the resource name, never personal data) is written to the service's outbox in the
// transaction of the change it describes, and the relay (relay.h) publishes it to Redis Streams.
// So an event exists if and only if its change committed.
//
//   return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::Status {
//     ...change the rows...
//     events::v1::Event event = events::NewEvent(tenant, appointment_name, now);
//     event.mutable_appointment_checked_in();
//     events::WriteOutbox(tx, "scheduling", event);
//     return absl::OkStatus();
//   });
//
// The table is `<schema>.outbox`, made by the kit component OutboxComponent(), which a service
// lists among its migration components.
#ifndef SPORTELLI_EVENTS_OUTBOX_H_
#define SPORTELLI_EVENTS_OUTBOX_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "pqxx/transaction"
#include "sportelli/events/v1/events.pb.h"
#include "sportelli/pg/migrations.h"
#include "sportelli/pg/retention.h"

namespace sportelli::events {

// The kit component that creates `<schema>.outbox` (libs/events/migrations/outbox/).
pg::MigrationComponent OutboxComponent();

// The outbox rows published more than `keep` ago (retention; unpublished rows are never
// removed: they have yet to reach Redis).
pg::RetentionStep OutboxRetention(std::string schema, absl::Duration keep);

// The envelope: a new event id (UUID), the tenant, the time and the resource that changed. The
// caller sets the payload.
v1::Event NewEvent(absl::string_view tenant, absl::string_view resource, absl::Time now);

// The event's type as consumers filter on it: the name of its payload's message
// ("AppointmentBooked", "ClosureChanged"); "Unknown" without a payload.
std::string EventType(const v1::Event& event);

// Writes `event` (its payload set) to `<schema>.outbox`, in the caller's tenant transaction.
// Database failures are pqxx exceptions, left to the transaction runner like any statement's.
void WriteOutbox(pqxx::work& tx, absl::string_view schema, const v1::Event& event);

// WriteOutbox of several events in one statement, in their order (the relay publishes them in
// that order). Nothing for an empty list.
void WriteOutboxMany(pqxx::work& tx, absl::string_view schema,
                     const std::vector<v1::Event>& events);

}  // namespace sportelli::events

#endif  // SPORTELLI_EVENTS_OUTBOX_H_
