#include "services/notifications/domain/messages.h"

#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "services/notifications/domain/sms.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {
namespace {

constexpr std::pair<MessageKind, const char*> kKindNames[] = {
    {MessageKind::kConfirmation, "CONFIRMATION"},
    {MessageKind::kCancellation, "CANCELLATION"},
    {MessageKind::kReschedule, "RESCHEDULE"},
    {MessageKind::kReminder, "REMINDER"},
    {MessageKind::kSameDayReminder, "SAME_DAY_REMINDER"},
    {MessageKind::kClosureMoved, "CLOSURE_MOVED"},
    {MessageKind::kClosureCancelled, "CLOSURE_CANCELLED"},
};

constexpr std::pair<Language, const char*> kLanguageNames[] = {
    {Language::kItalian, "it"},
    {Language::kEnglish, "en"},
};

// ---------------------------------------------------------------------------------------------
// Built-in texts. Plain ASCII apostrophes and only letters of the GSM default alphabet (è, not
// È), so that an SMS stays GSM-7; the reminders must fit one SMS (see messages_test.cc).

struct DefaultText {
  MessageKind kind;
  Language language;
  const char* subject;
  const char* body;
};

// The reminders are SMS texts first: with a long date, a long address and the short cancel link
// they fit one segment (160 GSM-7 characters); the templates test measures them.
constexpr DefaultText kDefaultTexts[] = {
    {MessageKind::kConfirmation, Language::kItalian, "Comune di {comune}: appuntamento confermato",
     "Appuntamento confermato per {date} alle {time} in {address}. "
     "Per annullare: {cancel_link}"},
    {MessageKind::kConfirmation, Language::kEnglish, "Comune di {comune}: appointment confirmed",
     "Appointment confirmed for {date} at {time}, {address}. To cancel: {cancel_link}"},

    {MessageKind::kCancellation, Language::kItalian, "Comune di {comune}: appuntamento annullato",
     "Il suo appuntamento per {date} alle {time} in {address} è stato annullato. "
     "Per un nuovo appuntamento contatti il Comune di {comune}."},
    {MessageKind::kCancellation, Language::kEnglish, "Comune di {comune}: appointment cancelled",
     "Your appointment on {date} at {time}, {address}, has been cancelled. "
     "To book a new one, please contact the Comune di {comune}."},

    {MessageKind::kReschedule, Language::kItalian, "Comune di {comune}: appuntamento spostato",
     "Il suo appuntamento è stato spostato a {date} alle {time} in {address} "
     "(prima: {previous_date} alle {previous_time}). Per annullare: {cancel_link}"},
    {MessageKind::kReschedule, Language::kEnglish, "Comune di {comune}: appointment moved",
     "Your appointment has been moved to {date} at {time}, {address} "
     "(it was {previous_date} at {previous_time}). To cancel: {cancel_link}"},

    {MessageKind::kReminder, Language::kItalian, "Comune di {comune}: promemoria appuntamento",
     "Promemoria: {date} ore {time}, {address}. Annulla: {cancel_link}"},
    {MessageKind::kReminder, Language::kEnglish, "Comune di {comune}: appointment reminder",
     "Reminder: {date} at {time}, {address}. To cancel: {cancel_link}"},

    {MessageKind::kSameDayReminder, Language::kItalian, "Comune di {comune}: appuntamento oggi",
     "Promemoria: oggi {date} ore {time}, {address}. Annulla: {cancel_link}"},
    {MessageKind::kSameDayReminder, Language::kEnglish, "Comune di {comune}: appointment today",
     "Reminder: today {date} at {time}, {address}. To cancel: {cancel_link}"},

    {MessageKind::kClosureMoved, Language::kItalian, "Comune di {comune}: sportello chiuso",
     "Lo sportello in {address} resterà chiuso {date}. Il suo appuntamento delle {time} sarà "
     "spostato: il Comune di {comune} la contatterà."},
    {MessageKind::kClosureMoved, Language::kEnglish, "Comune di {comune}: office closed",
     "The office at {address} will be closed on {date}. Your appointment at {time} will be "
     "moved to another day: the Comune di {comune} will contact you."},

    {MessageKind::kClosureCancelled, Language::kItalian,
     "Comune di {comune}: appuntamento annullato",
     "Lo sportello in {address} resterà chiuso {date}: il suo appuntamento delle {time} è "
     "annullato. Il Comune di {comune} la contatterà."},
    {MessageKind::kClosureCancelled, Language::kEnglish,
     "Comune di {comune}: appointment cancelled",
     "The office at {address} will be closed on {date}: your appointment at {time} is "
     "cancelled. The Comune di {comune} will contact you."},
};

// ---------------------------------------------------------------------------------------------
// Dates.

constexpr const char* kItalianWeekdays[] = {"lunedì",  "martedì", "mercoledì", "giovedì",
                                            "venerdì", "sabato",  "domenica"};
constexpr const char* kEnglishWeekdays[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                            "Friday", "Saturday", "Sunday"};
constexpr const char* kItalianMonths[] = {"gennaio",   "febbraio", "marzo",    "aprile",
                                          "maggio",    "giugno",   "luglio",   "agosto",
                                          "settembre", "ottobre",  "novembre", "dicembre"};
constexpr const char* kEnglishMonths[] = {"January",   "February", "March",    "April",
                                          "May",       "June",     "July",     "August",
                                          "September", "October",  "November", "December"};

// absl::Weekday counts from Monday = 0.
int WeekdayIndex(absl::Weekday weekday) {
  switch (weekday) {
    case absl::Weekday::monday:
      return 0;
    case absl::Weekday::tuesday:
      return 1;
    case absl::Weekday::wednesday:
      return 2;
    case absl::Weekday::thursday:
      return 3;
    case absl::Weekday::friday:
      return 4;
    case absl::Weekday::saturday:
      return 5;
    case absl::Weekday::sunday:
      return 6;
  }
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Placeholders.

constexpr absl::string_view kComune = "comune";
constexpr absl::string_view kAddress = "address";
constexpr absl::string_view kDate = "date";
constexpr absl::string_view kTime = "time";
constexpr absl::string_view kCancelLink = "cancel_link";
constexpr absl::string_view kPreviousDate = "previous_date";
constexpr absl::string_view kPreviousTime = "previous_time";
constexpr absl::string_view kPlaceholders[] = {kComune,     kAddress,      kDate,        kTime,
                                               kCancelLink, kPreviousDate, kPreviousTime};

bool IsPlaceholder(absl::string_view name) {
  for (absl::string_view known : kPlaceholders) {
    if (name == known) return true;
  }
  return false;
}

// A template text cut into literal text and placeholders, with what is wrong in it.
struct ParsedText {
  struct Piece {
    bool placeholder = false;
    absl::string_view text;  // the literal text, or the placeholder's name
  };
  std::vector<Piece> pieces;
  std::vector<std::string> problems;

  bool Uses(absl::string_view name) const {
    for (const Piece& piece : pieces) {
      if (piece.placeholder && piece.text == name) return true;
    }
    return false;
  }
};

// Whether `name` can be quoted in an error: it looks like a placeholder name, not like text.
bool LooksLikeName(absl::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  for (char c : name) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

ParsedText ParseTemplateText(absl::string_view text) {
  ParsedText parsed;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t open = text.find('{', pos);
    if (open == absl::string_view::npos) {
      parsed.pieces.push_back({.placeholder = false, .text = text.substr(pos)});
      break;
    }
    if (open > pos)
      parsed.pieces.push_back({.placeholder = false, .text = text.substr(pos, open - pos)});
    const size_t close = text.find('}', open + 1);
    if (close == absl::string_view::npos) {
      parsed.problems.push_back("has a '{' with no closing '}'");
      parsed.pieces.push_back({.placeholder = false, .text = text.substr(open)});
      break;
    }
    const absl::string_view name = text.substr(open + 1, close - open - 1);
    if (IsPlaceholder(name)) {
      parsed.pieces.push_back({.placeholder = true, .text = name});
    } else {
      parsed.problems.push_back(
          LooksLikeName(name)
              ? absl::StrCat("has an unknown placeholder {", name,
                             "}; known: {comune}, {address}, {date}, {time}, {cancel_link}, "
                             "{previous_date}, {previous_time}")
              : std::string("has a '{' that does not start a known placeholder"));
      parsed.pieces.push_back({.placeholder = false, .text = text.substr(open, close - open + 1)});
    }
    pos = close + 1;
  }
  return parsed;
}

// ---------------------------------------------------------------------------------------------
// The deny-list.
//
// Each term is one or more words; a word ending in '*' is a stem matching any word that starts
// with it, any other must be the whole word. Words are compared after folding case and accents
// ("POVERTÀ" is "poverta"), and the words of a phrase may be separated by any punctuation and by
// articles and prepositions ("reddito di cittadinanza", "buoni per la spesa" is not caught, but
// "buoni spesa" and "buono della spesa" are). A stem matches only at the start of a word, so
// "social*" catches "sociale", "socialmente" and "social", but not "associazione".
//
// Chosen to catch what reveals social assistance or similarly sensitive help, and to leave alone
// the comuni, their streets and desks ("Casa della Salute", "Palazzo Comunale"). "disagi*" also
// catches the innocent "ci scusiamo per i disagi": accepted, as "disagio" is the trade's word
// for hardship; a template writer rephrases ("per l'inconveniente").
constexpr absl::string_view kDeniedTerms[] = {
    // Social services and assistance.
    "social*",     // sociale, sociali, socialmente; social (en)
    "assisten*",   // assistenza, assistente, assistenziale
    "assistanc*",  // assistance
    "welfare*",
    "caritas*",
    "charit*",        // charity, charities, charitable
    "punto insieme",  // Punto Insieme, the desk for people who are not self-sufficient
    // Benefits and money.
    "benefic*",  // beneficio, benefici, beneficiario, beneficenza; beneficiary
    "benefit*",
    "bonus*",
    "sussid*",
    "subsid*",
    "contribut* economic*",
    "aiut* economic*",
    "sostegn* economic*",
    "sostegn* reddit*",
    "financial aid*",
    "financial help*",
    "financial support*",
    "reddit* cittadinanz*",
    "reddit* inclusion*",
    "assegn* inclusion*",
    "adi",  // assegno di inclusione (also assistenza domiciliare integrata): the word only
    "rdc",
    "isee",
    "naspi",
    "means test*",
    "cart* acquist*",
    "buon* spes*",
    "pacc* alimentar*",
    "banc* alimentar*",
    "food bank*",
    "empori* solidal*",
    // Poverty and hardship.
    "povert*",  // povertà, poverta; poverty
    "povero",
    "povera",
    "poveri",
    "povere",
    "poor",
    "needy",
    "indigen*",  // indigenza, indigente; indigence, indigent
    "disagi*",   // disagio, disagiato
    "emargina*",
    "hardship*",
    "destitut*",
    "senza dimora",
    "senzatetto",
    "homeless*",
    // Housing, debt, work.
    "sfratt*",
    "evict*",
    "morosit*",
    "debito",  // not "debit*": "debitamente" (duly) is everyday bureaucratic Italian
    "debiti",
    "debitor*",
    "indebit*",
    "sovraindebit*",
    "debt*",
    "disoccupa*",
    "inoccupa*",
    "unemploy*",
    "cass* integrazion*",
    // Other help whose mention is sensitive.
    "disabil*",
    "handicap*",
    "autosufficien*",  // (non) autosufficiente
    "tossicodipend*",
    "serd",
    "violenz*",
    "antiviolenz*",
};

// Skipped between the words of a phrase.
constexpr absl::string_view kLinkWords[] = {"di",   "d",     "del",   "dell", "della", "dello",
                                            "dei",  "degli", "delle", "al",   "all",   "alla",
                                            "allo", "ai",    "agli",  "alle", "of",    "the"};

bool IsLinkWord(absl::string_view word) {
  for (absl::string_view link : kLinkWords) {
    if (word == link) return true;
  }
  return false;
}

// Characters that vanish inside a word: a soft hyphen or a zero-width space in the middle of
// "sociale" does not split it, and a combining accent is ignored like a precomposed one.
bool IsIgnorable(char32_t c) {
  return c == 0x00AD || (c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200D) ||
         c == 0x2060 || c == 0xFEFF || (c >= 0xFE00 && c <= 0xFE0F);
}

// Non-ASCII characters that end a word: Latin-1 punctuation and symbols (no-break space,
// guillemets, ×, ÷), general punctuation (typographic quotes and apostrophes, dashes, spaces),
// currency, arrows and symbols, CJK punctuation, emoji.
bool IsSeparator(char32_t c) {
  return (c >= 0x0080 && c <= 0x00BF) || c == 0x00D7 || c == 0x00F7 ||
         (c >= 0x2000 && c <= 0x206F) || (c >= 0x20A0 && c <= 0x20CF) ||
         (c >= 0x2190 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) || c == 0xFFFD ||
         (c >= 0x1F000 && c <= 0x1FAFF);
}

// The ASCII spelling of a Latin letter with an accent, lowercase; empty for anything else.
absl::string_view FoldLatin(char32_t c) {
  // U+00C0 to U+00FF; "" at × and ÷.
  static constexpr const char* kLatin1[] = {
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0
      "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0
      "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0
  };
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0];
  if (c == 0x0152 || c == 0x0153) return "oe";
  return "";
}

// The words of `text`, lowercase ASCII letters and digits with accents folded; a letter with no
// ASCII spelling is kept as '?', so that it neither splits a word nor matches a stem. Invalid
// UTF-8 bytes are dropped like the ignorable characters: joining around them catches more.
std::vector<std::string> NormalizedWords(absl::string_view text) {
  std::vector<std::string> words;
  std::string word;
  const auto end_word = [&] {
    if (!word.empty()) words.push_back(std::move(word));
    word.clear();
  };
  for (size_t pos = 0; pos < text.size();) {
    const internal::DecodedChar decoded = internal::DecodeUtf8At(text, pos);
    pos += decoded.length;
    const char32_t c = decoded.code_point;
    if (!decoded.valid || IsIgnorable(c)) continue;
    if (c < 0x80) {
      if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
        word.push_back(absl::ascii_tolower(static_cast<unsigned char>(c)));
      } else {
        end_word();
      }
    } else if (const absl::string_view folded = FoldLatin(c); !folded.empty()) {
      absl::StrAppend(&word, folded);
    } else if (IsSeparator(c)) {
      end_word();
    } else {
      word.push_back('?');
    }
  }
  end_word();
  return words;
}

