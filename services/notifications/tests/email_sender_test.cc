// The e-mail channel's SMTP client against a real SMTP server: smtp_sink.py (Debian's
// python3-aiosmtpd), started per test on a free loopback port, with STARTTLS for the TLS tests
// (a certificate made by the openssl CLI). What reaches the server is read back from the files
// the sink stores and decoded here, independently of the sender's encoder (and compared with
// Python's email package as the sink decodes it). The Date header comes from a FakeClock.
#include "services/notifications/email_sender.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "sportelli/clock/clock.h"
#include "sportelli/clock/stopwatch.h"
#include "sportelli/testing/port_server.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::notifications {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::SizeIs;

constexpr char kFrom[] = "Comune di Capannori <noreply@comune.capannori.lu.it>";

// --- The SMTP server ----------------------------------------------------------------------------

// smtp_sink.py as a child process, writing what it receives to `dir`.
absl::StatusOr<std::unique_ptr<sportelli::testing::PortServer>> LaunchSink(
    const fs::path& dir, std::vector<std::string> extra_args) {
  std::vector<std::string> args = {"/usr/bin/python3", SMTP_SINK, "--dir",
                                   dir.string(),       "--port",  "0"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  return sportelli::testing::PortServer::Start(std::move(args));
}

// A message as the sink stored it.
struct Stored {
  std::string raw;
  nlohmann::json record;  // mail_from, rcpt_tos, tls, parsed{subject, body, defects}
};

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  return content.str();
}

std::vector<Stored> StoredMessages(const fs::path& dir) {
  std::vector<Stored> stored;
  for (int n = 1; fs::exists(dir / absl::StrCat(n, ".json")); ++n) {
    stored.push_back({ReadFile(dir / absl::StrCat(n, ".eml")),
                      nlohmann::json::parse(ReadFile(dir / absl::StrCat(n, ".json")))});
  }
  return stored;
}

// --- An independent decoder of what was received -------------------------------------------------

struct Decoded {
  std::map<std::string, std::string> headers;  // lower-case name -> unfolded value
  std::vector<std::string> header_lines;       // as received, CRLF removed
  std::vector<std::string> body_lines;         // as received, CRLF removed
  std::string body;                            // the encoded body as received
};

Decoded Parse(const std::string& raw) {
  Decoded decoded;
  const size_t end_of_headers = raw.find("\r\n\r\n");
  EXPECT_NE(end_of_headers, std::string::npos) << "no blank line after the headers";
  const std::string head = raw.substr(0, end_of_headers + 2);
  decoded.body = raw.substr(end_of_headers + 4);
  for (absl::string_view line : absl::StrSplit(head.substr(0, head.size() - 2), "\r\n")) {
    decoded.header_lines.emplace_back(line);
  }
  // Unfolding (RFC 5322 2.2.3): a CRLF followed by whitespace is removed, the whitespace kept.
  std::string name;
  for (const std::string& line : decoded.header_lines) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      decoded.headers[name] += line;
      continue;
    }
    const size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    name = absl::AsciiStrToLower(line.substr(0, colon));
    EXPECT_FALSE(decoded.headers.contains(name)) << "header twice: " << name;
    decoded.headers[name] = std::string(absl::StripLeadingAsciiWhitespace(line.substr(colon + 1)));
  }
  if (!decoded.body.empty()) {
    EXPECT_TRUE(absl::EndsWith(decoded.body, "\r\n"));
    for (absl::string_view line : absl::StrSplit(
             absl::string_view(decoded.body).substr(0, decoded.body.size() - 2), "\r\n")) {
      decoded.body_lines.emplace_back(line);
    }
  }
  return decoded;
}

