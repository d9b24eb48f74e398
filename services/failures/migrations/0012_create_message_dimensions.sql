-- The analytics dimensions of outbound messages (src/message-dimensions.ts), from the registrations and
-- statuses this service reads from the raw topic, so failures filter by campaign, category, country and
-- template without reading another team's tables. One row per message, read with FINAL.
CREATE TABLE IF NOT EXISTS {db}.failures_messages (
  session_id String,
  provider_message_id String,
  recipient String,
  country LowCardinality(String),
  campaign String,
  registered_category String,
  template String,
  pricing_category String,
  pricing_at Nullable(DateTime64(3, 'UTC')),
  registered_at Nullable(DateTime64(3, 'UTC')),
  version UInt64,
  journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token')
) ENGINE = ReplacingMergeTree(version)
ORDER BY (session_id, provider_message_id)
SETTINGS non_replicated_deduplication_window = 1000;

-- Public interface (README "Public views"): a message's dimensions, '' when unknown.
CREATE VIEW IF NOT EXISTS {db}.failures_messages_v1 AS
SELECT session_id, provider_message_id, campaign,
       if(registered_category != '', registered_category, pricing_category) AS category, country, template
FROM {db}.failures_messages FINAL;
