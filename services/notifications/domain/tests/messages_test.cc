#include "services/notifications/domain/messages.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/notifications/domain/sms.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::Pair;
using ::testing::UnorderedElementsAre;

constexpr MessageKind kAllKinds[] = {MessageKind::kConfirmation,    MessageKind::kCancellation,
                                     MessageKind::kReschedule,      MessageKind::kReminder,
                                     MessageKind::kSameDayReminder, MessageKind::kClosureMoved,
                                     MessageKind::kClosureCancelled};
constexpr Language kAllLanguages[] = {Language::kItalian, Language::kEnglish};

class MessagesTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(absl::LoadTimeZone("Europe/Rome", &rome_)); }

  absl::Time Local(int y, int mo, int d, int h, int mi = 0) const {
    return rome_.At(absl::CivilSecond(y, mo, d, h, mi, 0)).pre;
  }

  // A booking at the Capannori desk; the link is 35 characters, like the portal's short links.
  MessageFacts Facts(Language language = Language::kItalian) const {
    return {.comune = "Capannori",
            .address = "Via del Popolo 12, Capannori",
            .start = Local(2026, 12, 2, 9, 0),
            .previous_start = Local(2026, 11, 27, 15, 30),
            .zone = rome_,
            .cancel_link = "https://prenota.lucca.it/c/AB12CD34",
            .language = language};
  }

  absl::TimeZone rome_;
};

// --- Names ---------------------------------------------------------------------------------

TEST(MessageNamesTest, KindsAndLanguagesReadBackWhatIsWritten) {
  for (MessageKind kind : kAllKinds) {
    EXPECT_EQ(ParseMessageKind(MessageKindName(kind)), kind) << MessageKindName(kind);
  }
  EXPECT_STREQ(MessageKindName(MessageKind::kSameDayReminder), "SAME_DAY_REMINDER");
  EXPECT_STREQ(MessageKindName(MessageKind::kClosureCancelled), "CLOSURE_CANCELLED");
  for (Language language : kAllLanguages) {
    EXPECT_EQ(ParseLanguage(LanguageName(language)), language);
  }
  EXPECT_STREQ(LanguageName(Language::kItalian), "it");
  EXPECT_STREQ(LanguageName(Language::kEnglish), "en");
}

TEST(MessageNamesTest, UnknownNamesAreRefused) {
  for (const char* name : {"", "confirmation", "CONFIRMATION ", "REMINDERS", "UNKNOWN"}) {
    EXPECT_EQ(ParseMessageKind(name), std::nullopt) << name;
  }
  for (const char* name : {"", "IT", "it-IT", "fr", "italiano"}) {
    EXPECT_EQ(ParseLanguage(name), std::nullopt) << name;
  }
}

// --- Dates -----------------------------------------------------------------------------------

TEST_F(MessagesTest, DatesAreWrittenInFullInTheCitizensLanguage) {
  const absl::Time start = Local(2026, 12, 2, 9, 0);
  EXPECT_EQ(LongLocalDate(start, rome_, Language::kItalian), "mercoledì 2 dicembre 2026");
  EXPECT_EQ(LongLocalDate(start, rome_, Language::kEnglish), "Wednesday 2 December 2026");
  EXPECT_EQ(LocalClockTime(start, rome_), "09:00");
}

