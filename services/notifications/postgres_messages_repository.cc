#include "services/notifications/postgres_messages_repository.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "sportelli/crypto/random.h"
#include "sportelli/pg/prepared.h"
#include "sportelli/pg/time.h"
#include "sportelli/status/errors.h"
#include "sportelli/status/macros.h"

namespace sportelli::notifications {
namespace {

using pg::Micros;
using pg::TimeAt;
using pg::Timestamp;

// 10 characters of a-z and 2-7: 50 random bits.
std::string NewCancelCode() { return crypto::RandomResourceId("").substr(0, 10); }

const std::string& Columns() {
  static const std::string* columns = new std::string(absl::StrCat(
      "tenant_id, message_id, event_id::text, kind, appointment_id, channel, state, ",
      Micros("appointment_start"), ", ", Micros("previous_start"), ", ", Micros("send_after"), ", ",
      Micros("give_up_at"), ", attempts, last_reason, ", Micros("create_time"), ", ",
      Micros("update_time"), ", provider, provider_message_id"));
  return *columns;
}

absl::StatusOr<Message> MessageAt(const pqxx::row& row) {
  Message m;
  m.tenant_id = row[0].as<std::string>();
  m.message_id = row[1].as<std::string>();
  m.event_id = row[2].as<std::string>();
  std::optional<MessageKind> kind = ParseMessageKind(row[3].as<std::string>());
  std::optional<DeliveryChannel> channel = ParseDeliveryChannel(row[5].as<std::string>());
  std::optional<MessageState> state = ParseMessageState(row[6].as<std::string>());
  if (!kind || !channel || !state) return status::Internal("a stored message does not parse");
  m.kind = *kind;
  m.appointment_id = row[4].as<std::string>();
  m.channel = *channel;
  m.state = *state;
  m.appointment_start = TimeAt(row[7]);
  if (!row[8].is_null()) m.previous_start = TimeAt(row[8]);
  m.send_after = TimeAt(row[9]);
  m.give_up_at = TimeAt(row[10]);
  m.attempts = row[11].as<int>();
  m.last_reason = row[12].as<std::string>();
  m.create_time = TimeAt(row[13]);
  m.update_time = TimeAt(row[14]);
  m.provider = row[15].as<std::string>();
  m.provider_message_id = row[16].as<std::string>();
  if (row.size() > 17 && !row[17].is_null()) m.cancel_code = row[17].as<std::string>();
  return m;
}

absl::StatusOr<std::vector<Message>> MessagesOf(const pqxx::result& rows) {
  std::vector<Message> out;
  out.reserve(rows.size());
  for (const auto& row : rows) {
    absl::StatusOr<Message> message = MessageAt(row);
    if (!message.ok()) return message.status();
    out.push_back(*std::move(message));
  }
  return out;
}

}  // namespace

const char* DeliveryChannelName(DeliveryChannel channel) {
  return channel == DeliveryChannel::kEmail ? "EMAIL" : "SMS";
}

std::optional<DeliveryChannel> ParseDeliveryChannel(absl::string_view name) {
  if (name == "EMAIL") return DeliveryChannel::kEmail;
  if (name == "SMS") return DeliveryChannel::kSms;
  return std::nullopt;
}

namespace {
constexpr const char* kStateNames[] = {
    "CREATED",           "SENDING",           "DELIVERED", "TEMPORARY_FAILURE",
    "PERMANENT_FAILURE", "TECHNICAL_FAILURE", "DROPPED",   "SENT"};
}  // namespace

const char* MessageStateName(MessageState state) { return kStateNames[static_cast<int>(state)]; }

std::optional<MessageState> ParseMessageState(absl::string_view name) {
  for (int i = 0; i < static_cast<int>(std::size(kStateNames)); ++i) {
    if (name == kStateNames[i]) return static_cast<MessageState>(i);
  }
  return std::nullopt;
}

bool IsFailure(MessageState state) {
  return state == MessageState::kTemporaryFailure || state == MessageState::kPermanentFailure ||
         state == MessageState::kTechnicalFailure;
}

absl::StatusOr<int> PostgresMessagesRepository::Plan(
    const std::string& tenant_id, const std::string& appointment_id, const std::string& event_id,
    bool drop_reminders, const std::vector<Message>& add, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<int> {
    if (drop_reminders) {
      // Another event's reminders only: this event's own (it may come twice) stay as planned.
      pg::ExecPrepared(tx,
                       "UPDATE notifications.messages SET state = 'DROPPED', last_reason = "
                       "'APPOINTMENT_CHANGED', update_time = $4::timestamptz WHERE tenant_id = $1 "
                       "AND appointment_id = $2 AND event_id <> $3::uuid AND kind IN ('REMINDER', "
                       "'SAME_DAY_REMINDER') AND state IN ('CREATED', 'TEMPORARY_FAILURE')",
                       tenant_id, appointment_id, event_id, Timestamp(now));
    }
    if (!add.empty()) {
      // A code already taken by another appointment (a chance in 10^15 per code in use) leaves
      // this one without: its messages then carry the full link.
      pg::ExecPrepared(tx,
                       "INSERT INTO notifications.cancel_links (code, tenant_id, appointment_id, "
                       "create_time) VALUES ($1, $2, $3, $4::timestamptz) ON CONFLICT DO NOTHING",
                       NewCancelCode(), tenant_id, appointment_id, Timestamp(now));
    }
    int added = 0;
    for (const Message& m : add) {
      const pqxx::result inserted = pg::ExecPrepared(
          tx,
          "INSERT INTO notifications.messages (tenant_id, message_id, event_id, kind, "
          "appointment_id, channel, state, appointment_start, previous_start, send_after, "
          "give_up_at, create_time, update_time) VALUES ($1, $2, $3::uuid, $4, $5, $6, "
          "'CREATED', $7::timestamptz, nullif($8, '')::timestamptz, $9::timestamptz, "
          "$10::timestamptz, "
          "$11::timestamptz, $11::timestamptz) ON CONFLICT (tenant_id, event_id, kind, "
          "appointment_id, channel) DO NOTHING RETURNING 1",
          tenant_id, m.message_id, event_id, std::string(MessageKindName(m.kind)), appointment_id,
          std::string(DeliveryChannelName(m.channel)), Timestamp(m.appointment_start),
          m.previous_start ? Timestamp(*m.previous_start) : std::string(), Timestamp(m.send_after),
          Timestamp(m.give_up_at), Timestamp(now));
      added += inserted.empty() ? 0 : 1;
    }
    return added;
  });
}

