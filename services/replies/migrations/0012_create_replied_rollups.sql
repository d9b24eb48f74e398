-- Replied cohorts (CONTRACT "Analytics across sessions": `replied` counts messages of the cohort with at
-- least one linked reply). A message counts once, in the minute of its cohort time (the delivery
-- consumer's rule, @wapipe/events cohortTime) under its dimensions, while at least one reply links to it.
-- When that place changes (a late registration moves or re-labels it, a link moves and it gains its first
-- or loses its last reply), the consumer writes a -1 row for the old place and a +1 row for the new one,
-- as delivery does for its cohorts (delivery migration 0004). The sums hang off Null-engine feeds that the
-- journal writes as inserts of their own, each view marking one row per insert with the insert's token
-- (delivery migration 0010, ADR 5): a batch re-applied after a kill is summed once.
CREATE TABLE IF NOT EXISTS {db}.replies_replied_changes (
  session_id String,
  provider_message_id String,
  campaign String,
  category String,
  country String,
  template String,
  minute DateTime('UTC'),
  sign Int8,
  changed_at DateTime64(3, 'UTC'),
  journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token')
) ENGINE = MergeTree
ORDER BY (session_id, minute, provider_message_id)
TTL toDateTime(changed_at) + INTERVAL 30 DAY
SETTINGS non_replicated_deduplication_window = 1000;

-- Minute grain for ranges up to 31 days (kept 35), hour grain for up to 400 days (kept 410).
CREATE TABLE IF NOT EXISTS {db}.replies_replied_minute (
  session_id String,
  campaign String,
  category String,
  country String,
  template String,
  minute DateTime('UTC'),
  replied Int64,
  journal_batch LowCardinality(String),
  journal_marker UInt8
) ENGINE = SummingMergeTree
ORDER BY (session_id, minute, campaign, category, country, template, journal_batch)
TTL minute + INTERVAL 35 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.replies_replied_hour (
  session_id String,
  campaign String,
  category String,
  country String,
  template String,
  hour DateTime('UTC'),
  replied Int64,
  journal_batch LowCardinality(String),
  journal_marker UInt8
) ENGINE = SummingMergeTree
ORDER BY (session_id, hour, campaign, category, country, template, journal_batch)
TTL hour + INTERVAL 410 DAY
SETTINGS non_replicated_deduplication_window = 1000;

CREATE TABLE IF NOT EXISTS {db}.replies_replied_minute_feed AS {db}.replies_replied_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.replies_replied_minute_feed_mv TO {db}.replies_replied_minute AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT session_id, campaign, category, country, template, minute, toInt64(sum(sign)) AS replied
  FROM {db}.replies_replied_minute_feed
  GROUP BY session_id, campaign, category, country, template, minute
);

CREATE TABLE IF NOT EXISTS {db}.replies_replied_hour_feed AS {db}.replies_replied_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.replies_replied_hour_feed_mv TO {db}.replies_replied_hour AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT session_id, campaign, category, country, template, toStartOfHour(minute) AS hour,
         toInt64(sum(sign)) AS replied
  FROM {db}.replies_replied_hour_feed
  GROUP BY session_id, campaign, category, country, template, hour
);

-- Public interface (README "Views"): rows to be summed, sum(replied) by any dimensions and buckets.
CREATE VIEW IF NOT EXISTS {db}.replies_replied_minute_v1 AS
SELECT session_id, campaign, category, country, template, minute AS bucket_start, replied
FROM {db}.replies_replied_minute;

CREATE VIEW IF NOT EXISTS {db}.replies_replied_hour_v1 AS
SELECT session_id, campaign, category, country, template, hour AS bucket_start, replied
FROM {db}.replies_replied_hour;
