// PostgresIntakeRepository: the notes and attachments of a case. Each access first passes the
// case's visibility (ReadStoredCase, which records it in the audit trail), then reads or writes
// in the same transaction; texts, file names and bodies are sealed under the case's person's key.
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "services/intake/postgres_intake_repository.h"
#include "services/intake/postgres_rows.h"
#include "sportelli/api/names.h"
#include "sportelli/pg/idempotency.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {
namespace {

using pg::ExecPrepared;
using pg::Micros;
using pg::TimeAt;
using pg::Timestamp;

constexpr char kNoteData[] = "case.note";
constexpr char kAttachmentData[] = "case.attachment";

std::string NoteResource(const std::string& tenant, const std::string& case_id,
                         const std::string& note_id) {
  return api::NoteName{tenant, case_id, note_id}.ToString();
}
std::string AttachmentResource(const std::string& tenant, const std::string& case_id,
                               const std::string& attachment_id) {
  return api::AttachmentName{tenant, case_id, attachment_id}.ToString();
}

crypto::Binding NoteBinding(const std::string& tenant, const std::string& note_id, int version) {
  return {tenant, "note_versions", "text", absl::StrCat(note_id, "/", version)};
}
crypto::Binding AttachmentBinding(const std::string& tenant, const std::string& attachment_id,
                                  const char* column) {
  return {tenant, "attachments", column, attachment_id};
}

// ---- notes ------------------------------------------------------------------------------------

enum NoteColumn {
  kNoteId,
  kNoteAuthor,
  kNoteLatest,
  kNoteCreateTime,
  kNoteVersion,
  kNoteKind,
  kNoteText,
  kNoteVersionTime,
};

// SELECT NoteColumns() kNoteFrom `version` WHERE n.…: a note with one of its versions.
std::string NoteColumns() {
  return absl::StrCat("n.note_id, n.author, n.latest_version, ", Micros("n.create_time"),
                      ", v.version, v.kind, encode(v.text_sealed, 'hex'), ",
                      Micros("v.version_time"));
}
std::string NoteFrom(const std::string& version) {
  return absl::StrCat(
      " FROM intake.notes n JOIN intake.note_versions v ON v.tenant_id = n.tenant_id AND "
      "v.case_id = n.case_id AND v.note_id = n.note_id AND v.version = ",
      version, " ");
}

absl::StatusOr<Note> NoteAt(const std::string& tenant, const std::string& case_id,
                            const pqxx::row& row, const std::optional<crypto::AeadKey>& key) {
  Note note;
  note.tenant_id = tenant;
  note.case_id = case_id;
  note.id = row[kNoteId].as<std::string>();
  note.author = row[kNoteAuthor].as<std::string>();
  note.latest_version = row[kNoteLatest].as<int>();
  note.create_time = TimeAt(row[kNoteCreateTime]);
  note.version = row[kNoteVersion].as<int>();
  std::optional<NoteKind> kind = ParseNoteKind(row[kNoteKind].as<std::string>());
  if (!kind) return status::Internal("stored note kind is not known");
  note.kind = *kind;
  note.update_time = TimeAt(row[kNoteVersionTime]);
  ASSIGN_OR_RETURN(
      std::optional<std::string> text,
      OpenWithPersonKey(key, Bytes(row[kNoteText]), NoteBinding(tenant, note.id, note.version)));
  if (text) {
    note.text = std::move(*text);
  } else {
    note.erased = true;
  }
  return note;
}

void InsertNoteVersion(pqxx::work& tx, const Note& note, const crypto::AeadKey& key) {
  ExecPrepared(tx,
               "INSERT INTO intake.note_versions (tenant_id, case_id, note_id, version, kind, "
               "text_sealed, version_time) VALUES ($1, $2, $3, $4, $5, decode($6, 'hex'), "
               "$7::timestamptz)",
               note.tenant_id, note.case_id, note.id, note.version, NoteKindName(note.kind),
               Hex(key.Seal(note.text, NoteBinding(note.tenant_id, note.id, note.version))),
               Timestamp(note.update_time));
}

// ---- attachments ------------------------------------------------------------------------------

enum AttachmentColumn {
  kAttachmentId,
  kAttachmentMediaType,
  kAttachmentSize,
  kAttachmentUploader,
  kAttachmentCreateTime,
  kAttachmentMetadata,
  kAttachmentContent,  // NULL unless asked for
};

std::string AttachmentColumns(bool with_content) {
  return absl::StrCat("a.attachment_id, a.media_type, a.size_bytes, a.uploader, ",
                      Micros("a.create_time"), ", encode(a.metadata_sealed, 'hex'), ",
                      with_content ? "encode(a.content_sealed, 'hex')" : "NULL::text");
}

std::string AttachmentMetadata(const Attachment& a) {
  return nlohmann::json{{"filename", a.filename}, {"sha256", a.sha256_hex}}.dump();
}

absl::StatusOr<Attachment> AttachmentAt(const std::string& tenant, const std::string& case_id,
                                        const pqxx::row& row,
                                        const std::optional<crypto::AeadKey>& key) {
  Attachment a;
  a.tenant_id = tenant;
  a.case_id = case_id;
  a.id = row[kAttachmentId].as<std::string>();
  a.media_type = row[kAttachmentMediaType].as<std::string>();
  a.size_bytes = row[kAttachmentSize].as<int64_t>();
  a.uploader = row[kAttachmentUploader].as<std::string>();
  a.create_time = TimeAt(row[kAttachmentCreateTime]);
  ASSIGN_OR_RETURN(std::optional<std::string> metadata,
                   OpenWithPersonKey(key, Bytes(row[kAttachmentMetadata]),
                                     AttachmentBinding(tenant, a.id, "metadata")));
  if (!metadata) {
    a.erased = true;
    return a;
  }
  try {
    const nlohmann::json j = nlohmann::json::parse(*metadata);
    a.filename = j.at("filename").get<std::string>();
    a.sha256_hex = j.at("sha256").get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return absl::DataLossError("an attachment's stored metadata does not parse");
  }
  if (!row[kAttachmentContent].is_null()) {
    ASSIGN_OR_RETURN(std::optional<std::string> content,
                     OpenWithPersonKey(key, Bytes(row[kAttachmentContent]),
                                       AttachmentBinding(tenant, a.id, "content")));
    if (!content) return absl::DataLossError("an attachment's content does not open");
    a.content = std::move(*content);
  }
  return a;
}

// The first page, or the rows after the page key (create time in microseconds, id).
struct NewestFirst {
  bool first;
  std::string micros;
  std::string id;
  explicit NewestFirst(const api::PageRequest& page)
      : first(page.after.empty()),
        micros(first ? "0" : page.after[0]),
        id(first ? "" : page.after[1]) {}
};

}  // namespace