absl::StatusOr<std::vector<Message>> PostgresMessagesRepository::ClaimDue(
    const std::string& tenant_id, absl::Time now, int limit, absl::Duration lease) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Message>> {
        // The oldest due are the ones claimed; RETURNING gives them in no particular order.
        ASSIGN_OR_RETURN(
            std::vector<Message> claimed,
            MessagesOf(pg::ExecPrepared(
                tx,
                absl::StrCat(
                    "UPDATE notifications.messages SET state = 'SENDING', attempts = attempts + 1, "
                    "update_time = $2::timestamptz WHERE (tenant_id, message_id) IN (SELECT "
                    "tenant_id, message_id FROM notifications.messages WHERE tenant_id = $1 AND "
                    "((state IN ('CREATED', 'TEMPORARY_FAILURE') AND send_after <= "
                    "$2::timestamptz) OR (state = 'SENDING' AND update_time <= $4::timestamptz)) "
                    "ORDER BY send_after LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING ",
                    Columns(),
                    ", (SELECT l.code FROM notifications.cancel_links l WHERE l.tenant_id = "
                    "messages.tenant_id AND l.appointment_id = messages.appointment_id)"),
                tenant_id, Timestamp(now), limit, Timestamp(now - lease))));
        std::stable_sort(claimed.begin(), claimed.end(), [](const Message& a, const Message& b) {
          return a.send_after < b.send_after;
        });
        return claimed;
      });
}

absl::Status PostgresMessagesRepository::Finish(const std::string& tenant_id,
                                                const std::string& message_id,
                                                const Outcome& outcome, absl::Time now) {
  return pool_->RunInTenantTransaction(tenant_id, [&](pqxx::work& tx) -> absl::Status {
    pg::ExecPrepared(
        tx,
        "UPDATE notifications.messages SET "
        "state = CASE WHEN state = 'SENDING' THEN $3 ELSE state END, "
        "last_reason = CASE WHEN state = 'SENDING' THEN $4 ELSE last_reason END, "
        "send_after = CASE WHEN state = 'SENDING' THEN coalesce(nullif($5, '')::timestamptz, "
        "send_after) ELSE send_after END, "
        "provider = CASE WHEN $7 = '' THEN provider ELSE $7 END, "
        "provider_message_id = CASE WHEN $8 = '' THEN provider_message_id ELSE $8 END, "
        "update_time = $6::timestamptz WHERE tenant_id = $1 AND message_id = $2",
        tenant_id, message_id, std::string(MessageStateName(outcome.state)), outcome.reason,
        outcome.retry_at ? Timestamp(*outcome.retry_at) : std::string(), Timestamp(now),
        outcome.provider, outcome.provider_message_id);
    return absl::OkStatus();
  });
}

absl::StatusOr<ReceiptEffect> PostgresMessagesRepository::RecordReceipt(
    const std::string& tenant_id, const std::string& message_id, const std::string& provider,
    MessageState state, const std::string& reason, absl::Time now) {
  return pool_->RunInTenantTransaction(
      tenant_id, [&](pqxx::work& tx) -> absl::StatusOr<ReceiptEffect> {
        // Still SENDING: the receipt overtook the provider's answer, whose Finish will record
        // the provider; until then the row names none, and the receipt is taken on its word.
        const pqxx::result changed = pg::ExecPrepared(
            tx,
            "UPDATE notifications.messages SET state = $4, last_reason = $5, provider = $3, "
            "update_time = $6::timestamptz WHERE tenant_id = $1 AND message_id = $2 AND "
            "channel = 'SMS' AND ((state = 'SENT' AND provider = $3) OR (state = 'SENDING' AND "
            "provider IN ('', $3))) RETURNING 1",
            tenant_id, message_id, provider, std::string(MessageStateName(state)), reason,
            Timestamp(now));
        if (!changed.empty()) return ReceiptEffect::kApplied;
        const pqxx::result known = pg::ExecPrepared(
            tx,
            "SELECT 1 FROM notifications.messages WHERE tenant_id = $1 AND message_id = $2 AND "
            "channel = 'SMS' AND provider = $3",
            tenant_id, message_id, provider);
        return known.empty() ? ReceiptEffect::kUnknown : ReceiptEffect::kUnchanged;
      });
}