bool WordMatches(absl::string_view word, absl::string_view pattern) {
  if (absl::ConsumeSuffix(&pattern, "*")) return absl::StartsWith(word, pattern);
  return word == pattern;
}

// Whether the term's words match `words` from `first` on.
bool TermMatchesAt(const std::vector<std::string>& words, size_t first,
                   const std::vector<absl::string_view>& term) {
  size_t at = first;
  for (size_t k = 0; k < term.size(); ++k) {
    if (k > 0) {
      while (at < words.size() && IsLinkWord(words[at])) ++at;
    }
    if (at >= words.size() || !WordMatches(words[at], term[k])) return false;
    ++at;
  }
  return true;
}

// The first deny-list term found in `text`, or nullopt when the text is neutral.
std::optional<absl::string_view> FindDeniedTerm(absl::string_view text) {
  const std::vector<std::string> words = NormalizedWords(text);
  for (absl::string_view term : kDeniedTerms) {
    const std::vector<absl::string_view> term_words = absl::StrSplit(term, ' ');
    for (size_t i = 0; i < words.size(); ++i) {
      if (TermMatchesAt(words, i, term_words)) return term;
    }
  }
  return std::nullopt;
}

absl::Status NotNeutral(absl::string_view what) {
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       absl::StrCat(what, " names what the appointment is about"),
                       "TEXT_NOT_NEUTRAL");
}

}  // namespace

