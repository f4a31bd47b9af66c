// CaseTest: IntakeTest with three operators (two at the desk "sede", one elsewhere) and helpers
// that open, move, read, assign and list cases over gRPC.
#ifndef SPORTELLI_SERVICES_INTAKE_TESTS_CASE_FIXTURE_H_
#define SPORTELLI_SERVICES_INTAKE_TESTS_CASE_FIXTURE_H_

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/intake/tests/intake_fixture.h"
#include "sportelli/crypto/random.h"

namespace sportelli::intake::testing {

using Stub = v1::IntakeService::Stub;

class CaseTest : public IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    if (HasFatalFailure()) return;
    directory_.SetOperatorDesks(tenant_, "operatrice-1", {"sede"});
    directory_.SetOperatorDesks(tenant_, "operatore-2", {"sede"});
    directory_.SetOperatorDesks(tenant_, "operatore-3", {"altrove"});
  }

  std::string As(const std::string& subject, const std::string& role = "operator") {
    return Token(tenant_, {role}, subject);
  }

  // A new person (consenting to share with referral bodies), a contact ending in CASE_OPENED,
  // and its case opened by operatrice-1.
  v1::Case Open() { return OpenFor(Register(++people_)); }

  // A contact ending in CASE_OPENED for `person` (a name), and its case opened by operatrice-1.
  v1::Case OpenFor(const std::string& person) {
    v1::Contact contact;
    EXPECT_TRUE(Call(&Stub::CreateContact, Operator(), NewContact(person), &contact).ok());
    v1::OpenCaseRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.set_contact(contact.name());
    request.set_request_id(crypto::RandomUuid());
    v1::Case opened;
    const grpc::Status status = Call(&Stub::OpenCase, Operator(), request, &opened);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return opened;
  }

  grpc::Status Move(const std::string& token, const std::string& name, v1::CaseState state,
                    v1::CloseReason reason = v1::CLOSE_REASON_UNSPECIFIED,
                    v1::Case* out = nullptr) {
    v1::TransitionCaseRequest request;
    request.set_name(name);
    request.set_state(state);
    request.set_close_reason(reason);
    v1::Case ignored;
    return Call(&Stub::TransitionCase, token, request, out ? out : &ignored);
  }

  grpc::Status Get(const std::string& token, const std::string& name, v1::Case* out,
                   v1::AccessReason reason = v1::ACCESS_REASON_UNSPECIFIED) {
    v1::GetCaseRequest request;
    request.set_name(name);
    request.set_access_reason(reason);
    return Call(&Stub::GetCase, token, request, out);
  }

  grpc::Status Assign(const std::string& token, const std::string& name,
                      const std::string& assignee) {
    v1::AssignCaseRequest request;
    request.set_name(name);
    request.set_assignee(assignee);
    v1::Case ignored;
    return Call(&Stub::AssignCase, token, request, &ignored);
  }

  std::vector<std::string> Listed(const std::string& token) {
    v1::ListCasesRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant_));
    request.set_desk(Desk());
    v1::ListCasesResponse response;
    const grpc::Status status = Call(&Stub::ListCases, token, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    std::vector<std::string> names;
    for (const v1::Case& c : response.cases()) names.push_back(c.name());
    return names;
  }

  int people_ = 0;
};

}  // namespace sportelli::intake::testing

#endif  // SPORTELLI_SERVICES_INTAKE_TESTS_CASE_FIXTURE_H_
