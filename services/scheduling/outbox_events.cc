#include "services/scheduling/outbox_events.h"

#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/events/outbox.h"

namespace sportelli::scheduling {
namespace {

namespace ev1 = ::sportelli::events::v1;
using api::ToTimestamp;

ev1::Channel ToEventChannel(Channel channel) {
  switch (channel) {
    case Channel::kWeb:
      return ev1::CHANNEL_WEB;
    case Channel::kPhone:
      return ev1::CHANNEL_PHONE;
    case Channel::kDesk:
      return ev1::CHANNEL_DESK;
  }
  return ev1::CHANNEL_UNSPECIFIED;
}

ev1::Actor ToEventActor(Actor actor) {
  switch (actor) {
    case Actor::kCitizen:
      return ev1::ACTOR_CITIZEN;
    case Actor::kOperator:
      return ev1::ACTOR_OPERATOR;
    case Actor::kSystem:
      return ev1::ACTOR_SYSTEM;
  }
  return ev1::ACTOR_UNSPECIFIED;
}

ev1::Event Envelope(const Appointment& appointment, absl::Time now) {
  return events::NewEvent(appointment.tenant_id,
                          api::AppointmentName{appointment.tenant_id, appointment.id}.ToString(),
                          now);
}

}  // namespace

ev1::Event AppointmentBookedEvent(const Appointment& appointment, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  ev1::AppointmentBooked* booked = event.mutable_appointment_booked();
  booked->set_desk(api::DeskName{appointment.tenant_id, appointment.desk_id}.ToString());
  booked->set_service(api::ServiceName{appointment.tenant_id, appointment.service_id}.ToString());
  ToTimestamp(appointment.start, booked->mutable_start_time());
  ToTimestamp(appointment.end, booked->mutable_end_time());
  booked->set_channel(ToEventChannel(appointment.channel));
  return event;
}

ev1::Event AppointmentRescheduledEvent(const Appointment& appointment, absl::Time previous_start,
                                       absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  ev1::AppointmentRescheduled* moved = event.mutable_appointment_rescheduled();
  ToTimestamp(previous_start, moved->mutable_previous_start_time());
  ToTimestamp(appointment.start, moved->mutable_start_time());
  ToTimestamp(appointment.end, moved->mutable_end_time());
  return event;
}

ev1::Event AppointmentTransitionEvent(const Appointment& appointment, AppointmentEvent change,
                                      Actor actor, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  switch (change) {
    case AppointmentEvent::kCancel:
      event.mutable_appointment_cancelled()->set_actor(ToEventActor(actor));
      break;
    case AppointmentEvent::kCheckIn:
      event.mutable_appointment_checked_in();
      break;
    case AppointmentEvent::kMarkNoShow:
      event.mutable_appointment_no_show();
      break;
    case AppointmentEvent::kComplete:
      event.mutable_appointment_completed();
      break;
  }
  return event;
}

}  // namespace sportelli::scheduling