// ---- notes ------------------------------------------------------------------------------------

absl::StatusOr<pg::Created<Note>> PostgresIntakeRepository::CreateNote(
    const NewNote& request, const pg::RequestKey& key, const pg::ResponseEncoder<Note>& encode) {
  const Note& note = request.note;
  const std::string& tenant = note.tenant_id;
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Note>> {
        return pg::RunIdempotent<Note>(
            tx, kSchema, tenant, key, encode, [&]() -> absl::StatusOr<Note> {
              ASSIGN_OR_RETURN(auto written,
                               CaseTakingRecords(tx, tenant, note.case_id, request.access,
                                                 audit::Action::kCreate, kNoteData,
                                                 NoteResource(tenant, note.case_id, note.id)));
              const crypto::AeadKey& person_key = written.second;
              ExecPrepared(tx,
                           "INSERT INTO intake.notes (tenant_id, case_id, note_id, author, "
                           "latest_version, create_time, update_time) VALUES ($1, $2, $3, $4, 1, "
                           "$5::timestamptz, $5::timestamptz)",
                           tenant, note.case_id, note.id, note.author, Timestamp(note.create_time));
              InsertNoteVersion(tx, note, person_key);
              return note;
            });
      });
}

absl::StatusOr<Note> PostgresIntakeRepository::GetNote(const std::string& tenant,
                                                       const std::string& case_id,
                                                       const std::string& note_id, int version,
                                                       const CaseAccess& access) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Note> {
    ASSIGN_OR_RETURN(
        StoredCase stored,
        ReadStoredCase(tx, tenant, case_id, access, audit::Action::kRead,
                       /*for_update=*/false, kNoteData, NoteResource(tenant, case_id, note_id)));
    const pqxx::result rows =
        ExecPrepared(tx,
                     absl::StrCat("SELECT ", NoteColumns(),
                                  NoteFrom("(CASE WHEN $4 = 0 THEN n.latest_version ELSE $4 END)"),
                                  "WHERE n.tenant_id = $1 AND n.case_id = $2 AND n.note_id = $3"),
                     tenant, case_id, note_id, version);
    if (rows.empty()) return status::NotFound(version == 0 ? "note" : "note version");
    ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> person_key,
                     keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
    return NoteAt(tenant, case_id, rows[0], person_key);
  });
}

