#include "services/intake/outbox_events.h"

#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/outbox.h"

namespace sportelli::intake {

events::v1::Event ContactRecordedEvent(const Contact& contact) {
  events::v1::Event event = events::NewEvent(
      contact.tenant_id, api::ContactName{contact.tenant_id, contact.id}.ToString(),
      contact.create_time);
  events::v1::ContactRecorded* recorded = event.mutable_contact_recorded();
  recorded->set_desk(api::DeskName{contact.tenant_id, contact.desk_id}.ToString());
  api::ToTimestamp(contact.contact_time, recorded->mutable_contact_time());
  if (!contact.person_id.empty()) {
    recorded->set_person(api::PersonName{contact.tenant_id, contact.person_id}.ToString());
  }
  return event;
}

}  // namespace sportelli::intake
