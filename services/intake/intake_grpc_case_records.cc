// IntakeGrpcService: the notes and attachments of a case.
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "services/intake/grpc_checks.h"
#include "services/intake/intake_grpc_service.h"
#include "services/intake/proto_mapping.h"
#include "sportelli/api/field_mask.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/server/audit_actor.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {

using api::ParseName;
using server::Call;

namespace {

// Replies recorded for retries carry only the new resource's name (its text or content is
// personal data, sealed in its row); a retry reads it back from there.
v1::Note RecordedNote(const Note& note) {
  v1::Note recorded;
  recorded.set_name(api::NoteName{note.tenant_id, note.case_id, note.id}.ToString());
  return recorded;
}
v1::Attachment RecordedAttachment(const Attachment& a) {
  v1::Attachment recorded;
  recorded.set_name(api::AttachmentName{a.tenant_id, a.case_id, a.id}.ToString());
  return recorded;
}

// The page key of notes and attachments: (create time in microseconds, id), newest first.
template <typename Record>
api::PageKey NewestFirstKey(const Record& r) {
  return api::PageKey{absl::StrCat(absl::ToUnixMicros(r.create_time)), r.id};
}

}  // namespace

// ---- notes ------------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreateNote(grpc::ServerContext* context,
                                           const v1::CreateNoteRequest* request,
                                           v1::Note* response) {
  return handler_->Handle(context, "CreateNote", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::CaseName>(request->parent(), "parent", violations);
    if (!request->has_note()) violations.Add("note", "is required");
    const std::optional<NoteKind> kind = FromProto(request->note().kind());
    if (!kind) violations.Add("note.kind", "must be a specified kind");
    violations.Merge(ValidateNoteText("note.text", request->note().text()));
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        pg::Created<Note> created,
        intake_->CreateNote(call.OnBehalfOfCaller(), parent->tenant, parent->case_id, *kind,
                            request->note().text(), who, server::KeyOf(*request, "CreateNote"),
                            server::ProtoEncoder<Note>(RecordedNote)));
    if (created.value) {
      *response = ToProto(*created.value);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(server::Reply(created, response, RecordedNote));
    ASSIGN_OR_RETURN(api::NoteName name, ParseName<api::NoteName>(response->name(), "name"));
    ASSIGN_OR_RETURN(Note stored, intake_->GetNote(call.OnBehalfOfCaller(), name, /*version=*/0,
                                                   who, /*break_glass=*/false));
    *response = ToProto(stored);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::GetNote(grpc::ServerContext* context,
                                        const v1::GetNoteRequest* request, v1::Note* response) {
  return handler_->Handle(context, "GetNote", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::NoteName>(request->name(), "name", violations);
    if (request->version() < 0) violations.Add("version", "must not be negative");
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Note note, intake_->GetNote(call.OnBehalfOfCaller(), *name, request->version(),
                                                 who, break_glass));
    *response = ToProto(note);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListNotes(grpc::ServerContext* context,
                                          const v1::ListNotesRequest* request,
                                          v1::ListNotesResponse* response) {
  return handler_->Handle(context, "ListNotes", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::CaseName>(request->parent(), "parent", violations);
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(), request->parent(),
                             {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Note> notes,
                     intake_->ListNotes(call.OnBehalfOfCaller(), parent->tenant, parent->case_id,
                                        page, who, break_glass));
    for (const Note& note : notes.items) *response->add_notes() = ToProto(note);
    response->set_next_page_token(api::NextPageToken(notes, page, NewestFirstKey<Note>));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::UpdateNote(grpc::ServerContext* context,
                                           const v1::UpdateNoteRequest* request,
                                           v1::Note* response) {
  return handler_->Handle(context, "UpdateNote", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::NoteName>(request->note().name(), "note.name", violations);
    ASSIGN_OR_RETURN(api::UpdateMask mask,
                     api::ValidateUpdateMask(request->update_mask().paths(), {"text", "kind"},
                                             {"name", "author", "version", "latest_version",
                                              "erased", "create_time", "update_time"}));
    const bool text_changes = mask.empty() || mask.Contains("text");
    const bool kind_changes = mask.empty() || mask.Contains("kind");
    std::optional<std::string> text;
    if (text_changes) {
      violations.Merge(ValidateNoteText("note.text", request->note().text()));
      text = request->note().text();
    }
    const std::optional<NoteKind> kind =
        kind_changes ? FromProto(request->note().kind()) : std::nullopt;
    if (kind_changes && !kind) violations.Add("note.kind", "must be a specified kind");
    if (request->note().version() < 0) violations.Add("note.version", "must not be negative");
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Note note,
                     intake_->CorrectNote(call.OnBehalfOfCaller(), *name, kind, std::move(text),
                                          request->note().version(), who));
    *response = ToProto(note);
    return absl::OkStatus();
  });
}

// ---- attachments ------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreateAttachment(grpc::ServerContext* context,
                                                 const v1::CreateAttachmentRequest* request,
                                                 v1::Attachment* response) {
  return handler_->Handle(context, "CreateAttachment", [&](Call& call) -> absl::Status {
    // Too large is answered first and on its own: nothing else about the request matters.
    RETURN_IF_ERROR(
        CheckAttachmentSize(static_cast<int64_t>(request->attachment().content().size()),
                            intake_->max_attachment_bytes()));
    status::FieldViolations violations;
    auto parent = ParseName<api::CaseName>(request->parent(), "parent", violations);
    if (!request->has_attachment()) violations.Add("attachment", "is required");
    Attachment attachment;
    attachment.filename = request->attachment().filename();
    attachment.media_type = request->attachment().media_type();
    attachment.content = request->attachment().content();
    violations.Merge(ValidateNewAttachment(attachment));
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    attachment.tenant_id = parent->tenant;
    attachment.case_id = parent->case_id;
    ASSIGN_OR_RETURN(
        pg::Created<Attachment> created,
        intake_->CreateAttachment(call.OnBehalfOfCaller(), std::move(attachment), who,
                                  server::KeyOf(*request, "CreateAttachment"),
                                  server::ProtoEncoder<Attachment>(RecordedAttachment)));
    if (created.value) {
      *response = ToProto(*created.value);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(server::Reply(created, response, RecordedAttachment));
    ASSIGN_OR_RETURN(api::AttachmentName name,
                     ParseName<api::AttachmentName>(response->name(), "name"));
    ASSIGN_OR_RETURN(Attachment stored,
                     intake_->GetAttachment(call.OnBehalfOfCaller(), name, /*with_content=*/false,
                                            who, /*break_glass=*/false));
    *response = ToProto(stored);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::GetAttachment(grpc::ServerContext* context,
                                              const v1::GetAttachmentRequest* request,
                                              v1::Attachment* response) {
  return handler_->Handle(context, "GetAttachment", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::AttachmentName>(request->name(), "name", violations);
    if (!v1::AttachmentView_IsValid(request->view())) {
      violations.Add("view", "must be BASIC or FULL");
    }
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(
        Attachment attachment,
        intake_->GetAttachment(call.OnBehalfOfCaller(), *name,
                               request->view() == v1::ATTACHMENT_VIEW_FULL, who, break_glass));
    *response = ToProto(attachment);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListAttachments(grpc::ServerContext* context,
                                                const v1::ListAttachmentsRequest* request,
                                                v1::ListAttachmentsResponse* response) {
  return handler_->Handle(context, "ListAttachments", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::CaseName>(request->parent(), "parent", violations);
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(), request->parent(),
                             {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Attachment> attachments,
                     intake_->ListAttachments(call.OnBehalfOfCaller(), parent->tenant,
                                              parent->case_id, page, who, break_glass));
    for (const Attachment& a : attachments.items) *response->add_attachments() = ToProto(a);
    response->set_next_page_token(
        api::NextPageToken(attachments, page, NewestFirstKey<Attachment>));
    return absl::OkStatus();
  });
}

}  // namespace sportelli::intake
