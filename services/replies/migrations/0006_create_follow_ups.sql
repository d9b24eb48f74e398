-- Human follow-up requests, one row per id (inbound message × rule). `request` is the JSON published to
-- the follow-ups topic. trigger: 'reply' (decided when the reply was processed) or 'registration' (a
-- campaign rule that matched once a later registration told the reply's campaign).
CREATE TABLE IF NOT EXISTS {db}.replies_follow_ups (
  id String,
  session_id String,
  rule LowCardinality(String),
  queue LowCardinality(String),
  contact String,
  inbound_provider_message_id String,
  inbound_event_id String,
  inbound_type LowCardinality(String),
  outbound_provider_message_id String,
  outbound_message_id String,
  campaign_id String,
  link_method LowCardinality(String),
  reply_at DateTime64(3, 'UTC'),
  trigger LowCardinality(String),
  request String,
  INDEX idx_inbound_provider_message_id inbound_provider_message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
ORDER BY (session_id, reply_at, id)
SETTINGS non_replicated_deduplication_window = 1000;
