-- Where a reply without context links now, when that differs from the link stored with it in
-- replies_inbound. A reply without context links to the contact's latest outbound message whose cohort
-- time is within REPLY_LINK_WINDOW before it; when the consumer learns an outbound message (a late
-- registration, an earlier status), it relinks the replies that message concerns and writes their new
-- link here with version + 1. So the current link is a function of the events received, not of their
-- order. Only moved links have a row (a few per thousand replies): read the current link of a reply as
-- argMax(linked_provider_message_id, version) here, else replies_inbound's.
CREATE TABLE IF NOT EXISTS {db}.replies_links (
  session_id String,
  provider_message_id String,
  contact String,
  occurred_at DateTime64(3, 'UTC'),
  linked_provider_message_id String,
  link_method LowCardinality(String),
  previous_provider_message_id String,
  version UInt64,
  INDEX idx_linked_provider_message_id linked_provider_message_id TYPE bloom_filter GRANULARITY 4
) ENGINE = ReplacingMergeTree(version)
ORDER BY (session_id, occurred_at, provider_message_id)
SETTINGS non_replicated_deduplication_window = 1000;
