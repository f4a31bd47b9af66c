#include "services/notifications/citizen_messages.h"

#include <algorithm>
#include <optional>
#include <set>
#include <utility>

#include "absl/random/random.h"
#include "absl/strings/str_cat.h"
#include "sportelli/api/names.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/crypto/random.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

namespace ev1 = ::sportelli::events::v1;

// Where a message to this citizen goes: their preferred channel when they gave its address,
// else the other one they gave; nowhere when they asked to be called or not contacted.
std::optional<DeliveryChannel> ChannelFor(const AppointmentNow& appointment) {
  const bool email = !appointment.email.empty();
  const bool sms = !appointment.phone_number.empty();
  switch (appointment.preferred) {
    case PreferredContact::kEmail:
      if (email) return DeliveryChannel::kEmail;
      if (sms) return DeliveryChannel::kSms;
      return std::nullopt;
    case PreferredContact::kSms:
      if (sms) return DeliveryChannel::kSms;
      if (email) return DeliveryChannel::kEmail;
      return std::nullopt;
    case PreferredContact::kPhoneCall:
    case PreferredContact::kNone:
      return std::nullopt;
  }
  return std::nullopt;
}

double RandomUnit() {
  thread_local absl::BitGen bits;
  return absl::Uniform<double>(bits, 0.0, 1.0);
}

// Kinds that speak of the appointment as booked at `appointment_start`: untrue, and dropped,
// once it was cancelled, moved or has started.
bool NeedsItBooked(MessageKind kind) {
  return kind != MessageKind::kCancellation && kind != MessageKind::kClosureCancelled;
}

}  // namespace

MessagePlanner::MessagePlanner(MessagesRepository* repository, AppointmentSource* source,
                               const clock::Clock* clock, MessagePolicy policy,
                               const SmsRoutes* sms)
    : policy_(std::move(policy)),
      repository_(repository),
      source_(source),
      clock_(clock),
      sms_(sms) {}

