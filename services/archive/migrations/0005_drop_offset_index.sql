-- A message's requests are found by their whole sorting key (session, receive time, partition, offset),
-- which the link rows carry: the minmax index on the offset alone answers no query now, and evaluating it
-- cost every lookup a pass over its granules.
ALTER TABLE {db}.archive_raw_requests DROP INDEX IF EXISTS idx_offset;
