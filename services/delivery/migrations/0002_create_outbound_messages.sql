-- The outbound registry: the operator's message id for a provider message id. The first registration of
-- a provider message id wins; later ones are ignored by the consumer.
CREATE TABLE IF NOT EXISTS {db}.delivery_outbound_messages (
  message_id String,
  provider_message_id String,
  session_id String,
  recipient String,
  sent_at Nullable(DateTime64(3, 'UTC')),
  campaign_id String,
  category String,
  registered_at DateTime64(3, 'UTC'),
  event_id String,
  INDEX idx_message_id message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
ORDER BY provider_message_id
SETTINGS non_replicated_deduplication_window = 1000;
