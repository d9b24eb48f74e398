-- The failure-rate window's raw material: one row per (session, minute of event time, message, failed)
-- for `sent` and `failed` statuses, written only when first seen. A window's rate is the distinct failed
-- messages over the distinct messages with a mark in it, so repeats and re-batching cannot change it.
-- Only recent minutes matter to a sliding window; two days are kept.
CREATE TABLE IF NOT EXISTS {db}.failures_window_marks (
  session_id String,
  minute DateTime('UTC'),
  provider_message_id String,
  failed UInt8,
  occurred_at DateTime64(3, 'UTC'),
  INDEX idx_provider_message_id provider_message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
ORDER BY (session_id, minute, provider_message_id, failed)
TTL minute + INTERVAL 2 DAY
SETTINGS non_replicated_deduplication_window = 1000;
