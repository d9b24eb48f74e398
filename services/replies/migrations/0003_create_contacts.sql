-- One row per contact and session (after FINAL): profile name as last reported, first and last inbound
-- message time, and how many inbound messages were stored. Written as read + merge + version + 1.
CREATE TABLE IF NOT EXISTS {db}.replies_contacts (
  session_id String,
  wa_id String,
  profile_name String,
  first_seen_at DateTime64(3, 'UTC'),
  last_seen_at DateTime64(3, 'UTC'),
  inbound_count UInt64,
  last_provider_message_id String,
  version UInt64
) ENGINE = ReplacingMergeTree(version)
ORDER BY (session_id, wa_id)
SETTINGS non_replicated_deduplication_window = 1000;