absl::StatusOr<api::Page<Note>> PostgresIntakeRepository::ListNotes(const std::string& tenant,
                                                                    const std::string& case_id,
                                                                    const CaseAccess& access,
                                                                    const api::PageRequest& page) {
  const NewestFirst after(page);
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Note>> {
        ASSIGN_OR_RETURN(StoredCase stored,
                         ReadStoredCase(tx, tenant, case_id, access, audit::Action::kList,
                                        /*for_update=*/false, kNoteData,
                                        absl::StrCat(CaseResource(tenant, case_id), "/notes")));
        const pqxx::result rows =
            ExecPrepared(tx,
                         absl::StrCat("SELECT ", NoteColumns(), NoteFrom("n.latest_version"),
                                      "WHERE n.tenant_id = $1 AND n.case_id = $2 AND ($3 OR (",
                                      Micros("n.create_time"),
                                      ", n.note_id) < ($4::int8, $5)) ORDER BY n.create_time DESC, "
                                      "n.note_id DESC LIMIT $6"),
                         tenant, case_id, after.first, after.micros, after.id, page.limit + 1);
        ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> person_key,
                         keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
        std::vector<Note> notes;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(Note note, NoteAt(tenant, case_id, row, person_key));
          notes.push_back(std::move(note));
        }
        return api::TakePage(std::move(notes), page.limit);
      });
}

absl::StatusOr<Note> PostgresIntakeRepository::CorrectNote(
    const std::string& tenant, const std::string& case_id, const std::string& note_id,
    std::optional<NoteKind> kind, std::optional<std::string> text, int expected_version,
    const CaseAccess& access, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Note> {
    ASSIGN_OR_RETURN(auto written,
                     CaseTakingRecords(tx, tenant, case_id, access, audit::Action::kUpdate,
                                       kNoteData, NoteResource(tenant, case_id, note_id)));
    const crypto::AeadKey& person_key = written.second;
    const pqxx::result rows = ExecPrepared(
        tx,
        absl::StrCat("SELECT ", NoteColumns(), NoteFrom("n.latest_version"),
                     "WHERE n.tenant_id = $1 AND n.case_id = $2 AND n.note_id = $3 FOR UPDATE OF "
                     "n"),
        tenant, case_id, note_id);
    if (rows.empty()) return status::NotFound("note");
    ASSIGN_OR_RETURN(Note note, NoteAt(tenant, case_id, rows[0], person_key));
    RETURN_IF_ERROR(CheckNoteCorrection(note, access.who.subject, expected_version));
    if (kind) note.kind = *kind;
    if (text) note.text = std::move(*text);
    note.version = note.latest_version + 1;
    note.latest_version = note.version;
    note.update_time = now;
    note.erased = false;
    InsertNoteVersion(tx, note, person_key);
    ExecPrepared(tx,
                 "UPDATE intake.notes SET latest_version = $4, update_time = $5::timestamptz "
                 "WHERE tenant_id = $1 AND case_id = $2 AND note_id = $3",
                 tenant, case_id, note_id, note.version, Timestamp(now));
    return note;
  });
}

// ---- attachments ------------------------------------------------------------------------------

absl::StatusOr<pg::Created<Attachment>> PostgresIntakeRepository::CreateAttachment(
    const NewAttachment& request, const pg::RequestKey& key,
    const pg::ResponseEncoder<Attachment>& encode) {
  const Attachment& a = request.attachment;
  const std::string& tenant = a.tenant_id;
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<pg::Created<Attachment>> {
        return pg::RunIdempotent<Attachment>(
            tx, kSchema, tenant, key, encode, [&]() -> absl::StatusOr<Attachment> {
              ASSIGN_OR_RETURN(
                  auto written,
                  CaseTakingRecords(tx, tenant, a.case_id, request.access, audit::Action::kCreate,
                                    kAttachmentData, AttachmentResource(tenant, a.case_id, a.id)));
              const crypto::AeadKey& person_key = written.second;
              ExecPrepared(
                  tx,
                  "INSERT INTO intake.attachments (tenant_id, case_id, attachment_id, media_type, "
                  "size_bytes, uploader, create_time, metadata_sealed, content_sealed) VALUES "
                  "($1, $2, $3, $4, $5, $6, $7::timestamptz, decode($8, 'hex'), decode($9, "
                  "'hex'))",
                  tenant, a.case_id, a.id, a.media_type, a.size_bytes, a.uploader,
                  Timestamp(a.create_time),
                  Hex(person_key.Seal(AttachmentMetadata(a),
                                      AttachmentBinding(tenant, a.id, "metadata"))),
                  Hex(person_key.Seal(a.content, AttachmentBinding(tenant, a.id, "content"))));
              Attachment created = a;
              created.content.clear();
              return created;
            });
      });
}

