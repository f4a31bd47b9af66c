-- The SMS channel. A text accepted by a provider is SENT, not yet DELIVERED: the provider's
-- delivery receipt (an HMAC-signed callback) makes it DELIVERED or PERMANENT_FAILURE. The row
-- records which provider took it, so that only that provider's receipts may change it, and the
-- provider's own id of the text, for an operator comparing with the provider's console.

ALTER TABLE notifications.messages ADD COLUMN provider text NOT NULL DEFAULT '';
ALTER TABLE notifications.messages ADD COLUMN provider_message_id text NOT NULL DEFAULT '';

ALTER TABLE notifications.messages DROP CONSTRAINT messages_state_check;
ALTER TABLE notifications.messages ADD CONSTRAINT messages_state_check
  CHECK (state IN ('CREATED', 'SENDING', 'SENT', 'DELIVERED', 'TEMPORARY_FAILURE',
                   'PERMANENT_FAILURE', 'TECHNICAL_FAILURE', 'DROPPED'));