const char* MessageKindName(MessageKind kind) {
  for (const auto& [known, name] : kKindNames) {
    if (known == kind) return name;
  }
  return "UNKNOWN";
}

std::optional<MessageKind> ParseMessageKind(absl::string_view name) {
  for (const auto& [kind, known] : kKindNames) {
    if (name == known) return kind;
  }
  return std::nullopt;
}

const char* LanguageName(Language language) {
  for (const auto& [known, name] : kLanguageNames) {
    if (known == language) return name;
  }
  return "UNKNOWN";
}

std::optional<Language> ParseLanguage(absl::string_view name) {
  for (const auto& [language, known] : kLanguageNames) {
    if (name == known) return language;
  }
  return std::nullopt;
}

const MessageTemplate& DefaultTemplate(MessageKind kind, Language language) {
  static constexpr size_t kCount = std::size(kDefaultTexts);
  static const auto* const kTemplates = [] {
    auto* templates = new std::array<MessageTemplate, kCount>();
    for (size_t i = 0; i < kCount; ++i) {
      (*templates)[i] = {.subject = kDefaultTexts[i].subject, .body = kDefaultTexts[i].body};
    }
    return templates;
  }();
  for (size_t i = 0; i < kCount; ++i) {
    if (kDefaultTexts[i].kind == kind && kDefaultTexts[i].language == language) {
      return (*kTemplates)[i];
    }
  }
  // Only a value outside the enumerators gets here: an empty template, which Render refuses.
  static const auto* const kEmpty = new MessageTemplate();
  return *kEmpty;
}

