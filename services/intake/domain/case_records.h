// What the desk writes down about a case: notes and attachments, as plain records and the rules
// they follow. Their text, file names and bodies are personal data: the repository seals them
// under the person's key, so erasing the person reaches them too.
//
// A note is never overwritten: a correction is a new version, written by the note's author,
// and every version stays readable. Nothing is added to a CLOSED case (reopen it first).
#ifndef SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_RECORDS_H_
#define SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_RECORDS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "services/intake/domain/case.h"
#include "sportelli/status/errors.h"

namespace sportelli::intake {

enum class NoteKind { kListening, kInterview, kPhoneCall, kHomeVisit };
const char* NoteKindName(NoteKind kind);  // "LISTENING", ...
std::optional<NoteKind> ParseNoteKind(absl::string_view name);

inline constexpr int kMaxNoteLength = 20000;  // code points: a long interview, not a book

// One version of a note (the latest, unless one was asked for).
struct Note {
  std::string tenant_id;
  std::string case_id;
  std::string id;
  NoteKind kind = NoteKind::kListening;
  std::string text;  // personal data: sealed at rest
  // The person's key was shredded (erasure): `text` reads back empty.
  bool erased = false;
  std::string author;  // the token subject who wrote the first version
  int version = 1;     // 1 for the note as first written
  int latest_version = 1;
  absl::Time create_time;  // of the first version
  absl::Time update_time;  // of this version
};

// Every problem of a note's text ("note.text"): required, kMaxNoteLength code points at most,
// no control characters but newlines and tabs.
status::FieldViolations ValidateNoteText(const std::string& field, absl::string_view text);

// Notes and attachments are added to a case that is not CLOSED: FAILED_PRECONDITION, reason
// CASE_CLOSED, otherwise.
absl::Status CheckCaseTakesRecords(CaseState state);

// A note is corrected by its author only (PERMISSION_DENIED, reason NOTE_NOT_AUTHOR), and
// against the version the author read: `expected_version` 0 skips that check, another version
// than the latest is ABORTED (reason NOTE_VERSION_CHANGED: read it again).
absl::Status CheckNoteCorrection(const Note& latest, absl::string_view subject,
                                 int expected_version);

// A file kept with a case: an ID card scan, an ISEE statement, a signed pact.
struct Attachment {
  std::string tenant_id;
  std::string case_id;
  std::string id;
  std::string filename;  // personal data (often names the person): sealed with the body
  std::string media_type;
  int64_t size_bytes = 0;
  std::string sha256_hex;  // of the body as uploaded
  std::string uploader;    // the token subject
  absl::Time create_time;
  std::string content;  // only when read in full; sealed at rest
  bool erased = false;  // the person's key was shredded
};

inline constexpr int kMaxFilenameLength = 255;  // code points
// The default of SPORTELLI_MAX_ATTACHMENT_BYTES.
inline constexpr int64_t kDefaultMaxAttachmentBytes = 5 * 1024 * 1024;

// Every problem of a new attachment's metadata ("attachment.filename", ...): a file name of
// 1..kMaxFilenameLength code points without path separators or control characters, a media
// type of the form type/subtype (RFC 6838 names, lower case), a non-empty body.
status::FieldViolations ValidateNewAttachment(const Attachment& attachment);

// RESOURCE_EXHAUSTED, reason ATTACHMENT_TOO_LARGE, for a body above `limit` bytes.
absl::Status CheckAttachmentSize(int64_t size_bytes, int64_t limit);

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_DOMAIN_CASE_RECORDS_H_
