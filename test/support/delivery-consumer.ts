import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import type { ClickHouseOptions } from '@wapipe/clickhouse';
import { createRegistry, silentLogger } from '@wapipe/observability';
import { testConsumerEnv } from './consumer-env.ts';

export { testConsumerEnv };

/** The delivery consumer on the test broker, writing to the test database. */
export async function startTestDelivery(brokers: string[], prefix: string, ch: ClickHouseOptions) {
  const env = deliveryEnv.parse(testConsumerEnv(brokers, prefix, ch));
  return startDelivery(
    { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
    { logger: silentLogger, registry: createRegistry() },
  );
}
