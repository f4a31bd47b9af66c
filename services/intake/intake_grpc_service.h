// The gRPC edge of the intake service: checks each request (every problem reported at once, as
// field violations), authorizes the caller, calls one use case of Intake and maps the result.
// No rule lives here.
//
// Roles: persons, contacts and cases are the desk's work, so `operator` and `coordinator` of the
// comune only (which cases an operator sees: Intake, the domain's MaySee; assigning cases:
// coordinators); `tenant_admin` manages catalogs and the `dpo` reads the audit trail and exports
// (AuditService), neither reads case records here. Every name is checked against the caller's
// comune before anything is read.
#ifndef SPORTELLI_SERVICES_INTAKE_INTAKE_GRPC_SERVICE_H_
#define SPORTELLI_SERVICES_INTAKE_INTAKE_GRPC_SERVICE_H_

#include "services/intake/intake.h"
#include "sportelli/intake/v1/intake_service.grpc.pb.h"
#include "sportelli/server/rpc_handler.h"

namespace sportelli::intake {

class IntakeGrpcService final : public v1::IntakeService::Service {
 public:
  // Pointers must outlive the service.
  IntakeGrpcService(Intake* intake, const server::RpcHandler* handler)
      : intake_(intake), handler_(handler) {}

  grpc::Status CreatePerson(grpc::ServerContext* context, const v1::CreatePersonRequest* request,
                            v1::Person* response) override;
  grpc::Status GetPerson(grpc::ServerContext* context, const v1::GetPersonRequest* request,
                         v1::Person* response) override;
  grpc::Status SearchPersons(grpc::ServerContext* context, const v1::SearchPersonsRequest* request,
                             v1::SearchPersonsResponse* response) override;
  grpc::Status UpdatePerson(grpc::ServerContext* context, const v1::UpdatePersonRequest* request,
                            v1::Person* response) override;
  grpc::Status RestrictPersonProcessing(grpc::ServerContext* context,
                                        const v1::RestrictPersonProcessingRequest* request,
                                        v1::Person* response) override;
  grpc::Status LiftPersonRestriction(grpc::ServerContext* context,
                                     const v1::LiftPersonRestrictionRequest* request,
                                     v1::Person* response) override;
  grpc::Status ErasePerson(grpc::ServerContext* context, const v1::ErasePersonRequest* request,
                           v1::Person* response) override;
  grpc::Status CreateContact(grpc::ServerContext* context, const v1::CreateContactRequest* request,
                             v1::Contact* response) override;
  grpc::Status GetContact(grpc::ServerContext* context, const v1::GetContactRequest* request,
                          v1::Contact* response) override;
  grpc::Status PrefillContact(grpc::ServerContext* context,
                              const v1::PrefillContactRequest* request,
                              v1::Contact* response) override;
  grpc::Status ListContacts(grpc::ServerContext* context, const v1::ListContactsRequest* request,
                            v1::ListContactsResponse* response) override;
  grpc::Status OpenCase(grpc::ServerContext* context, const v1::OpenCaseRequest* request,
                        v1::Case* response) override;
  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest* request,
                       v1::Case* response) override;
  grpc::Status ListCases(grpc::ServerContext* context, const v1::ListCasesRequest* request,
                         v1::ListCasesResponse* response) override;
  grpc::Status AssignCase(grpc::ServerContext* context, const v1::AssignCaseRequest* request,
                          v1::Case* response) override;
  grpc::Status TransitionCase(grpc::ServerContext* context,
                              const v1::TransitionCaseRequest* request,
                              v1::Case* response) override;
  grpc::Status UpdateCase(grpc::ServerContext* context, const v1::UpdateCaseRequest* request,
                          v1::Case* response) override;

  // intake_grpc_case_records.cc
  grpc::Status CreateNote(grpc::ServerContext* context, const v1::CreateNoteRequest* request,
                          v1::Note* response) override;
  grpc::Status GetNote(grpc::ServerContext* context, const v1::GetNoteRequest* request,
                       v1::Note* response) override;
  grpc::Status ListNotes(grpc::ServerContext* context, const v1::ListNotesRequest* request,
                         v1::ListNotesResponse* response) override;
  grpc::Status UpdateNote(grpc::ServerContext* context, const v1::UpdateNoteRequest* request,
                          v1::Note* response) override;
  grpc::Status CreateAttachment(grpc::ServerContext* context,
                                const v1::CreateAttachmentRequest* request,
                                v1::Attachment* response) override;
  grpc::Status GetAttachment(grpc::ServerContext* context, const v1::GetAttachmentRequest* request,
                             v1::Attachment* response) override;
  grpc::Status ListAttachments(grpc::ServerContext* context,
                               const v1::ListAttachmentsRequest* request,
                               v1::ListAttachmentsResponse* response) override;

  // intake_grpc_referrals.cc
  grpc::Status CreateDestination(grpc::ServerContext* context,
                                 const v1::CreateDestinationRequest* request,
                                 v1::Destination* response) override;
  grpc::Status GetDestination(grpc::ServerContext* context,
                              const v1::GetDestinationRequest* request,
                              v1::Destination* response) override;
  grpc::Status ListDestinations(grpc::ServerContext* context,
                                const v1::ListDestinationsRequest* request,
                                v1::ListDestinationsResponse* response) override;
  grpc::Status UpdateDestination(grpc::ServerContext* context,
                                 const v1::UpdateDestinationRequest* request,
                                 v1::Destination* response) override;
  grpc::Status CreateReferral(grpc::ServerContext* context,
                              const v1::CreateReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status GetReferral(grpc::ServerContext* context, const v1::GetReferralRequest* request,
                           v1::Referral* response) override;
  grpc::Status ListReferrals(grpc::ServerContext* context, const v1::ListReferralsRequest* request,
                             v1::ListReferralsResponse* response) override;
  grpc::Status AcceptReferral(grpc::ServerContext* context,
                              const v1::AcceptReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status RejectReferral(grpc::ServerContext* context,
                              const v1::RejectReferralRequest* request,
                              v1::Referral* response) override;
  grpc::Status CompleteReferral(grpc::ServerContext* context,
                                const v1::CompleteReferralRequest* request,
                                v1::Referral* response) override;
  grpc::Status RevokeReferral(grpc::ServerContext* context,
                              const v1::RevokeReferralRequest* request,
                              v1::Referral* response) override;

 private:
  // Accept, reject, complete (the destination's partner) or revoke (the staff) a referral.
  template <typename Request>
  absl::Status MoveReferral(server::Call& call, const Request& request, ReferralState to,
                            v1::Referral* response);

  Intake* const intake_;
  const server::RpcHandler* const handler_;
};

}  // namespace sportelli::intake

#endif  // SPORTELLI_SERVICES_INTAKE_INTAKE_GRPC_SERVICE_H_
