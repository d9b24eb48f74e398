-- Every session state a provider reported (ChatSend session.status), one row per event id. The current
-- state of a session is its latest row by (occurred_at, event_id), whatever order the reports arrived in.
CREATE TABLE IF NOT EXISTS {db}.failures_session_states (
  event_id String,
  session_id String,
  provider LowCardinality(String),
  status LowCardinality(String),
  reason String,
  occurred_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  kafka_partition UInt32,
  kafka_offset UInt64
) ENGINE = MergeTree
ORDER BY (session_id, occurred_at, event_id)
SETTINGS non_replicated_deduplication_window = 1000;
