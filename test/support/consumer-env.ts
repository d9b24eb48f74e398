import type { ClickHouseOptions } from '@wapipe/clickhouse';

/** Environment variables that point a consumer at the test broker and database. */
export function testConsumerEnv(
  brokers: string[],
  prefix: string,
  ch: ClickHouseOptions,
): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    TOPIC_PREFIX: prefix,
    TOPIC_PARTITIONS: '3',
    CLICKHOUSE_DATABASE: ch.database,
    ...(ch.url
      ? {
          CLICKHOUSE_URL: ch.url,
          CLICKHOUSE_USER: ch.username ?? 'default',
          CLICKHOUSE_PASSWORD: ch.password ?? '',
        }
      : {}),
    ...(ch.dataPath ? { CHDB_PATH: ch.dataPath } : {}),
  };
}