// RFC 2047: encoded-words (B or Q, UTF-8) among plain text; whitespace between two adjacent
// encoded-words is dropped.
std::string DecodeEncodedWords(absl::string_view value) {
  std::string out;
  std::string pending_space;
  bool after_word = false;
  size_t i = 0;
  while (i < value.size()) {
    if (value.substr(i, 2) == "=?") {
      const size_t q1 = value.find('?', i + 2);
      const size_t q2 = q1 == absl::string_view::npos ? q1 : value.find('?', q1 + 1);
      const size_t end = q2 == absl::string_view::npos ? q2 : value.find("?=", q2 + 1);
      if (end != absl::string_view::npos) {
        const std::string charset = absl::AsciiStrToUpper(value.substr(i + 2, q1 - i - 2));
        const char encoding = absl::ascii_toupper(value[q1 + 1]);
        const absl::string_view text = value.substr(q2 + 1, end - q2 - 1);
        EXPECT_EQ(charset, "UTF-8");
        std::string word;
        if (encoding == 'B') {
          EXPECT_TRUE(absl::Base64Unescape(text, &word)) << text;
        } else {
          for (size_t k = 0; k < text.size(); ++k) {
            if (text[k] == '_') {
              word += ' ';
            } else if (text[k] == '=' && k + 2 < text.size()) {
              word += absl::HexStringToBytes(text.substr(k + 1, 2));
              k += 2;
            } else {
              word += text[k];
            }
          }
        }
        if (!after_word) out += pending_space;
        pending_space.clear();
        out += word;
        after_word = true;
        i = end + 2;
        continue;
      }
    }
    if (value[i] == ' ' || value[i] == '\t') {
      pending_space += value[i];
    } else {
      out += pending_space;
      pending_space.clear();
      out += value[i];
      after_word = false;
    }
    ++i;
  }
  return out + pending_space;
}

// Quoted-printable (RFC 2045 6.7) to text with "\n" line ends.
std::string DecodeQuotedPrintable(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) {
    const bool soft = absl::EndsWith(line, "=");
    const std::string content = soft ? line.substr(0, line.size() - 1) : line;
    for (size_t k = 0; k < content.size(); ++k) {
      if (content[k] == '=') {
        EXPECT_LE(k + 2, content.size() - 1) << "cut escape in: " << line;
        EXPECT_TRUE(absl::ascii_isxdigit(content[k + 1]) && absl::ascii_isxdigit(content[k + 2]))
            << line;
        out += absl::HexStringToBytes(content.substr(k + 1, 2));
        k += 2;
      } else {
        out += content[k];
      }
    }
    if (!soft) out += '\n';
  }
  return out;
}

std::string Unix(std::string text) { return absl::StrReplaceAll(text, {{"\r\n", "\n"}}); }

// --- The tests -----------------------------------------------------------------------------------

class EmailSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir_template = (fs::temp_directory_path() / "smtp-sink-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    dir_ = dir_template;
    mail_ = dir_ / "mail";
    fs::create_directory(mail_);
  }

  void TearDown() override {
    sink_.reset();  // stopped before its directory goes
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }

  void StartSink(std::vector<std::string> extra_args = {}) {
    ASSERT_OK_AND_ASSIGN(sink_, LaunchSink(mail_, std::move(extra_args)));
  }

  // A self-signed certificate for 127.0.0.1, which is also the test's CA file.
  void MakeCertificate() {
    const std::string command = absl::StrCat(
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 36500",
        " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout ", key_file().string(),
        " -out ", cert_file().string(), " 2>/dev/null");
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
  }
  fs::path cert_file() const { return dir_ / "cert.pem"; }
  fs::path key_file() const { return dir_ / "key.pem"; }

  SmtpOptions LocalOptions() const {
    return {.url = absl::StrCat("smtp://127.0.0.1:", sink_->port()),
            .tls = SmtpOptions::Tls::kNone,
            .from = kFrom,
            .connect_timeout = absl::Seconds(5),
            .timeout = absl::Seconds(20)};
  }

  std::unique_ptr<SmtpEmailSender> Sender(SmtpOptions options) {
    absl::StatusOr<std::unique_ptr<SmtpEmailSender>> sender =
        SmtpEmailSender::Create(std::move(options), &clock_);
    EXPECT_OK(sender);
    return sender.ok() ? *std::move(sender) : nullptr;
  }

  static Email Message(std::string to) {
    return {.to = std::move(to),
            .subject = "Promemoria appuntamento",
            .body = "Gentile cittadino,\nLe ricordiamo l'appuntamento di domani.\n",
            .message_id = "m-0001"};
  }

  // Monday 2 March 2026, 09:15:30 in Lucca: 08:15:30 UTC.
  clock::FakeClock clock_{
      absl::FromCivil(absl::CivilSecond(2026, 3, 2, 8, 15, 30), absl::UTCTimeZone())};
  fs::path dir_;
  fs::path mail_;
  std::unique_ptr<sportelli::testing::PortServer> sink_;
};

