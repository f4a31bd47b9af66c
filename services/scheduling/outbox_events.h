// The sportelli.events.v1.Event written to the outbox for each change of an appointment. Events
// carry ids, times and the resource name, never personal data: the notifications service reads
// the appointment when it needs the citizen's contact.
#ifndef SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_
#define SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_

#include <string>

#include "absl/time/time.h"
#include "services/scheduling/domain/appointment.h"

namespace sportelli::scheduling {

struct OutboxEvent {
  std::string event_id;    // a UUID
  std::string event_type;  // "AppointmentBooked", ...: the payload's case, for consumers' filters
  std::string payload;     // the serialized Event
};

std::string AppointmentResourceName(const Appointment& appointment);

OutboxEvent AppointmentBookedEvent(const Appointment& appointment, absl::Time now);
OutboxEvent AppointmentRescheduledEvent(const Appointment& appointment, absl::Time previous_start,
                                        absl::Time now);
// The event of `event` having moved `appointment` (already in its new state) by `actor`.
OutboxEvent AppointmentTransitionEvent(const Appointment& appointment, AppointmentEvent event,
                                       Actor actor, absl::Time now);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_
