-- The outbound index learns a message's analytics dimensions (CONTRACT "Analytics across sessions"): the
-- registered category and template, and the pricing category of the earliest status that reported one
-- (the category when none was registered), and the recipient's country (@wapipe/events recipientCountry,
-- written by the consumer: the parsing library is not in SQL). Campaign was there already.
ALTER TABLE {db}.replies_outbound_index
  ADD COLUMN IF NOT EXISTS category String,
  ADD COLUMN IF NOT EXISTS template String,
  ADD COLUMN IF NOT EXISTS country LowCardinality(String),
  ADD COLUMN IF NOT EXISTS pricing_category String,
  ADD COLUMN IF NOT EXISTS pricing_at Nullable(DateTime64(3, 'UTC'));
