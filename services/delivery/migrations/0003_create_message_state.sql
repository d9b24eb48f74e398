-- Latest status per message. Every column is a max/min/any aggregate of the timeline, so the state does not
-- depend on the order statuses arrived in and can never move backwards.
-- top_rank: 0 none, 1 sent, 2 delivered, 3 read, 4 played. Status = top_rank >= 2 ? that : failed ? 'failed' : ...
CREATE TABLE IF NOT EXISTS {db}.delivery_message_state (
  provider_message_id String,
  session_id SimpleAggregateFunction(any, String),
  recipient SimpleAggregateFunction(any, String),
  top_rank SimpleAggregateFunction(max, UInt8),
  failed SimpleAggregateFunction(max, UInt8),
  first_at SimpleAggregateFunction(min, DateTime64(3, 'UTC')),
  updated_at SimpleAggregateFunction(max, DateTime64(3, 'UTC'))
) ENGINE = AggregatingMergeTree
ORDER BY provider_message_id
SETTINGS non_replicated_deduplication_window = 1000;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.delivery_message_state_mv TO {db}.delivery_message_state AS
SELECT
  provider_message_id,
  session_id,
  recipient,
  toUInt8(multiIf(status = 'sent', 1, status = 'delivered', 2, status = 'read', 3, status = 'played', 4, 0)) AS top_rank,
  toUInt8(status = 'failed') AS failed,
  occurred_at AS first_at,
  occurred_at AS updated_at
FROM {db}.delivery_status_events;