std::string CancelLinkUrl(absl::string_view portal_url, absl::string_view code,
                          absl::string_view tenant, absl::string_view appointment_id) {
  if (!code.empty()) return absl::StrCat(portal_url, "/c/", code);
  return absl::StrCat(portal_url, "/", tenant, "/appuntamenti/", appointment_id);
}

std::string LongLocalDate(absl::Time t, absl::TimeZone zone, Language language) {
  const absl::CivilDay day = absl::ToCivilDay(t, zone);
  const bool italian = language == Language::kItalian;
  const int weekday = WeekdayIndex(absl::GetWeekday(day));
  const int month = day.month() - 1;
  return absl::StrFormat("%s %d %s %d",
                         italian ? kItalianWeekdays[weekday] : kEnglishWeekdays[weekday], day.day(),
                         italian ? kItalianMonths[month] : kEnglishMonths[month], day.year());
}

std::string LocalClockTime(absl::Time t, absl::TimeZone zone) {
  const absl::CivilMinute minute = absl::ToCivilMinute(t, zone);
  return absl::StrFormat("%02d:%02d", minute.hour(), minute.minute());
}

absl::Status CheckNeutral(absl::string_view text) {
  if (FindDeniedTerm(text).has_value()) return NotNeutral("the text");
  return absl::OkStatus();
}

