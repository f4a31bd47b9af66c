// Messages to citizens about their appointments, in two halves joined by the messages table:
//
//   MessagePlanner  the handler of the comuni's event streams (an events::GroupConsumer): what
//                   an appointment's event asks for (a booking: its confirmation and its
//                   reminder; a cancellation: its message, and the reminders dropped; a move:
//                   its message and a new reminder; a start: the reminders dropped), stored
//                   before anything is sent, once per event whatever the redeliveries.
//   MessageSender   a worker that claims what is due, checks that it is still true (a reminder
//                   of an appointment since cancelled, moved or started is dropped, never
//                   sent), reads the citizen's address from scheduling, writes the text from the
//                   comune's template and sends it; temporary failures are retried with backoff
//                   and jitter, never past the appointment or the message's maximum age, never
//                   in the quiet hours. An SMS accepted by its provider is SENT until the
//                   provider's delivery receipt comes (sms_receipts.h).
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_CITIZEN_MESSAGES_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_CITIZEN_MESSAGES_H_

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "prometheus/counter.h"
#include "prometheus/registry.h"
#include "services/notifications/appointment_source.h"
#include "services/notifications/domain/schedule.h"
#include "services/notifications/email_sender.h"
#include "services/notifications/messages_repository.h"
#include "services/notifications/opt_outs.h"
#include "services/notifications/sms_sender.h"
#include "services/notifications/templates_repository.h"
#include "sportelli/clock/clock.h"
#include "sportelli/events/consumer.h"
#include "sportelli/logging/logger.h"

namespace sportelli::notifications {

struct MessagePolicy {
  // The reminder goes out this long before the start (quiet hours move it earlier).
  absl::Duration reminder_before = absl::Hours(48);
  // A message not sent within this time of being planned is given up (a reminder, at the start).
  absl::Duration max_age = absl::Hours(24);
  QuietHours quiet;
  RetryPolicy retry;
  // The portal's address: a message's cancel link is <portal_url>/c/<code> (CancelLinkUrl).
  std::string portal_url = "https://prenota.sportelli.invalid";
  Language language = Language::kItalian;
  // The quiet hours' zone when the comune's cannot be learnt (tenants unavailable).
  absl::TimeZone zone = absl::UTCTimeZone();
};

// Where a comune's SMS go: its provider, and the sender id its citizens see.
struct SmsRoute {
  SmsSender* sender = nullptr;
  // "Capannori": up to 11 letters, digits or spaces, or a number.
  std::string from;
  // An SMS on the morning of the appointment too (08:00 local, at least an hour before), to the
  // citizens who gave a number and agreed to be written to.
  bool same_day_reminder = false;
};
// By comune; a comune without a route sends no SMS (its SMS messages end as TECHNICAL_FAILURE,
// reason CHANNEL_NOT_CONFIGURED).
using SmsRoutes = std::map<std::string, SmsRoute, std::less<>>;

class MessagePlanner final {
 public:
  // Pointers must outlive the planner; `sms` may be null (no comune sends SMS).
  MessagePlanner(MessagesRepository* repository, AppointmentSource* source,
                 const clock::Clock* clock, MessagePolicy policy, const SmsRoutes* sms = nullptr);

  // The GroupConsumer's handler: OK once the event's messages are stored (or it asks for none);
  // an error (scheduling or the database unavailable) has it delivered again later.
  absl::Status Handle(const events::StreamEntry& entry);

 private:
  // A new closure whose administrator chose to tell the citizens (moved or cancelled): one
  // message to each citizen booked on its days, their reminders dropped.
  absl::Status HandleClosure(const events::v1::Event& event);

  const MessagePolicy policy_;
  MessagesRepository* const repository_;
  AppointmentSource* const source_;
  const clock::Clock* const clock_;
  const SmsRoutes* const sms_;
};

class MessageSender final {
 public:
  struct Options {
    std::vector<std::string> tenants;
    int batch = 20;
    // A message SENDING for this long belongs to a sender that died: it is tried again.
    absl::Duration lease = absl::Minutes(5);
    // The comuni's own texts (null: the built-in ones for everyone). Must outlive the sender.
    TemplatesRepository* templates = nullptr;
    // What citizens opted out of (null: nobody did). Must outlive the sender.
    OptOutsRepository* opt_outs = nullptr;
  };

  // Pointers must outlive the sender; `email` may be null (no SMTP server configured: e-mail
  // messages end as TECHNICAL_FAILURE, reason CHANNEL_NOT_CONFIGURED), and so may `sms` (the
  // same for SMS) and `registry`.
  MessageSender(MessagesRepository* repository, AppointmentSource* source, EmailSender* email,
                const SmsRoutes* sms, const clock::Clock* clock, logging::Logger* logger,
                prometheus::Registry* registry, MessagePolicy policy, Options options);

  // One round over every comune: claims what is due and attempts it. Returns how many were
  // attempted.
  absl::StatusOr<int> RunOnce();

 private:
  // `texts`: the comune's own templates (an error: they could not be read).
  Outcome Attempt(const Message& message, const absl::StatusOr<std::vector<CustomTemplate>>& texts);
  // The channel's part of an attempt: the rendered text handed over.
  Outcome SendEmail(const Message& message, const AppointmentNow& appointment,
                    const RenderedMessage& text, const absl::TimeZone& zone);
  Outcome SendSms(const Message& message, const AppointmentNow& appointment,
                  const RenderedMessage& text, const absl::TimeZone& zone);
  // A temporary failure: tried again after the backoff, outside the quiet hours of `zone`, or
  // given up when that would be too late.
  Outcome Retry(const Message& message, std::string reason, const absl::TimeZone& zone);
  void Count(const Message& message, const Outcome& outcome);

  const MessagePolicy policy_;
  const Options options_;
  MessagesRepository* const repository_;
  AppointmentSource* const source_;
  EmailSender* const email_;
  const SmsRoutes* const sms_;
  const clock::Clock* const clock_;
  logging::Logger* const logger_;
  prometheus::Family<prometheus::Counter>* attempts_ = nullptr;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_CITIZEN_MESSAGES_H_
