// The delivery consumer as a startable unit; index.ts runs it alone, the all-in-one runs it beside others.
import { loadMigrations } from '@wapipe/clickhouse';
import { Counter } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import { startConsumerService } from '@wapipe/pipeline';
import type { RunningConsumer } from '@wapipe/pipeline';
import type { DeliveryEnv } from './env.ts';
import { createDeliveryProcess } from './process.ts';

export { deliveryEnv } from './env.ts';
export type { DeliveryEnv } from './env.ts';

export const deliveryMigrations = () => loadMigrations(new URL('../migrations/', import.meta.url));

export function deliveryMetrics(registry: Registry) {
  return {
    stored: new Counter({
      name: 'wapipe_delivery_status_events_total',
      help: 'Status events stored',
      registers: [registry],
    }),
    repeats: new Counter({
      name: 'wapipe_delivery_repeats_total',
      help: 'Status events and registrations dropped because they were already stored',
      registers: [registry],
    }),
  };
}

export async function startDelivery(
  env: DeliveryEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningConsumer> {
  return startConsumerService({
    name: 'delivery',
    env,
    migrations: await deliveryMigrations(),
    logger: context.logger,
    registry: context.registry,
    makeProcess: ({ ch, topics, registry }) =>
      createDeliveryProcess({
        ch,
        transitionsTopic: topics.statusTransitions,
        metrics: deliveryMetrics(registry),
      }),
  });
}
