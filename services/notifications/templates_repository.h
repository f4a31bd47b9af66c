// The comuni's own texts of the messages to citizens (migrations/V004__templates.sql), behind an
// interface: the gRPC edge edits them, the sender reads a comune's texts at each round of sends.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_TEMPLATES_REPOSITORY_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_TEMPLATES_REPOSITORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notifications/domain/messages.h"
#include "sportelli/pg/pool.h"

namespace sportelli::notifications {

struct CustomTemplate {
  MessageKind kind = MessageKind::kConfirmation;
  Language language = Language::kItalian;
  MessageTemplate text;
  absl::Time update_time;
};

class TemplatesRepository {
 public:
  virtual ~TemplatesRepository() = default;
  // The comune's text of `kind` in `language`; nullopt when it uses the built-in one.
  virtual absl::StatusOr<std::optional<CustomTemplate>> Get(const std::string& tenant_id,
                                                            MessageKind kind,
                                                            Language language) = 0;
  // Every text the comune wrote.
  virtual absl::StatusOr<std::vector<CustomTemplate>> List(const std::string& tenant_id) = 0;
  // Stores `custom` (already validated), replacing the comune's previous one.
  virtual absl::Status Put(const std::string& tenant_id, const CustomTemplate& custom) = 0;
  // Back to the built-in text (nothing to do when it already is).
  virtual absl::Status Remove(const std::string& tenant_id, MessageKind kind,
                              Language language) = 0;
};

class PostgresTemplatesRepository final : public TemplatesRepository {
 public:
  // The pool must outlive the repository.
  explicit PostgresTemplatesRepository(pg::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<std::optional<CustomTemplate>> Get(const std::string& tenant_id, MessageKind kind,
                                                    Language language) override;
  absl::StatusOr<std::vector<CustomTemplate>> List(const std::string& tenant_id) override;
  absl::Status Put(const std::string& tenant_id, const CustomTemplate& custom) override;
  absl::Status Remove(const std::string& tenant_id, MessageKind kind, Language language) override;

 private:
  pg::ConnectionPool* const pool_;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_TEMPLATES_REPOSITORY_H_
