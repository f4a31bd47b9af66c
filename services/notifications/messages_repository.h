// The messages to citizens, as stored (migrations/V001__messages.sql), behind an interface: the
// event handler plans them, the sender claims what is due and records how each attempt ended.
#ifndef SPORTELLI_SERVICES_NOTIFICATIONS_MESSAGES_REPOSITORY_H_
#define SPORTELLI_SERVICES_NOTIFICATIONS_MESSAGES_REPOSITORY_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/notifications/domain/messages.h"
#include "sportelli/api/pagination.h"

namespace sportelli::notifications {

enum class DeliveryChannel { kEmail, kSms };
const char* DeliveryChannelName(DeliveryChannel channel);  // "EMAIL", "SMS"
std::optional<DeliveryChannel> ParseDeliveryChannel(absl::string_view name);

enum class MessageState {
  kCreated,
  kSending,
  kDelivered,
  kTemporaryFailure,
  kPermanentFailure,
  kTechnicalFailure,
  kDropped,  // no longer true: the appointment was cancelled, moved or has started
  // SMS: accepted by the provider, waiting for its delivery receipt. Last in the list, so that
  // the older states keep their numbers (the proto's follow them).
  kSent,
};
const char* MessageStateName(MessageState state);  // "CREATED", ...
// Whether an attempt failed: TEMPORARY_FAILURE, PERMANENT_FAILURE, TECHNICAL_FAILURE.
bool IsFailure(MessageState state);
std::optional<MessageState> ParseMessageState(absl::string_view name);

struct Message {
  std::string tenant_id;
  std::string message_id;
  std::string event_id;
  MessageKind kind = MessageKind::kConfirmation;
  std::string appointment_id;
  DeliveryChannel channel = DeliveryChannel::kEmail;
  MessageState state = MessageState::kCreated;
  absl::Time appointment_start;
  std::optional<absl::Time> previous_start;
  absl::Time send_after;
  absl::Time give_up_at;
  int attempts = 0;
  std::string last_reason;
  // SMS: the provider that took it and its id there; empty otherwise.
  std::string provider;
  std::string provider_message_id;
  absl::Time create_time;
  absl::Time update_time;
  // The appointment's short cancel link code (cancel_links), as claimed by ClaimDue; empty
  // elsewhere, or when the appointment has none.
  std::string cancel_code{};
};

// The appointment a short cancel link names.
struct CancelLinkTarget {
  std::string tenant_id;
  std::string appointment_id;
};

// How one attempt ended.
struct Outcome {
  MessageState state = MessageState::kDelivered;
  std::string reason;
  // For a temporary failure: when to try again.
  std::optional<absl::Time> retry_at;
  // SMS handed to a provider: which, and its id of the text.
  std::string provider{};
  std::string provider_message_id{};
};

// What a provider's delivery receipt did to its message.
enum class ReceiptEffect {
  kApplied,    // SENT (or still SENDING) became DELIVERED or PERMANENT_FAILURE
  kUnchanged,  // the message had already ended (a receipt sent twice): nothing to do
  kUnknown,    // no SMS message by that id taken by that provider
};

class MessagesRepository {
 public:
  virtual ~MessagesRepository() = default;

  // What one event asks for, in one transaction: the appointment's reminders still to be sent
  // that other events planned are dropped when `drop_reminders` (it was cancelled, moved or has
  // started), then `add` is stored; a message already there for the same event, kind,
  // appointment and channel is left as it is (the event came twice). The appointment gets its
  // short cancel link with its first messages. Returns how many were added.
  virtual absl::StatusOr<int> Plan(const std::string& tenant_id, const std::string& appointment_id,
                                   const std::string& event_id, bool drop_reminders,
                                   const std::vector<Message>& add, absl::Time now) = 0;

  // Up to `limit` messages due at `now` (CREATED or TEMPORARY_FAILURE with send_after passed,
  // or SENDING for longer than `lease`: a sender that died mid-send), oldest due first, marked
  // SENDING with one more attempt. Concurrent senders never claim the same message.
  virtual absl::StatusOr<std::vector<Message>> ClaimDue(const std::string& tenant_id,
                                                        absl::Time now, int limit,
                                                        absl::Duration lease) = 0;

  // Records how the attempt on a claimed message ended. A message no longer SENDING (its
  // provider's receipt came first) keeps its state; the provider's names are recorded anyway.
  virtual absl::Status Finish(const std::string& tenant_id, const std::string& message_id,
                              const Outcome& outcome, absl::Time now) = 0;

  // A delivery receipt from `provider` for the SMS `message_id`: `state` DELIVERED or
  // PERMANENT_FAILURE (with `reason`). Only a message SENT, or SENDING (the receipt overtook
  // the provider's answer), changes; a message `provider` did not take is kUnknown, so that one
  // provider's key cannot forge another's receipts.
  virtual absl::StatusOr<ReceiptEffect> RecordReceipt(const std::string& tenant_id,
                                                      const std::string& message_id,
                                                      const std::string& provider,
                                                      MessageState state, const std::string& reason,
                                                      absl::Time now) = 0;

  // One message; NOT_FOUND when the comune has none by that id.
  virtual absl::StatusOr<Message> Get(const std::string& tenant_id,
                                      const std::string& message_id) = 0;

  // A page of the comune's messages, failed ones (TEMPORARY_, PERMANENT_, TECHNICAL_FAILURE)
  // first, then by send_after and id; only `appointment_id`'s when set, only those in `states`
  // when not empty. The page's key: the failure rank (0 or 1), send_after in microseconds and
  // the message id.
  virtual absl::StatusOr<api::Page<Message>> List(const std::string& tenant_id,
                                                  const std::string& appointment_id,
                                                  const std::vector<MessageState>& states,
                                                  const api::PageRequest& page) = 0;

  // The messages of one appointment, oldest first (operators, tests).
  virtual absl::StatusOr<std::vector<Message>> ListForAppointment(
      const std::string& tenant_id, const std::string& appointment_id) = 0;

  // The appointment whose short cancel link is `code`, in whichever comune; nullopt when none.
  virtual absl::StatusOr<std::optional<CancelLinkTarget>> FindCancelLink(
      const std::string& code) = 0;
};

}  // namespace sportelli::notifications

#endif  // SPORTELLI_SERVICES_NOTIFICATIONS_MESSAGES_REPOSITORY_H_
