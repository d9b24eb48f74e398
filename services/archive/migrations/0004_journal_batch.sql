-- Recovery never trusts a dedup token alone (ADR 5): every row the journal writes holds its insert's token,
-- and recovery re-applies a table only when it finds no row with the token.
ALTER TABLE {db}.archive_raw_requests
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.archive_message_requests
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
