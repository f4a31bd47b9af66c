// Notes and attachments over gRPC: sealed at rest, a note corrected only by a new version of its
// author, nothing added to a closed case, the case's visibility (and break-glass) applying to
// them, bad input refused without a trace, attachments above the configured size refused.
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "prometheus/text_serializer.h"
#include "services/intake/tests/case_fixture.h"
#include "sportelli/crypto/hashes.h"
#include "sportelli/crypto/random.h"
#include "sportelli/testing/status_matchers.h"

namespace sportelli::intake::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

constexpr char kListening[] = "Racconta di aver perso il lavoro a marzo; due figli a scuola.";

class CaseRecordsTest : public CaseTest {
 protected:
  v1::CreateNoteRequest NewNote(const std::string& parent, const std::string& text,
                                v1::NoteKind kind = v1::NOTE_KIND_LISTENING) {
    v1::CreateNoteRequest request;
    request.set_parent(parent);
    request.mutable_note()->set_kind(kind);
    request.mutable_note()->set_text(text);
    request.set_request_id(crypto::RandomUuid());
    return request;
  }

  grpc::Status Note(const std::string& token, const std::string& parent, const std::string& text,
                    v1::Note* out) {
    return Call(&Stub::CreateNote, token, NewNote(parent, text), out);
  }

  grpc::Status Correct(const std::string& token, const std::string& name, const std::string& text,
                       int version, v1::Note* out) {
    v1::UpdateNoteRequest request;
    request.mutable_note()->set_name(name);
    request.mutable_note()->set_text(text);
    request.mutable_note()->set_version(version);
    request.mutable_update_mask()->add_paths("text");
    return Call(&Stub::UpdateNote, token, request, out);
  }

  std::vector<std::string> Texts(const std::string& token, const std::string& parent,
                                 int page_size = 0) {
    std::vector<std::string> texts;
    v1::ListNotesRequest request;
    request.set_parent(parent);
    request.set_page_size(page_size);
    do {
      v1::ListNotesResponse response;
      const grpc::Status status = Call(&Stub::ListNotes, token, request, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::Note& n : response.notes()) texts.push_back(n.text());
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty());
    return texts;
  }

  v1::CreateAttachmentRequest NewAttachment(const std::string& parent, std::string content) {
    v1::CreateAttachmentRequest request;
    request.set_parent(parent);
    request.mutable_attachment()->set_filename("ISEE_2026_Rossi_Maria.pdf");
    request.mutable_attachment()->set_media_type("application/pdf");
    request.mutable_attachment()->set_content(std::move(content));
    request.set_request_id(crypto::RandomUuid());
    return request;
  }
};

