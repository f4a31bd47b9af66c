#include "services/scheduling/outbox_events.h"

#include "absl/strings/str_cat.h"
#include "services/scheduling/secrets.h"
#include "sportelli/events/v1/events.pb.h"

namespace sportelli::scheduling {
namespace {

namespace ev1 = ::sportelli::events::v1;

void SetTime(google::protobuf::Timestamp* out, absl::Time t) {
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t seconds = micros / 1000000;
  int64_t rest = micros % 1000000;
  if (rest < 0) {
    rest += 1000000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(rest * 1000));
}

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
  SetTime(event.mutable_time(), now);
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
  SetTime(booked->mutable_start_time(), appointment.start);
  SetTime(booked->mutable_end_time(), appointment.end);
  booked->set_channel(ToEventChannel(appointment.channel));
  return Seal(event, "AppointmentBooked");
}

OutboxEvent AppointmentRescheduledEvent(const Appointment& appointment,
                                        absl::Time previous_start, absl::Time now) {
  ev1::Event event = Envelope(appointment, now);
  ev1::AppointmentRescheduled* moved = event.mutable_appointment_rescheduled();
  SetTime(moved->mutable_previous_start_time(), previous_start);
  SetTime(moved->mutable_start_time(), appointment.start);
  SetTime(moved->mutable_end_time(), appointment.end);
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
