#include "services/scheduling/outbox_events.h"

#include "absl/strings/str_cat.h"
#include "services/scheduling/proto_mapping.h"
#include "services/scheduling/secrets.h"
#include "sportelli/events/v1/events.pb.h"

namespace sportelli::scheduling {
namespace {

namespace ev1 = ::sportelli::events::v1;

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
  ev1::Event event;
  event.set_id(RandomUuid());
  event.set_tenant(appointment.tenant_id);
  ToTimestamp(now, event.mutable_time());
  event.set_resource(AppointmentResourceName(appointment));
  return event;
}

OutboxEvent Seal(const ev1::Event& event, const char* type) {
  return OutboxEvent{event.id(), type, event.SerializeAsString()};
}

}  // namespace

std::string AppointmentResourceName(const Appointment& appointment) {
  return absl::StrCat("tenants/", appointment.tenant_id, "/appointments/", appointment.id);
}

OutboxEvent AppointmentBookedEvent(const Appointment& appointment, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  ev1::AppointmentBooked* booked = event.mutable_appointment_booked();
  booked->set_desk(absl::StrCat("tenants/", appointment.tenant_id, "/desks/", appointment.desk_id));
  booked->set_service(
      absl::StrCat("tenants/", appointment.tenant_id, "/services/", appointment.service_id));
  ToTimestamp(appointment.start, booked->mutable_start_time());
  ToTimestamp(appointment.end, booked->mutable_end_time());
  booked->set_channel(ToEventChannel(appointment.channel));
  return Seal(event, "AppointmentBooked");
}

OutboxEvent AppointmentRescheduledEvent(const Appointment& appointment, absl::Time previous_start,
                                        absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  ev1::AppointmentRescheduled* moved = event.mutable_appointment_rescheduled();
  ToTimestamp(previous_start, moved->mutable_previous_start_time());
  ToTimestamp(appointment.start, moved->mutable_start_time());
  ToTimestamp(appointment.end, moved->mutable_end_time());
  return Seal(event, "AppointmentRescheduled");
}

OutboxEvent AppointmentTransitionEvent(const Appointment& appointment, AppointmentEvent change,
                                       Actor actor, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  switch (change) {
    case AppointmentEvent::kCancel:
      event.mutable_appointment_cancelled()->set_actor(ToEventActor(actor));
      return Seal(event, "AppointmentCancelled");
    case AppointmentEvent::kCheckIn:
      event.mutable_appointment_checked_in();
      return Seal(event, "AppointmentCheckedIn");
    case AppointmentEvent::kMarkNoShow:
      event.mutable_appointment_no_show();
      return Seal(event, "AppointmentNoShow");
    case AppointmentEvent::kComplete:
      event.mutable_appointment_completed();
      return Seal(event, "AppointmentCompleted");
  }
  return Seal(event, "Unknown");
}

}  // namespace sportelli::scheduling
