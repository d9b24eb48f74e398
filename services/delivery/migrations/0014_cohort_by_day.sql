-- Long ranges by one dimension (bench/analytics.ts): the hour rollup keeps every combination of the five
-- dimensions, so a 400-day `day` query summed ~10M rows at 100M status events. This rollup keeps each
-- dimension on its own, by day: one row per (dimension, value, day), plus dimension '' for the totals. A
-- long query grouped by one dimension, filtered by at most that one, reads a few thousand rows per day
-- instead. Sorted by value first: the second read of a request (the buckets of one page of groups) then
-- reads only those groups' rows.
-- It hangs off a feed of its own like every summing rollup (migration 0010: exactly once, any order).
CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_by_day (
  dimension LowCardinality(String),
  value String,
  bucket_start DateTime('UTC'),
  sent Int64,
  delivered Int64,
  read Int64,
  failed Int64,
  journal_batch LowCardinality(String),
  journal_marker UInt8
) ENGINE = SummingMergeTree
ORDER BY (dimension, value, bucket_start, journal_batch)
TTL bucket_start + INTERVAL 450 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_by_day_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_by_day_mv TO {db}.delivery_cohort_by_day AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    d.1 AS dimension, d.2 AS value, toStartOfDay(minute) AS bucket_start,
    toInt64(sum(sign)) AS sent,
    toInt64(sum(sign * delivered)) AS delivered,
    toInt64(sum(sign * read)) AS read,
    toInt64(sum(sign * failed)) AS failed
  FROM {db}.delivery_cohort_by_day_feed
  ARRAY JOIN [('', ''), ('session', session_id), ('campaign', campaign), ('category', toString(category)),
              ('country', toString(country)), ('template', template)] AS d
  GROUP BY dimension, value, bucket_start
);

-- No history is copied in: migrations stay DDL (the cluster rewriter runs only CREATE, ALTER and DROP), and
-- the hour rollup it would come from is of the same release (0011). bench/analytics.ts fills it from the
-- hour rows with the same ARRAY JOIN.

-- Public (README "Views"): signed partial sums of one dimension at a time; `dimension` '' holds the totals.
CREATE VIEW IF NOT EXISTS {db}.delivery_cohort_by_day_v1 AS
SELECT dimension, value, bucket_start, sent, delivered, read, failed
FROM {db}.delivery_cohort_by_day;