absl::Status ValidateTemplate(MessageKind kind, const MessageTemplate& message) {
  status::FieldViolations violations;
  if (absl::StripAsciiWhitespace(message.subject).empty()) {
    violations.Add("subject", "must not be empty");
  }
  const std::pair<absl::string_view, const std::string*> fields[] = {{"subject", &message.subject},
                                                                     {"body", &message.body}};
  for (const auto& [field, text] : fields) {
    const ParsedText parsed = ParseTemplateText(*text);
    for (const std::string& problem : parsed.problems) violations.Add(std::string(field), problem);
    if (kind != MessageKind::kReschedule) {
      for (absl::string_view previous : {kPreviousDate, kPreviousTime}) {
        if (parsed.Uses(previous)) {
          violations.Add(std::string(field),
                         absl::StrCat("{", previous, "} exists only in reschedule messages"));
        }
      }
    }
    if (std::optional<absl::string_view> term = FindDeniedTerm(*text)) {
      violations.Add(std::string(field),
                     absl::StrCat("reveals what the appointment is about (deny-list term \"", *term,
                                  "\"): say when and where, never what for"));
    }
  }
  const ParsedText body = ParseTemplateText(message.body);
  if (!body.Uses(kDate)) violations.Add("body", "must contain {date}: a citizen must learn when");
  if (!body.Uses(kTime)) violations.Add("body", "must contain {time}: a citizen must learn when");
  const bool actionable = kind == MessageKind::kConfirmation || kind == MessageKind::kReschedule ||
                          kind == MessageKind::kReminder || kind == MessageKind::kSameDayReminder;
  if (actionable && !body.Uses(kCancelLink)) {
    violations.Add("body", "must contain {cancel_link}: a citizen who cannot come frees the seat");
  }
  return violations.ToStatus();
}

