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
    for (const auto& [person, contacts] : held) {
      nlohmann::json entry = Json(ToProto(person));
      entry["contacts"] = nlohmann::json::array();
      for (const Contact& contact : contacts) entry["contacts"].push_back(Json(ToProto(contact)));
      persons.push_back(std::move(entry));
    }
    return nlohmann::json{{"persons", persons}};
  };
}

}  // namespace sportelli::intake
