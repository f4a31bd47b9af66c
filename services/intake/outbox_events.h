// The events intake publishes through its outbox: identifiers and times, never personal data.
#ifndef SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_
#define SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_

#include "services/intake/domain/records.h"
#include "sportelli/events/v1/events.pb.h"

namespace sportelli::intake {

// Stamped with the contact's creation time.
events::v1::Event ContactRecordedEvent(const Contact& contact);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_OUTBOX_EVENTS_H_