absl::StatusOr<RenderedMessage> Render(const MessageTemplate& message, const MessageFacts& facts) {
  const ParsedText subject = ParseTemplateText(message.subject);
  const ParsedText body = ParseTemplateText(message.body);
  status::FieldViolations violations;
  for (const std::string& problem : subject.problems) violations.Add("subject", problem);
  for (const std::string& problem : body.problems) violations.Add("body", problem);
  if (absl::StripAsciiWhitespace(message.body).empty()) violations.Add("body", "is empty");

  const std::pair<absl::string_view, std::string> values[] = {
      {kComune, facts.comune},
      {kAddress, facts.address},
      {kCancelLink, facts.cancel_link},
      {kDate, LongLocalDate(facts.start, facts.zone, facts.language)},
      {kTime, LocalClockTime(facts.start, facts.zone)},
      {kPreviousDate, LongLocalDate(facts.previous_start, facts.zone, facts.language)},
      {kPreviousTime, LocalClockTime(facts.previous_start, facts.zone)},
  };
  const auto used = [&](absl::string_view name) { return subject.Uses(name) || body.Uses(name); };
  for (const auto& [name, value] : values) {
    if (used(name) && absl::StripAsciiWhitespace(value).empty()) {
      violations.Add(std::string(name), absl::StrCat("is empty, and the text uses {", name, "}"));
    }
  }
  if (!violations.empty()) return violations.ToStatus();

  const auto fill = [&](const ParsedText& parsed) {
    std::string out;
    for (const ParsedText::Piece& piece : parsed.pieces) {
      if (!piece.placeholder) {
        absl::StrAppend(&out, piece.text);
        continue;
      }
      for (const auto& [name, value] : values) {
        if (name == piece.text) absl::StrAppend(&out, value);
      }
    }
    return out;
  };
  RenderedMessage rendered{.subject = fill(subject), .body = fill(body)};

  if (FindDeniedTerm(rendered.subject) || FindDeniedTerm(rendered.body)) {
    // Say which input is at fault, never what it says.
    for (const auto& [name, value] : values) {
      if (used(name) && FindDeniedTerm(value)) {
        return NotNeutral(absl::StrCat("the value of {", name, "}"));
      }
    }
    if (FindDeniedTerm(message.subject)) return NotNeutral("the template's subject");
    if (FindDeniedTerm(message.body)) return NotNeutral("the template's body");
    return NotNeutral(FindDeniedTerm(rendered.subject) ? "the rendered subject"
                                                       : "the rendered body");
  }
  return rendered;
}

}  // namespace sportelli::notifications
