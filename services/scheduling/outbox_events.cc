#include "services/scheduling/outbox_events.h"

#include "absl/strings/str_cat.h"
#include "services/scheduling/proto_mapping.h"
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
  ev1::Event event =
      events::NewEvent(appointment.tenant_id,
                       api::AppointmentName{appointment.tenant_id, appointment.id}.ToString(), now);
  event.set_desk(api::DeskName{appointment.tenant_id, appointment.desk_id}.ToString());
  return event;
}

ev1::Event TicketEnvelope(const WalkInTicket& ticket, absl::Time now) {
  const std::string desk = api::DeskName{ticket.tenant_id, ticket.desk_id}.ToString();
  ev1::Event event =
      events::NewEvent(ticket.tenant_id, absl::StrCat(desk, "/tickets/", TicketId(ticket)), now);
  event.set_desk(desk);
  return event;
}

void SetDay(absl::CivilDay day, google::type::Date* out) {
  out->set_year(static_cast<int32_t>(day.year()));
  out->set_month(day.month());
  out->set_day(day.day());
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

ev1::Event AppointmentCalledEvent(const Appointment& appointment, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  event.mutable_appointment_called();
  return event;
}

ev1::Event WalkInTicketTakenEvent(const WalkInTicket& ticket, absl::Time now) {
  ev1::Event event = TicketEnvelope(ticket, now);
  ev1::WalkInTicketTaken* taken = event.mutable_walk_in_ticket_taken();
  taken->set_number(ticket.number);
  SetDay(ticket.local_day, taken->mutable_day());
  return event;
}

ev1::Event WalkInTicketCalledEvent(const WalkInTicket& ticket, absl::Time now) {
  ev1::Event event = TicketEnvelope(ticket, now);
  ev1::WalkInTicketCalled* called = event.mutable_walk_in_ticket_called();
  called->set_number(ticket.number);
  SetDay(ticket.local_day, called->mutable_day());
  return event;
}

}  // namespace sportelli::scheduling
