#include "services/intake/intake_grpc_service.h"

#include <algorithm>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/intake/grpc_checks.h"
#include "services/intake/proto_mapping.h"
#include "sportelli/api/field_mask.h"
#include "sportelli/api/names.h"
#include "sportelli/api/pagination.h"
#include "sportelli/api/proto_time.h"
#include "sportelli/citizen/citizen.h"
#include "sportelli/citizen/codice_fiscale.h"
#include "sportelli/server/audit_actor.h"
#include "sportelli/server/request_ids.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {

using api::ParseName;
using auth::Role;
using server::Call;

namespace {

// Replies recorded for retries (request_ids) carry only the new resource's name: its personal
// data lives sealed in its row, and a retry reads it back from there.
v1::Person RecordedPerson(const Person& p) {
  v1::Person recorded;
  recorded.set_name(api::PersonName{p.tenant_id, p.id}.ToString());
  return recorded;
}
v1::Contact RecordedContact(const Contact& c) {
  v1::Contact recorded;
  recorded.set_name(api::ContactName{c.tenant_id, c.id}.ToString());
  return recorded;
}
v1::Case CaseProto(const Case& c) { return ToProto(c); }

}  // namespace

absl::Status RequireCaseWorkerOf(const Call& call, const std::string& tenant) {
  RETURN_IF_ERROR(call.caller.RequireTenant(tenant));
  return call.caller.RequireAnyRole({Role::kOperator, Role::kCoordinator});
}

bool BreakGlassOf(int access_reason, status::FieldViolations& violations) {
  if (!v1::AccessReason_IsValid(access_reason)) {
    violations.Add("access_reason", "must be one of the coded reasons");
    return false;
  }
  return access_reason != v1::ACCESS_REASON_UNSPECIFIED;
}

// ---- persons ----------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreatePerson(grpc::ServerContext* context,
                                             const v1::CreatePersonRequest* request,
                                             v1::Person* response) {
  return handler_->Handle(context, "CreatePerson", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    if (!request->has_person()) violations.Add("person", "is required");
    Person person = PersonFromProto(request->person(), violations);
    if (parent) {
      RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
      person.tenant_id = parent->tenant;
      person.identity.household =
          HouseholdFromProto(request->person().household(), parent->tenant, violations);
      if (request->has_person()) {
        RETURN_IF_ERROR(intake_->CheckNewPerson(call.OnBehalfOfCaller(), person, violations));
      }
    }
    server::CheckRequestId(request->request_id(), call, violations);
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));

    ASSIGN_OR_RETURN(pg::Created<Person> created,
                     intake_->CreatePerson(call.OnBehalfOfCaller(), std::move(person), who,
                                           server::KeyOf(*request, "CreatePerson"),
                                           server::ProtoEncoder<Person>(RecordedPerson)));
    if (created.value) {
      *response = ToProto(*created.value);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(server::Reply(created, response, RecordedPerson));
    ASSIGN_OR_RETURN(api::PersonName name, ParseName<api::PersonName>(response->name(), "name"));
    ASSIGN_OR_RETURN(Person stored, intake_->GetPerson(name.tenant, name.person, who));
    *response = ToProto(stored);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::GetPerson(grpc::ServerContext* context,
                                          const v1::GetPersonRequest* request,
                                          v1::Person* response) {
  return handler_->Handle(context, "GetPerson", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::PersonName name, ParseName<api::PersonName>(request->name(), "name"));
    RETURN_IF_ERROR(RequireCaseWorkerOf(call, name.tenant));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Person person, intake_->GetPerson(name.tenant, name.person, who));
    *response = ToProto(person);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::SearchPersons(grpc::ServerContext* context,
                                              const v1::SearchPersonsRequest* request,
                                              v1::SearchPersonsResponse* response) {
  return handler_->Handle(context, "SearchPersons", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    const bool by_code = !request->codice_fiscale().empty();
    const bool by_name = !request->family_name().empty() || request->has_birth_date();
    std::optional<absl::CivilDay> born;
    if (by_code && by_name) {
      violations.Add("codice_fiscale",
                     "search by codice fiscale or by family name and birth date, not both");
    } else if (by_code) {
      citizen::CheckCodiceFiscale("codice_fiscale", request->codice_fiscale(), violations);
    } else if (by_name) {
      citizen::CheckPersonName("family_name", request->family_name(), violations);
      born = api::ParseDate(request->has_birth_date(), request->birth_date(), "birth_date",
                            violations);
    } else {
      violations.Add("codice_fiscale",
                     "is required, or else family_name with birth_date: searches are exact");
    }
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());

    // The page token is bound to the comune and the kind of search only: a token carries a
    // plain digest of its filter, and a digest of a codice fiscale could be reversed by trying
    // codes. A token replayed with other values only moves where that caller's listing starts.
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             absl::StrCat(request->parent(), "\n",
                                          by_code ? "codice_fiscale" : "family_name,birth_date"),
                             {api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Person> persons,
                     by_code ? intake_->SearchByCodiceFiscale(parent->tenant,
                                                              request->codice_fiscale(), page, who)
                             : intake_->SearchByFamilyNameAndBirthDate(
                                   parent->tenant, request->family_name(), *born, page, who));
    for (const Person& p : persons.items) *response->add_persons() = ToProto(p);
    response->set_next_page_token(
        api::NextPageToken(persons, page, [](const Person& p) { return api::PageKey{p.id}; }));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::UpdatePerson(grpc::ServerContext* context,
                                             const v1::UpdatePersonRequest* request,
                                             v1::Person* response) {
  return handler_->Handle(context, "UpdatePerson", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::PersonName name,
                     ParseName<api::PersonName>(request->person().name(), "person.name"));
    RETURN_IF_ERROR(RequireCaseWorkerOf(call, name.tenant));
    ASSIGN_OR_RETURN(
        api::UpdateMask mask,
        api::ValidateUpdateMask(
            request->update_mask().paths(), {"household", "consents"},
            {"name", "given_name", "family_name", "codice_fiscale", "birth_date", "sex",
             "citizenship", "address", "phone_number", "email", "privacy_notice_version",
             "create_time", "update_time", "erased", "processing_restricted"}));
    status::FieldViolations violations;
    std::optional<std::vector<HouseholdMember>> household;
    std::optional<std::vector<Consent>> consents;
    if (mask.empty() || mask.Contains("household")) {
      household = HouseholdFromProto(request->person().household(), name.tenant, violations);
      RETURN_IF_ERROR(
          intake_->CheckHousehold(call.OnBehalfOfCaller(), name.tenant, *household, violations));
    }
    if (mask.empty() || mask.Contains("consents")) {
      consents.emplace();
      for (int i = 0; i < request->person().consents_size(); ++i) {
        const std::optional<ConsentKind> kind = FromProto(request->person().consents(i).kind());
        if (!kind) {
          violations.Add(absl::StrCat("person.consents[", i, "].kind"), "must be a specified kind");
          continue;
        }
        consents->push_back({*kind, request->person().consents(i).granted(), {}, ""});
      }
    }
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Person person,
                     intake_->UpdatePerson(call.OnBehalfOfCaller(), name.tenant, name.person,
                                           std::move(household), std::move(consents), who));
    *response = ToProto(person);
    return absl::OkStatus();
  });
}