absl::StatusOr<Attachment> PostgresIntakeRepository::GetAttachment(const std::string& tenant,
                                                                   const std::string& case_id,
                                                                   const std::string& attachment_id,
                                                                   bool with_content,
                                                                   const CaseAccess& access) {
  return pool_->RunInTenantTransaction(tenant, [&](pqxx::work& tx) -> absl::StatusOr<Attachment> {
    ASSIGN_OR_RETURN(StoredCase stored,
                     ReadStoredCase(tx, tenant, case_id, access, audit::Action::kRead,
                                    /*for_update=*/false, kAttachmentData,
                                    AttachmentResource(tenant, case_id, attachment_id)));
    const pqxx::result rows = ExecPrepared(
        tx,
        absl::StrCat("SELECT ", AttachmentColumns(with_content),
                     " FROM intake.attachments a WHERE a.tenant_id = $1 AND a.case_id = $2 AND "
                     "a.attachment_id = $3"),
        tenant, case_id, attachment_id);
    if (rows.empty()) return status::NotFound("attachment");
    ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> person_key,
                     keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
    return AttachmentAt(tenant, case_id, rows[0], person_key);
  });
}

absl::StatusOr<api::Page<Attachment>> PostgresIntakeRepository::ListAttachments(
    const std::string& tenant, const std::string& case_id, const CaseAccess& access,
    const api::PageRequest& page) {
  const NewestFirst after(page);
  return pool_->RunInTenantTransaction(
      tenant, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Attachment>> {
        ASSIGN_OR_RETURN(
            StoredCase stored,
            ReadStoredCase(tx, tenant, case_id, access, audit::Action::kList,
                           /*for_update=*/false, kAttachmentData,
                           absl::StrCat(CaseResource(tenant, case_id), "/attachments")));
        const pqxx::result rows = ExecPrepared(
            tx,
            absl::StrCat("SELECT ", AttachmentColumns(/*with_content=*/false),
                         " FROM intake.attachments a WHERE a.tenant_id = $1 AND a.case_id = $2 "
                         "AND ($3 OR (",
                         Micros("a.create_time"),
                         ", a.attachment_id) < ($4::int8, $5)) ORDER BY a.create_time DESC, "
                         "a.attachment_id DESC LIMIT $6"),
            tenant, case_id, after.first, after.micros, after.id, page.limit + 1);
        ASSIGN_OR_RETURN(std::optional<crypto::AeadKey> person_key,
                         keyring_->ReadSubjectKey(tx, tenant, stored.subject_index));
        std::vector<Attachment> attachments;
        for (const auto& row : rows) {
          ASSIGN_OR_RETURN(Attachment a, AttachmentAt(tenant, case_id, row, person_key));
          attachments.push_back(std::move(a));
        }
        return api::TakePage(std::move(attachments), page.limit);
      });
}

// ---- shared by the records of a case ---------------------------------------------------------

absl::StatusOr<std::pair<StoredCase, crypto::AeadKey>> PostgresIntakeRepository::CaseTakingRecords(
    pqxx::work& tx, const std::string& tenant, const std::string& case_id, const CaseAccess& access,
    audit::Action action, const char* data_class, const std::string& resource) {
  ASSIGN_OR_RETURN(StoredCase stored, ReadStoredCase(tx, tenant, case_id, access, action,
                                                     /*for_update=*/true, data_class, resource));
  RETURN_IF_ERROR(CheckCaseTakesRecords(stored.c.state));
  ASSIGN_OR_RETURN(crypto::AeadKey key,
                   keyring_->SubjectKeyForWrite(tx, tenant, stored.subject_index));
  return std::make_pair(std::move(stored), std::move(key));
}

absl::StatusOr<HeldCase> PostgresIntakeRepository::HeldCaseRecords(
    pqxx::work& tx, Case c, const std::optional<crypto::AeadKey>& key) {
  HeldCase held;
  for (const auto& row : ExecPrepared(
           tx,
           absl::StrCat("SELECT ", NoteColumns(), NoteFrom("v.version"),
                        "WHERE n.tenant_id = $1 AND n.case_id = $2 ORDER BY n.create_time, "
                        "n.note_id, v.version"),
           c.tenant_id, c.id)) {
    ASSIGN_OR_RETURN(Note note, NoteAt(c.tenant_id, c.id, row, key));
    held.note_versions.push_back(std::move(note));
  }
  for (const auto& row : ExecPrepared(
           tx,
           absl::StrCat("SELECT ", AttachmentColumns(/*with_content=*/false),
                        " FROM intake.attachments a WHERE a.tenant_id = $1 AND a.case_id = $2 "
                        "ORDER BY a.create_time, a.attachment_id"),
           c.tenant_id, c.id)) {
    ASSIGN_OR_RETURN(Attachment a, AttachmentAt(c.tenant_id, c.id, row, key));
    held.attachments.push_back(std::move(a));
  }
  held.c = std::move(c);
  return held;
}

}  // namespace sportelli::intake
