// sportelli-ctl's commands for what a case leads to: notes, the comune's destinations and
// referrals (sent by the staff, answered by a destination's partner).
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "tools/ctl/commands.h"
#include "tools/ctl/common.h"

namespace sportelli::ctl {
namespace {

// --role operator|coordinator (default operator): the staff role of the call's token.
absl::StatusOr<std::string> StaffRole(ParsedArgs& parsed) {
  const std::string role = parsed.flags.count("role") ? parsed.flags["role"] : "operator";
  if (role != "operator" && role != "coordinator") {
    return absl::InvalidArgumentError("--role must be operator or coordinator");
  }
  return role;
}

std::string When(const google::protobuf::Timestamp& time) {
  const absl::TimeZone zone = LocalZone().value_or(absl::UTCTimeZone());
  return absl::FormatTime("%Y-%m-%d %H:%M", FromTimestamp(time), zone);
}

void PrintNote(const intake_v1::Note& n) {
  std::printf("note          %s\n", n.name().c_str());
  std::printf("kind          %s\n",
              KebabName(intake_v1::NoteKind_Name(n.kind()), "NOTE_KIND_").c_str());
  std::printf("author        %s\n", n.author().c_str());
  std::printf("version       %d of %d, %s\n", n.version(), n.latest_version(),
              When(n.update_time()).c_str());
  std::printf("text          %s\n", n.erased() ? "(erased)" : n.text().c_str());
}

void PrintDestination(const intake_v1::Destination& d) {
  std::printf("%-48s %-15s %s%s%s\n", d.name().c_str(),
              KebabName(intake_v1::DestinationKind_Name(d.kind()), "DESTINATION_KIND_").c_str(),
              d.display_name().c_str(), d.example() ? " (example)" : "",
              d.active() ? "" : " (inactive)");
}

void PrintReferral(const intake_v1::Referral& r) {
  std::printf("referral      %s\n", r.name().c_str());
  if (!r.case_().empty()) std::printf("case          %s\n", r.case_().c_str());
  std::printf("destination   %s\n", r.destination().c_str());
  std::printf("state         %s\n",
              KebabName(intake_v1::ReferralState_Name(r.state()), "REFERRAL_STATE_").c_str());
  std::vector<std::string> fields;
  for (int field : r.shared_fields()) {
    fields.push_back(KebabName(
        intake_v1::SharedField_Name(static_cast<intake_v1::SharedField>(field)), "SHARED_FIELD_"));
  }
  std::printf("shared        %s\n", absl::StrJoin(fields, ", ").c_str());
  const intake_v1::SharedData& s = r.shared();
  if (!s.family_name().empty()) {
    std::printf("  name        %s %s\n", s.given_name().c_str(), s.family_name().c_str());
  }
  if (!s.codice_fiscale().empty()) std::printf("  cf          %s\n", s.codice_fiscale().c_str());
  if (!s.phone_number().empty() || !s.email().empty()) {
    std::printf("  contact     %s %s\n", s.phone_number().c_str(), s.email().c_str());
  }
  if (s.need_areas_size() > 0) {
    std::vector<std::string> areas;
    for (int area : s.need_areas()) {
      areas.push_back(KebabName(intake_v1::NeedArea_Name(static_cast<intake_v1::NeedArea>(area)),
                                "NEED_AREA_"));
    }
    std::printf("  needs       %s\n", absl::StrJoin(areas, ", ").c_str());
  }
  if (!s.message().empty()) std::printf("  message     %s\n", s.message().c_str());
  if (r.consent_overridden()) {
    std::printf("consent       overridden: %s\n", r.consent_override_reason().c_str());
  }
  for (const intake_v1::ReferralHistoryEntry& e : r.history()) {
    std::printf("  %s  %-24s %s%s%s\n", When(e.time()).c_str(), e.actor().c_str(),
                KebabName(intake_v1::ReferralState_Name(e.to_state()), "REFERRAL_STATE_").c_str(),
                e.reason().empty() ? "" : ": ", e.reason().c_str());
  }
}

}  // namespace

int Note(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl note add CASE --kind listening|interview|phone-call|home-visit "
      "--text TEXT\n"
      "       sportelli-ctl note list CASE\n"
      "  (CASE: tenants/T/cases/K; --role operator|coordinator, default operator)\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"kind", "text", "role", "request-id"}, {});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& action = parsed->positional[0];
  const std::string& case_name = parsed->positional[1];
  absl::StatusOr<std::string> role = StaffRole(*parsed);
  if (!role.ok()) return Fail(role.status());
  absl::StatusOr<std::string> token = TokenFor(context, TenantOf(case_name), {*role});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = IntakeStub(context);
  if (action == "add") {
    intake_v1::CreateNoteRequest request;
    request.set_parent(case_name);
    intake_v1::NoteKind kind;
    if (!parsed->flags.count("kind") ||
        !ParseEnum(&intake_v1::NoteKind_Parse, "NOTE_KIND_", parsed->flags["kind"], &kind)) {
      std::cerr << "--kind: listening, interview, phone-call, home-visit\n";
      return 2;
    }
    request.mutable_note()->set_kind(kind);
    request.mutable_note()->set_text(parsed->flags["text"]);
    absl::StatusOr<std::string> request_id = RequestIdOf(parsed->flags);
    if (!request_id.ok()) return Fail(request_id.status());
    request.set_request_id(*request_id);
    intake_v1::Note response;
    if (grpc::Status status = stub->CreateNote(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    PrintNote(response);
    return 0;
  }
  if (action == "list") {
    intake_v1::ListNotesRequest request;
    request.set_parent(case_name);
    intake_v1::ListNotesResponse response;
    if (grpc::Status status = stub->ListNotes(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const intake_v1::Note& n : response.notes()) PrintNote(n);
    if (!response.next_page_token().empty()) std::printf("(more: older notes not shown)\n");
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

int Destination(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl destination list TENANT [--all]\n"
      "       sportelli-ctl destination create TENANT --name NAME --kind punto-insieme|"
      "social-service|job-centre|health-service|third-sector|other-comune\n"
      "                     [--transfer-comune TENANT] [--example]   (as tenant_admin)\n";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args, {"name", "kind", "transfer-comune", "request-id"}, {"all", "example"});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& action = parsed->positional[0];
  const std::string& tenant = parsed->positional[1];
  absl::StatusOr<std::string> token =
      TokenFor(context, tenant, {action == "create" ? "tenant_admin" : "operator"});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = IntakeStub(context);
  if (action == "list") {
    intake_v1::ListDestinationsRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    request.set_page_size(100);
    request.set_show_inactive(parsed->switches.count("all") > 0);
    intake_v1::ListDestinationsResponse response;
    if (grpc::Status status = stub->ListDestinations(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    for (const intake_v1::Destination& d : response.destinations()) PrintDestination(d);
    return 0;
  }
  if (action == "create") {
    intake_v1::CreateDestinationRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    intake_v1::DestinationKind kind;
    if (!parsed->flags.count("kind") ||
        !ParseEnum(&intake_v1::DestinationKind_Parse, "DESTINATION_KIND_", parsed->flags["kind"],
                   &kind)) {
      std::cerr << "--kind: punto-insieme, social-service, job-centre, health-service, "
                   "third-sector, other-comune\n";
      return 2;
    }
    request.mutable_destination()->set_kind(kind);
    request.mutable_destination()->set_display_name(parsed->flags["name"]);
    if (parsed->flags.count("transfer-comune")) {
      request.mutable_destination()->set_transfer_comune(
          absl::StrCat("tenants/", parsed->flags["transfer-comune"]));
    }
    request.mutable_destination()->set_example(parsed->switches.count("example") > 0);
    absl::StatusOr<std::string> request_id = RequestIdOf(parsed->flags);
    if (!request_id.ok()) return Fail(request_id.status());
    request.set_request_id(*request_id);
    intake_v1::Destination response;
    if (grpc::Status status = stub->CreateDestination(&call, request, &response); !status.ok()) {
      return Fail(status);
    }
    PrintDestination(response);
    return 0;
  }
  std::cerr << kUsage;
  return 2;
}

int Refer(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl refer CASE DESTINATION --share FIELD[,FIELD...] [--message TEXT]\n"
      "                     [--override-consent REASON --role coordinator]\n"
      "  (FIELD: name, birth-date, codice-fiscale, contact-details, address, need-areas, message;\n"
      "   CASE: tenants/T/cases/K; DESTINATION: tenants/T/destinations/D)\n";
  absl::StatusOr<ParsedArgs> parsed =
      ParseArgs(args, {"share", "message", "override-consent", "role", "request-id"}, {});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& case_name = parsed->positional[0];
  intake_v1::CreateReferralRequest request;
  request.set_parent(absl::StrCat("tenants/", TenantOf(case_name)));
  request.mutable_referral()->set_case_(case_name);
  request.mutable_referral()->set_destination(parsed->positional[1]);
  std::vector<intake_v1::SharedField> fields;
  if (!ParseEnumList(&intake_v1::SharedField_Parse, "SHARED_FIELD_", parsed->flags["share"],
                     &fields)) {
    std::cerr << "--share: name, birth-date, codice-fiscale, contact-details, address, "
                 "need-areas, message\n";
    return 2;
  }
  for (intake_v1::SharedField field : fields) request.mutable_referral()->add_shared_fields(field);
  request.mutable_referral()->set_message(parsed->flags["message"]);
  if (parsed->flags.count("override-consent")) {
    request.set_override_consent(true);
    request.set_consent_override_reason(parsed->flags["override-consent"]);
  }
  absl::StatusOr<std::string> request_id = RequestIdOf(parsed->flags);
  if (!request_id.ok()) return Fail(request_id.status());
  request.set_request_id(*request_id);
  absl::StatusOr<std::string> role = StaffRole(*parsed);
  if (!role.ok()) return Fail(role.status());
  absl::StatusOr<std::string> token = TokenFor(context, TenantOf(case_name), {*role});
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  intake_v1::Referral response;
  if (grpc::Status status = IntakeStub(context)->CreateReferral(&call, request, &response);
      !status.ok()) {
    return Fail(status);
  }
  PrintReferral(response);
  return 0;
}

int Referral(const Context& context, const std::vector<std::string>& args) {
  constexpr char kUsage[] =
      "usage: sportelli-ctl referral show REFERRAL [--as-partner DESTINATION]\n"
      "       sportelli-ctl referral list DESTINATION [--as-partner DESTINATION]\n"
      "       sportelli-ctl referral accept|reject|complete REFERRAL --as-partner DESTINATION "
      "[--reason R]\n"
      "       sportelli-ctl referral revoke REFERRAL --reason R\n"
      "  (REFERRAL: tenants/T/referrals/R; DESTINATION: tenants/T/destinations/D. Without\n"
      "   --as-partner the call is the comune's staff: --role operator|coordinator)\n";
  absl::StatusOr<ParsedArgs> parsed = ParseArgs(args, {"as-partner", "reason", "role"}, {});
  if (!parsed.ok() || parsed->positional.size() != 2) {
    if (!parsed.ok()) std::cerr << parsed.status().message() << "\n";
    std::cerr << kUsage;
    return 2;
  }
  const std::string& action = parsed->positional[0];
  const std::string& name = parsed->positional[1];
  const std::string tenant = TenantOf(name);
  absl::StatusOr<std::string> token;
  if (parsed->flags.count("as-partner")) {
    // A partner token names the destination it acts for (its id, the name's last part).
    const std::string& destination = parsed->flags["as-partner"];
    token = context.token.empty()
                ? Mint(context, tenant, {"partner"}, "sportelli-ctl-partner", absl::Minutes(5),
                       destination.substr(destination.rfind('/') + 1))
                : absl::StatusOr<std::string>(context.token);
  } else {
    absl::StatusOr<std::string> role =
        parsed->flags.count("role")
            ? StaffRole(*parsed)
            : absl::StatusOr<std::string>(action == "list" ? "coordinator" : "operator");
    if (!role.ok()) return Fail(role.status());
    token = TokenFor(context, tenant, {*role});
  }
  if (!token.ok()) return Fail(token.status());
  grpc::ClientContext call;
  Prepare(call, *token);
  auto stub = IntakeStub(context);
  intake_v1::Referral response;
  grpc::Status status;
  const std::string reason = parsed->flags["reason"];
  if (action == "show") {
    intake_v1::GetReferralRequest request;
    request.set_name(name);
    status = stub->GetReferral(&call, request, &response);
  } else if (action == "list") {
    intake_v1::ListReferralsRequest request;
    request.set_parent(absl::StrCat("tenants/", tenant));
    request.set_destination(name);
    intake_v1::ListReferralsResponse listed;
    status = stub->ListReferrals(&call, request, &listed);
    if (!status.ok()) return Fail(status);
    for (const intake_v1::Referral& r : listed.referrals()) {
      PrintReferral(r);
      std::printf("\n");
    }
    return 0;
  } else if (action == "accept") {
    intake_v1::AcceptReferralRequest request;
    request.set_name(name);
    request.set_reason(reason);
    status = stub->AcceptReferral(&call, request, &response);
  } else if (action == "reject") {
    intake_v1::RejectReferralRequest request;
    request.set_name(name);
    request.set_reason(reason);
    status = stub->RejectReferral(&call, request, &response);
  } else if (action == "complete") {
    intake_v1::CompleteReferralRequest request;
    request.set_name(name);
    request.set_reason(reason);
    status = stub->CompleteReferral(&call, request, &response);
  } else if (action == "revoke") {
    intake_v1::RevokeReferralRequest request;
    request.set_name(name);
    request.set_reason(reason);
    status = stub->RevokeReferral(&call, request, &response);
  } else {
    std::cerr << kUsage;
    return 2;
  }
  if (!status.ok()) return Fail(status);
  PrintReferral(response);
  return 0;
}

}  // namespace sportelli::ctl