// ---- the DPO's acts on a person ---------------------------------------------------------------

namespace {

// The comune's data protection officer.
absl::StatusOr<api::PersonName> DpoPersonName(const Call& call, const std::string& name) {
  ASSIGN_OR_RETURN(api::PersonName person, ParseName<api::PersonName>(name, "name"));
  RETURN_IF_ERROR(call.caller.RequireTenant(person.tenant));
  RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kDpo}));
  return person;
}

}  // namespace

grpc::Status IntakeGrpcService::RestrictPersonProcessing(
    grpc::ServerContext* context, const v1::RestrictPersonProcessingRequest* request,
    v1::Person* response) {
  return handler_->Handle(context, "RestrictPersonProcessing", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::PersonName name, DpoPersonName(call, request->name()));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Person person, intake_->SetProcessingRestriction(name.tenant, name.person,
                                                                      /*restricted=*/true, who));
    *response = ToProto(person);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::LiftPersonRestriction(
    grpc::ServerContext* context, const v1::LiftPersonRestrictionRequest* request,
    v1::Person* response) {
  return handler_->Handle(context, "LiftPersonRestriction", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::PersonName name, DpoPersonName(call, request->name()));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Person person, intake_->SetProcessingRestriction(name.tenant, name.person,
                                                                      /*restricted=*/false, who));
    *response = ToProto(person);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ErasePerson(grpc::ServerContext* context,
                                            const v1::ErasePersonRequest* request,
                                            v1::Person* response) {
  return handler_->Handle(context, "ErasePerson", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::PersonName name, DpoPersonName(call, request->name()));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Person person, intake_->ErasePerson(name.tenant, name.person, who));
    *response = ToProto(person);
    return absl::OkStatus();
  });
}

