#include "services/intake/domain/case_records.h"

#include <string>

#include "gtest/gtest.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {
namespace {

std::string ReasonOf(const absl::Status& status) { return status::ReasonOf(status).value_or(""); }

TEST(NoteTextTest, NeedsTextWithinTheLimitWithoutControlCharacters) {
  EXPECT_TRUE(ValidateNoteText("note.text", "Colloquio.\nRiferisce un affitto arretrato.\t(3 mesi)")
                  .empty());
  EXPECT_FALSE(ValidateNoteText("note.text", "").empty());
  EXPECT_FALSE(ValidateNoteText("note.text", " \n\t ").empty());
  EXPECT_FALSE(ValidateNoteText("note.text", std::string("a\x07", 2)).empty());
  EXPECT_FALSE(ValidateNoteText("note.text", "\xff\xfe").empty());
  // The limit counts characters, not bytes: 20,000 accented letters pass.
  std::string accented;
  for (int i = 0; i < kMaxNoteLength; ++i) accented += "\xc3\xa0";  // à
  EXPECT_TRUE(ValidateNoteText("note.text", accented).empty());
  EXPECT_FALSE(ValidateNoteText("note.text", accented + "a").empty());
}

TEST(CaseRecordsTest, OnlyAClosedCaseRefusesRecords) {
  for (CaseState state :
       {CaseState::kOpen, CaseState::kAssessment, CaseState::kActive, CaseState::kReopened}) {
    EXPECT_TRUE(CheckCaseTakesRecords(state).ok());
  }
  const absl::Status closed = CheckCaseTakesRecords(CaseState::kClosed);
  EXPECT_EQ(closed.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReasonOf(closed), "CASE_CLOSED");
}

TEST(NoteCorrectionTest, TheAuthorCorrectsTheLatestVersion) {
  Note latest;
  latest.author = "operatrice-1";
  latest.latest_version = 3;
  EXPECT_TRUE(CheckNoteCorrection(latest, "operatrice-1", 0).ok());
  EXPECT_TRUE(CheckNoteCorrection(latest, "operatrice-1", 3).ok());
  const absl::Status stale = CheckNoteCorrection(latest, "operatrice-1", 2);
  EXPECT_EQ(stale.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(ReasonOf(stale), "NOTE_VERSION_CHANGED");
  const absl::Status other = CheckNoteCorrection(latest, "operatore-2", 3);
  EXPECT_EQ(other.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(other), "NOTE_NOT_AUTHOR");
}

TEST(AttachmentTest, FileNamesAndMediaTypesAreChecked) {
  Attachment ok;
  ok.filename = "Carta d'identità.jpg";
  ok.media_type = "image/jpeg";
  ok.content = "\xff\xd8\xff";
  EXPECT_TRUE(ValidateNewAttachment(ok).empty());
  for (const std::string name : {"", "a/b.pdf", "..\\b.pdf", "..", "a\nb"}) {
    Attachment bad = ok;
    bad.filename = name;
    EXPECT_FALSE(ValidateNewAttachment(bad).empty()) << name;
  }
  for (const char* type :
       {"", "pdf", "Application/PDF", "text/plain; charset=utf-8", "/pdf", "application/"}) {
    Attachment bad = ok;
    bad.media_type = type;
    EXPECT_FALSE(ValidateNewAttachment(bad).empty()) << type;
  }
  Attachment empty = ok;
  empty.content.clear();
  EXPECT_FALSE(ValidateNewAttachment(empty).empty());
}

TEST(AttachmentTest, TheSizeLimitIsInclusive) {
  EXPECT_TRUE(CheckAttachmentSize(5 * 1024 * 1024, kDefaultMaxAttachmentBytes).ok());
  const absl::Status large = CheckAttachmentSize(5 * 1024 * 1024 + 1, kDefaultMaxAttachmentBytes);
  EXPECT_EQ(large.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ReasonOf(large), "ATTACHMENT_TOO_LARGE");
}

}  // namespace
}  // namespace sportelli::intake