// What an operator or a log reader sees of a failure: a code, never whom it was for.
void ExpectNoAddressIn(const SendResult& result, const std::string& to) {
  EXPECT_FALSE(absl::StrContains(result.reason, "@")) << result.reason;
  EXPECT_FALSE(absl::StrContains(result.reason, to.substr(0, to.find('@')))) << result.reason;
}

TEST_F(EmailSenderTest, ItalianMessageArrivesAsWritten) {
  ASSERT_NO_FATAL_FAILURE(StartSink());
  auto sender = Sender(LocalOptions());
  ASSERT_NE(sender, nullptr);
  const Email email{.to = "maria.rossi@example.it",
                    .subject =
                        "Conferma: sportello sociale di Capannori, lunedì 9 marzo alle 10:30 "
                        "(diritti di segreteria 2,50 €) — è già tutto pronto",
                    .body =
                        "Gentile Signora Rossi,\n"
                        "\n"
                        "la Sua prenotazione è confermata per lunedì 9 marzo alle 10:30, presso "
                        "l'ufficio servizi sociali (Piazza Aldo Moro 1, Capannori).\n"
                        "Porti con sé un documento d'identità e l'attestazione ISEE più recente.\n"
                        "Diritti di segreteria: 2,50 € — pagabili allo sportello.\n"
                        "\n"
                        "Cordiali saluti,\nComune di Capannori\n",
                    .message_id = "m-4f2a9c71"};

  const SendResult result = sender->Send(email);

  EXPECT_EQ(result.outcome, SendOutcome::kAccepted) << result.reason;
  const std::vector<Stored> stored = StoredMessages(mail_);
  ASSERT_THAT(stored, SizeIs(1));
  const nlohmann::json& record = stored[0].record;
  EXPECT_EQ(record["mail_from"], "noreply@comune.capannori.lu.it");
  EXPECT_THAT(record["rcpt_tos"].get<std::vector<std::string>>(),
              ElementsAre("maria.rossi@example.it"));
  EXPECT_FALSE(record["tls"].get<bool>());

  const Decoded message = Parse(stored[0].raw);
  EXPECT_EQ(DecodeEncodedWords(message.headers.at("subject")), email.subject);
  EXPECT_EQ(message.headers.at("content-transfer-encoding"), "quoted-printable");
  EXPECT_EQ(DecodeQuotedPrintable(message.body_lines), email.body);
  EXPECT_EQ(message.headers.at("date"), "Mon, 02 Mar 2026 08:15:30 +0000");
  EXPECT_EQ(message.headers.at("message-id"), "<m-4f2a9c71@comune.capannori.lu.it>");
  EXPECT_EQ(message.headers.at("from"), kFrom);
  EXPECT_EQ(message.headers.at("to"), "maria.rossi@example.it");
  EXPECT_EQ(message.headers.at("mime-version"), "1.0");
  EXPECT_EQ(message.headers.at("content-type"), "text/plain; charset=UTF-8");
  // The subject needed several encoded-words: folded, not one overlong line.
  EXPECT_GT(message.header_lines.size(), message.headers.size());
  for (const std::string& line : message.header_lines) {
    EXPECT_LE(line.size(), 78u) << line;
    // 7-bit headers: relays and clients without SMTPUTF8 would garble raw UTF-8.
    for (char c : line) EXPECT_TRUE(c == '\t' || (c >= 0x20 && c <= 0x7E)) << line;
  }

  // A mail client's decoder (Python's email package) reads the same.
  EXPECT_EQ(record["parsed"]["subject"], email.subject);
  EXPECT_EQ(Unix(record["parsed"]["body"].get<std::string>()), email.body);
  EXPECT_THAT(record["parsed"]["defects"], IsEmpty());
}

