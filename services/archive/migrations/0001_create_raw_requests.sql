-- Every raw record as the ingress wrote it: the exact body, its content type, session, provider, receive
-- time, partition and offset. Signature headers never reach the raw topic, so they are not here either.
-- Sorted by session and receive time for paging a session's requests; the offset index finds a message's
-- requests (its rows carry the partition and offset of the record that brought them). The TTL here is the
-- default; the service sets RAW_RETENTION at start (ALTER … MODIFY TTL) and the view filters by it too, so
-- answers do not depend on when background merges drop expired rows.
CREATE TABLE IF NOT EXISTS {db}.archive_raw_requests (
  session_id String,
  received_at DateTime64(3, 'UTC'),
  kafka_partition UInt32,
  kafka_offset UInt64,
  provider LowCardinality(String),
  kind LowCardinality(String),
  content_type LowCardinality(String),
  request_id String,
  body String CODEC(ZSTD(3)),
  sha256 FixedString(64),
  archived_at DateTime64(3, 'UTC'),
  INDEX idx_offset kafka_offset TYPE minmax GRANULARITY 1
) ENGINE = ReplacingMergeTree
ORDER BY (session_id, received_at, kafka_partition, kafka_offset)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;
