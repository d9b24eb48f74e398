-- Operator alerts. Each change of an alert (opened, updated, resolved) is a new row with the same id and a
-- higher version; read with FINAL to get each alert's latest version. At most one alert per
-- session × kind is open at a time.
CREATE TABLE IF NOT EXISTS {db}.failures_alerts (
  id String,
  session_id String,
  kind LowCardinality(String),
  severity LowCardinality(String),
  status LowCardinality(String),
  opened_at DateTime64(3, 'UTC'),
  resolved_at Nullable(DateTime64(3, 'UTC')),
  detail String,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (session_id, kind, id)
SETTINGS non_replicated_deduplication_window = 1000;
