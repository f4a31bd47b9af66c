// MessagesRepository over PostgreSQL (schema `notifications`), each call one tenant
// transaction under row-level security.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_POSTGRES_MESSAGES_REPOSITORY_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_POSTGRES_MESSAGES_REPOSITORY_H_

#include "services/notifications/messages_repository.h"
#include "sportelli/pg/pool.h"
#include "sportelli/pg/retention.h"

namespace sportelli::notifications {

inline constexpr char kSchema[] = "notifications";

class PostgresMessagesRepository final : public MessagesRepository {
 public:
  // The pool must outlive the repository.
  explicit PostgresMessagesRepository(pg::ConnectionPool* pool) : pool_(pool) {}

  absl::StatusOr<int> Plan(const std::string& tenant_id, const std::string& appointment_id,
                           const std::string& event_id, bool drop_reminders,
                           const std::vector<Message>& add, absl::Time now) override;
  absl::StatusOr<std::vector<Message>> ClaimDue(const std::string& tenant_id, absl::Time now,
                                                int limit, absl::Duration lease) override;
  absl::Status Finish(const std::string& tenant_id, const std::string& message_id,
                      const Outcome& outcome, absl::Time now) override;
  absl::StatusOr<ReceiptEffect> RecordReceipt(const std::string& tenant_id,
                                              const std::string& message_id,
                                              const std::string& provider, MessageState state,
                                              const std::string& reason, absl::Time now) override;
  absl::StatusOr<Message> Get(const std::string& tenant_id, const std::string& message_id) override;
  absl::StatusOr<api::Page<Message>> List(const std::string& tenant_id,
                                          const std::string& appointment_id,
                                          const std::vector<MessageState>& states,
                                          const api::PageRequest& page) override;
  absl::StatusOr<std::vector<Message>> ListForAppointment(
      const std::string& tenant_id, const std::string& appointment_id) override;
  absl::StatusOr<std::optional<CancelLinkTarget>> FindCancelLink(const std::string& code) override;

 private:
  pg::ConnectionPool* const pool_;
};

// `maintain`'s step for the messages (data class "messages"): deleted `keep` after their last
// change, once they can no longer be sent (give_up_at passed). A message holds no address and
// no text; it is kept so that an operator can answer "did you get our message?".
pg::RetentionStep MessagesRetention(absl::Duration keep);
// ... and for the short cancel links (data class "cancel_links"): deleted once `keep` old and
// their appointment has no message left.
pg::RetentionStep CancelLinksRetention(absl::Duration keep);

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_POSTGRES_MESSAGES_REPOSITORY_H_
