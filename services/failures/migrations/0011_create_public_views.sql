-- The failures service's public interface (README "Public views"): the read API and analysts read these,
-- never the tables, so the tables can change within v1 without breaking another team's code.

-- One row per failure event id (a failed status's error, an envelope error, …); provider_message_id is ''
-- for a failure with no message. Count "failures" as one per message and code plus each event without one.
CREATE VIEW IF NOT EXISTS {db}.failures_events_v1 AS
SELECT event_id, session_id, provider, provider_message_id, recipient, code, title, details, category,
       retryable, retry_advice, source, occurred_at, received_at
FROM {db}.failures_events;

-- Each alert's latest version; alerts later shown never to have existed (withdrawn) are left out.
CREATE VIEW IF NOT EXISTS {db}.failures_alerts_v1 AS
SELECT id, session_id, kind, severity, status, opened_at, resolved_at, detail
FROM {db}.failures_alerts FINAL
WHERE status IN ('open', 'resolved');

-- One row per session state event id.
CREATE VIEW IF NOT EXISTS {db}.failures_session_states_v1 AS
SELECT event_id, session_id, provider, status, reason, occurred_at, received_at
FROM {db}.failures_session_states;
