// Everything in one process: the local broker (unless KAFKA_BROKERS), embedded ClickHouse (unless
// CLICKHOUSE_URL), the ingress and the API on one port, and the three consumers, each with its own group
// and its own ClickHouse connection.
import { Hono } from 'hono';
import { startApi } from '@wapipe/api';
import { startDelivery } from '@wapipe/delivery';
import { startFailures } from '@wapipe/failures';
import { healthRoutes } from '@wapipe/http';
import { startIngress } from '@wapipe/ingress';
import { startLocalBroker } from '@wapipe/local-kafka';
import type { LocalBroker } from '@wapipe/local-kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { startReplies } from '@wapipe/replies';
import type { AllInOneEnv } from './env.ts';

export { allInOneEnv } from './env.ts';
export type { AllInOneEnv } from './env.ts';

export interface RunningPipeline {
  app: Hono;
  brokers: string[];
  stop(): Promise<void>;
}

export async function startPipeline(
  env: AllInOneEnv,
  context: { logger: Logger; registry: Registry },
): Promise<RunningPipeline> {
  const { logger } = context;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) {
      await stop().catch((error: unknown) => logger.warn('stop failed', { error: (error as Error).message }));
    }
  };
  try {
    let broker: LocalBroker | undefined;
    let brokers = env.KAFKA_BROKERS;
    if (!brokers) {
      logger.info('starting the local Kafka broker (KAFKA_BROKERS is unset)', { port: env.KAFKA_LOCAL_PORT });
      broker = await startLocalBroker({
        port: env.KAFKA_LOCAL_PORT,
        controllerPort: env.KAFKA_LOCAL_PORT + 1,
        dataDir: env.KAFKA_DATA_DIR,
        onProgress: (message: string) => logger.info(message),
      });
      const started = broker;
      stops.push(() => started.stop());
      brokers = broker.brokers;
    }
    const withBrokers = { ...env, KAFKA_BROKERS: brokers };
    logger.info(env.CLICKHOUSE_URL ? 'using ClickHouse over HTTP' : 'using embedded ClickHouse', {
      clickhouse: env.CLICKHOUSE_URL ?? env.CHDB_PATH,
    });

    const delivery = await startDelivery(withBrokers, context);
    stops.push(() => delivery.stop());
    const replies = await startReplies(withBrokers, context);
    stops.push(() => replies.stop());
    const failures = await startFailures(withBrokers, context);
    stops.push(() => failures.stop());
    const api = await startApi(withBrokers, context);
    stops.push(() => api.stop());
    const ingress = await startIngress(withBrokers, context);
    stops.push(() => ingress.stop());

    const app = new Hono();
    app.route(
      '/',
      healthRoutes({
        registry: context.registry,
        checks: { kafka: () => ingress.kafka.isReachable(), clickhouse: () => api.ch.ping() },
      }),
    );
    app.route('/', ingress.app);
    app.route('/', api.app);
    return { app, brokers, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
