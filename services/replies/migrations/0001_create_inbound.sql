-- One row per inbound message id (every type). The consumer drops ids it already stored before writing,
-- so a provider's retry, or the same message in another webhook body, is stored once.
-- linked_provider_message_id is the outbound message the reply answers, fixed when it is processed: the
-- context id (reply or reaction target), else the contact's most recent outbound within the window. The
-- operator's message id and campaign are joined from replies_outbound_index when read, so a registration
-- that arrives after the reply still completes the link.
CREATE TABLE IF NOT EXISTS {db}.replies_inbound (
  event_id String,
  session_id String,
  provider LowCardinality(String),
  provider_message_id String,
  from_id String,
  contact_name String,
  type LowCardinality(String),
  text String,
  payload String,
  reply_to_provider_message_id String,
  reaction_to_provider_message_id String,
  forwarded UInt8,
  linked_provider_message_id String,
  link_method LowCardinality(String),
  occurred_at DateTime64(3, 'UTC'),
  received_at DateTime64(3, 'UTC'),
  kafka_partition UInt32,
  kafka_offset UInt64,
  INDEX idx_provider_message_id provider_message_id TYPE bloom_filter GRANULARITY 4,
  INDEX idx_linked_provider_message_id linked_provider_message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = MergeTree
ORDER BY (session_id, occurred_at, provider_message_id)
SETTINGS non_replicated_deduplication_window = 1000;