absl::StatusOr<Message> PostgresMessagesRepository::Get(const std::string& tenant_id,
                                                        const std::string& message_id) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) -> absl::StatusOr<Message> {
    const pqxx::result rows = pg::ExecPrepared(
        tx,
        absl::StrCat("SELECT ", Columns(),
                     " FROM notifications.messages WHERE tenant_id = $1 AND message_id = $2"),
        tenant_id, message_id);
    if (rows.empty()) return status::NotFound("notification");
    return MessageAt(rows[0]);
  });
}

absl::StatusOr<api::Page<Message>> PostgresMessagesRepository::List(
    const std::string& tenant_id, const std::string& appointment_id,
    const std::vector<MessageState>& states, const api::PageRequest& page) {
  std::string state_list;
  for (MessageState state : states) {
    absl::StrAppend(&state_list, state_list.empty() ? "" : ",", MessageStateName(state));
  }
  // The first page starts before every key: rank -1.
  const std::string rank = page.first_page() ? "-1" : page.after[0];
  const std::string micros = page.first_page() ? "0" : page.after[1];
  const std::string id = page.first_page() ? "" : page.after[2];
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<api::Page<Message>> {
        ASSIGN_OR_RETURN(
            std::vector<Message> rows,
            MessagesOf(pg::ExecPrepared(
                tx,
                absl::StrCat(
                    "SELECT ", Columns(),
                    " FROM (SELECT *, CASE WHEN state IN ('TEMPORARY_FAILURE', "
                    "'PERMANENT_FAILURE', 'TECHNICAL_FAILURE') THEN 0 ELSE 1 END AS rank, "
                    "(extract(epoch FROM send_after) * 1000000)::bigint AS due FROM "
                    "notifications.messages WHERE tenant_id = $1 AND ($2 = '' OR "
                    "appointment_id = $2) AND ($3 = '' OR state = ANY(string_to_array($3, "
                    "',')))) m WHERE (rank, due, message_id) > ($4::bigint, $5::bigint, $6) "
                    "ORDER BY rank, due, message_id LIMIT $7"),
                tenant_id, appointment_id, state_list, rank, micros, id, page.limit + 1)));
        return api::TakePage(std::move(rows), page.limit);
      });
}

absl::StatusOr<std::vector<Message>> PostgresMessagesRepository::ListForAppointment(
    const std::string& tenant_id, const std::string& appointment_id) {
  pg::TransactionOptions options;
  options.tenant_id = tenant_id;
  options.read_only = true;
  return pool_->RunInTransaction(options, [&](pqxx::work& tx) {
    return MessagesOf(pg::ExecPrepared(
        tx,
        absl::StrCat("SELECT ", Columns(),
                     " FROM notifications.messages WHERE tenant_id = $1 AND appointment_id = $2 "
                     "ORDER BY create_time, send_after, message_id"),
        tenant_id, appointment_id));
  });
}

absl::StatusOr<std::optional<CancelLinkTarget>> PostgresMessagesRepository::FindCancelLink(
    const std::string& code) {
  pg::TransactionOptions options;
  options.settings = {{"app.cancel_link_lookup", "on"}};
  options.read_only = true;
  return pool_->RunInTransaction(
      options, [&](pqxx::work& tx) -> absl::StatusOr<std::optional<CancelLinkTarget>> {
        const pqxx::result rows = pg::ExecPrepared(
            tx, "SELECT tenant_id, appointment_id FROM notifications.cancel_links WHERE code = $1",
            code);
        if (rows.empty()) return std::nullopt;
        return CancelLinkTarget{rows[0][0].as<std::string>(), rows[0][1].as<std::string>()};
      });
}

pg::RetentionStep CancelLinksRetention(absl::Duration keep) {
  return {"cancel_links",
          [keep](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
            return pg::DeleteDue(
                tx, "notifications", "cancel_links",
                "create_time < $2::timestamptz AND NOT EXISTS (SELECT 1 FROM "
                "notifications.messages m WHERE m.tenant_id = cancel_links.tenant_id AND "
                "m.appointment_id = cancel_links.appointment_id)",
                tenant, now - keep, batch);
          }};
}

pg::RetentionStep MessagesRetention(absl::Duration keep) {
  return {"messages", [keep](pqxx::work& tx, const std::string& tenant, absl::Time now, int batch) {
            return pg::DeleteDue(tx, "notifications", "messages",
                                 "update_time < $2::timestamptz AND give_up_at < $2::timestamptz",
                                 tenant, now - keep, batch);
          }};
}

}  // namespace sportelli::notifications
