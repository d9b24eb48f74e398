-- Which kept requests carried a status or failure of a message, or an inbound message (by its own id):
-- every request, retries and re-batched copies included, not only the first that the consumers stored.
-- A message's replies are found through the replies service's link, then their requests here.
CREATE TABLE IF NOT EXISTS {db}.archive_message_requests (
  session_id String,
  provider_message_id String,
  received_at DateTime64(3, 'UTC'),
  kafka_partition UInt32,
  kafka_offset UInt64
) ENGINE = ReplacingMergeTree
ORDER BY (session_id, provider_message_id, kafka_partition, kafka_offset)
TTL toDateTime(received_at) + INTERVAL 90 DAY
SETTINGS non_replicated_deduplication_window = 1000;