// ---- contacts ---------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::CreateContact(grpc::ServerContext* context,
                                              const v1::CreateContactRequest* request,
                                              v1::Contact* response) {
  return handler_->Handle(context, "CreateContact", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    if (!request->has_contact()) violations.Add("contact", "is required");
    const v1::Contact& proto = request->contact();
    auto desk = ParseName<api::DeskName>(proto.desk(), "contact.desk", violations);
    std::optional<api::PersonName> person;
    if (!proto.person().empty()) {
      person = ParseName<api::PersonName>(proto.person(), "contact.person", violations);
    }
    std::optional<api::AppointmentName> appointment;
    if (!proto.appointment().empty()) {
      appointment =
          ParseName<api::AppointmentName>(proto.appointment(), "contact.appointment", violations);
    }
    api::RequireSameTenant(parent, desk, "contact.desk", violations);
    api::RequireSameTenant(parent, person, "contact.person", violations);
    api::RequireSameTenant(parent, appointment, "contact.appointment", violations);
    Contact contact = ContactFromProto(proto, violations);
    if (person) contact.person_id = person->person;
    if (appointment) contact.appointment_id = appointment->appointment;
    if (request->has_contact()) intake_->CheckNewContact(contact, violations);
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));

    contact.tenant_id = parent->tenant;
    contact.desk_id = desk->desk;
    ASSIGN_OR_RETURN(pg::Created<Contact> created,
                     intake_->CreateContact(call.OnBehalfOfCaller(), std::move(contact), who,
                                            server::KeyOf(*request, "CreateContact"),
                                            server::ProtoEncoder<Contact>(RecordedContact)));
    if (created.value) {
      *response = ToProto(*created.value);
      return absl::OkStatus();
    }
    RETURN_IF_ERROR(server::Reply(created, response, RecordedContact));
    ASSIGN_OR_RETURN(api::ContactName name, ParseName<api::ContactName>(response->name(), "name"));
    ASSIGN_OR_RETURN(Contact stored, intake_->GetContact(name.tenant, name.contact, who));
    *response = ToProto(stored);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::PrefillContact(grpc::ServerContext* context,
                                               const v1::PrefillContactRequest* request,
                                               v1::Contact* response) {
  return handler_->Handle(context, "PrefillContact", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    auto appointment =
        ParseName<api::AppointmentName>(request->appointment(), "appointment", violations);
    api::RequireSameTenant(parent, appointment, "appointment", violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Contact draft, intake_->PrefillContact(call.OnBehalfOfCaller(), parent->tenant,
                                                            appointment->appointment, who));
    *response = ToProto(draft);
    response->clear_name();  // not stored: no name yet
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::GetContact(grpc::ServerContext* context,
                                           const v1::GetContactRequest* request,
                                           v1::Contact* response) {
  return handler_->Handle(context, "GetContact", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::ContactName name, ParseName<api::ContactName>(request->name(), "name"));
    RETURN_IF_ERROR(RequireCaseWorkerOf(call, name.tenant));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Contact contact, intake_->GetContact(name.tenant, name.contact, who));
    *response = ToProto(contact);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListContacts(grpc::ServerContext* context,
                                             const v1::ListContactsRequest* request,
                                             v1::ListContactsResponse* response) {
  return handler_->Handle(context, "ListContacts", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    auto person = ParseName<api::PersonName>(request->person(), "person", violations);
    api::RequireSameTenant(parent, person, "person", violations);
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(api::PageRequest page,
                     api::ReadPageRequest(request->page_size(), request->page_token(),
                                          absl::StrCat(request->parent(), "\n", request->person()),
                                          {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Contact> contacts,
                     intake_->ListContacts(parent->tenant, person->person, page, who));
    for (const Contact& c : contacts.items) *response->add_contacts() = ToProto(c);
    response->set_next_page_token(api::NextPageToken(contacts, page, [](const Contact& c) {
      return api::PageKey{absl::StrCat(absl::ToUnixMicros(c.contact_time)), c.id};
    }));
    return absl::OkStatus();
  });
}

// ---- cases ------------------------------------------------------------------------------------

grpc::Status IntakeGrpcService::OpenCase(grpc::ServerContext* context,
                                         const v1::OpenCaseRequest* request, v1::Case* response) {
  return handler_->Handle(context, "OpenCase", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    auto contact = ParseName<api::ContactName>(request->contact(), "contact", violations);
    api::RequireSameTenant(parent, contact, "contact", violations);
    server::CheckRequestId(request->request_id(), call, violations);
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    // A case holds no personal data: the recorded reply is the case itself.
    ASSIGN_OR_RETURN(pg::Created<Case> created,
                     intake_->OpenCase(parent->tenant, contact->contact, who,
                                       server::KeyOf(*request, "OpenCase"),
                                       server::ProtoEncoder<Case>(CaseProto)));
    return server::Reply(created, response, CaseProto);
  });
}

grpc::Status IntakeGrpcService::GetCase(grpc::ServerContext* context,
                                        const v1::GetCaseRequest* request, v1::Case* response) {
  return handler_->Handle(context, "GetCase", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::CaseName>(request->name(), "name", violations);
    const bool break_glass = BreakGlassOf(request->access_reason(), violations);
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Case c, intake_->GetCase(call.OnBehalfOfCaller(), name->tenant, name->case_id,
                                              who, break_glass));
    *response = ToProto(c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::ListCases(grpc::ServerContext* context,
                                          const v1::ListCasesRequest* request,
                                          v1::ListCasesResponse* response) {
  return handler_->Handle(context, "ListCases", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto parent = ParseName<api::TenantName>(request->parent(), "parent", violations);
    auto desk = ParseName<api::DeskName>(request->desk(), "desk", violations);
    api::RequireSameTenant(parent, desk, "desk", violations);
    std::vector<CaseState> states;
    std::vector<std::string> state_names;
    for (int i = 0; i < request->states_size(); ++i) {
      std::optional<CaseState> state = FromProto(static_cast<v1::CaseState>(request->states(i)));
      if (!state) {
        violations.Add(absl::StrCat("states[", i, "]"), "must be a specified state");
        continue;
      }
      states.push_back(*state);
      state_names.emplace_back(CaseStateName(*state));
    }
    if (request->page_size() < 0) violations.Add("page_size", "must not be negative");
    if (parent) RETURN_IF_ERROR(RequireCaseWorkerOf(call, parent->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    std::sort(state_names.begin(), state_names.end());
    ASSIGN_OR_RETURN(
        api::PageRequest page,
        api::ReadPageRequest(request->page_size(), request->page_token(),
                             absl::StrCat(request->desk(), "\n", absl::StrJoin(state_names, ",")),
                             {api::KeyPart::kInt64, api::KeyPart::kId}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(api::Page<Case> cases,
                     intake_->ListCases(call.OnBehalfOfCaller(), parent->tenant, desk->desk,
                                        std::move(states), page, who));
    for (const Case& c : cases.items) *response->add_cases() = ToProto(c);
    response->set_next_page_token(api::NextPageToken(cases, page, [](const Case& c) {
      return api::PageKey{absl::StrCat(absl::ToUnixMicros(c.update_time)), c.id};
    }));
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::AssignCase(grpc::ServerContext* context,
                                           const v1::AssignCaseRequest* request,
                                           v1::Case* response) {
  return handler_->Handle(context, "AssignCase", [&](Call& call) -> absl::Status {
    ASSIGN_OR_RETURN(api::CaseName name, ParseName<api::CaseName>(request->name(), "name"));
    RETURN_IF_ERROR(call.caller.RequireTenant(name.tenant));
    RETURN_IF_ERROR(call.caller.RequireAnyRole({Role::kCoordinator}));
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Case c, intake_->AssignCase(call.OnBehalfOfCaller(), name.tenant, name.case_id,
                                                 request->assignee(), who));
    *response = ToProto(c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::TransitionCase(grpc::ServerContext* context,
                                               const v1::TransitionCaseRequest* request,
                                               v1::Case* response) {
  return handler_->Handle(context, "TransitionCase", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::CaseName>(request->name(), "name", violations);
    const std::optional<CaseState> to = FromProto(request->state());
    if (!to) violations.Add("state", "must be a specified state");
    std::optional<CloseReason> reason;
    if (request->close_reason() != v1::CLOSE_REASON_UNSPECIFIED) {
      reason = FromProto(request->close_reason());
      if (!reason) violations.Add("close_reason", "must be one of the coded reasons");
    }
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Case c, intake_->TransitionCase(call.OnBehalfOfCaller(), name->tenant,
                                                     name->case_id, *to, reason, who));
    *response = ToProto(c);
    return absl::OkStatus();
  });
}

grpc::Status IntakeGrpcService::UpdateCase(grpc::ServerContext* context,
                                           const v1::UpdateCaseRequest* request,
                                           v1::Case* response) {
  return handler_->Handle(context, "UpdateCase", [&](Call& call) -> absl::Status {
    status::FieldViolations violations;
    auto name = ParseName<api::CaseName>(request->case_().name(), "case.name", violations);
    ASSIGN_OR_RETURN(api::UpdateMask mask,
                     api::ValidateUpdateMask(
                         request->update_mask().paths(), {"pact"},
                         {"name", "person", "contact", "desk", "state", "close_reason", "assignee",
                          "history", "create_time", "update_time", "pact_erased"}));
    InclusionPact pact = PactFromProto(request->case_().pact(), violations);
    violations.Merge(ValidatePact(pact));
    if (name) RETURN_IF_ERROR(RequireCaseWorkerOf(call, name->tenant));
    RETURN_IF_ERROR(violations.ToStatus());
    ASSIGN_OR_RETURN(audit::Actor who, server::AuditActorOf(call));
    ASSIGN_OR_RETURN(Case c, intake_->UpdatePact(call.OnBehalfOfCaller(), name->tenant,
                                                 name->case_id, std::move(pact), who));
    *response = ToProto(c);
    return absl::OkStatus();
  });
}

}  // namespace sportelli::intake
