// The sportelli.events.v1.Event written to the outbox for each change of an appointment
// (libs/events writes and relays them). Events carry ids, times and the resource name, never
// personal data: the notifications service reads the appointment when it needs the citizen's
// contact.
#ifndef SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_
#define SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_

#include "absl/time/time.h"
#include "services/scheduling/domain/appointment.h"
#include "sportelli/events/v1/events.pb.h"

namespace sportelli::scheduling {

events::v1::Event AppointmentBookedEvent(const Appointment& appointment, absl::Time now);
events::v1::Event AppointmentRescheduledEvent(const Appointment& appointment,
                                              absl::Time previous_start, absl::Time now);
// The event of `event` having moved `appointment` (already in its new state) by `actor`.
events::v1::Event AppointmentTransitionEvent(const Appointment& appointment, AppointmentEvent event,
                                             Actor actor, absl::Time now);
// The walk-in queue, for the displays fed by the notifications service's WatchEvents: a
// checked-in citizen called, a ticket taken, a ticket called.
events::v1::Event AppointmentCalledEvent(const Appointment& appointment, absl::Time now);
events::v1::Event WalkInTicketTakenEvent(const WalkInTicket& ticket, absl::Time now);
events::v1::Event WalkInTicketCalledEvent(const WalkInTicket& ticket, absl::Time now);

}  // namespace sportelli::scheduling

#endif  // SPORTELLI_SERVICES_SCHEDULING_OUTBOX_EVENTS_H_