TEST_F(EmailSenderTest, RelayRefusalsAreTemporaryOrPermanentByTheirCode) {
  ASSERT_NO_FATAL_FAILURE(StartSink());
  auto sender = Sender(LocalOptions());
  ASSERT_NE(sender, nullptr);

  const SendResult busy = sender->Send(Message("temp-fail.maria@example.it"));
  EXPECT_EQ(busy.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(busy.reason, "SMTP_451");
  ExpectNoAddressIn(busy, "temp-fail.maria@example.it");

  const SendResult unknown = sender->Send(Message("perm-fail.mario@example.it"));
  EXPECT_EQ(unknown.outcome, SendOutcome::kPermanentFailure);
  EXPECT_EQ(unknown.reason, "SMTP_550");
  ExpectNoAddressIn(unknown, "perm-fail.mario@example.it");

  EXPECT_THAT(StoredMessages(mail_), IsEmpty());
}

TEST_F(EmailSenderTest, NobodyListeningIsATemporaryConnectFailure) {
  // A port bound but not listening: connections are refused, and no other test can take it.
  const int reserved = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(reserved, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(reserved, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(reserved, reinterpret_cast<sockaddr*>(&address), &length), 0);
  auto sender = Sender({.url = absl::StrCat("smtp://127.0.0.1:", ntohs(address.sin_port)),
                        .tls = SmtpOptions::Tls::kNone,
                        .from = kFrom,
                        .connect_timeout = absl::Seconds(2),
                        .timeout = absl::Seconds(5)});
  ASSERT_NE(sender, nullptr);

  const SendResult result = sender->Send(Message("maria.rossi@example.it"));

  close(reserved);
  EXPECT_EQ(result.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(result.reason, "CONNECT_FAILED");
}

TEST_F(EmailSenderTest, HeaderInjectionIsRefusedAndNothingIsSent) {
  ASSERT_NO_FATAL_FAILURE(StartSink());
  auto sender = Sender(LocalOptions());
  ASSERT_NE(sender, nullptr);
  const std::vector<std::string> bad_recipients = {
      "maria.rossi@example.it\r\nBcc: spia@example.org",
      "maria.rossi@example.it>\r\nRCPT TO:<spia@example.org",
      "maria.rossi@example.it\nBcc: spia@example.org",
      "maria.rossi@example.it, spia@example.org",
      "Maria Rossi <maria.rossi@example.it>",
      "maria.rossi@example.it>",
      "maria rossi@example.it",
      "maria.rossi",
      "",
  };
  for (const std::string& to : bad_recipients) {
    const SendResult result = sender->Send(Message(to));
    EXPECT_EQ(result.outcome, SendOutcome::kPermanentFailure) << to;
    EXPECT_EQ(result.reason, "INVALID_MESSAGE") << to;
  }
  Email bad_subject = Message("maria.rossi@example.it");
  bad_subject.subject = "Promemoria\r\nBcc: spia@example.org";
  EXPECT_EQ(sender->Send(bad_subject).reason, "INVALID_MESSAGE");
  bad_subject.subject = "Promemoria\nBcc: spia@example.org";
  EXPECT_EQ(sender->Send(bad_subject).reason, "INVALID_MESSAGE");
  Email bad_id = Message("maria.rossi@example.it");
  bad_id.message_id = "m-1>\r\nBcc: spia@example.org";
  EXPECT_EQ(sender->Send(bad_id).reason, "INVALID_MESSAGE");
  EXPECT_THAT(StoredMessages(mail_), IsEmpty());

  // The sink was there all along: a valid message is the only one it gets.
  EXPECT_EQ(sender->Send(Message("maria.rossi@example.it")).outcome, SendOutcome::kAccepted);
  const std::vector<Stored> stored = StoredMessages(mail_);
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_THAT(stored[0].record["rcpt_tos"].get<std::vector<std::string>>(),
              ElementsAre("maria.rossi@example.it"));
  EXPECT_FALSE(absl::StrContains(stored[0].raw, "spia"));
}

TEST_F(EmailSenderTest, RequiredTlsRefusesARelayWithoutStartTls) {
  ASSERT_NO_FATAL_FAILURE(StartSink());
  SmtpOptions options = LocalOptions();
  options.tls = SmtpOptions::Tls::kRequired;
  auto sender = Sender(options);
  ASSERT_NE(sender, nullptr);

  const SendResult result = sender->Send(Message("maria.rossi@example.it"));

  EXPECT_EQ(result.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(result.reason, "TLS_FAILED");
  EXPECT_THAT(StoredMessages(mail_), IsEmpty());
}

TEST_F(EmailSenderTest, StartTlsWithTheRelaysCaDelivers) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificate());
  ASSERT_NO_FATAL_FAILURE(StartSink({"--tls", cert_file().string(), key_file().string()}));
  SmtpOptions options = LocalOptions();
  options.tls = SmtpOptions::Tls::kRequired;
  options.ca_file = cert_file().string();
  auto sender = Sender(options);
  ASSERT_NE(sender, nullptr);
  Email email = Message("maria.rossi@example.it");
  email.subject = "Promemoria: però è già martedì";

  const SendResult result = sender->Send(email);

  EXPECT_EQ(result.outcome, SendOutcome::kAccepted) << result.reason;
  const std::vector<Stored> stored = StoredMessages(mail_);
  ASSERT_THAT(stored, SizeIs(1));
  EXPECT_TRUE(stored[0].record["tls"].get<bool>());  // the session really was encrypted
  EXPECT_EQ(DecodeEncodedWords(Parse(stored[0].raw).headers.at("subject")), email.subject);
}

TEST_F(EmailSenderTest, StartTlsWithAnUntrustedCertificateIsRefused) {
  ASSERT_NO_FATAL_FAILURE(MakeCertificate());
  ASSERT_NO_FATAL_FAILURE(StartSink({"--tls", cert_file().string(), key_file().string()}));
  SmtpOptions options = LocalOptions();
  options.tls = SmtpOptions::Tls::kRequired;  // the system's CAs, which never signed it
  auto sender = Sender(options);
  ASSERT_NE(sender, nullptr);

  const SendResult result = sender->Send(Message("maria.rossi@example.it"));

  EXPECT_EQ(result.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(result.reason, "TLS_FAILED");
  EXPECT_THAT(StoredMessages(mail_), IsEmpty());
}

TEST_F(EmailSenderTest, SlowRelayIsATemporaryTimeout) {
  ASSERT_NO_FATAL_FAILURE(StartSink({"--slow-seconds", "30"}));
  SmtpOptions options = LocalOptions();
  options.timeout = absl::Seconds(1);
  auto sender = Sender(options);
  ASSERT_NE(sender, nullptr);

  const clock::Stopwatch watch;
  const SendResult result = sender->Send(Message("slow.maria@example.it"));

  // The caller (a worker holding a claimed message) is back about when `timeout` says, not when
  // the relay finally answers; the margin is wide for a loaded CI machine.
  EXPECT_LT(watch.Elapsed(), absl::Seconds(15));
  EXPECT_EQ(result.outcome, SendOutcome::kTemporaryFailure);
  EXPECT_EQ(result.reason, "TIMEOUT");
  ExpectNoAddressIn(result, "slow.maria@example.it");
}

TEST_F(EmailSenderTest, LongBodyWithLongLinesArrivesIntact) {
  ASSERT_NO_FATAL_FAILURE(StartSink());
  auto sender = Sender(LocalOptions());
  ASSERT_NE(sender, nullptr);
  std::string body;
  for (int i = 0; i < 12; ++i) {
    // Long lines with accents where soft breaks fall, "=" to escape, spaces at a line's end.
    absl::StrAppend(&body, "Riga ", i, ": ", std::string(i * 7, 'x'), " ");
    for (int k = 0; k < 20; ++k) absl::StrAppend(&body, "perché è così = più € ");
    absl::StrAppend(&body, "\n");
  }
  absl::StrAppend(&body, ".\n");                          // a lone dot would end DATA
  absl::StrAppend(&body, ".inizia con un punto\n");       // dot-stuffed by libcurl
  absl::StrAppend(&body, "spazi e tab alla fine \t \n");  // trailing whitespace kept
  absl::StrAppend(&body, "\tindentata\n\n\n");            // blank lines kept
  absl::StrAppend(&body, "a=b==c=3D=\n");                 // looks like QP already
  absl::StrAppend(&body, std::string(76, 'y'), "\n");     // exactly the QP limit
  absl::StrAppend(&body, std::string(75, 'z'), "=\n");    // an escape at the limit
  absl::StrAppend(&body, std::string(300, 'w'), "\n");    // no space to break at
  absl::StrAppend(&body, "ultima riga senza a capo, ò");  // no final newline
  ASSERT_GT(body.size(), 4000u);
  Email email = Message("maria.rossi@example.it");
  email.body = body;
  // A plain ASCII subject longer than a line: folded at spaces, not encoded.
  email.subject =
      "Promemoria per il Suo appuntamento allo sportello sociale del Comune di Capannori "
      "presso la sede di Piazza Aldo Moro numero 1";

  const SendResult result = sender->Send(email);

  EXPECT_EQ(result.outcome, SendOutcome::kAccepted) << result.reason;
  const std::vector<Stored> stored = StoredMessages(mail_);
  ASSERT_THAT(stored, SizeIs(1));
  const Decoded message = Parse(stored[0].raw);
  EXPECT_EQ(DecodeQuotedPrintable(message.body_lines), body);
  for (const std::string& line : message.body_lines) {
    EXPECT_LE(line.size(), 76u) << line;
    EXPECT_TRUE(line.empty() || (line.back() != ' ' && line.back() != '\t')) << line;
    for (char c : line) EXPECT_TRUE(c == '\t' || (c >= 0x20 && c <= 0x7E)) << line;  // 7-bit
  }
  EXPECT_EQ(message.headers.at("subject"), email.subject);  // plain, once unfolded
  for (const std::string& line : message.header_lines) EXPECT_LE(line.size(), 78u) << line;
  EXPECT_EQ(stored[0].record["parsed"]["subject"], email.subject);
  EXPECT_EQ(Unix(stored[0].record["parsed"]["body"].get<std::string>()), body);
  EXPECT_THAT(stored[0].record["parsed"]["defects"], IsEmpty());
}

TEST_F(EmailSenderTest, ConfigurationThatCouldNeverWorkStopsTheService) {
  const SmtpOptions good{.url = "smtp://relay.example.it:587", .from = kFrom};
  EXPECT_OK(SmtpEmailSender::Create(good, &clock_));

  SmtpOptions http = good;
  http.url = "http://relay.example.it";
  SmtpOptions no_address = good;
  no_address.from = "Comune di Capannori";
  SmtpOptions two_addresses = good;
  two_addresses.from = "noreply@example.it, altro@example.it";
  SmtpOptions clear_password = good;
  clear_password.tls = SmtpOptions::Tls::kNone;
  clear_password.username = "sportelli";
  clear_password.password = "segreto";
  SmtpOptions missing_ca = good;
  missing_ca.ca_file = (dir_ / "absent.pem").string();
  for (const SmtpOptions& options : {http, no_address, two_addresses, clear_password, missing_ca}) {
    EXPECT_EQ(SmtpEmailSender::Create(options, &clock_).status().code(),
              absl::StatusCode::kInvalidArgument)
        << options.url << " " << options.from;
  }
}

}  // namespace
}  // namespace sportelli::notifications
