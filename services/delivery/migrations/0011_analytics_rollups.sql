-- Analytics across sessions (CONTRACT.md): each cohort row also carries the message's dimensions and its
-- time to deliver and to read (ms, rounded down to 3 significant digits; -1 when not reached), so a message
-- whose dimensions or latency change moves like a cohort move: -1 on its old row, +1 on its new one.
ALTER TABLE {db}.delivery_outbound_messages ADD COLUMN IF NOT EXISTS template String DEFAULT '';

ALTER TABLE {db}.delivery_cohort_changes
  ADD COLUMN IF NOT EXISTS campaign String DEFAULT '',
  ADD COLUMN IF NOT EXISTS category LowCardinality(String) DEFAULT '',
  ADD COLUMN IF NOT EXISTS country LowCardinality(String) DEFAULT '',
  ADD COLUMN IF NOT EXISTS template String DEFAULT '',
  ADD COLUMN IF NOT EXISTS deliver_ms Int64 DEFAULT -1,
  ADD COLUMN IF NOT EXISTS read_ms Int64 DEFAULT -1;
-- The journal writes the cohort rows into this feed with the same columns.
ALTER TABLE {db}.delivery_rollup_feed
  ADD COLUMN IF NOT EXISTS campaign String DEFAULT '',
  ADD COLUMN IF NOT EXISTS category LowCardinality(String) DEFAULT '',
  ADD COLUMN IF NOT EXISTS country LowCardinality(String) DEFAULT '',
  ADD COLUMN IF NOT EXISTS template String DEFAULT '',
  ADD COLUMN IF NOT EXISTS deliver_ms Int64 DEFAULT -1,
  ADD COLUMN IF NOT EXISTS read_ms Int64 DEFAULT -1;

-- Counts by the five dimensions: per minute for 32 days (minute buckets over 31 days), per hour for 450 days
-- (day, week and month buckets over 400 days). Each rollup hangs off a Null feed of its own, because the
-- journal checks one target per feed for the insert's marker row (migration 0010, JournalFeed).
CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_minute (
  bucket_start DateTime('UTC'),
  session_id String,
  campaign String,
  category LowCardinality(String),
  country LowCardinality(String),
  template String,
  sent Int64,
  delivered Int64,
  read Int64,
  failed Int64,
  journal_batch LowCardinality(String),
  journal_marker UInt8
) ENGINE = SummingMergeTree
ORDER BY (bucket_start, session_id, campaign, category, country, template, journal_batch)
TTL bucket_start + INTERVAL 32 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_hour AS {db}.delivery_cohort_minute
ENGINE = SummingMergeTree
ORDER BY (bucket_start, session_id, campaign, category, country, template, journal_batch)
TTL bucket_start + INTERVAL 450 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_minute_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_minute_mv TO {db}.delivery_cohort_minute AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    minute AS bucket_start, session_id, campaign, category, country, template,
    toInt64(sum(sign)) AS sent,
    toInt64(sum(sign * delivered)) AS delivered,
    toInt64(sum(sign * read)) AS read,
    toInt64(sum(sign * failed)) AS failed
  FROM {db}.delivery_cohort_minute_feed
  GROUP BY bucket_start, session_id, campaign, category, country, template
);

CREATE TABLE IF NOT EXISTS {db}.delivery_cohort_hour_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_cohort_hour_mv TO {db}.delivery_cohort_hour AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    toStartOfHour(minute) AS bucket_start, session_id, campaign, category, country, template,
    toInt64(sum(sign)) AS sent,
    toInt64(sum(sign * delivered)) AS delivered,
    toInt64(sum(sign * read)) AS read,
    toInt64(sum(sign * failed)) AS failed
  FROM {db}.delivery_cohort_hour_feed
  GROUP BY bucket_start, session_id, campaign, category, country, template
);

-- Latency as a fixed histogram: signed message counts per rounded millisecond value. Unlike a t-digest it
-- can take a -1, so a message whose cohort time or dimensions move leaves its old bin; any grouping merges
-- by summing, and quantilesExactWeighted over the bins answers within the rounding (< 1%).
CREATE TABLE IF NOT EXISTS {db}.delivery_latency_hist_minute (
  bucket_start DateTime('UTC'),
  session_id String,
  campaign String,
  category LowCardinality(String),
  country LowCardinality(String),
  template String,
  metric LowCardinality(String),
  ms UInt64,
  messages Int64,
  journal_batch LowCardinality(String),
  journal_marker UInt8
) ENGINE = SummingMergeTree
ORDER BY (bucket_start, session_id, campaign, category, country, template, metric, ms, journal_batch)
TTL bucket_start + INTERVAL 32 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_latency_hist_hour AS {db}.delivery_latency_hist_minute
ENGINE = SummingMergeTree
ORDER BY (bucket_start, session_id, campaign, category, country, template, metric, ms, journal_batch)
TTL bucket_start + INTERVAL 450 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.delivery_latency_hist_minute_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_hist_minute_mv TO {db}.delivery_latency_hist_minute AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    minute AS bucket_start, session_id, campaign, category, country, template,
    m.1 AS metric, toUInt64(m.2) AS ms, toInt64(sum(sign)) AS messages
  FROM {db}.delivery_latency_hist_minute_feed
  ARRAY JOIN [('deliver', deliver_ms), ('read', read_ms)] AS m
  WHERE m.2 >= 0
  GROUP BY bucket_start, session_id, campaign, category, country, template, metric, ms
);

CREATE TABLE IF NOT EXISTS {db}.delivery_latency_hist_hour_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_hist_hour_mv TO {db}.delivery_latency_hist_hour AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    toStartOfHour(minute) AS bucket_start, session_id, campaign, category, country, template,
    m.1 AS metric, toUInt64(m.2) AS ms, toInt64(sum(sign)) AS messages
  FROM {db}.delivery_latency_hist_hour_feed
  ARRAY JOIN [('deliver', deliver_ms), ('read', read_ms)] AS m
  WHERE m.2 >= 0
  GROUP BY bucket_start, session_id, campaign, category, country, template, metric, ms
);
