-- The outbound messages this service knows, to link replies: from registrations (message id, campaign,
-- sentAt) and from status events (the message exists; its earliest status time). The consumer reads the
-- current row, merges what a batch adds and writes the result with version + 1: read with FINAL.
-- recipient is the contact key (a phone number reduced to its digits), the same as replies_contacts.wa_id.
-- sent_at = registered_sent_at, else first_status_at, else registered_at.
CREATE TABLE IF NOT EXISTS {db}.replies_outbound_index (
  session_id String,
  recipient String,
  provider_message_id String,
  message_id String,
  campaign_id String,
  sent_at DateTime64(3, 'UTC'),
  registered_sent_at Nullable(DateTime64(3, 'UTC')),
  first_status_at Nullable(DateTime64(3, 'UTC')),
  registered_at Nullable(DateTime64(3, 'UTC')),
  version UInt64,
  INDEX idx_provider_message_id provider_message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = ReplacingMergeTree(version)
ORDER BY (session_id, recipient, provider_message_id)
SETTINGS non_replicated_deduplication_window = 1000;