TEST_F(MessagesTest, EveryWeekdayAndMonthHasItsName) {
  const std::vector<std::pair<std::string, std::string>> week = {
      {"lunedì 30 novembre 2026", "Monday 30 November 2026"},
      {"martedì 1 dicembre 2026", "Tuesday 1 December 2026"},
      {"mercoledì 2 dicembre 2026", "Wednesday 2 December 2026"},
      {"giovedì 3 dicembre 2026", "Thursday 3 December 2026"},
      {"venerdì 4 dicembre 2026", "Friday 4 December 2026"},
      {"sabato 5 dicembre 2026", "Saturday 5 December 2026"},
      {"domenica 6 dicembre 2026", "Sunday 6 December 2026"}};
  for (int i = 0; i < 7; ++i) {
    const absl::Time day = Local(2026, 11, 30 + i, 10);
    EXPECT_EQ(LongLocalDate(day, rome_, Language::kItalian), week[i].first);
    EXPECT_EQ(LongLocalDate(day, rome_, Language::kEnglish), week[i].second);
  }
  const char* italian[] = {"gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
                           "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
  const char* english[] = {"January", "February", "March",     "April",   "May",      "June",
                           "July",    "August",   "September", "October", "November", "December"};
  for (int month = 1; month <= 12; ++month) {
    const absl::Time day = Local(2027, month, 15, 10);
    EXPECT_THAT(LongLocalDate(day, rome_, Language::kItalian),
                HasSubstr(std::string(" 15 ") + italian[month - 1] + " 2027"));
    EXPECT_THAT(LongLocalDate(day, rome_, Language::kEnglish),
                HasSubstr(std::string(" 15 ") + english[month - 1] + " 2027"));
  }
}

TEST_F(MessagesTest, DatesAndTimesAreOnTheComunesClock) {
  // 23:30 UTC on 1 December is already 2 December in Lucca.
  const absl::Time late =
      absl::FromCivil(absl::CivilSecond(2026, 12, 1, 23, 30, 0), absl::UTCTimeZone());
  EXPECT_EQ(LongLocalDate(late, rome_, Language::kItalian), "mercoledì 2 dicembre 2026");
  EXPECT_EQ(LocalClockTime(late, rome_), "00:30");
  // On the days the clocks change, 09:00 on the wall is 07:00 and 08:00 UTC.
  EXPECT_EQ(
      LocalClockTime(absl::FromCivil(absl::CivilSecond(2026, 3, 29, 7, 0, 0), absl::UTCTimeZone()),
                     rome_),
      "09:00");
  EXPECT_EQ(
      LocalClockTime(absl::FromCivil(absl::CivilSecond(2026, 10, 25, 8, 0, 0), absl::UTCTimeZone()),
                     rome_),
      "09:00");
}

// --- Render ----------------------------------------------------------------------------------

TEST_F(MessagesTest, AConfirmationSaysWhenWhereAndHowToCancel) {
  absl::StatusOr<RenderedMessage> it =
      Render(DefaultTemplate(MessageKind::kConfirmation, Language::kItalian), Facts());
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_EQ(it->subject, "Comune di Capannori: appuntamento confermato");
  EXPECT_EQ(it->body,
            "Appuntamento confermato per mercoledì 2 dicembre 2026 alle 09:00 in Via del Popolo "
            "12, Capannori. Per annullare: https://prenota.lucca.it/c/AB12CD34");

  absl::StatusOr<RenderedMessage> en = Render(
      DefaultTemplate(MessageKind::kConfirmation, Language::kEnglish), Facts(Language::kEnglish));
  ASSERT_TRUE(en.ok()) << en.status();
  EXPECT_EQ(en->subject, "Comune di Capannori: appointment confirmed");
  EXPECT_EQ(en->body,
            "Appointment confirmed for Wednesday 2 December 2026 at 09:00, Via del Popolo 12, "
            "Capannori. To cancel: https://prenota.lucca.it/c/AB12CD34");
}

TEST_F(MessagesTest, ARescheduleSaysTheOldAndTheNewTime) {
  absl::StatusOr<RenderedMessage> it =
      Render(DefaultTemplate(MessageKind::kReschedule, Language::kItalian), Facts());
  ASSERT_TRUE(it.ok()) << it.status();
  EXPECT_EQ(it->body,
            "Il suo appuntamento è stato spostato a mercoledì 2 dicembre 2026 alle 09:00 in Via "
            "del Popolo 12, Capannori (prima: venerdì 27 novembre 2026 alle 15:30). Per "
            "annullare: https://prenota.lucca.it/c/AB12CD34");
}

TEST_F(MessagesTest, AClosureSaysTheDeskIsClosedAndTheComuneWillCall) {
  absl::StatusOr<RenderedMessage> moved =
      Render(DefaultTemplate(MessageKind::kClosureMoved, Language::kItalian), Facts());
  ASSERT_TRUE(moved.ok()) << moved.status();
  EXPECT_EQ(moved->body,
            "Lo sportello in Via del Popolo 12, Capannori resterà chiuso mercoledì 2 dicembre "
            "2026. Il suo appuntamento delle 09:00 sarà spostato: il Comune di Capannori la "
            "contatterà.");
  absl::StatusOr<RenderedMessage> cancelled =
      Render(DefaultTemplate(MessageKind::kClosureCancelled, Language::kEnglish),
             Facts(Language::kEnglish));
  ASSERT_TRUE(cancelled.ok()) << cancelled.status();
  EXPECT_EQ(cancelled->body,
            "The office at Via del Popolo 12, Capannori will be closed on Wednesday 2 December "
            "2026: your appointment at 09:00 is cancelled. The Comune di Capannori will contact "
            "you.");
}

TEST_F(MessagesTest, TheTimeIsTheWallClockOnClockChangeDays) {
  MessageFacts facts = Facts();
  facts.start =
      absl::FromCivil(absl::CivilSecond(2026, 10, 25, 8, 30, 0), absl::UTCTimeZone());  // 09:30 CET
  absl::StatusOr<RenderedMessage> reminder =
      Render(DefaultTemplate(MessageKind::kReminder, Language::kItalian), facts);
  ASSERT_TRUE(reminder.ok()) << reminder.status();
  EXPECT_THAT(reminder->body, HasSubstr("domenica 25 ottobre 2026 ore 09:30"));
}

TEST_F(MessagesTest, ADeskAddressThatRevealsTheServiceStopsTheMessageWithoutQuotingIt) {
  MessageFacts facts = Facts();
  facts.address = "Via dei Servizi Sociali 3, Capannori";
  const absl::StatusOr<RenderedMessage> rendered =
      Render(DefaultTemplate(MessageKind::kReminder, Language::kItalian), facts);
  ASSERT_EQ(rendered.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status::ReasonOf(rendered.status()), "TEXT_NOT_NEUTRAL");
  EXPECT_THAT(rendered.status().message(), HasSubstr("{address}"));
  EXPECT_THAT(rendered.status().message(), Not(HasSubstr("Servizi")));
  EXPECT_THAT(rendered.status().message(), Not(HasSubstr("Sociali")));

  facts = Facts();
  facts.comune = "Capannori - Servizio Sociale";
  EXPECT_THAT(std::string(Render(DefaultTemplate(MessageKind::kReminder, Language::kItalian), facts)
                              .status()
                              .message()),
              HasSubstr("{comune}"));
}

TEST_F(MessagesTest, ATemplateThatRevealsTheServiceDoesNotRender) {
  const absl::StatusOr<RenderedMessage> rendered =
      Render({.subject = "Comune di {comune}", .body = "Colloquio con l'assistente sociale {date}"},
             Facts());
  ASSERT_EQ(rendered.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status::ReasonOf(rendered.status()), "TEXT_NOT_NEUTRAL");
  EXPECT_THAT(rendered.status().message(), HasSubstr("template's body"));
}

TEST_F(MessagesTest, AnUnknownPlaceholderIsAnErrorNotALiteral) {
  const absl::StatusOr<RenderedMessage> rendered =
      Render({.subject = "Gentile {nome}", .body = "Appuntamento {date} alle {time} {"}, Facts());
  ASSERT_EQ(rendered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::FieldViolationsOf(rendered.status()),
              UnorderedElementsAre(Pair("subject", HasSubstr("{nome}")),
                                   Pair("body", HasSubstr("no closing"))));
}

TEST_F(MessagesTest, AMessageWithAHoleDoesNotRender) {
  MessageFacts facts = Facts();
  facts.address = " ";
  facts.cancel_link = "";
  const absl::StatusOr<RenderedMessage> rendered =
      Render(DefaultTemplate(MessageKind::kConfirmation, Language::kItalian), facts);
  ASSERT_EQ(rendered.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::FieldViolationsOf(rendered.status()),
              UnorderedElementsAre(Pair("address", HasSubstr("empty")),
                                   Pair("cancel_link", HasSubstr("empty"))));
  // A fact the template does not use may be empty.
  facts = Facts();
  facts.cancel_link = "";
  EXPECT_TRUE(Render(DefaultTemplate(MessageKind::kCancellation, Language::kItalian), facts).ok());
  EXPECT_EQ(Render({.subject = "Comune", .body = ""}, Facts()).status().code(),
            absl::StatusCode::kInvalidArgument);
}

// --- The built-in texts ----------------------------------------------------------------------

TEST_F(MessagesTest, EveryBuiltInTextIsValidNeutralAndDistinct) {
  std::vector<std::string> bodies;
  for (MessageKind kind : kAllKinds) {
    for (Language language : kAllLanguages) {
      const MessageTemplate& text = DefaultTemplate(kind, language);
      SCOPED_TRACE(absl::StrCat(MessageKindName(kind), " ", LanguageName(language)));
      EXPECT_TRUE(ValidateTemplate(kind, text).ok()) << ValidateTemplate(kind, text);
      absl::StatusOr<RenderedMessage> rendered = Render(text, Facts(language));
      ASSERT_TRUE(rendered.ok()) << rendered.status();
      EXPECT_TRUE(CheckNeutral(rendered->subject).ok());
      EXPECT_TRUE(CheckNeutral(rendered->body).ok());
      EXPECT_THAT(rendered->subject, HasSubstr("Capannori"));
      // Nothing in them turns an SMS into UCS-2.
      EXPECT_EQ(MeasureSms(rendered->body).encoding, SmsEncoding::kGsm7) << rendered->body;
      EXPECT_EQ(MeasureSms(rendered->subject).encoding, SmsEncoding::kGsm7);
      bodies.push_back(text.body);
    }
  }
  std::sort(bodies.begin(), bodies.end());
  EXPECT_EQ(std::adjacent_find(bodies.begin(), bodies.end()), bodies.end());
}

TEST_F(MessagesTest, RemindersFitOneSmsEvenOnTheLongestDate) {
  MessageFacts facts = Facts();
  // "mercoledì 30 settembre 2026", "Wednesday 30 September 2026": the longest names together.
  facts.start = Local(2026, 9, 30, 11, 45);
  for (Language language : kAllLanguages) {
    facts.language = language;
    for (MessageKind kind : {MessageKind::kReminder, MessageKind::kSameDayReminder}) {
      absl::StatusOr<RenderedMessage> rendered = Render(DefaultTemplate(kind, language), facts);
      ASSERT_TRUE(rendered.ok()) << rendered.status();
      const SmsLength length = MeasureSms(rendered->body);
      EXPECT_EQ(length.encoding, SmsEncoding::kGsm7) << rendered->body;
      EXPECT_EQ(length.segments, 1) << length.units << " units: " << rendered->body;
    }
  }
}

// --- ValidateTemplate ------------------------------------------------------------------------

TEST(ValidateTemplateTest, ATemplateMustSayWhenAndOfferCancelling) {
  const absl::Status status =
      ValidateTemplate(MessageKind::kConfirmation, {.subject = " ", .body = "Confermato."});
  ASSERT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(status::FieldViolationsOf(status),
              UnorderedElementsAre(
                  Pair("subject", HasSubstr("empty")), Pair("body", HasSubstr("{date}")),
                  Pair("body", HasSubstr("{time}")), Pair("body", HasSubstr("{cancel_link}"))));
}

TEST(ValidateTemplateTest, OnlyMessagesACitizenMayActOnNeedTheCancelLink) {
  const MessageTemplate without_link{.subject = "Comune di {comune}",
                                     .body = "Appuntamento {date} alle {time}."};
  for (MessageKind kind : {MessageKind::kConfirmation, MessageKind::kReschedule,
                           MessageKind::kReminder, MessageKind::kSameDayReminder}) {
    EXPECT_THAT(status::FieldViolationsOf(ValidateTemplate(kind, without_link)),
                UnorderedElementsAre(Pair("body", HasSubstr("{cancel_link}"))))
        << MessageKindName(kind);
  }
  for (MessageKind kind :
       {MessageKind::kCancellation, MessageKind::kClosureMoved, MessageKind::kClosureCancelled}) {
    EXPECT_TRUE(ValidateTemplate(kind, without_link).ok()) << MessageKindName(kind);
  }
}

TEST(ValidateTemplateTest, UnknownPlaceholdersAndPreviousTimesOutsideReschedulesAreRefused) {
  const MessageTemplate text{
      .subject = "Gentile {nome} {Mario Rossi}",
      .body =
          "Appuntamento {date} alle {time} (era {previous_date} {previous_time}) "
          "{cancel_link} {servizio"};
  EXPECT_THAT(
      status::FieldViolationsOf(ValidateTemplate(MessageKind::kReminder, text)),
      UnorderedElementsAre(Pair("subject", HasSubstr("unknown placeholder {nome}")),
                           Pair("subject", AllOf(HasSubstr("does not start a known placeholder"),
                                                 Not(HasSubstr("Mario")))),
                           Pair("body", HasSubstr("no closing")),
                           Pair("body", HasSubstr("{previous_date} exists only in reschedule")),
                           Pair("body", HasSubstr("{previous_time} exists only in reschedule"))));
  EXPECT_THAT(status::FieldViolationsOf(ValidateTemplate(MessageKind::kReschedule, text)),
              Not(Contains(Pair("body", HasSubstr("reschedule")))));
}

TEST(ValidateTemplateTest, ATemplateThatRevealsTheServiceIsRefusedWithTheTermNamed) {
  const absl::Status status = ValidateTemplate(
      MessageKind::kCancellation,
      {.subject = "Servizi sociali: appuntamento annullato",
       .body = "Il colloquio per il contributo economico {date} alle {time} è annullato."});
  EXPECT_THAT(status::FieldViolationsOf(status),
              UnorderedElementsAre(Pair("subject", HasSubstr("\"social*\"")),
                                   Pair("body", HasSubstr("\"contribut* economic*\""))));
}

// --- CheckNeutral ----------------------------------------------------------------------------

TEST(CheckNeutralTest, CatchesWordsThatRevealSocialAssistanceHoweverWritten) {
  for (const char* text : {
           "Servizi Sociali",
           "SERVIZI SOCIALI",
           "ufficio sociale",
           "intervento socialmente utile",
           "social services",
           "Via dei Servizi Sociali 3",
           "(sociale)",
           "«sociale»",
           "servizi-sociali",
           "https://comune.lucca.it/servizi-sociali/prenota",
           "Colloquio con l'assistente",
           "dell’assistenza",  // typographic apostrophe
           "ASSISTENZIALE",
           "financial assistance",
           "Welfare comunale",
           "POVERTÀ",
           "poverta",
           "Povertà educativa",
           "poverty",
           "famiglie povere",
           "sussidio",
           "sussidi",
           "subsidy",
           "indigenza",
           "indigente",
           "disagio abitativo",
           "emarginazione",
           "reddito di cittadinanza",
           "Reddito d'Inclusione",
           "Assegno di Inclusione",
           "pratica ADI",
           "ADI.",
           "attestazione ISEE",
           "Isee",
           "Caritas diocesana",
           "Punto Insieme",
           "punto  insieme",
           "bonus affitto",
           "contributo economico",
           "contributi economici",
           "aiuto economico",
           "sfratto",
           "eviction notice",
           "debiti",
           "debt advice",
           "benefit",
           "benefits",
           "beneficio",
           "beneficiario",
           "disoccupato",
           "disoccupazione",
           "unemployment",
           "buoni spesa",
           "pacco alimentare",
           "senza dimora",
           "non autosufficiente",
           "centro antiviolenza",
           "So\xC2\xAD"
           "ciale",            // a soft hyphen inside the word
           "socia\xCC\x80le",  // a combining accent inside the word
           "Poverta\xCC\x80",  // POVERTÀ written with a combining grave accent
       }) {
    const absl::Status status = CheckNeutral(text);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << text;
    EXPECT_EQ(status::ReasonOf(status), "TEXT_NOT_NEUTRAL") << text;
    EXPECT_THAT(std::string(status.message()), Not(HasSubstr(text))) << text;
  }
}

TEST(CheckNeutralTest, LeavesTheComuniTheirStreetsAndEverydayWordsAlone) {
  for (const char* text : {
           "Capannori",
           "Pescaglia",
           "Montecarlo",
           "Villa Basilica",
           "Porcari",
           "Altopascio",
           "Lucca",
           "Via del Popolo 12, Capannori",
           "Piazza Aldo Moro 1, Capannori",
           "Corte Bianchi",
           "Casa della Salute, Via Roma 3",
           "Palazzo Comunale, Piazza San Michele",
           "Associazione Culturale",
           "associazioni",
           "Via Adige 4",
           "Ufficio Relazioni con il Pubblico",
           "modulo debitamente compilato",
           "Appuntamento confermato per mercoledì 2 dicembre 2026 alle 09:00",
           "Per annullare: https://prenota.lucca.it/c/AB12CD34",
           "Your appointment at 09:00 is cancelled.",
           "Lo sportello resterà chiuso: il Comune la contatterà.",
           "Società Cooperativa",
           "",
       }) {
    EXPECT_TRUE(CheckNeutral(text).ok()) << text;
  }
}

}  // namespace
}  // namespace sportelli::notifications
