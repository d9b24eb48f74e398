-- The raw requests again, in granules of about 256 KiB of rows instead of up to 8192 rows: a message's
-- lookup reads one granule of each part, and decompressing a granule's bodies was most of its cost
-- (bench/raw.ts). index_granularity cannot change on a table, so new requests go here and the views read
-- only this table; the archive moves what the legacy archive_raw_requests holds at start (retention.ts),
-- and a later migration drops it. Same columns, sorting key and TTL.
CREATE TABLE IF NOT EXISTS {db}.archive_raw_requests_v2 (
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
  journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token')
) ENGINE = ReplacingMergeTree
ORDER BY (session_id, received_at, kafka_partition, kafka_offset)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000, index_granularity_bytes = 262144;
-- A batch journaled into the legacy table before the upgrade and recovered after it still reaches the new
-- table (the dedup window on the target carries the insert's token through).
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.archive_raw_requests_to_v2 TO {db}.archive_raw_requests_v2
AS SELECT * FROM {db}.archive_raw_requests;
