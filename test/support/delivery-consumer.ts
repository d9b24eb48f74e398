import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import type { ClickHouseOptions } from '@wapipe/clickhouse';
import { createRegistry, silentLogger } from '@wapipe/observability';

/** The delivery consumer on the test broker, writing to the test database. */
export async function startTestDelivery(brokers: string[], prefix: string, ch: ClickHouseOptions) {
  const env = deliveryEnv.parse(testConsumerEnv(brokers, prefix, ch));
  return startDelivery(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger: silentLogger, registry: createRegistry() },
  );
}

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
