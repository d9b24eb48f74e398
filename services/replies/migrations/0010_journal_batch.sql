-- Recovery never trusts a dedup token alone (ADR 5). MergeTree commits a part before it records the part's
-- token, so a kill in between keeps rows whose token is forgotten, and re-applying the batch would store
-- them twice. Every row the journal writes holds its insert's token (the default reads the setting), and
-- recovery re-applies a table only when it finds no row with the token. A table added later that the
-- journal writes needs the same column.
ALTER TABLE {db}.replies_inbound
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_outbound_index
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_contacts
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_suppressions
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_opt_outs
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_follow_ups
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
ALTER TABLE {db}.replies_links
  ADD COLUMN IF NOT EXISTS journal_batch LowCardinality(String) DEFAULT getSetting('insert_deduplication_token');
