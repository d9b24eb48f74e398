-- The delivery team's public read interface (README "Views"): the read API and analysts read these, never
-- the tables, so the tables can change within v1. Rollup views hold signed partial sums: always sum them.
CREATE VIEW IF NOT EXISTS {db}.delivery_messages_v1 AS
SELECT message_id, provider_message_id, session_id, recipient, sent_at, campaign_id, category, template,
       registered_at
FROM {db}.delivery_outbound_messages;

CREATE VIEW IF NOT EXISTS {db}.delivery_status_events_v1 AS
SELECT event_id, session_id, provider, provider_message_id, recipient, status, group_participant, occurred_at,
       received_at, pricing_category, conversation_category
FROM {db}.delivery_status_events;

CREATE VIEW IF NOT EXISTS {db}.delivery_session_minute_v1 AS
SELECT session_id, minute AS bucket_start, sent, delivered, read, failed
FROM {db}.delivery_rollup_minute;

CREATE VIEW IF NOT EXISTS {db}.delivery_cohort_minute_v1 AS
SELECT bucket_start, session_id, campaign, category, country, template, sent, delivered, read, failed
FROM {db}.delivery_cohort_minute;

CREATE VIEW IF NOT EXISTS {db}.delivery_cohort_hour_v1 AS
SELECT bucket_start, session_id, campaign, category, country, template, sent, delivered, read, failed
FROM {db}.delivery_cohort_hour;

CREATE VIEW IF NOT EXISTS {db}.delivery_latency_minute_v1 AS
SELECT bucket_start, session_id, campaign, category, country, template, metric, ms, messages
FROM {db}.delivery_latency_hist_minute;

CREATE VIEW IF NOT EXISTS {db}.delivery_latency_hour_v1 AS
SELECT bucket_start, session_id, campaign, category, country, template, metric, ms, messages
FROM {db}.delivery_latency_hist_hour;
