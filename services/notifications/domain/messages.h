// The texts of the messages to citizens about their appointments: the built-in templates in
// Italian and English, their placeholders, and the rule that keeps them privacy-neutral.
//
//   MessageFacts facts{.comune = "Capannori", .address = "Via del Popolo 12, Capannori",
//                      .start = appointment.start, .zone = rome,
//                      .cancel_link = "https://prenota.example.it/c/AB12CD"};
//   ASSIGN_OR_RETURN(RenderedMessage text,
//                    Render(DefaultTemplate(MessageKind::kReminder, Language::kItalian), facts));
//   // "Promemoria: appuntamento mercoledì 2 dicembre 2026 alle 09:00 in Via del Popolo 12, ..."
//
// Privacy. A citizen's phone or mailbox may be seen by others, and an appointment at a social
// services desk is itself sensitive. A message says when and where, never what for: no service
// name, no reason, no word that reveals social assistance. CheckNeutral enforces this on every
// text with a deny-list of word stems (Italian and English), matched at the start of words,
// ignoring case and accents; ValidateTemplate applies it to a template, and Render to the text
// it produces, so a desk address such as "Via dei Servizi Sociali 3" stops the message too. The
// list catches careless wording, not a determined writer (homoglyphs, words run together).
//
// Placeholders, written {name}:
//   {comune}        the comune's name ("Capannori")
//   {address}       the desk's address
//   {date}          the local date in full ("mercoledì 2 dicembre 2026",
//                   "Wednesday 2 December 2026")
//   {time}          the local time, 24-hour ("09:00")
//   {cancel_link}   where the citizen cancels
//   {previous_date}, {previous_time}   the start before a reschedule (reschedules only)
// There is no escape for a literal '{'; a '}' alone is plain text.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_MESSAGES_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_MESSAGES_H_

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace sportelli::notifications {

enum class MessageKind {
  kConfirmation,
  kCancellation,
  kReschedule,
  kReminder,
  kSameDayReminder,
  // The desk is closed on the appointment's day: the appointment will be moved...
  kClosureMoved,
  // ... or is cancelled; either way the comune gets in touch.
  kClosureCancelled,
};

// "CONFIRMATION", "CANCELLATION", "RESCHEDULE", "REMINDER", "SAME_DAY_REMINDER",
// "CLOSURE_MOVED", "CLOSURE_CANCELLED": the names stored and logged.
const char* MessageKindName(MessageKind kind);
// The kind named exactly (case included) as MessageKindName writes it; nullopt otherwise.
std::optional<MessageKind> ParseMessageKind(absl::string_view name);

enum class Language { kItalian, kEnglish };

// "it", "en" (ISO 639-1).
const char* LanguageName(Language language);
// The language written exactly as LanguageName does; nullopt otherwise.
std::optional<Language> ParseLanguage(absl::string_view name);

struct MessageTemplate {
  // The e-mail subject; an SMS sends the body only.
  std::string subject;
  std::string body;
};

// The built-in text of `kind` in `language`: short, polite, privacy-neutral, GSM-7 only (no
// character that would make an SMS UCS-2), and for the reminders short enough to fit one SMS
// with a realistic address and link. Each passes ValidateTemplate.
const MessageTemplate& DefaultTemplate(MessageKind kind, Language language);

// What fills the placeholders.
struct MessageFacts {
  std::string comune;
  std::string address;
  absl::Time start;
  // Reschedules only: the start before the move.
  absl::Time previous_start;
  // The comune's zone: dates and times are written on its clock.
  absl::TimeZone zone;
  std::string cancel_link;
  Language language = Language::kItalian;
};

struct RenderedMessage {
  std::string subject;
  std::string body;
};

// Where a message sends a citizen who wants to cancel: the appointment's short link
// `<portal_url>/c/<code>` (about 45 characters: a reminder then fits one SMS), or without a
// code its full address on the portal, `<portal_url>/<tenant>/appuntamenti/<appointment>`.
std::string CancelLinkUrl(absl::string_view portal_url, absl::string_view code,
                          absl::string_view tenant, absl::string_view appointment_id);

// `message` with its placeholders filled from `facts`, dates and times on the local clock of
// `facts.zone` in `facts.language`. Errors:
//   - INVALID_ARGUMENT (reason INVALID_FIELDS) for an unknown or unclosed placeholder (fields
//     "subject", "body") and for a placeholder whose fact is empty (fields "comune", "address",
//     "cancel_link"): a message must not go out with a hole;
//   - FAILED_PRECONDITION, reason TEXT_NOT_NEUTRAL, when the text would not be neutral
//     (CheckNeutral). The error names the placeholder whose value is at fault ("{address}") or
//     the template's field, never the text, which may hold personal data.
absl::StatusOr<RenderedMessage> Render(const MessageTemplate& message, const MessageFacts& facts);

// OK, or FAILED_PRECONDITION with reason TEXT_NOT_NEUTRAL when `text` (UTF-8) holds a word that
// reveals social assistance. The message does not quote the text.
absl::Status CheckNeutral(absl::string_view text);

// Every problem of a template for `kind`, as INVALID_ARGUMENT with one violation per problem
// (fields "subject" and "body"): an empty subject; an unknown or unclosed placeholder, or
// {previous_date}/{previous_time} outside a reschedule; a body without {date} or without {time}
// (a citizen must learn when); a body without {cancel_link} in a confirmation, reschedule,
// reminder or same-day reminder (the messages a citizen may want to act on); a text that is not
// neutral (the violation names the deny-list stem, which is ours, not the writer's).
absl::Status ValidateTemplate(MessageKind kind, const MessageTemplate& message);

// `t` as a full local date in `language`: "mercoledì 2 dicembre 2026",
// "Wednesday 2 December 2026".
std::string LongLocalDate(absl::Time t, absl::TimeZone zone, Language language);
// `t` as a local 24-hour time: "09:00".
std::string LocalClockTime(absl::Time t, absl::TimeZone zone);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_DOMAIN_MESSAGES_H_
