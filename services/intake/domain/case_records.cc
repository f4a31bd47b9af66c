#include "services/intake/domain/case_records.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/intake/domain/enum_names.h"
#include "services/intake/domain/rules.h"

namespace sportelli::intake {
namespace {

constexpr std::pair<NoteKind, const char*> kNoteKinds[] = {
    {NoteKind::kListening, "LISTENING"},
    {NoteKind::kInterview, "INTERVIEW"},
    {NoteKind::kPhoneCall, "PHONE_CALL"},
    {NoteKind::kHomeVisit, "HOME_VISIT"},
};

// RFC 6838 restricted-name: a letter or digit, then up to 126 of letters, digits and
// !#$&-^_.+ (lower case only here, so that one type is stored one way).
bool IsRestrictedName(absl::string_view name) {
  if (name.empty() || name.size() > 127) return false;
  if (!absl::ascii_islower(name[0]) && !absl::ascii_isdigit(name[0])) return false;
  for (char c : name) {
    const bool allowed = absl::ascii_islower(c) || absl::ascii_isdigit(c) ||
                         absl::string_view("!#$&-^_.+").find(c) != absl::string_view::npos;
    if (!allowed) return false;
  }
  return true;
}

}  // namespace

const char* NoteKindName(NoteKind kind) { return EnumName(kNoteKinds, kind); }
std::optional<NoteKind> ParseNoteKind(absl::string_view name) {
  return ParseEnumName(kNoteKinds, name);
}

status::FieldViolations ValidateNoteText(const std::string& field, absl::string_view text) {
  status::FieldViolations violations;
  if (absl::StripAsciiWhitespace(text).empty()) {
    violations.Add(field, "is required");
  } else {
    CheckText(field, text, kMaxNoteLength, /*multiline=*/true, violations);
  }
  return violations;
}

absl::Status CheckCaseTakesRecords(CaseState state) {
  if (state != CaseState::kClosed) return absl::OkStatus();
  return status::Error(absl::StatusCode::kFailedPrecondition,
                       "the case is closed: reopen it to add to it", "CASE_CLOSED");
}

absl::Status CheckNoteCorrection(const Note& latest, absl::string_view subject,
                                 int expected_version) {
  if (latest.author != subject) {
    return status::Error(absl::StatusCode::kPermissionDenied,
                         "a note is corrected by its author only: add a note of your own",
                         "NOTE_NOT_AUTHOR");
  }
  if (expected_version != 0 && expected_version != latest.latest_version) {
    return status::Error(absl::StatusCode::kAborted,
                         absl::StrCat("the note is at version ", latest.latest_version, ", not ",
                                      expected_version, ": read it again"),
                         "NOTE_VERSION_CHANGED");
  }
  return absl::OkStatus();
}

status::FieldViolations ValidateNewAttachment(const Attachment& attachment) {
  status::FieldViolations violations;
  if (attachment.filename.empty()) {
    violations.Add("attachment.filename", "is required");
  } else if (attachment.filename.find_first_of("/\\") != std::string::npos ||
             attachment.filename == "." || attachment.filename == "..") {
    violations.Add("attachment.filename", "must be a file name, without a path");
  } else {
    CheckText("attachment.filename", attachment.filename, kMaxFilenameLength,
              /*multiline=*/false, violations);
  }
  const size_t slash = attachment.media_type.find('/');
  if (attachment.media_type.empty()) {
    violations.Add("attachment.media_type", "is required");
  } else if (slash == std::string::npos ||
             !IsRestrictedName(absl::string_view(attachment.media_type).substr(0, slash)) ||
             !IsRestrictedName(absl::string_view(attachment.media_type).substr(slash + 1))) {
    violations.Add("attachment.media_type",
                   "must be a media type such as application/pdf (lower case, no parameters)");
  }
  if (attachment.content.empty()) violations.Add("attachment.content", "is required");
  return violations;
}

absl::Status CheckAttachmentSize(int64_t size_bytes, int64_t limit) {
  if (size_bytes <= limit) return absl::OkStatus();
  return status::Error(absl::StatusCode::kResourceExhausted,
                       absl::StrCat("an attachment may be at most ", limit, " bytes"),
                       "ATTACHMENT_TOO_LARGE");
}

}  // namespace sportelli::intake
