#include "services/intake/export.h"

#include <string>

#include "google/protobuf/util/json_util.h"
#include "services/intake/proto_mapping.h"
#include "sportelli/status/macros.h"

namespace sportelli::intake {
namespace {

nlohmann::json Json(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string json;
  // Fails only on a message protobuf cannot describe, which a generated one never is.
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return {};
  return nlohmann::json::parse(json);
}

}  // namespace

audit::CitizenExporter CitizenDataExporter(PostgresIntakeRepository* repository) {
  return [repository](pqxx::work& tx, const std::string& tenant,
                      const std::string& citizen_index) -> absl::StatusOr<nlohmann::json> {
    ASSIGN_OR_RETURN(auto held, repository->HeldAbout(tx, tenant, citizen_index));
    nlohmann::json persons = nlohmann::json::array();
    for (const HeldAboutPerson& h : held) {
      nlohmann::json entry = Json(ToProto(h.person));
      entry["contacts"] = nlohmann::json::array();
      for (const Contact& contact : h.contacts) entry["contacts"].push_back(Json(ToProto(contact)));
      entry["cases"] = nlohmann::json::array();
      for (const HeldCase& held_case : h.cases) {
        nlohmann::json c = Json(ToProto(held_case.c));
        c["notes"] = nlohmann::json::array();
        for (const Note& version : held_case.note_versions) {
          c["notes"].push_back(Json(ToProto(version)));
        }
        c["attachments"] = nlohmann::json::array();
        for (const Attachment& a : held_case.attachments)
          c["attachments"].push_back(Json(ToProto(a)));
        entry["cases"].push_back(std::move(c));
      }
      entry["referrals"] = nlohmann::json::array();
      for (const Referral& r : h.referrals) entry["referrals"].push_back(Json(ToProto(r)));
      persons.push_back(std::move(entry));
    }
    return nlohmann::json{{"persons", persons}};
  };
}

}  // namespace sportelli::intake