TEST_F(CaseRecordsTest, ANoteIsSealedAndCorrectedByANewVersionNeverOverwritten) {
  const v1::Case opened = Open();
  v1::CreateNoteRequest request = NewNote(opened.name(), kListening);
  v1::Note note;
  ASSERT_TRUE(Call(&Stub::CreateNote, Operator(), request, &note).ok());
  EXPECT_EQ(note.text(), kListening);
  EXPECT_EQ(note.kind(), v1::NOTE_KIND_LISTENING);
  EXPECT_EQ(note.author(), "operatrice-1");
  EXPECT_EQ(note.version(), 1);
  // A retry reads the note back: same reply, no second note.
  v1::Note retried;
  ASSERT_TRUE(Call(&Stub::CreateNote, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.SerializeAsString(), note.SerializeAsString());

  clock_.Advance(absl::Minutes(5));
  v1::Note corrected;
  ASSERT_TRUE(
      Correct(Operator(), note.name(), "Ha perso il lavoro ad aprile.", 1, &corrected).ok());
  EXPECT_EQ(corrected.version(), 2);
  EXPECT_EQ(corrected.kind(), v1::NOTE_KIND_LISTENING);  // not in the mask: kept
  EXPECT_EQ(corrected.create_time().seconds(), note.create_time().seconds());
  EXPECT_GT(corrected.update_time().seconds(), note.update_time().seconds());

  v1::GetNoteRequest get;
  get.set_name(note.name());
  get.set_version(1);
  v1::Note first;
  ASSERT_TRUE(Call(&Stub::GetNote, Operator(), get, &first).ok());
  EXPECT_EQ(first.text(), kListening);
  EXPECT_EQ(first.latest_version(), 2);
  get.set_version(3);
  EXPECT_EQ(Decode(Call(&Stub::GetNote, Operator(), get, &first)).code,
            grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(Texts(Operator(), opened.name()), ElementsAre("Ha perso il lavoro ad aprile."));

  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.note_versions"), "2");
  EXPECT_FALSE(InClear("note_versions", "lavoro"));
  for (const char* sql :
       {"UPDATE intake.note_versions SET kind = 'INTERVIEW'", "DELETE FROM intake.note_versions"}) {
    const absl::Status status = pool_->RunInTenantTransaction(tenant_, [&](pqxx::work& tx) {
      tx.exec(sql);
      return absl::OkStatus();
    });
    EXPECT_FALSE(status.ok()) << sql;
  }
}

TEST_F(CaseRecordsTest, OnlyTheAuthorCorrectsANoteAndOnlyItsLatestVersion) {
  const v1::Case opened = Open();
  v1::Note note;
  ASSERT_TRUE(Note(Operator(), opened.name(), kListening, &note).ok());
  v1::Note out;
  const Failure colleague = Decode(Correct(As("operatore-2"), note.name(), "altro", 0, &out));
  EXPECT_EQ(colleague.code, grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(colleague.reason, "NOTE_NOT_AUTHOR");
  ASSERT_TRUE(Correct(Operator(), note.name(), "seconda", 1, &out).ok());
  const Failure stale = Decode(Correct(Operator(), note.name(), "terza", 1, &out));
  EXPECT_EQ(stale.code, grpc::StatusCode::ABORTED);
  EXPECT_EQ(stale.reason, "NOTE_VERSION_CHANGED");
  EXPECT_THAT(Texts(Operator(), opened.name()), ElementsAre("seconda"));
  // Only text and kind can be corrected.
  v1::UpdateNoteRequest request;
  request.mutable_note()->set_name(note.name());
  request.mutable_update_mask()->add_paths("author");
  EXPECT_EQ(Decode(Call(&Stub::UpdateNote, Operator(), request, &out)).code,
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.note_versions"), "2");
}

TEST_F(CaseRecordsTest, AClosedCaseTakesNothingUntilReopened) {
  const v1::Case opened = Open();
  v1::Note note;
  ASSERT_TRUE(Note(Operator(), opened.name(), kListening, &note).ok());
  ASSERT_TRUE(
      Move(Operator(), opened.name(), v1::CASE_STATE_CLOSED, v1::CLOSE_REASON_MOVED_AWAY).ok());
  v1::Note out;
  const Failure closed = Decode(Note(Operator(), opened.name(), "dopo", &out));
  EXPECT_EQ(closed.code, grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(closed.reason, "CASE_CLOSED");
  EXPECT_EQ(Decode(Correct(Operator(), note.name(), "dopo", 0, &out)).reason, "CASE_CLOSED");
  v1::Attachment attachment;
  EXPECT_EQ(Decode(Call(&Stub::CreateAttachment, Operator(),
                        NewAttachment(opened.name(), "%PDF-1.7"), &attachment))
                .reason,
            "CASE_CLOSED");
  // Still readable, and writable again once reopened.
  EXPECT_THAT(Texts(Operator(), opened.name()), ElementsAre(kListening));
  ASSERT_TRUE(Move(Operator(), opened.name(), v1::CASE_STATE_REOPENED).ok());
  EXPECT_TRUE(Note(Operator(), opened.name(), "dopo", &out).ok());
}

TEST_F(CaseRecordsTest, BadNotesAreRefusedWithEveryProblemAndLeaveNoTrace) {
  const v1::Case opened = Open();
  v1::Note out;
  v1::CreateNoteRequest request;
  const Failure empty = Decode(Call(&Stub::CreateNote, Operator(), request, &out));
  EXPECT_EQ(empty.code, grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(Fields(empty), UnorderedElementsAre("parent", "note", "note.kind", "note.text"));
  request = NewNote(opened.name(), std::string("testo\x01", 6));
  request.mutable_note()->set_kind(static_cast<v1::NoteKind>(42));
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateNote, Operator(), request, &out))),
              UnorderedElementsAre("note.kind", "note.text"));
  request = NewNote(opened.name(), std::string(kMaxNoteLength + 1, 'a'));
  EXPECT_THAT(Fields(Decode(Call(&Stub::CreateNote, Operator(), request, &out))),
              ElementsAre("note.text"));
  request = NewNote(absl::StrCat("tenants/", tenant_, "/cases/k-nessuno"), kListening);
  EXPECT_EQ(Decode(Call(&Stub::CreateNote, Operator(), request, &out)).code,
            grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.notes"), "0");
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.note_versions"), "0");
}

TEST_F(CaseRecordsTest, NotesFollowTheCasesVisibilityAndBreakGlassIsRecorded) {
  const v1::Case opened = Open();
  v1::Note note;
  ASSERT_TRUE(Note(Operator(), opened.name(), kListening, &note).ok());
  v1::Note out;
  EXPECT_EQ(Decode(Note(As("operatore-3"), opened.name(), "altrove", &out)).reason,
            "CASE_NOT_VISIBLE");
  v1::ListNotesRequest list;
  list.set_parent(opened.name());
  v1::ListNotesResponse listed;
  EXPECT_EQ(Decode(Call(&Stub::ListNotes, As("operatore-3"), list, &listed)).reason,
            "CASE_NOT_VISIBLE");
  list.set_access_reason(v1::ACCESS_REASON_COVERING_COLLEAGUE);
  v1::Note second;
  ASSERT_TRUE(Note(Operator(), opened.name(), kListening, &second).ok());
  ASSERT_TRUE(Call(&Stub::ListNotes, As("operatore-3"), list, &listed).ok());
  ASSERT_EQ(listed.notes_size(), 2);
  EXPECT_EQ(listed.notes(0).text(), kListening);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = "
                       "'case.break_glass' AND subject = 'operatore-3'"),
            "1");
  // One request opening two notes is one break-glass.
  const std::string metrics = prometheus::TextSerializer().Serialize(registry_->Collect());
  EXPECT_NE(
      metrics.find(absl::StrCat("sportelli_intake_break_glass_total{tenant=\"", tenant_, "\"} 1")),
      std::string::npos)
      << metrics;
  // Another comune's staff, and this comune's admin, dpo and portal, never get in.
  for (const std::string& token :
       {Token(other_tenant_, {"operator"}), Token(other_tenant_, {"coordinator"}),
        Token(tenant_, {"tenant_admin"}), Token(tenant_, {"dpo"}), Token(tenant_, {"portal"})}) {
    EXPECT_EQ(Decode(Call(&Stub::ListNotes, token, list, &listed)).code,
              grpc::StatusCode::PERMISSION_DENIED);
    v1::GetNoteRequest get;
    get.set_name(note.name());
    EXPECT_EQ(Decode(Call(&Stub::GetNote, token, get, &out)).code,
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_EQ(Decode(Note(token, opened.name(), "intruso", &out)).code,
              grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.notes"), "2");
  // Every access is in the trail: the two writings as note accesses, the colleague's reading as
  // break-glass; the refused ones left nothing.
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.audit_events WHERE data_class = 'case.note'"),
            "2");
}

TEST_F(CaseRecordsTest, NotesAreListedNewestFirstPageByPage) {
  const v1::Case opened = Open();
  for (int i = 1; i <= 5; ++i) {
    clock_.Advance(absl::Minutes(1));
    v1::Note out;
    ASSERT_TRUE(Note(Operator(), opened.name(), absl::StrCat("nota ", i), &out).ok());
  }
  EXPECT_THAT(Texts(Operator(), opened.name(), 2),
              ElementsAre("nota 5", "nota 4", "nota 3", "nota 2", "nota 1"));
}

TEST_F(CaseRecordsTest, AnAttachmentKeepsItsBytesSealedAndComesBackWhole) {
  const v1::Case opened = Open();
  std::string pdf = "%PDF-1.7\n";
  for (int i = 0; i < 4096; ++i) pdf.push_back(static_cast<char>(i % 256));
  v1::CreateAttachmentRequest request = NewAttachment(opened.name(), pdf);
  v1::Attachment created;
  ASSERT_TRUE(Call(&Stub::CreateAttachment, Operator(), request, &created).ok());
  EXPECT_EQ(created.filename(), "ISEE_2026_Rossi_Maria.pdf");
  EXPECT_EQ(created.size_bytes(), static_cast<int64_t>(pdf.size()));
  EXPECT_EQ(created.sha256(), crypto::Sha256Hex(pdf));
  EXPECT_EQ(created.uploader(), "operatrice-1");
  EXPECT_TRUE(created.content().empty());
  v1::Attachment retried;
  ASSERT_TRUE(Call(&Stub::CreateAttachment, Operator(), request, &retried).ok());
  EXPECT_EQ(retried.name(), created.name());

  v1::GetAttachmentRequest get;
  get.set_name(created.name());
  v1::Attachment basic;
  ASSERT_TRUE(Call(&Stub::GetAttachment, Operator(), get, &basic).ok());
  EXPECT_TRUE(basic.content().empty());
  get.set_view(v1::ATTACHMENT_VIEW_FULL);
  v1::Attachment full;
  ASSERT_TRUE(Call(&Stub::GetAttachment, Operator(), get, &full).ok());
  EXPECT_EQ(full.content(), pdf);
  v1::ListAttachmentsRequest list;
  list.set_parent(opened.name());
  v1::ListAttachmentsResponse listed;
  ASSERT_TRUE(Call(&Stub::ListAttachments, Operator(), list, &listed).ok());
  ASSERT_EQ(listed.attachments_size(), 1);
  EXPECT_TRUE(listed.attachments(0).content().empty());

  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.attachments"), "1");
  EXPECT_FALSE(InClear("attachments", "Rossi"));
  EXPECT_FALSE(InClear("attachments", "%PDF"));
  EXPECT_FALSE(InClear("request_ids", "Rossi"));
}

TEST_F(CaseRecordsTest, AnAttachmentAboveTheLimitOrBadlyDescribedIsRefused) {
  const v1::Case opened = Open();
  v1::Attachment out;
  const Failure large = Decode(
      Call(&Stub::CreateAttachment, Operator(),
           NewAttachment(opened.name(), std::string(kTestMaxAttachmentBytes + 1, 'x')), &out));
  EXPECT_EQ(large.code, grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(large.reason, "ATTACHMENT_TOO_LARGE");
  EXPECT_TRUE(Call(&Stub::CreateAttachment, Operator(),
                   NewAttachment(opened.name(), std::string(kTestMaxAttachmentBytes, 'x')), &out)
                  .ok());
  v1::CreateAttachmentRequest bad = NewAttachment(opened.name(), "");
  bad.mutable_attachment()->set_filename("../../etc/passwd");
  bad.mutable_attachment()->set_media_type("PDF");
  EXPECT_THAT(
      Fields(Decode(Call(&Stub::CreateAttachment, Operator(), bad, &out))),
      UnorderedElementsAre("attachment.filename", "attachment.media_type", "attachment.content"));
  EXPECT_EQ(Decode(Call(&Stub::CreateAttachment, As("operatore-3"),
                        NewAttachment(opened.name(), "x"), &out))
                .reason,
            "CASE_NOT_VISIBLE");
  EXPECT_EQ(Decode(Call(&Stub::CreateAttachment, Token(other_tenant_, {"operator"}),
                        NewAttachment(opened.name(), "x"), &out))
                .code,
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(AdminQuery("SELECT count(*) FROM intake.attachments"), "1");
}

}  // namespace
}  // namespace sportelli::intake::testing
