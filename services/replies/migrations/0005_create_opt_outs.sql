-- Opt-out state changes, one row per change: action 'opt_out' (a STOP-like reply) or 'opt_in' (a
-- START-like reply that clears it). seq counts a contact's changes; the current state is the action of
-- the highest seq. A change is written (and published) only when it changes the state.
CREATE TABLE IF NOT EXISTS {db}.replies_opt_outs (
  id String,
  session_id String,
  contact String,
  action LowCardinality(String),
  keyword String,
  inbound_provider_message_id String,
  inbound_event_id String,
  at DateTime64(3, 'UTC'),
  seq UInt64
) ENGINE = MergeTree
ORDER BY (session_id, contact, seq)
SETTINGS non_replicated_deduplication_window = 1000;
