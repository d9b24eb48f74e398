-- Automation suppressions, one row per suppression id: one per (session, contact, linked outbound message);
-- for a reply linked to no known outbound message, one per contact within REPLY_LINK_WINDOW
-- (outbound_provider_message_id = ''). The same rows are published to the suppressions topic.
CREATE TABLE IF NOT EXISTS {db}.replies_suppressions (
  id String,
  session_id String,
  contact String,
  contact_name String,
  outbound_provider_message_id String,
  outbound_message_id String,
  campaign_id String,
  reason LowCardinality(String),
  link_method LowCardinality(String),
  inbound_provider_message_id String,
  inbound_event_id String,
  inbound_type LowCardinality(String),
  suppressed_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (session_id, contact, suppressed_at, id)
SETTINGS non_replicated_deduplication_window = 1000;
