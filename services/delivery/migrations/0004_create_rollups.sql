-- Cohort analytics. The consumer writes, for each message whose cohort row changed, a -1 row for the old
-- row and a +1 row for the new one (bucket = send time: registered sentAt, else earliest status). The view
-- sums them per session × minute, so a message that moves bucket, or whose failure a delivery supersedes,
-- is counted once, where it belongs now.
CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_changes (
  session_id String,
  provider_message_id String,
  minute DateTime('UTC'),
  sign Int8,
  delivered UInt8,
  read UInt8,
  failed UInt8,
  changed_at DateTime64(3, 'UTC')
) ENGINE = MergeTree
ORDER BY (session_id, minute, provider_message_id)
TTL toDateTime(changed_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_rollup_minute (
  session_id String,
  minute DateTime('UTC'),
  sent Int64,
  delivered Int64,
  read Int64,
  failed Int64
) ENGINE = SummingMergeTree
ORDER BY (session_id, minute)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_rollup_minute_mv TO {db}.delivery_rollup_minute AS
SELECT
  session_id,
  minute,
  toInt64(sum(sign)) AS sent,
  toInt64(sum(sign * delivered)) AS delivered,
  toInt64(sum(sign * read)) AS read,
  toInt64(sum(sign * failed)) AS failed
FROM {db}.delivery_cohort_changes
GROUP BY session_id, minute;

-- Time to deliver and to read, sampled once per message when both ends are known, bucketed by the minute
-- the later end happened.
CREATE TABLE IF NOT EXISTS {db}.delivery_latency_samples (
  session_id String,
  provider_message_id String,
  metric LowCardinality(String),
  minute DateTime('UTC'),
  ms UInt64
) ENGINE = MergeTree
ORDER BY (session_id, minute, metric)
TTL minute + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_latency_minute (
  session_id String,
  minute DateTime('UTC'),
  metric LowCardinality(String),
  ms AggregateFunction(quantilesTDigest(0.5, 0.9, 0.99), UInt64),
  samples SimpleAggregateFunction(sum, UInt64)
) ENGINE = AggregatingMergeTree
ORDER BY (session_id, minute, metric)
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_minute_mv TO {db}.delivery_latency_minute AS
SELECT
  session_id,
  minute,
  metric,
  quantilesTDigestState(0.5, 0.9, 0.99)(ms) AS ms,
  toUInt64(count()) AS samples
FROM {db}.delivery_latency_samples
GROUP BY session_id, minute, metric;
