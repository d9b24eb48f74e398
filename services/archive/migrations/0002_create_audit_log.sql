-- Operator actions from the audit topic, one row per entry id (a re-sent entry collapses into one).
CREATE TABLE IF NOT EXISTS {db}.archive_audit_log (
  id String,
  at DateTime64(3, 'UTC'),
  actor String,
  action LowCardinality(String),
  target String,
  detail String,
  recorded_at DateTime64(3, 'UTC')
) ENGINE = ReplacingMergeTree
ORDER BY (at, id)
SETTINGS non_replicated_deduplication_window = 1000;

-- The public interface (v1): columns stable within v1; readers never see a duplicate.
CREATE VIEW IF NOT EXISTS {db}.archive_audit_v1 AS
SELECT id, at, actor, action, target, detail
FROM {db}.archive_audit_log FINAL;