absl::Status MessagePlanner::HandleClosure(const ev1::Event& event) {
  const ev1::ClosureChanged& closure = event.closure_changed();
  if (closure.change() != ev1::CHANGE_UPSERTED) return absl::OkStatus();
  MessageKind kind;
  switch (closure.citizen_notice()) {
    case ev1::CITIZEN_NOTICE_MOVED:
      kind = MessageKind::kClosureMoved;
      break;
    case ev1::CITIZEN_NOTICE_CANCELLED:
      kind = MessageKind::kClosureCancelled;
      break;
    default:
      return absl::OkStatus();  // the desk calls them
  }
  absl::StatusOr<api::DeskName> desk = api::ParseName<api::DeskName>(closure.desk(), "desk");
  if (!desk.ok() || desk->tenant != event.tenant()) {
    return status::Internal("a closure event without its desk");
  }
  const absl::Time now = clock_->Now();
  // As for appointments: a closure heard of long after it was made (a first reading of the
  // stream's history) announces nothing; the desk has called them by then.
  if (now - api::FromTimestamp(event.time()) > policy_.max_age) return absl::OkStatus();
  const absl::CivilDay first(closure.start_date().year(), closure.start_date().month(),
                             closure.start_date().day());
  const absl::CivilDay last(closure.end_date().year(), closure.end_date().month(),
                            closure.end_date().day());
  ASSIGN_OR_RETURN(std::vector<std::string> affected,
                   source_->AffectedAppointments(desk->tenant, desk->desk, first, last));
  if (affected.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(Place place, source_->PlaceOf(desk->tenant, desk->desk));
  // One transaction per appointment: an interruption has the event delivered again, and what
  // was already planned is found by its (event, kind, appointment, channel) key.
  for (const std::string& id : affected) {
    absl::StatusOr<AppointmentNow> appointment = source_->Appointment(desk->tenant, id);
    if (absl::IsNotFound(appointment.status())) continue;
    if (!appointment.ok()) return appointment.status();
    std::vector<Message> planned;
    const std::optional<DeliveryChannel> channel = ChannelFor(*appointment);
    if (channel && appointment->booked && appointment->start > now) {
      Message m;
      m.message_id = crypto::RandomResourceId("m");
      m.kind = kind;
      m.channel = *channel;
      m.appointment_start = appointment->start;
      m.send_after = NextSendableTime(now, place.zone, policy_.quiet);
      m.give_up_at = std::min(std::max(m.send_after, now + policy_.max_age), appointment->start);
      planned.push_back(std::move(m));
    }
    // The reminders of a day the desk is closed would send the citizen to a closed door.
    RETURN_IF_ERROR(
        repository_->Plan(desk->tenant, id, event.id(), /*drop_reminders=*/true, planned, now)
            .status());
  }
  return absl::OkStatus();
}

absl::Status MessagePlanner::Handle(const events::StreamEntry& entry) {
  const ev1::Event& event = entry.event;
  if (event.payload_case() == ev1::Event::kClosureChanged) return HandleClosure(event);
  // What each event asks for. Other events (configuration, cases) ask for nothing.
  std::vector<MessageKind> kinds;
  bool drop_reminders = false;
  absl::Time start;
  std::optional<absl::Time> previous_start;
  switch (event.payload_case()) {
    case ev1::Event::kAppointmentBooked:
      kinds = {MessageKind::kConfirmation, MessageKind::kReminder};
      start = api::FromTimestamp(event.appointment_booked().start_time());
      break;
    case ev1::Event::kAppointmentCancelled:
      kinds = {MessageKind::kCancellation};
      drop_reminders = true;
      break;
    case ev1::Event::kAppointmentRescheduled:
      kinds = {MessageKind::kReschedule, MessageKind::kReminder};
      drop_reminders = true;
      start = api::FromTimestamp(event.appointment_rescheduled().start_time());
      previous_start = api::FromTimestamp(event.appointment_rescheduled().previous_start_time());
      break;
    case ev1::Event::kAppointmentCheckedIn:
    case ev1::Event::kAppointmentNoShow:
    case ev1::Event::kAppointmentCompleted:
      drop_reminders = true;
      break;
    default:
      return absl::OkStatus();
  }
  absl::StatusOr<api::AppointmentName> name =
      api::ParseName<api::AppointmentName>(event.resource(), "resource");
  if (!name.ok() || name->tenant != event.tenant()) {
    return status::Internal("an appointment event without its appointment");
  }
  const absl::Time now = clock_->Now();
  std::vector<Message> planned;
  if (!kinds.empty()) {
    absl::StatusOr<AppointmentNow> appointment =
        source_->Appointment(name->tenant, name->appointment);
    if (absl::IsNotFound(appointment.status())) return absl::OkStatus();  // gone: nobody to tell
    if (!appointment.ok()) return appointment.status();
    if (kinds.front() == MessageKind::kCancellation) start = appointment->start;
    const std::optional<DeliveryChannel> channel = ChannelFor(*appointment);
    // A booking or a move already overtaken (cancelled, moved again, started) is not announced:
    // the later event's message says what is true.
    const bool overtaken =
        NeedsItBooked(kinds.front()) && (!appointment->booked || appointment->start != start);
    // An event older than a message's maximum age (a consumer group meeting a stream's history
    // for the first time, or events published again after Redis lost them) announces nothing:
    // a confirmation days late would only confuse. Its reminder is still worth planning.
    const bool stale = now - api::FromTimestamp(event.time()) > policy_.max_age;
    if (channel && !overtaken) {
      ASSIGN_OR_RETURN(Place place, source_->PlaceOf(name->tenant, appointment->desk_id));
      for (MessageKind kind : kinds) {
        if (stale && kind != MessageKind::kReminder) continue;
        Message m;
        m.message_id = crypto::RandomResourceId("m");
        m.kind = kind;
        m.channel = *channel;
        m.appointment_start = start;
        m.previous_start = previous_start;
        if (kind == MessageKind::kReminder) {
          // Booked inside the reminder's window (less than two days ahead): the confirmation,
          // sent now, is the reminder; a second message minutes later would only be noise.
          if (start - policy_.reminder_before <= now) continue;
          std::optional<absl::Time> at =
              ReminderTime(start, policy_.reminder_before, place.zone, now, policy_.quiet);
          if (!at) continue;  // too close to the start: the confirmation is the reminder
          m.send_after = *at;
          m.give_up_at = start;
        } else {
          m.send_after = NextSendableTime(now, place.zone, policy_.quiet);
          m.give_up_at = std::max(m.send_after, now + policy_.max_age);
          if (NeedsItBooked(kind)) m.give_up_at = std::min(m.give_up_at, start);
        }
        planned.push_back(std::move(m));
      }
      // The comune's morning SMS, for a booking or a move, to a citizen who gave a number.
      const bool announces_start =
          kinds.front() == MessageKind::kConfirmation || kinds.front() == MessageKind::kReschedule;
      if (announces_start && sms_ != nullptr && !appointment->phone_number.empty()) {
        const auto route = sms_->find(name->tenant);
        if (route != sms_->end() && route->second.same_day_reminder) {
          if (std::optional<absl::Time> at =
                  SameDayReminderTime(start, place.zone, now, policy_.quiet)) {
            Message m;
            m.message_id = crypto::RandomResourceId("m");
            m.kind = MessageKind::kSameDayReminder;
            m.channel = DeliveryChannel::kSms;
            m.appointment_start = start;
            m.send_after = *at;
            m.give_up_at = start;
            planned.push_back(std::move(m));
          }
        }
      }
    }
  }
  return repository_
      ->Plan(name->tenant, name->appointment, event.id(), drop_reminders, planned, now)
      .status();
}

MessageSender::MessageSender(MessagesRepository* repository, AppointmentSource* source,
                             EmailSender* email, const SmsRoutes* sms, const clock::Clock* clock,
                             logging::Logger* logger, prometheus::Registry* registry,
                             MessagePolicy policy, Options options)
    : policy_(std::move(policy)),
      options_(std::move(options)),
      repository_(repository),
      source_(source),
      email_(email),
      sms_(sms),
      clock_(clock),
      logger_(logger) {
  if (registry != nullptr) {
    attempts_ = &prometheus::BuildCounter()
                     .Name("sportelli_notifications_attempts_total")
                     .Help(
                         "Attempts to send a message to a citizen, by channel, provider (smtp, "
                         "or the SMS provider's name) and how they ended (the message's state "
                         "after the attempt: SENT for an SMS the provider accepted).")
                     .Register(*registry);
  }
}

absl::StatusOr<int> MessageSender::RunOnce() {
  int attempted = 0;
  absl::Status first_failure;
  for (const std::string& tenant : options_.tenants) {
    absl::StatusOr<std::vector<Message>> due =
        repository_->ClaimDue(tenant, clock_->Now(), options_.batch, options_.lease);
    if (!due.ok()) {
      if (first_failure.ok()) first_failure = due.status();
      continue;  // the other comuni still get their messages
    }
    if (due->empty()) continue;
    // The comune's own texts, read once a round rather than at each send: an edit applies
    // from the next round, seconds later.
    absl::StatusOr<std::vector<CustomTemplate>> texts = std::vector<CustomTemplate>();
    if (options_.templates != nullptr) texts = options_.templates->List(tenant);
    for (const Message& message : *due) {
      const Outcome outcome = Attempt(message, texts);
      Count(message, outcome);
      if (absl::Status finished =
              repository_->Finish(tenant, message.message_id, outcome, clock_->Now());
          !finished.ok() && first_failure.ok()) {
        first_failure = finished;  // claimed and not finished: tried again after the lease
      }
      ++attempted;
    }
  }
  if (!first_failure.ok() && attempted == 0) return first_failure;
  return attempted;
}

Outcome MessageSender::Retry(const Message& message, std::string reason,
                             const absl::TimeZone& zone) {
  const absl::Time now = clock_->Now();
  const absl::Time wanted =
      now + RetryDelay(std::max(1, message.attempts), RandomUnit(), policy_.retry);
  const absl::Time retry_at = NextSendableTime(wanted, zone, policy_.quiet);
  if (retry_at >= message.give_up_at) {
    return {MessageState::kPermanentFailure, absl::StrCat("GAVE_UP_", reason), std::nullopt};
  }
  return {MessageState::kTemporaryFailure, std::move(reason), retry_at};
}

Outcome MessageSender::Attempt(const Message& message,
                               const absl::StatusOr<std::vector<CustomTemplate>>& texts) {
  const absl::Time now = clock_->Now();
  if (now >= message.give_up_at) {
    return {MessageState::kPermanentFailure, "EXPIRED", std::nullopt};
  }
  absl::StatusOr<AppointmentNow> appointment =
      source_->Appointment(message.tenant_id, message.appointment_id);
  if (absl::IsNotFound(appointment.status())) {
    return {MessageState::kDropped, "APPOINTMENT_GONE", std::nullopt};
  }
  if (!appointment.ok()) return Retry(message, "SCHEDULING_UNAVAILABLE", policy_.zone);
  if (NeedsItBooked(message.kind) &&
      (!appointment->booked || appointment->start != message.appointment_start ||
       now >= appointment->start)) {
    return {MessageState::kDropped, "APPOINTMENT_CHANGED", std::nullopt};
  }
  if (options_.opt_outs != nullptr && !appointment->citizen.empty()) {
    absl::StatusOr<std::set<MessageKind>> opted_out =
        options_.opt_outs->Get(message.tenant_id, appointment->citizen);
    if (!opted_out.ok()) return Retry(message, "OPT_OUTS_UNAVAILABLE", policy_.zone);
    if (opted_out->contains(message.kind)) {
      return {MessageState::kDropped, "OPTED_OUT", std::nullopt};
    }
  }
  absl::StatusOr<Place> place = source_->PlaceOf(message.tenant_id, appointment->desk_id);
  if (!place.ok()) return Retry(message, "TENANTS_UNAVAILABLE", policy_.zone);
  MessageFacts facts;
  facts.comune = place->comune;
  facts.address = place->address;
  facts.start = message.appointment_start;
  facts.previous_start = message.previous_start.value_or(message.appointment_start);
  facts.zone = place->zone;
  facts.cancel_link = CancelLinkUrl(policy_.portal_url, message.cancel_code, message.tenant_id,
                                    message.appointment_id);
  facts.language = policy_.language;
  // The comune's own text when it wrote one.
  if (!texts.ok()) return Retry(message, "TEMPLATES_UNAVAILABLE", place->zone);
  MessageTemplate chosen = DefaultTemplate(message.kind, policy_.language);
  for (const CustomTemplate& custom : *texts) {
    if (custom.kind == message.kind && custom.language == policy_.language) chosen = custom.text;
  }
  absl::StatusOr<RenderedMessage> text = Render(chosen, facts);
  if (!text.ok()) {
    return {MessageState::kTechnicalFailure,
            std::string(status::ReasonOf(text.status()).value_or("TEMPLATE_FAILED")), std::nullopt};
  }
  return message.channel == DeliveryChannel::kEmail
             ? SendEmail(message, *appointment, *text, place->zone)
             : SendSms(message, *appointment, *text, place->zone);
}

Outcome MessageSender::SendEmail(const Message& message, const AppointmentNow& appointment,
                                 const RenderedMessage& text, const absl::TimeZone& zone) {
  if (email_ == nullptr) {
    return {MessageState::kTechnicalFailure, "CHANNEL_NOT_CONFIGURED", std::nullopt};
  }
  if (appointment.email.empty()) {
    return {MessageState::kPermanentFailure, "NO_ADDRESS", std::nullopt};
  }
  const SendResult sent = email_->Send({.to = appointment.email,
                                        .subject = text.subject,
                                        .body = text.body,
                                        .message_id = message.message_id});
  switch (sent.outcome) {
    case SendOutcome::kAccepted:
      return {MessageState::kDelivered, "", std::nullopt};
    case SendOutcome::kTemporaryFailure:
      return Retry(message, sent.reason, zone);
    case SendOutcome::kPermanentFailure:
      return {MessageState::kPermanentFailure, sent.reason, std::nullopt};
  }
  return {MessageState::kTechnicalFailure, "UNKNOWN_OUTCOME", std::nullopt};
}

Outcome MessageSender::SendSms(const Message& message, const AppointmentNow& appointment,
                               const RenderedMessage& text, const absl::TimeZone& zone) {
  const auto route = sms_ == nullptr ? SmsRoutes::const_iterator() : sms_->find(message.tenant_id);
  if (sms_ == nullptr || route == sms_->end() || route->second.sender == nullptr) {
    return {MessageState::kTechnicalFailure, "CHANNEL_NOT_CONFIGURED", std::nullopt};
  }
  if (appointment.phone_number.empty()) {
    return {MessageState::kPermanentFailure, "NO_ADDRESS", std::nullopt};
  }
  SmsSender& provider = *route->second.sender;
  // The body only: the sender id already names the comune.
  const SmsResult sent =
      provider.Send({.to = appointment.phone_number,
                     .from = route->second.from,
                     .text = text.body,
                     .reference = absl::StrCat(message.tenant_id, "/", message.message_id)});
  Outcome outcome;
  switch (sent.outcome) {
    case SendOutcome::kAccepted:
      outcome = {MessageState::kSent, "", std::nullopt};
      break;
    case SendOutcome::kTemporaryFailure:
      outcome = Retry(message, sent.reason, zone);
      break;
    case SendOutcome::kPermanentFailure:
      outcome = {MessageState::kPermanentFailure, sent.reason, std::nullopt};
      break;
  }
  outcome.provider = provider.provider();
  outcome.provider_message_id = sent.provider_message_id;
  return outcome;
}

void MessageSender::Count(const Message& message, const Outcome& outcome) {
  if (attempts_ == nullptr) return;
  const std::string provider = message.channel == DeliveryChannel::kEmail ? "smtp"
                               : outcome.provider.empty()                 ? "none"
                                                                          : outcome.provider;
  attempts_
      ->Add({{"channel", DeliveryChannelName(message.channel)},
             {"provider", provider},
             {"state", MessageStateName(outcome.state)}})
      .Increment();
  if (outcome.state != MessageState::kDelivered && outcome.state != MessageState::kSent &&
      outcome.state != MessageState::kDropped) {
    // A code only (SMTP_451, NO_ADDRESS): never the address, never the text.
    logger_->Warning("message not delivered", {{"tenant", message.tenant_id},
                                               {"message", message.message_id},
                                               {"kind", MessageKindName(message.kind)},
                                               {"state", MessageStateName(outcome.state)},
                                               {"reason", outcome.reason}});
  }
}

}  // namespace sportelli::notifications
