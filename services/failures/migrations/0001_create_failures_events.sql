-- One row per failure event id: failed statuses (each error), Meta envelope errors, ChatSend message.failed,
-- inbound message errors and session states that stop sending. The consumer drops ids it already stored,
-- so a provider's retry, however late, is not stored twice. The API counts failures from here.
CREATE TABLE IF NOT EXISTS {db}.failures_events (
  event_id String,
  session_id String,
  provider LowCardinality(String),
  provider_message_id String,
  recipient String,
  code String,
  title String,
  details String,
  category LowCardinality(String),
  retryable UInt8,
  retry_advice LowCardinality(String),
  alert UInt8,
  source LowCardinality(String),
  occurred_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  kafka_partition UInt32,
  kafka_offset UInt64,
  INDEX idx_provider_message_id provider_message_id TYPE bloom_filter GRANULARITY 4,
  INDEX idx_event_id event_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
ORDER BY (session_id, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
