-- The timeline: one row per status event id. The delivery consumer drops ids it already stored before
-- writing, so a provider's retry days later is not stored twice.
CREATE TABLE IF NOT EXISTS {db}.delivery_status_events (
  event_id String,
  session_id String,
  provider LowCardinality(String),
  provider_message_id String,
  recipient String,
  status LowCardinality(String),
  group_participant String,
  occurred_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  pricing_category LowCardinality(String),
  conversation_category LowCardinality(String),
  kafka_partition UInt32,
  kafka_offset UInt64
) ENGINE = MergeTree
ORDER BY (provider_message_id, status, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
