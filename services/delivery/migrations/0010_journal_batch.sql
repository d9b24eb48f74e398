-- Recovery never trusts a dedup token alone (ADR 5). MergeTree commits a part before it records the part's
-- token, so a kill in between keeps rows whose token is forgotten, and re-applying the batch would store
-- them twice. Every row the journal writes holds its insert's token (the default reads the setting), and
-- recovery re-applies a table only when it finds no row with the token.
ALTER TABLE {db}.delivery_status_events
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.delivery_outbound_messages
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.delivery_cohort_changes
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.delivery_latency_samples
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');

-- A view's part is not its source's part: after a kill either can be there without the other. The sums and
-- t-digests are not idempotent, so their views move off the tables the journal writes onto Null-engine
-- feeds, which the journal writes as inserts of their own (JournalFeed). Each view marks ONE row per insert
-- with the insert's token; journal_batch is in the sorting key, so that row never merges away, while every
-- other row has '' and merges as before. journal_marker keeps SummingMergeTree from dropping a marker whose
-- sums are zero. The marker rows carry real counts: readers sum as they always did.
ALTER TABLE {db}.delivery_rollup_minute
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String),
  ADD COLUMN IF NOT EXISTS journal_marker UInt8,
  MODIFY ORDER BY (session_id, minute, journal_batch);
DROP VIEW IF EXISTS {db}.delivery_rollup_minute_mv;
CREATE TABLE IF NOT EXISTS {db}.delivery_rollup_feed AS {db}.delivery_cohort_changes ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_rollup_feed_mv TO {db}.delivery_rollup_minute AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch,
  toUInt8(rowNumberInAllBlocks() = 0) AS journal_marker
FROM (
  SELECT
    session_id,
    minute,
    toInt64(sum(sign)) AS sent,
    toInt64(sum(sign * delivered)) AS delivered,
    toInt64(sum(sign * read)) AS read,
    toInt64(sum(sign * failed)) AS failed
  FROM {db}.delivery_rollup_feed
  GROUP BY session_id, minute
);

ALTER TABLE {db}.delivery_latency_minute
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String),
  MODIFY ORDER BY (session_id, minute, metric, journal_batch);
DROP VIEW IF EXISTS {db}.delivery_latency_minute_mv;
CREATE TABLE IF NOT EXISTS {db}.delivery_latency_feed AS {db}.delivery_latency_samples ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_latency_feed_mv TO {db}.delivery_latency_minute AS
SELECT
  *,
  if(rowNumberInAllBlocks() = 0, getSetting('insert_deduplication_token'), '') AS journal_batch
FROM (
  SELECT
    session_id,
    minute,
    metric,
    quantilesTDigestState(0.5, 0.9, 0.99)(ms) AS ms,
    toUInt64(count()) AS samples
  FROM {db}.delivery_latency_feed
  GROUP BY session_id, minute, metric
);

-- The message state view only takes max, min and any: filling it twice changes nothing, so it stays on the
-- timeline (the hot path parses those rows once). When recovery finds a batch's rows already in the
-- timeline, it cannot tell whether the view's part landed too, so it writes them into this Null-engine
-- copy, whose view fills the state again (JournalReplay). The SELECT is the one of migration 0003.
CREATE TABLE IF NOT EXISTS {db}.delivery_status_events_replay AS {db}.delivery_status_events ENGINE = Null;
CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_message_state_replay_mv TO {db}.delivery_message_state AS
SELECT
  provider_message_id,
  session_id,
  recipient,
  toUInt8(multiIf(status = 'sent', 1, status = 'delivered', 2, status = 'read', 3, status = 'played', 4, 0)) AS top_rank,
  toUInt8(status = 'failed') AS failed,
  occurred_at AS first_at,
  occurred_at AS updated_at
FROM {db}.delivery_status_events_replay;
