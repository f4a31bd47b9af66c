#include "services/notifications/templates_repository.h"

#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"

namespace sportelli::notifications {
namespace {

absl::StatusOr<CustomTemplate> TemplateAt(const pqxx::row& row) {
  std::optional<MessageKind> kind = ParseMessageKind(row[0].as<std::string>());
  std::optional<Language> language = ParseLanguage(row[1].as<std::string>());
  if (!kind || !language) return status::Internal("a stored template does not parse");
  return CustomTemplate{*kind, *language,
                        MessageTemplate{row[2].as<std::string>(), row[3].as<std::string>()},
                        pg::TimeAt(row[4])};
}

std::string Columns() { return "kind, language, subject, body, " + pg::Micros("update_time"); }

}  // namespace

absl::StatusOr<std::optional<CustomTemplate>> PostgresTemplatesRepository::Get(
    const std::string& tenant_id, MessageKind kind, Language language) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<std::optional<CustomTemplate>> {
        const pqxx::result rows = pg::ExecPrepared(
            tx,
            "SELECT " + Columns() +
                " FROM notifications.templates WHERE tenant_id = $1 AND kind = $2 AND "
                "language = $3",
            tenant_id, std::string(MessageKindName(kind)), std::string(LanguageName(language)));
        if (rows.empty()) return std::optional<CustomTemplate>();
        absl::StatusOr<CustomTemplate> found = TemplateAt(rows[0]);
        if (!found.ok()) return found.status();
        return std::optional<CustomTemplate>(*std::move(found));
      });
}

absl::StatusOr<std::vector<CustomTemplate>> PostgresTemplatesRepository::List(
    const std::string& tenant_id) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<CustomTemplate>> {
        std::vector<CustomTemplate> out;
        for (const auto& row : pg::ExecPrepared(
                 tx,
                 "SELECT " + Columns() +
                     " FROM notifications.templates WHERE tenant_id = $1 ORDER BY kind, language",
                 tenant_id)) {
          absl::StatusOr<CustomTemplate> found = TemplateAt(row);
          if (!found.ok()) return found.status();
          out.push_back(*std::move(found));
        }
        return out;
      });
}

absl::Status PostgresTemplatesRepository::Put(const std::string& tenant_id,
                                              const CustomTemplate& custom) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    pg::ExecPrepared(
        tx,
        "INSERT INTO notifications.templates (tenant_id, kind, language, subject, body, "
        "update_time) VALUES ($1, $2, $3, $4, $5, $6::timestamptz) ON CONFLICT (tenant_id, kind, "
        "language) DO UPDATE SET subject = excluded.subject, body = excluded.body, update_time = "
        "excluded.update_time",
        tenant_id, std::string(MessageKindName(custom.kind)),
        std::string(LanguageName(custom.language)), custom.text.subject, custom.text.body,
        pg::Timestamp(custom.update_time));
    return absl::OkStatus();
  });
}

absl::Status PostgresTemplatesRepository::Remove(const std::string& tenant_id, MessageKind kind,
                                                 Language language) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    pg::ExecPrepared(
        tx,
        "DELETE FROM notifications.templates WHERE tenant_id = $1 AND kind = $2 AND language = $3",
        tenant_id, std::string(MessageKindName(kind)), std::string(LanguageName(language)));
    return absl::OkStatus();
  });
}

}  // namespace sportelli::notifications
